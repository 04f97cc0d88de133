/**
 * Message priorities: an actor takes Critical before High before Normal before Low, and within one
 * priority keeps the order the messages were sent in.
 *
 * Run: npm run build && npx tsx --tsconfig examples/tsconfig.json examples/priorities.ts
 */
import assert from 'node:assert/strict';
import {
  ActorId,
  defineMessage,
  InMemoryMessageBroker,
  Mailbox,
  Priority,
  type Actor,
} from 'rxbroker';

const Hold = defineMessage<void, void>('Hold'); // keeps the actor busy until released
const Task = defineMessage<string, string>('Task'); // answers with its own label
const Ping = defineMessage<string, void>('Ping'); // fire-and-forget

const names = ['Low', 'Normal', 'High', 'Critical'] as const;

let release!: () => void;
const gate = new Promise<void>((resolve) => (release = resolve));
let holding!: () => void;
const held = new Promise<void>((resolve) => (holding = resolve));

const order: string[] = [];
const worker: Actor = {
  receive(msg) {
    if (Hold.is(msg)) {
      holding();
      return gate;
    }
    if (Task.is(msg) || Ping.is(msg)) {
      order.push(msg.payload);
      return msg.payload;
    }
    throw new Error(`unexpected ${msg.type}`);
  },
};

const broker = new InMemoryMessageBroker({ defaultTimeout: 2_000 });
const id = ActorId.create();
const mailbox = Mailbox.unbounded(worker);
broker.register(id, mailbox);

// Keep the actor busy, so that everything below queues up behind Hold.
const hold = broker.send(id, Hold());
await held;

// Send in an order unrelated to priority, through every API that takes one.
const answers = [
  broker.send(id, Task('low-1'), { priority: Priority.Low }),
  broker.send(id, Task('normal-1')), // Normal is the default
  broker.sendWithPriority(id, Task('critical-1'), Priority.Critical),
  broker.send(id, Task('high-1'), { priority: Priority.High }),
  broker.sendWithPriority(id, Task('low-2'), Priority.Low),
  broker.send(id, Task('normal-2'), { priority: Priority.Normal }),
  broker.send(id, Task('high-2'), { priority: Priority.High }),
  broker.send(id, Task('critical-2'), { priority: Priority.Critical }),
];
broker.trySend(id, Ping('critical-3 (trySend)'), { priority: Priority.Critical });
broker.trySend(id, Ping('low-3 (trySend)'), { priority: Priority.Low });

console.log(`queued behind Hold: ${mailbox.size} messages`);
for (const [value, name] of names.entries()) console.log(`  Priority.${name} = ${value}`);

release();
await hold;
const results = await Promise.all(answers);
// The actor handles messages in order, so this answer comes after the last trySend.
await broker.send(id, Task('after'), { priority: Priority.Low });

console.log('handled in this order:');
for (const [i, label] of order.entries()) console.log(`  ${i + 1}. ${label}`);

assert.deepEqual(order, [
  'critical-1',
  'critical-2',
  'critical-3 (trySend)',
  'high-1',
  'high-2',
  'normal-1',
  'normal-2',
  'low-1',
  'low-2',
  'low-3 (trySend)',
  'after',
]);
// Each sender still gets its own answer, whatever the order of handling.
assert.deepEqual(results, [
  'low-1',
  'normal-1',
  'critical-1',
  'high-1',
  'low-2',
  'normal-2',
  'high-2',
  'critical-2',
]);

broker.shutdown();
console.log('priorities: ok');
