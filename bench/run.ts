/**
 * `npm run bench`: runs every table in its own fresh process, for a number of rounds, and writes
 * bench/results/latest.json, latest.md and ratios.svg.
 *
 * Environment:
 * - BENCH_QUICK=1      every scenario briefly, at small sizes (smoke check of the harness; one round)
 * - BENCH_ROUNDS=n     rounds (default 5, quick 1); verdicts use the median over rounds
 * - BENCH_TABLES=a,b   only these tables (latency, throughput, scalability, baselines, peers, metrics, nats)
 *
 * Quick mode writes quick.json, quick.md and quick-ratios.svg instead, so that a smoke check never
 * overwrites the numbers of a full run.
 *
 * `tsx bench/run.ts --report-only` rewrites latest.md and ratios.svg from latest.json (after
 * editing bench/findings.md, say) without measuring anything.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { join, relative } from 'node:path';
import { markdownReport } from './lib/report.js';
import { aggregateTables, evaluateTargets, type RawPart, type Results } from './lib/results.js';
import { ratiosSvg } from './lib/svg.js';
import {
  BENCH_DIR,
  bundleTables,
  RESULTS_DIR,
  ROOT_DIR,
  runTable,
  TABLES,
  type TableId,
} from './lib/tables.js';

async function measureAll(): Promise<Results> {
  const quick = process.env['BENCH_QUICK'] === '1';
  const rounds = Number(process.env['BENCH_ROUNDS'] ?? (quick ? 1 : 5));
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`BENCH_ROUNDS must be an integer >= 1, got ${rounds}`);
  const selected = (process.env['BENCH_TABLES'] ?? '').split(',').filter((name) => name !== '');
  for (const name of selected) {
    if (!(TABLES as readonly string[]).includes(name))
      throw new Error(`unknown table ${name}; tables: ${TABLES.join(', ')}`);
  }
  const tables: readonly TableId[] =
    selected.length === 0 ? TABLES : TABLES.filter((table) => selected.includes(table));

  const started = Date.now();
  const loadAtStart = loadavg()[0] as number;
  await bundleTables(tables);

  const raw: RawPart[][] = [];
  for (let round = 1; round <= rounds; round++) {
    const parts: RawPart[] = [];
    for (const table of tables) {
      process.stderr.write(`\n[round ${round}/${rounds}] ${table}${quick ? ' (quick)' : ''}\n`);
      const load = loadavg()[0] as number;
      parts.push({ ...(await runTable(table, { quick })), load });
    }
    raw.push(parts);
  }

  const pkg = JSON.parse(readFileSync(join(ROOT_DIR, 'package.json'), 'utf8')) as {
    version: string;
  };
  const entry = raw[0]?.[0]?.rxbrokerEntry ?? '';
  const cpu = cpus();
  const results: Results = {
    generatedAt: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    rounds,
    seconds: (Date.now() - started) / 1000,
    machine: {
      node: process.version,
      v8: process.versions.v8,
      os: `${osType()} ${release()} ${process.arch}`,
      cpu: cpu[0]?.model.trim() ?? 'unknown',
      cores: cpu.length,
      memoryGiB: totalmem() / 2 ** 30,
      loadAverage: { start: loadAtStart, end: loadavg()[0] as number },
    },
    rxbroker: {
      version: pkg.version,
      entry: entry.startsWith('file:') ? relative(ROOT_DIR, new URL(entry).pathname) : entry,
    },
    targets: evaluateTargets(raw),
    tables: aggregateTables(raw),
    raw,
  };
  return results;
}

function writeReports(results: Results): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const findingsPath = join(BENCH_DIR, 'findings.md');
  const findings = existsSync(findingsPath) ? readFileSync(findingsPath, 'utf8') : null;
  const { machine, rounds } = results;
  const subtitle = `${results.mode} mode, median of ${rounds} round${rounds === 1 ? '' : 's'} · ${machine.cpu}, ${
    machine.cores
  } cores · Node ${machine.node} · ${results.generatedAt.slice(0, 10)}`;
  const names = outputNames(results.mode === 'quick');
  writeFileSync(join(RESULTS_DIR, names.md), markdownReport(results, findings, names));
  writeFileSync(join(RESULTS_DIR, names.svg), ratiosSvg(results.targets, subtitle));
}

function printTargets(results: Results): void {
  const { rounds } = results;
  process.stderr.write(`\nTargets (median of ${rounds} round${rounds === 1 ? '' : 's'}):\n`);
  for (const target of results.targets) {
    const value =
      target.value === null
        ? 'n/a'
        : target.unit === 'ratio'
          ? `${target.value.toFixed(3)} ×`
          : target.unit === 'bytes'
            ? `${target.value.toFixed(0)} B`
            : `${target.value.toFixed(0)} ms`;
    const mark = target.info
      ? ' info'
      : target.pass === null
        ? '  -  '
        : target.pass
          ? ' pass'
          : ' MISS';
    process.stderr.write(
      `  ${mark}  ${target.label.padEnd(42)} ${value.padStart(10)}   target ${target.target}\n`,
    );
  }
}

/** Where the results go: latest.* for a full run, quick.* for a smoke check. */
function outputNames(quick: boolean): { json: string; md: string; svg: string } {
  return quick
    ? { json: 'quick.json', md: 'quick.md', svg: 'quick-ratios.svg' }
    : { json: 'latest.json', md: 'latest.md', svg: 'ratios.svg' };
}

const names = outputNames(process.env['BENCH_QUICK'] === '1');
const files = [names.json, names.md, names.svg].map((file) =>
  relative(ROOT_DIR, join(RESULTS_DIR, file)),
);
if (process.argv.includes('--report-only')) {
  const results = JSON.parse(readFileSync(join(RESULTS_DIR, names.json), 'utf8')) as Results;
  writeReports(results);
  printTargets(results);
  process.stderr.write(`\nRewrote ${files.slice(1).join(', ')} from ${files[0]}.\n`);
} else {
  const results = await measureAll();
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, names.json), `${JSON.stringify(results, null, 2)}\n`);
  writeReports(results);
  printTargets(results);
  process.stderr.write(
    `\nWrote ${files.join(', ')} in ${(results.seconds / 60).toFixed(1)} min.\n`,
  );
}
