// A TypeDoc plugin for the house style (../shared/STYLE.md): every public export has a summary and
// an `@example`. Each one missing is a warning, and `treatWarningsAsErrors` (typedoc.json) turns
// warnings into a failed `npm run docs`. Loaded through typedoc.json's `plugin`.
import { Application, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    const modules = project.children ?? [];
    for (const module of modules) {
      for (const reflection of module.children ?? []) {
        // A function's comment lives on its signatures; anything else carries its own.
        const comments = reflection.kindOf(ReflectionKind.Function)
          ? (reflection.signatures ?? []).map((signature) => signature.comment)
          : [reflection.comment];
        const name = `${module.name}.${reflection.name}`;
        if (!comments.some((comment) => comment !== undefined && hasSummary(comment))) {
          app.logger.warn(`${name} has no summary (house style: a one-line summary)`);
        }
        if (!comments.some((comment) => comment?.getTag('@example') !== undefined)) {
          app.logger.warn(`${name} has no @example (house style: an example with its imports)`);
        }
      }
    }
  });
}

/** @param {import('typedoc').Comment} comment */
function hasSummary(comment) {
  return comment.summary.some((part) => part.text.trim().length > 0);
}
