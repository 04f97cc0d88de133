import { dts } from 'rollup-plugin-dts';
import esbuild from 'rollup-plugin-esbuild';

const input = { index: 'src/index.ts', testing: 'src/testing/index.ts' };
// Runtime dependencies stay imports; the bundle holds only our own code.
const external = (id) => /^(rxjs|immer)(\/|$)/.test(id);

export default [
  {
    input,
    external,
    plugins: [esbuild({ target: 'es2022' })],
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
