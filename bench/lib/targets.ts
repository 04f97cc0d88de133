/**
 * The targets of issue 3, each computed as a ratio (or a size) from one round's tables. The runner
 * computes every target per round and reports the median over rounds, so one noisy moment on a
 * shared machine does not decide a verdict.
 */
import type { Row } from './harness.js';

/** One round's rows: table id → row id → row. */
export type Round = ReadonlyMap<string, ReadonlyMap<string, Row>>;

export interface Target {
  readonly id: string;
  /** What is compared, in words. */
  readonly what: string;
  /** The target as the issue states it. */
  readonly target: string;
  /** Where the numbers come from (table.row / table.row). */
  readonly source: string;
  /** The verdict is `value <= limit` (or `value < limit` when `strict`). */
  readonly limit: number;
  readonly strict?: boolean;
  /** Context, not a target of the issue: shown without a verdict. */
  readonly info?: boolean;
  /** 'ratio' (×), 'bytes' (B) or 'ms' (a duration that only has to exist). */
  readonly unit: 'ratio' | 'bytes' | 'ms';
  /** Drawn in ratios.svg. */
  readonly chart: boolean;
  /** A short label for the chart. */
  readonly label: string;
  /** The value in one round; null when a row is missing (quick mode, a failed table). */
  compute(round: Round): number | null;
}

const row = (round: Round, table: string, id: string): Row | undefined => round.get(table)?.get(id);
const median = (round: Round, table: string, id: string): number | null =>
  row(round, table, id)?.median ?? null;

function ratio(
  numerator: readonly [string, string],
  denominator: readonly [string, string] | readonly (readonly [string, string])[],
): (round: Round) => number | null {
  return (round) => {
    const top = median(round, numerator[0], numerator[1]);
    const candidates = (
      typeof denominator[0] === 'string' ? [denominator] : denominator
    ) as readonly (readonly [string, string])[];
    // Against several variants of a peer, compare with its fastest.
    const bottoms = candidates
      .map(([table, id]) => median(round, table, id))
      .filter((v): v is number => v !== null);
    if (top === null || bottoms.length === 0) return null;
    return top / Math.min(...bottoms);
  };
}

/** The largest n the scalability table reached with `send-<n>` rows, below or at `cap`. */
function largestSend(round: Round, cap: number): number | null {
  const table = round.get('scalability');
  if (table === undefined) return null;
  let best: number | null = null;
  for (const id of table.keys()) {
    const match = /^send-(\d+)$/.exec(id);
    if (match === null) continue;
    const n = Number(match[1]);
    if (n <= cap && (best === null || n > best)) best = n;
  }
  return best;
}

function largestHeap(round: Round): Row | undefined {
  const table = round.get('scalability');
  if (table === undefined) return undefined;
  let best: { n: number; row: Row } | undefined;
  for (const [id, value] of table) {
    const match = /^heap-(\d+)$/.exec(id);
    if (match === null) continue;
    const n = Number(match[1]);
    if (best === undefined || n > best.n) best = { n, row: value };
  }
  return best?.row;
}

const peers: readonly { lib: string; rr: readonly string[] }[] = [
  { lib: 'nact', rr: ['nact-rr'] },
  { lib: 'xstate', rr: ['xstate-rr'] },
  { lib: 'effect', rr: ['effect-rr', 'effect-rr-each'] },
  { lib: 'postal', rr: ['postal-rr'] },
];

export const TARGETS: readonly Target[] = [
  {
    id: 'trySend-vs-subject',
    what: '`trySend` + processing, one actor (1M burst, per message) vs `Subject.next` burst to a subscriber',
    target: '≤ 1.2 ×',
    source: 'throughput.ff-1 / baselines.subject-burst',
    limit: 1.2,
    unit: 'ratio',
    chart: true,
    label: 'trySend+processing / Subject.next',
    compute: ratio(['throughput', 'ff-1'], ['baselines', 'subject-burst']),
  },
  {
    id: 'send-vs-await',
    what: '`send` roundtrip, timeout armed, vs bare `await` of an async function',
    target: '≤ 2.5 ×',
    source: 'latency.send / baselines.await',
    limit: 2.5,
    unit: 'ratio',
    chart: true,
    label: 'send / await',
    compute: ratio(['latency', 'send'], ['baselines', 'await']),
  },
  {
    id: 'trySend-vs-queue-floor',
    what: 'context: the same burst vs a bare ring-buffer queue drained in a microtask (the floor of any deferred queue)',
    target: '—',
    source: 'throughput.ff-1 / baselines.queue-floor',
    limit: Infinity,
    info: true,
    unit: 'ratio',
    chart: false,
    label: 'trySend+processing / bare queue',
    compute: ratio(['throughput', 'ff-1'], ['baselines', 'queue-floor']),
  },
  {
    id: 'send-vs-request-floor',
    what: 'context: `send` roundtrip vs a bare awaited request to a handler run in a microtask (the floor of a deferred roundtrip)',
    target: '—',
    source: 'latency.send / baselines.request-floor',
    limit: Infinity,
    info: true,
    unit: 'ratio',
    chart: false,
    label: 'send / bare deferred request',
    compute: ratio(['latency', 'send'], ['baselines', 'request-floor']),
  },
  {
    id: 'request-floor-vs-await',
    what: 'context: that bare deferred request vs bare `await` (what the 2.5 × target leaves for everything else)',
    target: '—',
    source: 'baselines.request-floor / baselines.await',
    limit: Infinity,
    info: true,
    unit: 'ratio',
    chart: false,
    label: 'bare deferred request / await',
    compute: ratio(['baselines', 'request-floor'], ['baselines', 'await']),
  },
  {
    id: 'broadcast-vs-promise-all',
    what: '`broadcast` to 10 actors vs `Promise.all` over 10 async calls',
    target: '≤ 2 ×',
    source: 'throughput.broadcast-10 / baselines.promise-all-10',
    limit: 2,
    unit: 'ratio',
    chart: true,
    label: 'broadcast(10) / Promise.all(10)',
    compute: ratio(['throughput', 'broadcast-10'], ['baselines', 'promise-all-10']),
  },
  {
    id: 'lookup-vs-map-get',
    what: 'routing lookup (`isRegistered`) vs `Map.get`',
    target: '≤ 1.5 ×',
    source: 'latency.lookup / baselines.map-get',
    limit: 1.5,
    unit: 'ratio',
    chart: true,
    label: 'routing lookup / Map.get',
    compute: ratio(['latency', 'lookup'], ['baselines', 'map-get']),
  },
  {
    id: 'send-100k-vs-10',
    what: '`send` at 100k registered actors vs at 10 (random target)',
    target: '≤ 1.3 ×',
    source: 'scalability.send-100000 / scalability.send-10 (quick mode: the largest n measured)',
    limit: 1.3,
    unit: 'ratio',
    chart: true,
    label: 'send @100k / send @10',
    compute: (round) => {
      const n = largestSend(round, 100_000);
      return n === null
        ? null
        : ratio(['scalability', `send-${n}`], ['scalability', 'send-10'])(round);
    },
  },
  {
    id: 'heap-per-actor',
    what: 'retained heap per idle registered actor (largest n measured)',
    target: '≤ 256 B',
    source: 'scalability.heap-<largest n>',
    limit: 256,
    unit: 'bytes',
    chart: false,
    label: 'heap per idle actor',
    compute: (round) => largestHeap(round)?.median ?? null,
  },
  {
    id: 'register-1m',
    what: '1M actors register in one process (time to register them)',
    target: 'fits in one process',
    source: 'scalability.register-1000000 (ms)',
    limit: Infinity,
    unit: 'ms',
    chart: false,
    label: 'register 1M',
    compute: (round) => median(round, 'scalability', 'register-1000000'),
  },
  {
    id: 'metrics-send',
    what: 'metrics on (default) vs `metrics: false`, `send` roundtrip',
    target: '≤ 1.1 ×',
    source: 'metrics.send-on / metrics.send-off',
    limit: 1.1,
    unit: 'ratio',
    chart: true,
    label: 'metrics on/off: send',
    compute: ratio(['metrics', 'send-on'], ['metrics', 'send-off']),
  },
  {
    id: 'metrics-ff',
    what: 'metrics on (default) vs `metrics: false`, 1M `trySend` burst',
    target: '≤ 1.1 ×',
    source: 'metrics.ff-on / metrics.ff-off',
    limit: 1.1,
    unit: 'ratio',
    chart: true,
    label: 'metrics on/off: trySend burst',
    compute: ratio(['metrics', 'ff-on'], ['metrics', 'ff-off']),
  },
  {
    id: 'nats-send-vs-request',
    what: 'NATS (issue 5): `send` roundtrip between two nodes vs a bare NATS request/reply (two connections, same server, same run)',
    target: '≤ 1.3 ×',
    source: 'nats.send / nats.bare-rr',
    limit: 1.3,
    unit: 'ratio',
    chart: true,
    label: 'NATS: send / bare request',
    compute: ratio(['nats', 'send'], ['nats', 'bare-rr']),
  },
  {
    // Throughput ≥ 0.8 × bare publish is time per message ≤ 1 / 0.8 = 1.25 × bare publish's.
    id: 'nats-trySend-vs-publish',
    what: 'NATS (issue 5): `trySend` throughput between two nodes vs bare NATS publish (burst until all were handled; throughput ≥ 0.8 × means time per message ≤ 1.25 ×)',
    target: '≥ 0.8 × throughput (≤ 1.25 × time)',
    source: 'nats.trySend / nats.bare-publish (time per message)',
    limit: 1.25,
    unit: 'ratio',
    chart: true,
    label: 'NATS: trySend / bare publish (time)',
    compute: ratio(['nats', 'trySend'], ['nats', 'bare-publish']),
  },
  {
    id: 'nats-send-vs-wire-request',
    what: "context: `send` roundtrip vs a bare NATS request/reply carrying rxbroker's frame and msgpack body (the broker around the wire format)",
    target: '—',
    source: 'nats.send / nats.bare-rr-wire',
    limit: Infinity,
    info: true,
    unit: 'ratio',
    chart: false,
    label: 'NATS: send / bare request with frame',
    compute: ratio(['nats', 'send'], ['nats', 'bare-rr-wire']),
  },
  {
    id: 'nats-trySend-vs-wire-publish',
    what: "context: `trySend` burst vs a bare publish burst carrying rxbroker's frame and msgpack body (time per message)",
    target: '—',
    source: 'nats.trySend / nats.bare-publish-wire',
    limit: Infinity,
    info: true,
    unit: 'ratio',
    chart: false,
    label: 'NATS: trySend / bare publish with frame',
    compute: ratio(['nats', 'trySend'], ['nats', 'bare-publish-wire']),
  },
  {
    id: 'nats-trySend-one-vs-publish-one',
    what: 'context: one `trySend` at a time (a batch of one: an acknowledged request) vs one bare publish, each until handled',
    target: '—',
    source: 'nats.trySend-one / nats.bare-publish-one',
    limit: Infinity,
    info: true,
    unit: 'ratio',
    chart: false,
    label: 'NATS: one trySend / one publish',
    compute: ratio(['nats', 'trySend-one'], ['nats', 'bare-publish-one']),
  },
  ...peers.flatMap(({ lib, rr }): Target[] => [
    {
      id: `vs-${lib}-ff`,
      what: `rxbroker \`trySend\` vs ${lib}, fire-and-forget burst (per message)`,
      target: 'faster (< 1 ×)',
      source: `peers.rxbroker-ff / peers.${lib}-ff`,
      limit: 1,
      strict: true,
      unit: 'ratio',
      chart: true,
      label: `vs ${lib}: fire-and-forget`,
      compute: ratio(['peers', 'rxbroker-ff'], ['peers', `${lib}-ff`]),
    },
    {
      id: `vs-${lib}-rr`,
      what: `rxbroker \`send\` vs ${lib}, request-response (per roundtrip${rr.length > 1 ? `; fastest of ${rr.join(', ')}` : ''})`,
      target: 'faster (< 1 ×)',
      source: `peers.rxbroker-rr / min(${rr.map((id) => `peers.${id}`).join(', ')})`,
      limit: 1,
      strict: true,
      unit: 'ratio',
      chart: true,
      label: `vs ${lib}: request-response`,
      compute: ratio(
        ['peers', 'rxbroker-rr'],
        rr.map((id) => ['peers', id] as const),
      ),
    },
  ]),
  {
    id: 'vs-eventemitter3-rr',
    what: 'rxbroker `send` vs hand-written request/reply over eventemitter3 with a timeout per request (like `send`)',
    target: 'faster (< 1 ×)',
    source: 'peers.rxbroker-rr / peers.eventemitter3-rr',
    limit: 1,
    strict: true,
    unit: 'ratio',
    chart: true,
    label: 'vs eventemitter3 req/reply (timer)',
    compute: ratio(['peers', 'rxbroker-rr'], ['peers', 'eventemitter3-rr']),
  },
  {
    id: 'vs-eventemitter3-rr-no-timeout',
    what: 'rxbroker `send` vs the same hand-written request/reply without any timeout (the floor)',
    target: 'faster (< 1 ×)',
    source: 'peers.rxbroker-rr / peers.eventemitter3-rr-no-timeout',
    limit: 1,
    strict: true,
    unit: 'ratio',
    chart: true,
    label: 'vs eventemitter3 req/reply (no timeout)',
    compute: ratio(['peers', 'rxbroker-rr'], ['peers', 'eventemitter3-rr-no-timeout']),
  },
];

/** A target's verdict for a value. */
export function passes(target: Target, value: number): boolean {
  if (target.info === true) return true;
  return target.strict === true ? value < target.limit : value <= target.limit;
}
