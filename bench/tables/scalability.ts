/**
 * Table 3: does the broker stay flat as actors pile up? `send` roundtrips to a random one of n
 * registered actors for n = 10 … 1M; the heap each idle registered actor keeps (routing entry and
 * mailbox: heap after a full GC, minus the heap before registering, over n); and the time it takes
 * to register the largest n (1M: the issue asks that a million actors fit in one process).
 */
import { ActorId, defineMessage, InMemoryMessageBroker, Mailbox } from 'rxbroker';
import { Countdown, heapAfterGc, now, pick, since, Table } from '../lib/harness.js';

const table = new Table('scalability', '3. Scalability');
const Ask = defineMessage<void, number>('Ask');
const ask = Ask();
const actor = { receive: () => 1 };
const sizes = pick([10, 100, 1_000, 10_000, 100_000, 1_000_000], [10, 100, 1_000, 10_000]);
const largest = sizes[sizes.length - 1] as number;
const TARGETS = 4096;
const label = (n: number): string => n.toLocaleString('en-US');

for (const n of sizes) {
  const before = await heapAfterGc();
  let broker: InMemoryMessageBroker | null = new InMemoryMessageBroker();
  const start = now();
  for (let i = 0; i < n; i++) broker.register(ActorId.create(), Mailbox.bounded(actor, 1000));
  const registerNs = since(start);
  const retained = (await heapAfterGc()) - before;
  if (n >= 10_000) {
    table.value(
      `heap-${n}`,
      `retained heap per idle actor, ${label(n)} actors`,
      'B',
      [retained / n],
      {
        per: 'actor',
        note: 'ActorId.create() ids, Mailbox.bounded(actor, 1000); one shared actor object',
      },
    );
  }
  if (n === largest) {
    table.value(`register-${n}`, `register ${label(n)} actors`, 'ms', [registerNs / 1e6], {
      per: 'run',
      note: `${(registerNs / n).toFixed(0)} ns per actor, heap ${(retained / 2 ** 20).toFixed(0)} MiB`,
    });
  }

  const all = broker.actorIds();
  const targets: ActorId[] = [];
  for (let i = 0; i < TARGETS; i++) targets.push(all[Math.floor(Math.random() * n)] as ActorId);
  all.length = 0;
  let k = 0;
  const live = broker;
  await table.micro(
    `send-${n}`,
    `send roundtrip, ${label(n)} actors, random target`,
    () => live.send(targets[(k = (k + 1) & (TARGETS - 1))] as ActorId, ask),
    { per: 'roundtrip', rate: { unit: 'roundtrips/s' } },
  );
  broker.shutdown();
  broker = null;
}

// Send with small-integer ids (ActorId.from), which V8 keeps unboxed: the Map compares them without
// following a pointer to a boxed number.
const mid = Math.min(largest, 100_000);
{
  const broker = new InMemoryMessageBroker();
  for (let i = 0; i < mid; i++) broker.register(ActorId.from(i), Mailbox.bounded(actor, 1000));
  const targets: ActorId[] = [];
  for (let i = 0; i < TARGETS; i++) targets.push(ActorId.from(Math.floor(Math.random() * mid)));
  let k = 0;
  await table.micro(
    `send-${mid}-small-ids`,
    `send roundtrip, ${label(mid)} actors, random target, ActorId.from(i) ids`,
    () => broker.send(targets[(k = (k + 1) & (TARGETS - 1))] as ActorId, ask),
    { per: 'roundtrip', rate: { unit: 'roundtrips/s' } },
  );
  broker.shutdown();
}

// An actor that has handled a message keeps its queue storage: idle again, what does it retain?
{
  const Ping = defineMessage('Ping');
  const ping = Ping();
  const countdown = new Countdown();
  const before = await heapAfterGc();
  const broker = new InMemoryMessageBroker();
  const ids: ActorId[] = [];
  for (let i = 0; i < mid; i++) {
    const id = ActorId.create();
    broker.register(id, Mailbox.bounded({ receive: countdown.hit }, 1000));
    ids.push(id);
  }
  const done = countdown.arm(mid);
  for (const id of ids) broker.trySend(id, ping);
  await done;
  ids.length = 0;
  const retained = (await heapAfterGc()) - before;
  table.value(
    `heap-used-${mid}`,
    `retained heap per idle actor after it handled one message, ${label(mid)} actors`,
    'B',
    [retained / mid],
    {
      per: 'actor',
      note: 'the mailbox keeps the queue it allocated on first use',
    },
  );
  broker.shutdown();
}

// The same registration with small-integer ids (ActorId.from): V8 keeps those unboxed.
{
  const before = await heapAfterGc();
  const broker = new InMemoryMessageBroker();
  for (let i = 0; i < largest; i++) broker.register(ActorId.from(i), Mailbox.bounded(actor, 1000));
  const retained = (await heapAfterGc()) - before;
  table.value(
    `heap-small-ids-${largest}`,
    `retained heap per idle actor, ${label(largest)} actors, ActorId.from(i) ids`,
    'B',
    [retained / largest],
    {
      per: 'actor',
      note: 'small-integer ids are stored unboxed in the Map and the mailbox',
    },
  );
  broker.shutdown();
}

table.finish();
