/**
 * Load and soak: 10 million messages over 10,000 actors with churn (actors leaving and joining),
 * overflow and timeouts on. Reports messages per second and the retained heap after GC at the
 * start, middle and end, and fails when the end is more than 10% above the middle. Writes
 * bench/results/soak.json. Run with `npm run soak` (SOAK_MESSAGES to change the total).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import {
  ActorId,
  DeadLetterQueue,
  defineMessage,
  InMemoryMessageBroker,
  Mailbox,
  type Actor,
  type OverflowStrategy,
} from 'rxbroker';

const TOTAL = Number(process.env.SOAK_MESSAGES ?? 10_000_000);
const ACTORS = 10_000;
const BATCH = 20_000;
const CHURN_PER_BATCH = 20;
const SEND_TIMEOUT = 20;

const Tick = defineMessage<number, void>('Tick');
const Ask = defineMessage<number, number>('Ask');
const ticks = Array.from({ length: 256 }, (_, i) => Tick(i));
const asks = Array.from({ length: 256 }, (_, i) => Ask(i));

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc (npm run soak does)');

function retainedHeap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** A deterministic generator, so two runs do the same work. */
let state = 0x2545f491;
function random(n: number): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) % n;
}

const strategies: OverflowStrategy[] = ['fail', 'dropNewest', 'dropOldest', 'backpressure'];
// Most actors answer at once; one in 16 answers late (past the send timeout), one in 32 throws.
function actorFor(index: number): Actor {
  if (index % 16 === 0) {
    return {
      receive: (message) =>
        new Promise((resolve) => setTimeout(() => resolve(message.payload), SEND_TIMEOUT * 2)),
    };
  }
  if (index % 32 === 1) {
    return {
      receive: () => {
        throw new Error('refused');
      },
    };
  }
  return { receive: (message) => message.payload };
}

const broker = new InMemoryMessageBroker({ defaultTimeout: SEND_TIMEOUT, logger: null });
broker.withDeadLetterQueue(new DeadLetterQueue({ capacity: 1000 }));
const live: ActorId[] = [];
let made = 0;
function addActor(): void {
  const index = made++;
  const id = ActorId.create();
  // Slow actors get bounded mailboxes: an unbounded one behind a consumer slower than its
  // producer grows without end, which is the workload's backlog, not the broker's.
  const mailbox =
    index % 5 === 0 && index % 16 !== 0
      ? Mailbox.unbounded(actorFor(index))
      : Mailbox.bounded(actorFor(index), 16 + (index % 48), { overflow: strategies[index % 4] });
  broker.register(id, mailbox);
  if (index % 10 === 0) broker.subscribe(id, `jobs.${index % 7}`);
  live.push(id);
}
for (let i = 0; i < ACTORS; i++) addActor();

const outcomes = { ok: 0, failed: 0, thrown: 0 };
const count = (settled: PromiseSettledResult<unknown>[]): void => {
  for (const result of settled) {
    if (result.status === 'fulfilled') outcomes.ok++;
    else outcomes.failed++;
  }
};

async function batch(): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < BATCH; i++) {
    const target = live[random(live.length)] as ActorId;
    const kind = random(100);
    if (kind < 70) {
      try {
        broker.trySend(target, ticks[i & 255]!);
      } catch {
        outcomes.thrown++;
      }
    } else if (kind < 98) {
      pending.push(broker.send(target, asks[i & 255]!));
    } else if (kind < 99) {
      pending.push(broker.sendWithRouting({ topic: `jobs.${random(7)}` }, asks[i & 255]!));
    } else if (i % 10 === 0) {
      pending.push(broker.publish(`jobs.${random(7)}`, asks[i & 255]!)); // ~140 subscribers each
    }
  }
  // Churn: some actors leave (their queued messages fail with ActorStopped), new ones join.
  for (let i = 0; i < CHURN_PER_BATCH; i++) {
    const index = random(live.length);
    broker.unregister(live[index] as ActorId);
    live[index] = live[live.length - 1] as ActorId;
    live.pop();
    addActor();
  }
  count(await Promise.allSettled(pending));
}

async function main(): Promise<void> {
  const started = performance.now();
  const heap: Record<string, number> = {};
  let sent = 0;
  let nextMark = 0;
  const marks: [string, number][] = [
    ['start', TOTAL * 0.05],
    ['middle', TOTAL * 0.5],
    ['end', TOTAL],
  ];
  while (sent < TOTAL) {
    await batch();
    sent = broker.metrics().totalSent; // one per target: a publish counts once per subscriber
    const mark = marks[nextMark];
    if (mark !== undefined && sent >= mark[1]) {
      // Let late handlers finish, so the sample is of a settled broker, not of one in mid-flight.
      await new Promise((resolve) => setTimeout(resolve, SEND_TIMEOUT * 3));
      heap[mark[0]] = retainedHeap();
      console.log(
        `${mark[0]}: ${sent} messages, retained heap ${(heap[mark[0]]! / 2 ** 20).toFixed(1)} MiB`,
      );
      nextMark++;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  broker.shutdown();
  const metrics = broker.metrics();
  const growth = (heap.end! - heap.middle!) / heap.middle!;
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    messages: sent,
    actors: ACTORS,
    actorsCreated: made,
    seconds: Number(seconds.toFixed(1)),
    messagesPerSecond: Math.round(sent / seconds),
    retainedHeapBytes: heap,
    endVersusMiddle: Number(growth.toFixed(4)),
    withinTenPercent: growth <= 0.1,
    outcomes,
    metrics,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/soak.json', `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report, null, 2));
  if (metrics.totalSent !== metrics.totalDelivered + metrics.totalFailed) {
    throw new Error('metrics do not balance after shutdown');
  }
  if (!report.withinTenPercent)
    throw new Error(`retained heap grew ${(growth * 100).toFixed(1)}% from middle to end`);
}

await main();
