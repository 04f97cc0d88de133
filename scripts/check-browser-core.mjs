// Checks that the core (`rxbroker` and `rxbroker/testing`) needs nothing of Node.js, so that it runs
// in a browser as it is. Run by `npm run test:browser`, after `npm run build`:
//
// 1. The built entry points, dist/index.js and dist/testing.js, with every chunk they import, import
//    nothing but rxjs, rxjs/testing and immer: no `node:` module, no other package, no `require`.
//    (esbuild reads the imports, static and dynamic, of the code as it ships.)
// 2. The core's sources type-check with the DOM's declarations and without Node's (@types/node),
//    so they use no Node global either: no `process`, `Buffer`, `require`, `__dirname`, ...
//    Only `setImmediate` is declared: the broker's timer feature-detects it and falls back to
//    `setTimeout` (which the specs in Chromium exercise), so its name must compile.
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import ts from 'typescript';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entries = ['dist/index.js', 'dist/testing.js'];
const allowed = new Set(['rxjs', 'rxjs/testing', 'immer']);
const problems = [];

// 1. What the built package imports.
for (const entry of entries) {
  if (!existsSync(join(root, entry))) {
    console.error(`check-browser-core: ${entry} is missing; run \`npm run build\` first.`);
    process.exit(1);
  }
}
const { metafile } = await esbuild.build({
  absWorkingDir: root,
  entryPoints: entries,
  bundle: true,
  write: false,
  metafile: true,
  outdir: 'out', // not written
  format: 'esm',
  platform: 'browser',
  packages: 'external',
  logLevel: 'silent',
});
const imported = new Set();
for (const [file, { imports }] of Object.entries(metafile.inputs)) {
  for (const { path, kind, external } of imports) {
    if (!external) continue;
    imported.add(path);
    if (!allowed.has(path) || kind === 'require-call') {
      problems.push(`${file} imports '${path}' (${kind})`);
    }
  }
}
const files = Object.keys(metafile.inputs).sort();
console.log(
  `${entries.join(' and ')} (${files.length} files with their chunks) import: ${[...imported].sort().join(', ')}`,
);

// 2. The sources, against the DOM's declarations only.
const FEATURE_GLOBALS = join(root, 'feature-detected-globals.d.ts'); // virtual, never written
const featureGlobals = 'declare var setImmediate: (callback: () => void) => unknown;\n';
const config = ts.getParsedCommandLineOfConfigFile(
  join(root, 'tsconfig.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) =>
      problems.push(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  },
);
const options = {
  ...config.options,
  types: [],
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  paths: undefined,
  noEmit: true,
};
const host = ts.createCompilerHost(options);
const { getSourceFile, fileExists, readFile } = host;
host.fileExists = (file) => file === FEATURE_GLOBALS || fileExists.call(host, file);
host.readFile = (file) => (file === FEATURE_GLOBALS ? featureGlobals : readFile.call(host, file));
host.getSourceFile = (file, language, ...rest) =>
  file === FEATURE_GLOBALS
    ? ts.createSourceFile(file, featureGlobals, language)
    : getSourceFile.call(host, file, language, ...rest);
const program = ts.createProgram({
  rootNames: [
    ...['src/index.ts', 'src/testing/index.ts'].map((f) => join(root, f)),
    FEATURE_GLOBALS,
  ],
  options,
  host,
});
const diagnostics = ts.getPreEmitDiagnostics(program);
for (const d of diagnostics) {
  const where =
    d.file === undefined
      ? ''
      : `${relative(root, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: `;
  problems.push(`${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}
const sources = program
  .getSourceFiles()
  .filter((f) => !f.fileName.includes('/node_modules/') && f.fileName !== FEATURE_GLOBALS);
console.log(`${sources.length} source files of the core type-check without Node's types`);

if (problems.length > 0) {
  console.error(`\nThe core depends on Node.js:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log('The core needs nothing of Node.js.');
