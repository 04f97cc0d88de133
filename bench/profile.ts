/**
 * `npm run bench:profile -- <table> [scenario-id-regex] [top]`: runs one table once under
 * `node --cpu-prof` (only the matching scenarios, as `BENCH_ONLY`), writes
 * bench/results/<table>.cpuprofile (open it in Chrome DevTools or speedscope) and prints the
 * functions with the most self time as a Markdown table.
 *
 * `npm run bench:profile -- loop:send [count] [top]` profiles a plain loop over one hot path instead
 * (bench/loops.ts: send, trySend, broadcast), with no harness in the profile.
 *
 * `BENCH_NODE_FLAGS=--no-turbo-inlining` keeps self time with the function that spends it (slower, but
 * readable); without it, inlined callees are counted in their callers.
 *
 * Examples: `npm run bench:profile -- latency '^send$'`, `npm run bench:profile -- loop:trySend`
 */
import { join, relative } from 'node:path';
import { selfTimes } from './lib/cpu-profile.js';
import {
  bundleTables,
  RESULTS_DIR,
  ROOT_DIR,
  runScript,
  runTable,
  TABLES,
  type TableId,
} from './lib/tables.js';

const [target, second, topArg] = process.argv.slice(2);
const loop = target?.startsWith('loop:') === true ? target.slice('loop:'.length) : undefined;
if (
  target === undefined ||
  (loop === undefined && !(TABLES as readonly string[]).includes(target))
) {
  process.stderr.write(
    `usage: npm run bench:profile -- <${TABLES.join('|')}> [scenario-id-regex] [top]\n` +
      '       npm run bench:profile -- loop:<send|trySend|broadcast> [count] [top]\n',
  );
  process.exit(2);
}

let name: string;
if (loop !== undefined) {
  name = `loop-${loop}`;
  await bundleTables([], true);
  const code = await runScript(
    'loops.js',
    [loop, ...(second === undefined ? [] : [second])],
    {
      quick: false,
      cpuProfileDir: RESULTS_DIR,
    },
    '',
    `${name}.cpuprofile`,
  );
  if (code !== 0) throw new Error(`loop ${loop} exited with code ${code}`);
} else {
  name = target;
  await bundleTables([target as TableId]);
  await runTable(target as TableId, {
    quick: process.env['BENCH_QUICK'] === '1',
    cpuProfileDir: RESULTS_DIR,
    ...(second === undefined ? {} : { only: second }),
  });
}

const path = join(RESULTS_DIR, `${name}.cpuprofile`);
const { total, top } = selfTimes(path);
const count = Number(topArg ?? 25);
const lines = [
  `Profile of \`${target}\`${loop === undefined && second !== undefined ? `, scenarios /${second}/` : ''}: ${total.toFixed(0)} ms sampled (idle excluded), ${relative(ROOT_DIR, path)}`,
  '',
  '| self ms | share | function | where |',
  '|---:|---:|---|---|',
  ...top
    .slice(0, count)
    .map(
      (entry) =>
        `| ${entry.ms.toFixed(1)} | ${(entry.share * 100).toFixed(1)}% | \`${entry.fn}\` | ${entry.where} |`,
    ),
  '',
];
process.stdout.write(lines.join('\n'));
