/**
 * Quick start: the reference's GetBalance request-response, a fire-and-forget message with
 * trySend, a broadcast, and the broker's metrics.
 *
 * Run: npm start   (or: npm run build && npx tsx --tsconfig examples/tsconfig.json examples/quick-start.ts)
 */
import assert from 'node:assert/strict';
import {
  ActorId,
  defineMessage,
  InMemoryMessageBroker,
  Mailbox,
  type Actor,
  type BroadcastResult,
} from 'rxbroker';

// A message type carries its payload type and its result type: `send` infers the result from it.
const GetBalance = defineMessage<{ accountId: number }, number>('GetBalance');
const Deposit = defineMessage<{ accountId: number; amount: number }, void>('Deposit');
const Shutdown = defineMessage<void, void>('Shutdown');

// An actor is an object with `receive(msg, ctx)`. It handles one message at a time and returns the
// result as a value, a Promise or an Observable.
const balances = new Map<number, number>([[123, 100]]);
let stopped = false;
const account: Actor = {
  receive(msg) {
    if (GetBalance.is(msg)) return balances.get(msg.payload.accountId) ?? 0;
    if (Deposit.is(msg)) {
      const { accountId, amount } = msg.payload;
      balances.set(accountId, (balances.get(accountId) ?? 0) + amount);
      return;
    }
    if (Shutdown.is(msg)) {
      stopped = true;
      return;
    }
    throw new Error(`account: unexpected message ${msg.type}`);
  },
};

// A second actor that only knows how to shut down, so the broadcast has two targets.
const auditor: Actor = {
  receive: (msg) => (Shutdown.is(msg) ? undefined : Promise.reject(new Error(msg.type))),
};

const broker = new InMemoryMessageBroker({ defaultTimeout: 5_000 });
try {
  const accountId = ActorId.create();
  const auditorId = ActorId.create();
  broker.register(accountId, Mailbox.bounded(account, 1000, { overflow: 'fail' }));
  broker.register(auditorId, Mailbox.unbounded(auditor));
  console.log(`registered ${broker.registeredCount()} actors: ${broker.actorIds().join(', ')}`);

  // Request-response: the result is typed `number` because GetBalance says so.
  const balance: number = await broker.send(accountId, GetBalance({ accountId: 123 }));
  console.log(`Account balance: $${balance.toFixed(2)}`);
  assert.equal(balance, 100);

  // Fire-and-forget: trySend returns as soon as the message is queued (it throws a SendError when
  // the message is refused). Only messages whose result is void may be sent this way.
  broker.trySend(accountId, Deposit({ accountId: 123, amount: 50 }));
  // The actor takes messages in order, so this answer comes after the deposit was applied.
  const after = await broker.send(accountId, GetBalance({ accountId: 123 }));
  console.log(`after a fire-and-forget deposit of $50: $${after.toFixed(2)}`);
  assert.equal(after, 150);

  // Broadcast: one result per registered actor, in registration order; a failure is per target.
  const results: BroadcastResult<void>[] = await broker.broadcast(Shutdown());
  const failed = results.filter((r) => !r.ok);
  console.log(`Shutdown complete: ${results.length} actors, ${failed.length} failures`);
  assert.deepEqual(
    results.map((r) => r.actorId),
    [accountId, auditorId],
  );
  assert.equal(failed.length, 0);
  assert.equal(stopped, true);

  // Metrics: every routed message is counted once, as delivered or failed.
  const metrics = broker.metrics();
  console.log(`Active actors: ${metrics.registeredActors}`);
  console.log(
    `Sent ${metrics.totalSent}, delivered ${metrics.totalDelivered}, failed ${metrics.totalFailed}, ` +
      `success rate ${((metrics.totalDelivered / metrics.totalSent) * 100).toFixed(2)}%`,
  );
  console.log(
    `Avg routing latency: ${metrics.avgRoutingLatencyNs}ns (sampled on 1 message in 1024)`,
  );
  assert.equal(metrics.registeredActors, 2);
  assert.equal(metrics.totalSent, 5); // 2 GetBalance + 1 Deposit + Shutdown to 2 actors
  assert.equal(metrics.totalDelivered, 5);
  assert.equal(metrics.totalFailed, 0);
  assert.equal(metrics.totalSent, metrics.totalDelivered + metrics.totalFailed);
} finally {
  // Stops every actor and releases the broker's timer, so the process exits at once.
  broker.shutdown();
}
console.log('quick-start: ok');
