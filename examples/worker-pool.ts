/**
 * A worker pool: workers registered under chosen ids 100..199 (`ActorId.from`), one work item fanned
 * out to all of them with `broadcastFilter`, then a stream of jobs fed into the pool with the
 * `sendTo` operator, which never has more than `concurrency` jobs in flight per worker.
 *
 * Run: npm run build && npx tsx --tsconfig examples/tsconfig.json examples/worker-pool.ts
 */
import assert from 'node:assert/strict';
import { from, groupBy, lastValueFrom, map, mergeMap, range, tap, toArray } from 'rxjs';
import {
  ActorId,
  defineMessage,
  InMemoryMessageBroker,
  Mailbox,
  sendTo,
  type Actor,
  type BroadcastResult,
} from 'rxbroker';

/** Sum the items of `data` at the positions a worker owns (position % shards === its shard). */
const WorkItem = defineMessage<
  { data: readonly number[]; shards: number },
  { worker: ActorId; sum: number }
>('WorkItem');
/** Square one number. */
const Square = defineMessage<number, number>('Square');
const Status = defineMessage<void, string>('Status');

const FIRST_WORKER = 100;
const POOL_SIZE = 8;
const isWorker = (id: ActorId): boolean => id >= 100 && id < 200;

const broker = InMemoryMessageBroker.withCapacity(POOL_SIZE + 2, { defaultTimeout: 2_000 });

let maxInFlight = 0;
const worker: Actor = {
  async receive(msg, ctx) {
    if (WorkItem.is(msg)) {
      // Every worker gets the same message object, deeply frozen, so sharing it is safe.
      assert.ok(Object.isFrozen(msg.payload.data));
      const shard = ctx.self - FIRST_WORKER;
      let sum = 0;
      msg.payload.data.forEach((n, i) => {
        if (i % msg.payload.shards === shard) sum += n;
      });
      return { worker: ctx.self, sum };
    }
    if (Square.is(msg)) {
      maxInFlight = Math.max(maxInFlight, broker.metrics().inFlight);
      await Promise.resolve(); // pretend to do some asynchronous work
      return msg.payload * msg.payload;
    }
    throw new Error(`worker ${ctx.self}: unexpected ${msg.type}`);
  },
};

// Actors that are not workers: the broadcast filter leaves them out.
const supervisorId = ActorId.from(1);
const reporterId = ActorId.from(200);
const notAWorker: Actor = {
  receive: (msg, ctx) => (Status.is(msg) ? `actor ${ctx.self} is fine` : undefined),
};
broker.register(supervisorId, Mailbox.unbounded(notAWorker));
const workerIds = Array.from({ length: POOL_SIZE }, (_, i) => ActorId.from(FIRST_WORKER + i));
for (const id of workerIds)
  broker.register(id, Mailbox.bounded(worker, 16, { overflow: 'backpressure' }));
broker.register(reporterId, Mailbox.unbounded(notAWorker));
console.log(`registered ${broker.registeredCount()} actors: ${broker.actorIds().join(', ')}`);

// --- fan one work item out to the workers (ids 100..199) ------------------------------------------
const data = Array.from({ length: 1_000 }, (_, i) => i + 1);
const results: BroadcastResult<{ worker: ActorId; sum: number }>[] = await broker.broadcastFilter(
  WorkItem({ data, shards: POOL_SIZE }),
  isWorker,
);
let total = 0;
for (const result of results) {
  if (!result.ok) throw result.error;
  console.log(`  worker ${result.value.worker}: partial sum ${result.value.sum}`);
  total += result.value.sum;
}
console.log(`broadcastFilter reached ${results.length} workers; total ${total}`);
assert.deepEqual(
  results.map((r) => r.actorId),
  workerIds,
);
assert.equal(total, (1_000 * 1_001) / 2);

// --- a stream of jobs into one worker, at most 4 in flight ---------------------------------------
maxInFlight = 0;
const squares = await lastValueFrom(
  range(1, 20).pipe(
    map((n) => Square(n)),
    sendTo(broker, ActorId.from(FIRST_WORKER), { concurrency: 4 }),
    toArray(),
  ),
);
console.log(
  `sendTo one worker, concurrency 4: ${squares.length} results, at most ${maxInFlight} in flight`,
);
assert.deepEqual(
  squares,
  Array.from({ length: 20 }, (_, i) => (i + 1) ** 2),
);
assert.equal(maxInFlight, 4);

// --- a stream spread over the whole pool, 2 in flight per worker ---------------------------------
maxInFlight = 0;
const perWorker = new Map<ActorId, number>();
const spread = await lastValueFrom(
  range(0, 64).pipe(
    groupBy((n) => ActorId.from(FIRST_WORKER + (n % POOL_SIZE))),
    mergeMap((jobs) =>
      jobs.pipe(
        map((n) => Square(n)),
        sendTo(broker, jobs.key, { concurrency: 2 }),
        tap(() => perWorker.set(jobs.key, (perWorker.get(jobs.key) ?? 0) + 1)),
      ),
    ),
    toArray(),
  ),
);
console.log(
  `sendTo the pool: ${spread.length} results, ${[...perWorker.values()].join('/')} per worker, ` +
    `at most ${maxInFlight} in flight in all`,
);
assert.equal(spread.length, 64);
assert.equal(
  spread.reduce((a, b) => a + b, 0),
  Array.from({ length: 64 }, (_, n) => n * n).reduce((a, b) => a + b, 0),
);
assert.deepEqual([...perWorker.values()], Array(POOL_SIZE).fill(8));
assert.ok(maxInFlight <= 2 * POOL_SIZE, `at most 2 per worker, got ${maxInFlight}`);

// The actors outside the range were never involved.
const statuses = await lastValueFrom(
  from([supervisorId, reporterId]).pipe(
    mergeMap((id) => broker.send$(id, Status())),
    toArray(),
  ),
);
console.log(`others: ${statuses.join('; ')}`);
assert.deepEqual(statuses, ['actor 1 is fine', 'actor 200 is fine']);

const metrics = broker.metrics();
console.log(
  `metrics: sent ${metrics.totalSent}, delivered ${metrics.totalDelivered}, failed ${metrics.totalFailed}`,
);
assert.equal(metrics.totalSent, POOL_SIZE + 20 + 64 + 2);
assert.equal(metrics.totalDelivered, metrics.totalSent);

broker.shutdown();
console.log('worker-pool: ok');
