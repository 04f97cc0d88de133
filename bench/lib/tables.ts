/**
 * Finding, bundling and running the table scripts. Each table runs in a fresh `node --expose-gc`
 * process on plain JavaScript (bundled here with esbuild, packages left as imports), so that
 * `rxbroker` resolves to the built package through its own `exports` map and no TypeScript loader
 * or source-map support sits in the measured process.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { TablePart } from './harness.js';

/** The tables, in the order they run and appear in the report. */
export const TABLES = [
  'latency',
  'throughput',
  'scalability',
  'baselines',
  'peers',
  'metrics',
  'nats',
] as const;
export type TableId = (typeof TABLES)[number];

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
export const ROOT_DIR = join(BENCH_DIR, '..');
export const RESULTS_DIR = join(BENCH_DIR, 'results');
const OUT_DIR = join(BENCH_DIR, '.out');

/** Bundles the table scripts into `bench/.out/<table>.js` (and `loops.ts` into `bench/.out/loops.js`). */
export async function bundleTables(tables: readonly TableId[], withLoops = false): Promise<void> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  await build({
    entryPoints: [
      ...tables.map((table) => join(BENCH_DIR, 'tables', `${table}.ts`)),
      ...(withLoops ? [join(BENCH_DIR, 'loops.ts')] : []),
    ],
    outdir: OUT_DIR,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Libraries stay imports, resolved by node at run time: rxbroker through the package's own
    // exports map (dist/), not through the tsconfig path that maps it to src/ for type checking.
    packages: 'external',
    tsconfig: join(BENCH_DIR, 'tsconfig.json'),
    logLevel: 'warning',
  });
}

export interface RunOptions {
  readonly quick: boolean;
  /** Write a CPU profile to this directory. */
  readonly cpuProfileDir?: string;
  /** Only scenarios whose id matches (BENCH_ONLY). */
  readonly only?: string;
  /** Kill the table after this long. */
  readonly timeoutMs?: number;
}

/** Runs one bundled table in a fresh process and returns what it measured. */
export async function runTable(table: TableId, options: RunOptions): Promise<TablePart> {
  const partsDir = join(OUT_DIR, 'parts');
  mkdirSync(partsDir, { recursive: true });
  const out = join(partsDir, `${table}-${process.pid}-${Date.now()}.json`);
  const code = await runScript(`${table}.js`, [], options, out, `${table}.cpuprofile`);
  if (code !== 0) throw new Error(`table ${table} exited with code ${code}`);
  const part = JSON.parse(readFileSync(out, 'utf8')) as TablePart;
  rmSync(out, { force: true });
  return part;
}

/** Runs a bundled script (`bench/.out/<file>`) in a fresh `node --expose-gc`; resolves with its exit code. */
export async function runScript(
  file: string,
  scriptArgs: readonly string[],
  options: RunOptions,
  out = '',
  profileName = file.replace(/\.js$/, '.cpuprofile'),
): Promise<number | null> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BENCH_OUT: out,
    BENCH_QUICK: options.quick ? '1' : '0',
  };
  delete env['NODE_OPTIONS']; // a loader of the runner (tsx) has no place in the measured process
  if (options.only !== undefined) env['BENCH_ONLY'] = options.only;
  else delete env['BENCH_ONLY'];
  // BENCH_NODE_FLAGS: extra V8/node flags for the measured process (e.g. --no-turbo-inlining when
  // profiling, so that self time stays with the function that spends it).
  const extra = (process.env['BENCH_NODE_FLAGS'] ?? '').split(' ').filter((flag) => flag !== '');
  const args = ['--expose-gc', ...extra];
  if (options.cpuProfileDir !== undefined) {
    args.push(
      '--cpu-prof',
      `--cpu-prof-dir=${options.cpuProfileDir}`,
      `--cpu-prof-name=${profileName}`,
    );
  }
  args.push(join(OUT_DIR, file), ...scriptArgs);
  return new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT_DIR,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20 * 60_000);
    child.on('error', reject);
    child.on('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
}
