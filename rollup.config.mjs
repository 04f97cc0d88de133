import { rmSync } from 'node:fs';
import { transform } from 'esbuild';
import { dts } from 'rollup-plugin-dts';
import esbuild from 'rollup-plugin-esbuild';

// Chunk names carry a content hash, so every build starts from an empty dist/: chunks of earlier
// builds would otherwise pile up there and be published with the package.
rmSync('dist', { recursive: true, force: true });

const input = { index: 'src/index.ts', testing: 'src/testing/index.ts', nats: 'src/nats/index.ts' };
// Runtime dependencies (and the NATS broker's optional peers) stay imports; the bundle holds only our own code.
const external = (id) => /^(rxjs|immer|msgpackr|@nats-io\/[^/]+)(\/|$)/.test(id);

/**
 * Renames the internal members (`_`-prefixed, kept out of the published types by stripInternal) to
 * short names in the built JavaScript: they are a tenth of the core's size. One cache for every
 * chunk and both formats, so a member has the same name wherever it is used (the testing and NATS
 * entries reach into the core's internals).
 */
const mangleCache = {};
// Rollup renders chunks concurrently: one transform at a time, so each sees the names given before.
let previous = Promise.resolve();
const mangleInternals = {
  name: 'mangle-internals',
  renderChunk(code) {
    const next = previous.then(async () => {
      const result = await transform(code, {
        mangleProps: /^_[a-zA-Z]/,
        mangleCache,
        target: 'es2022',
      });
      Object.assign(mangleCache, result.mangleCache);
      return { code: result.code, map: null };
    });
    previous = next.catch(() => undefined);
    return next;
  },
};

export default [
  {
    input,
    external,
    // Assignment semantics for class fields: no declaration-only fields (parameter properties
    // would otherwise be declared once more), less code; nothing here relies on [[Define]].
    plugins: [
      esbuild({
        target: 'es2022',
        tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
      }),
      mangleInternals,
    ],
    output: [
      {
        dir: 'dist',
        format: 'es',
        entryFileNames: '[name].js',
        chunkFileNames: 'shared-[hash].js',
      },
      {
        dir: 'dist',
        format: 'cjs',
        entryFileNames: '[name].cjs',
        chunkFileNames: 'shared-[hash].cjs',
      },
    ],
  },
  {
    input,
    external,
    plugins: [dts({ compilerOptions: { stripInternal: true } })],
    output: [
      {
        dir: 'dist',
        format: 'es',
        entryFileNames: '[name].d.ts',
        chunkFileNames: 'shared-[hash].d.ts',
      },
      {
        dir: 'dist',
        format: 'es',
        entryFileNames: '[name].d.cts',
        chunkFileNames: 'shared-[hash].d.cts',
      },
    ],
  },
];
