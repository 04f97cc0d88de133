/**
 * The measuring side of the benchmarks: thin wrappers over mitata's `measure` that give every
 * scenario the same treatment (forced GC before it, warm-up, many samples, median and spread) and
 * collect the rows a table process hands back to the runner as JSON.
 *
 * Two kinds of scenario:
 * - `micro`: mitata times a function (sync or async) in batches; right for anything whose cost per
 *   call is stable and that leaves nothing behind (a lookup, an awaited roundtrip).
 * - `timed`: the scenario times itself and returns nanoseconds (mitata's manual mode), so set-up and
 *   clean-up between samples stay out of the numbers (a burst of 1M messages, then waiting for the
 *   queue to drain before the next sample). A GC runs before every sample.
 */
import { writeFileSync } from 'node:fs';
import { do_not_optimize, measure } from 'mitata';

export { do_not_optimize };

/** `BENCH_QUICK=1`: every scenario briefly, to smoke-check the harness. */
export const QUICK = process.env['BENCH_QUICK'] === '1';

/** `BENCH_ONLY=<regex>`: run only the scenarios whose id matches (for profiling one of them). */
const ONLY = process.env['BENCH_ONLY'] ? new RegExp(process.env['BENCH_ONLY']) : null;

/** False when `BENCH_ONLY` excludes the scenario `id`; tables skip its set-up too. */
export function wanted(id: string): boolean {
  return ONLY === null || ONLY.test(id);
}

/** `full` normally, `quick` under `BENCH_QUICK=1`. */
export function pick<T>(full: T, quick: T): T {
  return QUICK ? quick : full;
}

const collect = (globalThis as { gc?: () => void }).gc;

/** Full GC twice around an event-loop turn, so one scenario's garbage does not tax the next. */
export async function settle(): Promise<void> {
  if (collect === undefined) throw new Error('run the tables with node --expose-gc');
  collect();
  await new Promise<void>((resolve) => setImmediate(resolve));
  collect();
}

/** Heap in use after a full GC, in bytes. */
export async function heapAfterGc(): Promise<number> {
  await settle();
  await settle();
  return process.memoryUsage().heapUsed;
}

/** Nanoseconds from a monotonic clock. */
export function now(): bigint {
  return process.hrtime.bigint();
}

/** Nanoseconds elapsed since `start`. */
export function since(start: bigint): number {
  return Number(process.hrtime.bigint() - start);
}

/** One measured scenario. Times are nanoseconds per operation unless `unit` says otherwise. */
export interface Row {
  readonly id: string;
  readonly name: string;
  /** What one operation is ("roundtrip", "message", "broadcast"...). */
  readonly per: string;
  /** Unit of median/p25/p75/min/max: 'ns' (per operation), 'B' (per item), 'ms' (per run). */
  readonly unit: 'ns' | 'B' | 'ms';
  readonly median: number;
  readonly p25: number;
  readonly p75: number;
  readonly min: number;
  readonly max: number;
  /** Samples behind the statistics (each sample may cover a batch of operations). */
  readonly samples: number;
  /** Operations per second (or deliveries per second) derived from the median. */
  readonly rate?: { readonly unit: string; readonly value: number };
  /** Library measured (peers table). */
  readonly lib?: string;
  readonly note?: string;
}

/** What a table process writes for the runner. */
export interface TablePart {
  readonly table: string;
  readonly title: string;
  readonly quick: boolean;
  readonly rxbrokerEntry: string;
  readonly startedAt: string;
  readonly seconds: number;
  readonly rows: Row[];
  /** Why the table measured nothing (a tool it needs is missing); absent when it ran. */
  readonly skipped?: string;
}

export interface ScenarioOptions {
  /** Operations per call of the function (a burst of n messages counts n). Default 1. */
  readonly ops?: number;
  readonly per?: string;
  /** Derive a rate: `unit` and how many of it one operation makes (e.g. 10 deliveries per broadcast). */
  readonly rate?: { readonly unit: string; readonly perOp?: number };
  readonly lib?: string;
  readonly note?: string;
}

export interface TimedOptions extends ScenarioOptions {
  /** Samples to take (after one warm-up call). */
  readonly samples?: number;
}

export interface Stats {
  p25: number;
  p50: number;
  p75: number;
  min: number;
  max: number;
  samples: number[];
}

const MICRO_TIME_NS = pick(400e6, 15e6);
const MICRO_MIN_SAMPLES = pick(12, 4);

/** mitata's statistics of `fn` (sync or async; batched when fast), after a forced GC. */
export async function microStats(fn: () => unknown): Promise<Stats> {
  await settle();
  return await measure(fn, {
    min_cpu_time: MICRO_TIME_NS,
    min_samples: MICRO_MIN_SAMPLES,
  });
}

/**
 * mitata's statistics of a self-timed scenario: `run` returns the nanoseconds of what it measured
 * (mitata's manual mode), so set-up and clean-up stay out. One warm-up call, then `samples` calls,
 * each after a forced GC.
 */
export async function timedStats(run: () => Promise<number>, samples = pick(7, 2)): Promise<Stats> {
  await settle();
  const manual = function* (): Generator<unknown> {
    yield { manual: run, budget: 'real' };
  };
  return await measure(manual as never, {
    min_samples: samples,
    max_samples: samples,
    min_cpu_time: 0,
    warmup_samples: 0,
    inner_gc: true,
  });
}

/** Collects the rows of one table and writes them for the runner. */
export class Table {
  private readonly _rows: Row[] = [];
  private readonly _started = Date.now();
  private readonly _entry: string;

  constructor(
    readonly id: string,
    readonly title: string,
  ) {
    const entry = import.meta.resolve('rxbroker');
    if (!entry.includes('/dist/')) {
      throw new Error(`rxbroker must resolve to the built package (dist/), got ${entry}`);
    }
    this._entry = entry;
  }

  /** mitata times `fn` (batched when fast); one operation is one call unless `ops` says otherwise. */
  async micro(
    id: string,
    name: string,
    fn: () => unknown,
    options: ScenarioOptions = {},
  ): Promise<Row | null> {
    if (!wanted(id)) return null;
    return this.record(id, name, [await microStats(fn)], options);
  }

  /** `run` performs `ops` operations and returns the nanoseconds they took; GC before each sample. */
  async timed(
    id: string,
    name: string,
    run: () => Promise<number>,
    options: TimedOptions = {},
  ): Promise<Row | null> {
    if (!wanted(id)) return null;
    return this.record(id, name, [await timedStats(run, options.samples)], options);
  }

  /**
   * Records a row from one or more measurements of one scenario (interleaved repetitions, say):
   * each statistic is the median of the repetitions' statistics, min and max the extremes.
   */
  record(
    id: string,
    name: string,
    measurements: readonly Stats[],
    options: ScenarioOptions = {},
  ): Row {
    const ops = options.ops ?? 1;
    const mid = (pickStat: (stats: Stats) => number): number =>
      quantile(
        measurements.map(pickStat).sort((a, b) => a - b),
        0.5,
      ) / ops;
    const median = mid((stats) => stats.p50);
    const row: Row = {
      id,
      name,
      per: options.per ?? 'op',
      unit: 'ns',
      median,
      p25: mid((stats) => stats.p25),
      p75: mid((stats) => stats.p75),
      min: Math.min(...measurements.map((stats) => stats.min)) / ops,
      max: Math.max(...measurements.map((stats) => stats.max)) / ops,
      samples: measurements.reduce((sum, stats) => sum + stats.samples.length, 0),
      ...(options.rate === undefined
        ? {}
        : { rate: { unit: options.rate.unit, value: (1e9 / median) * (options.rate.perOp ?? 1) } }),
      ...(options.lib === undefined ? {} : { lib: options.lib }),
      ...(options.note === undefined ? {} : { note: options.note }),
    };
    this._push(row);
    return row;
  }

  /** A value measured some other way (bytes, milliseconds), one entry per repetition. */
  value(
    id: string,
    name: string,
    unit: 'B' | 'ms',
    values: readonly number[],
    options: ScenarioOptions = {},
  ): Row {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q: number): number => sorted[Math.floor(q * (sorted.length - 1))] as number;
    const row: Row = {
      id,
      name,
      per: options.per ?? 'run',
      unit,
      median: quantile(sorted, 0.5),
      p25: at(0.25),
      p75: at(0.75),
      min: sorted[0] as number,
      max: sorted[sorted.length - 1] as number,
      samples: sorted.length,
      ...(options.lib === undefined ? {} : { lib: options.lib }),
      ...(options.note === undefined ? {} : { note: options.note }),
    };
    this._push(row);
    return row;
  }

  /**
   * Writes the table without rows, with the reason it was skipped (not a failure: its targets show
   * n/a and the report says why).
   */
  skip(reason: string): void {
    process.stderr.write(`  ${this.id.padEnd(12)} skipped: ${reason}\n`);
    this.finish(reason);
  }

  /** Writes the table to `BENCH_OUT` (or stdout) for the runner. */
  finish(skipped?: string): void {
    const part: TablePart = {
      table: this.id,
      title: this.title,
      quick: QUICK,
      rxbrokerEntry: this._entry,
      startedAt: new Date(this._started).toISOString(),
      seconds: (Date.now() - this._started) / 1000,
      rows: this._rows,
      ...(skipped === undefined ? {} : { skipped }),
    };
    const json = JSON.stringify(part, null, 2);
    const out = process.env['BENCH_OUT'];
    if (out === undefined || out === '') process.stdout.write(`${json}\n`);
    else writeFileSync(out, json);
  }

  private _push(row: Row): void {
    this._rows.push(row);
    const spread =
      row.unit === 'ns'
        ? `${fmt(row.p25)}…${fmt(row.p75)}`
        : `${row.min.toFixed(1)}…${row.max.toFixed(1)}`;
    const value = row.unit === 'ns' ? fmt(row.median) : `${row.median.toFixed(1)} ${row.unit}`;
    process.stderr.write(
      `  ${this.id.padEnd(12)} ${row.name.padEnd(58)} ${value.padStart(10)}  (${spread})\n`,
    );
  }
}

function quantile(sorted: readonly number[], q: number): number {
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (position - low);
}

/** Nanoseconds, human-readable. */
export function fmt(ns: number): string {
  if (ns < 1) return `${(ns * 1000).toFixed(0)} ps`;
  if (ns < 1000) return `${ns.toFixed(ns < 10 ? 2 : 1)} ns`;
  if (ns < 1e6) return `${(ns / 1000).toFixed(2)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

/**
 * Resolves once `hit()` was called `n` times since `arm(n)`: how a burst scenario learns that the
 * handler saw every message. The same tiny counter is the handler of every library measured.
 */
export class Countdown {
  private _left = 0;
  private _resolve: (() => void) | null = null;

  arm(n: number): Promise<void> {
    this._left = n;
    return new Promise<void>((resolve) => {
      this._resolve = resolve;
    });
  }

  readonly hit = (): void => {
    if (--this._left === 0) (this._resolve as () => void)();
  };
}
