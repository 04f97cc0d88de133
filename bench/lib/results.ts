/**
 * From the rounds' raw tables to what the report shows: each row's median over rounds (and each
 * round's median, to see the drift), each target's ratio per round and over rounds.
 */
import type { Row, TablePart } from './harness.js';
import { passes, TARGETS, type Round } from './targets.js';

export interface Machine {
  readonly node: string;
  readonly v8: string;
  readonly os: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  /** 1-minute load average when the run began and ended: how busy the machine was. */
  readonly loadAverage: { readonly start: number; readonly end: number };
}

/** A row over all rounds: statistics are medians of the rounds' statistics. */
export interface AggregatedRow extends Row {
  /** Each round's median. */
  readonly rounds: readonly number[];
}

export interface AggregatedTable {
  readonly id: string;
  readonly title: string;
  readonly rows: readonly AggregatedRow[];
  /** Wall-clock seconds per round, and the 1-minute load average when each round's run began. */
  readonly seconds: readonly number[];
  readonly load: readonly number[];
  /** Why the table measured nothing (from its first round that skipped). */
  readonly skipped?: string;
}

export interface TargetResult {
  readonly id: string;
  readonly what: string;
  readonly target: string;
  readonly source: string;
  readonly unit: 'ratio' | 'bytes' | 'ms';
  readonly limit: number;
  readonly label: string;
  readonly chart: boolean;
  /** Context only: no verdict. */
  readonly info: boolean;
  /** Median over the rounds that had the numbers; null when none had. */
  readonly value: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly rounds: readonly (number | null)[];
  readonly pass: boolean | null;
  /** Rounds whose own value passed. */
  readonly passedRounds: number;
}

export interface Results {
  readonly generatedAt: string;
  readonly mode: 'full' | 'quick';
  readonly rounds: number;
  readonly seconds: number;
  readonly machine: Machine;
  readonly rxbroker: { readonly version: string; readonly entry: string };
  readonly targets: readonly TargetResult[];
  readonly tables: readonly AggregatedTable[];
  /** Every round's tables as measured, for anyone who wants to recompute. */
  readonly raw: readonly (readonly RawPart[])[];
}

export interface RawPart extends TablePart {
  readonly load: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = (sorted.length - 1) / 2;
  return ((sorted[Math.floor(middle)] as number) + (sorted[Math.ceil(middle)] as number)) / 2;
}

/** Merges the rounds of each table (rows matched by id, in first-seen order). */
export function aggregateTables(rounds: readonly (readonly RawPart[])[]): AggregatedTable[] {
  const byTable = new Map<string, RawPart[]>();
  for (const round of rounds) {
    for (const part of round) {
      const list = byTable.get(part.table) ?? [];
      list.push(part);
      byTable.set(part.table, list);
    }
  }
  const tables: AggregatedTable[] = [];
  for (const [id, parts] of byTable) {
    const rowsById = new Map<string, Row[]>();
    for (const part of parts) {
      for (const row of part.rows) {
        const list = rowsById.get(row.id) ?? [];
        list.push(row);
        rowsById.set(row.id, list);
      }
    }
    const rows: AggregatedRow[] = [];
    for (const list of rowsById.values()) {
      const first = list[0] as Row;
      const mid = median(list.map((row) => row.median));
      const perOp = first.rate === undefined ? 1 : (first.rate.value * first.median) / 1e9;
      rows.push({
        ...first,
        median: mid,
        p25: median(list.map((row) => row.p25)),
        p75: median(list.map((row) => row.p75)),
        min: Math.min(...list.map((row) => row.min)),
        max: Math.max(...list.map((row) => row.max)),
        samples: list.reduce((sum, row) => sum + row.samples, 0),
        ...(first.rate === undefined
          ? {}
          : { rate: { unit: first.rate.unit, value: (1e9 / mid) * perOp } }),
        rounds: list.map((row) => row.median),
      });
    }
    const skipped = parts.find((part) => part.skipped !== undefined)?.skipped;
    tables.push({
      id,
      title: (parts[0] as RawPart).title,
      rows,
      seconds: parts.map((part) => part.seconds),
      load: parts.map((part) => part.load),
      ...(skipped === undefined ? {} : { skipped }),
    });
  }
  return tables;
}

/** Every target, per round and over rounds. */
export function evaluateTargets(rounds: readonly (readonly RawPart[])[]): TargetResult[] {
  const indexed: Round[] = rounds.map(
    (round) =>
      new Map(round.map((part) => [part.table, new Map(part.rows.map((row) => [row.id, row]))])),
  );
  return TARGETS.map((target) => {
    const values = indexed.map((round) => target.compute(round));
    const present = values.filter(
      (value): value is number => value !== null && Number.isFinite(value),
    );
    const value = present.length === 0 ? null : median(present);
    return {
      id: target.id,
      what: target.what,
      target: target.target,
      source: target.source,
      unit: target.unit,
      limit: target.limit,
      label: target.label,
      chart: target.chart,
      info: target.info === true,
      value,
      min: present.length === 0 ? null : Math.min(...present),
      max: present.length === 0 ? null : Math.max(...present),
      rounds: values,
      pass: value === null || target.info === true ? null : passes(target, value),
      passedRounds: present.filter((v) => passes(target, v)).length,
    };
  });
}
