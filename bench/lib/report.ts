/** latest.md: the targets with their verdicts, every table, the peers side by side, the method. */
import { fmt } from './harness.js';
import type { AggregatedRow, AggregatedTable, Results, TargetResult } from './results.js';

function rate(value: number, unit: string): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)} G ${unit}`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M ${unit}`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k ${unit}`;
  return `${value.toFixed(0)} ${unit}`;
}

function amount(value: number, unit: 'ns' | 'B' | 'ms'): string {
  if (unit === 'ns') return fmt(value);
  if (unit === 'B') return `${value.toFixed(0)} B`;
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
}

function targetValue(target: TargetResult, value: number | null): string {
  if (value === null) return 'n/a';
  if (target.unit === 'bytes') return `${value.toFixed(0)} B`;
  if (target.unit === 'ms') return amount(value, 'ms');
  return `${value < 0.1 ? value.toFixed(3) : value.toFixed(2)} ×`;
}

function verdict(target: TargetResult, rounds: number): string {
  if (target.info) return 'context';
  if (target.pass === null) return 'n/a';
  const present = target.rounds.filter((v) => v !== null).length;
  const tally = rounds > 1 ? ` (${target.passedRounds}/${present} rounds)` : '';
  return target.pass ? `✅ pass${tally}` : `❌ miss${tally}`;
}

function rowLine(row: AggregatedRow): string {
  const cells = [
    row.name.replace(/\|/g, '\\|'),
    `**${amount(row.median, row.unit)}**${row.unit === 'ns' ? ` / ${row.per}` : ''}`,
    row.unit === 'ns' ? `${amount(row.p25, row.unit)} – ${amount(row.p75, row.unit)}` : '—',
    row.rounds.map((value) => amount(value, row.unit)).join(' · '),
    row.rate === undefined ? '' : rate(row.rate.value, row.rate.unit),
    row.note ?? '',
  ];
  return `| ${cells.join(' | ')} |`;
}

function tableSection(table: AggregatedTable): string[] {
  const lines = [`## ${table.title}`, ''];
  const seconds = table.seconds.map((s) => `${s.toFixed(1)} s`).join(' · ');
  const load = table.load.map((l) => l.toFixed(1)).join(' · ');
  lines.push(
    `_Process wall time per round: ${seconds}; 1-min load average at its start: ${load}._`,
    '',
  );
  if (table.skipped !== undefined) {
    lines.push(`_Skipped: ${table.skipped}._`, '');
    if (table.rows.length === 0) return lines;
  }
  lines.push(
    "| scenario | median | p25 – p75 (within a round) | each round's median | rate | note |",
  );
  lines.push('|---|---:|---:|---:|---:|---|');
  for (const row of table.rows) lines.push(rowLine(row));
  lines.push('');
  return lines;
}

function peersSection(table: AggregatedTable | undefined): string[] {
  if (table === undefined) return [];
  const byLib = new Map<string, { ff: AggregatedRow[]; rr: AggregatedRow[] }>();
  for (const row of table.rows) {
    if (row.lib === undefined) continue;
    const entry = byLib.get(row.lib) ?? { ff: [], rr: [] };
    (row.per === 'message' ? entry.ff : entry.rr).push(row);
    byLib.set(row.lib, entry);
  }
  const ours = byLib.get('rxbroker');
  const ourFf = ours?.ff[0]?.median;
  const ourRr = ours?.rr[0]?.median;
  const lines = [
    '### Peers side by side',
    '',
    "Time per message (fire-and-forget) and per roundtrip (request-response); the ratio is rxbroker's time over the",
    "peer's (below 1: rxbroker is faster). Where a library has two variants, each is listed.",
    '',
    '| library | fire-and-forget | rxbroker ÷ it | request-response | rxbroker ÷ it |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const [lib, { ff, rr }] of byLib) {
    const count = Math.max(ff.length, rr.length);
    for (let i = 0; i < count; i++) {
      const f = ff[i];
      const r = rr[i];
      const variant = (row: AggregatedRow | undefined): string =>
        row === undefined ? '' : ` <sub>${/\(([^()]*)\)$/.exec(row.name)?.[1] ?? ''}</sub>`;
      lines.push(
        `| ${i === 0 ? lib : ''} | ${f === undefined ? '' : `${fmt(f.median)}${variant(f)}`} | ${
          f === undefined || ourFf === undefined || lib === 'rxbroker'
            ? ''
            : `${(ourFf / f.median).toFixed(2)} ×`
        } | ${r === undefined ? '' : `${fmt(r.median)}${variant(r)}`} | ${
          r === undefined || ourRr === undefined || lib === 'rxbroker'
            ? ''
            : `${(ourRr / r.median).toFixed(2)} ×`
        } |`,
      );
    }
  }
  lines.push('');
  return lines;
}

/** The whole report. `findings` (bench/findings.md) is embedded when present. */
export function markdownReport(
  results: Results,
  findings: string | null,
  files: { readonly json: string; readonly svg: string } = {
    json: 'latest.json',
    svg: 'ratios.svg',
  },
): string {
  const { machine } = results;
  const minutes = (results.seconds / 60).toFixed(1);
  const lines: string[] = [
    '# rxbroker benchmarks',
    '',
    `_Generated ${results.generatedAt} by \`npm run bench\`: ${results.mode} mode, ${results.rounds} round${
      results.rounds === 1 ? '' : 's'
    } (every table in a fresh \`node --expose-gc\` process per round), ${minutes} min in all. rxbroker ${
      results.rxbroker.version
    } from \`${results.rxbroker.entry}\`._`,
    '',
    `**Machine:** ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB; Node ${machine.node} (V8 ${
      machine.v8
    }); ${machine.os}. 1-minute load average ${machine.loadAverage.start.toFixed(2)} at the start, ${machine.loadAverage.end.toFixed(
      2,
    )} at the end.`,
    '',
  ];
  if (
    machine.loadAverage.start > machine.cores * 0.5 ||
    machine.loadAverage.end > machine.cores * 0.5
  ) {
    lines.push(
      `> **Noisy machine.** The load average was well above zero while this ran (${machine.cores} cores), so other`,
      '> processes competed for the CPU: absolute numbers are pessimistic and the spread is wide. Ratios measured',
      '> close together in time (same table, same round) are the more trustworthy; the verdicts use the median over rounds.',
      '',
    );
  }
  if (results.mode === 'quick') {
    lines.push(
      '> **Quick mode** (`BENCH_QUICK=1`): every scenario ran briefly and at small sizes to smoke-check the harness.',
      '> These numbers say nothing about performance.',
      '',
    );
  }
  lines.push(
    `![Measured ratios against the targets](${files.svg})`,
    '',
    '## Targets (issue 3)',
    '',
  );
  lines.push(
    `Each ratio is computed within one round, then the median over the rounds is taken; "rounds" lists every round's value.`,
    '',
    '| what | target | measured | rounds | verdict | from |',
    '|---|---|---:|---|---|---|',
  );
  for (const target of results.targets) {
    lines.push(
      `| ${target.what} | ${target.target} | **${targetValue(target, target.value)}** | ${target.rounds
        .map((v) => targetValue(target, v))
        .join(' · ')} | ${verdict(target, results.rounds)} | \`${target.source}\` |`,
    );
  }
  lines.push('');
  for (const table of results.tables) {
    lines.push(...tableSection(table));
    if (table.id === 'peers') lines.push(...peersSection(table));
  }
  if (findings !== null) lines.push(findings.trim(), '');
  lines.push(
    '## How it was measured',
    '',
    '- `npm run bench` builds the package (`npm run build`), bundles each table script (`bench/tables/*.ts`) to plain',
    '  JavaScript with the libraries left as imports, and runs each table in its own `node --expose-gc` process, once',
    '  per round. `rxbroker` is imported by its package name and resolves to `dist/` (each process checks).',
    '- Harness: [mitata](https://github.com/evanwashere/mitata) `measure`. Micro scenarios are batched by mitata',
    "  (warm-up, then at least 12 samples and ~0.4 s); bursts and drains time themselves (mitata's manual mode) with a",
    '  forced GC before every sample. Every scenario starts after two forced GCs.',
    '- Medians everywhere; "p25 – p75" is the spread of samples within a round (median over rounds), "each round\'s',
    '  median" shows the drift between rounds.',
    '- Handlers are trivial: fire-and-forget handlers count down to the burst size (the same counter for every',
    '  library), request handlers return 1. Messages are created once and reused.',
    '- `send` uses the default 5 s timeout, so every roundtrip arms a deadline.',
    '- Peers are used as their docs show: nact `spawn` (a stateful actor: one message at a time, like ours) with',
    '  `dispatch` / `query` (5 s timeout); xstate v5 `createActor(...).send`, and a client machine that `sendTo`s the',
    '  server with its `self`, which replies with `sendTo`; effect v4 `Queue.unbounded` drained by a forked fiber,',
    '  replies through a `Deferred` (both from one `Effect.runPromise` and one per request); postal v3',
    '  `channel.publish` / `channel.request` + `channel.handle` (5 s default timeout); eventemitter3 `emit` and a',
    '  hand-written request/reply (correlation id, pending map, reply event), with and without a timer per request.',
    `- Source: \`bench/\`. Raw per-round numbers: \`${files.json}\`.`,
    '',
  );
  return lines.join('\n');
}
