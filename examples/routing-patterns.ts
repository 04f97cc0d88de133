/**
 * The reference's four routing patterns (point-to-point, publish-subscribe, request-response,
 * fire-and-forget), then topic routing: `subscribe` with wildcards, `publish` to every subscriber,
 * and `sendWithRouting` to one subscriber, taking turns.
 *
 * Run: npm run build && npx tsx --tsconfig examples/tsconfig.json examples/routing-patterns.ts
 */
import assert from 'node:assert/strict';
import {
  ActorId,
  defineMessage,
  InMemoryMessageBroker,
  isBrokerError,
  Mailbox,
  Priority,
  type Actor,
  type DeadLetter,
} from 'rxbroker';

const GetUserName = defineMessage<{ userId: number }, string>('GetUserName');
const UserCreated = defineMessage<{ userId: number }, void>('UserCreated');
const LogMessage = defineMessage<{ level: 'info' | 'warn'; message: string }, void>('LogMessage');
const GetLog = defineMessage<void, readonly string[]>('GetLog');
const Resize = defineMessage<{ image: string }, string>('Resize');
const OrderEvent = defineMessage<{ orderId: number }, string>('OrderEvent');

const broker = new InMemoryMessageBroker({ defaultTimeout: 1_000 });
const deadLetters: DeadLetter[] = [];
broker.deadLetters$.subscribe((letter) => deadLetters.push(letter));

// --- the actors ---------------------------------------------------------------------------------

const users = new Map([[42, 'Ada']]);
const dbId = ActorId.create();
const db: Actor = {
  receive(msg) {
    if (GetUserName.is(msg)) return users.get(msg.payload.userId) ?? 'unknown';
    if (UserCreated.is(msg)) return; // a database ignores the event
    throw new Error(`db: unexpected ${msg.type}`);
  },
};

const loggerId = ActorId.create();
const lines: string[] = [];
const logger: Actor = {
  receive(msg) {
    if (LogMessage.is(msg)) lines.push(`[${msg.payload.level}] ${msg.payload.message}`);
    else if (UserCreated.is(msg)) lines.push(`[info] user ${msg.payload.userId} created`);
    else if (GetLog.is(msg)) return [...lines];
    else throw new Error(`logger: unexpected ${msg.type}`);
  },
};

// A mailer answers asynchronously, with a Promise; it also tells the logger, through ctx.broker.
const mailerId = ActorId.create();
const mailer: Actor = {
  // eslint-disable-next-line @typescript-eslint/require-await -- async on purpose: it answers with a Promise
  async receive(msg, ctx) {
    if (!UserCreated.is(msg)) throw new Error(`mailer: unexpected ${msg.type}`);
    ctx.broker.trySend(
      loggerId,
      LogMessage({ level: 'info', message: `welcome mail to user ${msg.payload.userId}` }),
    );
  },
};

broker.register(dbId, Mailbox.unbounded(db));
broker.register(loggerId, Mailbox.unbounded(logger));
broker.register(mailerId, Mailbox.bounded(mailer, 100));

// --- 1. point-to-point: a message to one actor, by id -----------------------------------------
console.log('1. point-to-point');
assert.equal(broker.isRegistered(dbId), true);
await broker.send(dbId, UserCreated({ userId: 7 }));
console.log(`   delivered UserCreated to actor ${dbId} only`);

// --- 2. publish-subscribe: broadcast to every registered actor --------------------------------
console.log('2. publish-subscribe (broadcast)');
const published = await broker.broadcast(UserCreated({ userId: 123 }));
for (const result of published)
  console.log(`   actor ${result.actorId}: ${result.ok ? 'ok' : result.error.kind}`);
assert.deepEqual(
  published.map((r) => [r.actorId, r.ok]),
  [
    [dbId, true],
    [loggerId, true],
    [mailerId, true],
  ],
);

// --- 3. request-response: await a typed result -----------------------------------------------
console.log('3. request-response');
const name: string = await broker.send(dbId, GetUserName({ userId: 42 }));
console.log(`   user 42 is ${name}`);
assert.equal(name, 'Ada');

// --- 4. fire-and-forget: trySend returns once the message is queued ---------------------------
console.log('4. fire-and-forget');
broker.trySend(loggerId, LogMessage({ level: 'info', message: 'Task completed' }));
// The logger handles its messages in order, so GetLog sees everything sent before it.
const log = await broker.send(loggerId, GetLog());
for (const line of log) console.log(`   log: ${line}`);
assert.deepEqual(log, [
  '[info] user 123 created',
  '[info] welcome mail to user 123',
  '[info] Task completed',
]);

// --- topic routing ------------------------------------------------------------------------------
// Subjects are '.'-separated tokens; in a pattern '*' matches one token and a final '>' the rest.
console.log('topic routing');
const euOrdersId = ActorId.create();
const allOrdersId = ActorId.create();
const ordersActor = (label: string): Actor => ({
  receive: (msg) => (OrderEvent.is(msg) ? `${label} saw order ${msg.payload.orderId}` : undefined),
});
broker.register(euOrdersId, Mailbox.unbounded(ordersActor('eu-desk')));
broker.register(allOrdersId, Mailbox.unbounded(ordersActor('audit')));
broker.subscribe(euOrdersId, 'orders.eu.*');
broker.subscribe(allOrdersId, 'orders.>');

// publish: every subscriber whose pattern matches, one result each, in order of subscription.
const created = await broker.publish('orders.eu.created', OrderEvent({ orderId: 1 }));
const shipped = await broker.publish('orders.us.shipped', OrderEvent({ orderId: 2 }));
const nobody = await broker.publish('invoices.eu.created', OrderEvent({ orderId: 3 }));
for (const [topic, results] of [
  ['orders.eu.created', created],
  ['orders.us.shipped', shipped],
  ['invoices.eu.created', nobody],
] as const) {
  console.log(
    `   publish ${topic}: ${results.map((r) => (r.ok ? r.value : r.error.kind)).join('; ') || '(no subscriber)'}`,
  );
}
assert.deepEqual(
  created.map((r) => (r.ok ? r.value : r.error.kind)),
  ['eu-desk saw order 1', 'audit saw order 1'],
);
assert.deepEqual(
  shipped.map((r) => (r.ok ? r.value : r.error.kind)),
  ['audit saw order 2'],
);
assert.deepEqual(nobody, []);

// sendWithRouting: ONE subscriber of the topic gets each message, taking turns (round-robin),
// and the caller gets that subscriber's result.
const resizers = [ActorId.create(), ActorId.create(), ActorId.create()] as const;
for (const [i, id] of resizers.entries()) {
  broker.register(
    id,
    Mailbox.unbounded({
      receive: (msg) => (Resize.is(msg) ? `resizer-${i}:${msg.payload.image}` : undefined),
    }),
  );
  broker.subscribe(id, 'images.resize');
}
const handledBy: string[] = [];
for (const image of ['a.png', 'b.png', 'c.png', 'd.png']) {
  const answer = await broker.sendWithRouting(
    { topic: 'images.resize', priority: Priority.High },
    Resize({ image }),
  );
  handledBy.push(answer);
}
console.log(`   sendWithRouting round-robin: ${handledBy.join(', ')}`);
assert.deepEqual(handledBy, [
  'resizer-0:a.png',
  'resizer-1:b.png',
  'resizer-2:c.png',
  'resizer-0:d.png',
]);

// After unsubscribe the actor gets no more routed messages.
assert.equal(broker.unsubscribe(resizers[0], 'images.resize'), true);
const next = await broker.sendWithRouting({ topic: 'images.resize' }, Resize({ image: 'e.png' }));
console.log(`   after resizer-0 unsubscribed: ${next}`);
assert.equal(next, 'resizer-1:e.png');

// A topic nobody serves: BrokerError RoutingFailed, and the message becomes a dead letter.
try {
  await broker.sendWithRouting({ topic: 'images.crop' }, Resize({ image: 'f.png' }));
  assert.fail('sendWithRouting to a topic without subscribers should fail');
} catch (error) {
  assert.ok(isBrokerError(error, 'RoutingFailed'), String(error));
  console.log(`   no subscriber: ${error.message}`);
}
assert.equal(deadLetters.length, 1);
assert.equal(deadLetters[0]?.reason, 'RoutingFailed');
assert.equal(deadLetters[0].topic, 'images.crop');

const metrics = broker.metrics();
console.log(
  `metrics: sent ${metrics.totalSent}, delivered ${metrics.totalDelivered}, failed ${metrics.totalFailed}`,
);
assert.equal(metrics.totalSent, metrics.totalDelivered + metrics.totalFailed);
assert.equal(metrics.totalFailed, 1); // the routed message nobody served

broker.shutdown();
console.log('routing-patterns: ok');
