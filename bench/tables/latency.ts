/**
 * Table 1: where the time of one message goes. Routing lookup (through the public
 * `isRegistered`), the synchronous enqueue of `trySend`, and the awaited roundtrips of `send` (with
 * its timeout armed, the default 5 s) and of `send$`.
 */
import { firstValueFrom } from 'rxjs';
import { ActorId, defineMessage, InMemoryMessageBroker, Mailbox } from 'rxbroker';
import { Countdown, do_not_optimize, now, pick, since, Table } from '../lib/harness.js';

const table = new Table('latency', '1. Latency breakdown');
const Ping = defineMessage('Ping');
const Ask = defineMessage<void, number>('Ask');
const ping = Ping();
const ask = Ask();

const broker = new InMemoryMessageBroker();
const ids: ActorId[] = [];
for (let i = 0; i < 1024; i++) {
  const id = ActorId.create();
  broker.register(id, Mailbox.bounded({ receive: () => 1 }, 1000));
  ids.push(id);
}

let k = 0;
await table.micro(
  'lookup',
  'routing lookup: isRegistered(id), 1024 actors',
  () => do_not_optimize(broker.isRegistered(ids[(k = (k + 1) & 1023)] as ActorId)),
  { per: 'lookup' },
);

k = 0;
await table.micro(
  'lookup-mailbox',
  'routing lookup: mailboxOf(id) (the Map.get that routing does)',
  () => do_not_optimize(broker.mailboxOf(ids[(k = (k + 1) & 1023)] as ActorId)),
  { per: 'lookup' },
);

const countdown = new Countdown();
const sink = ActorId.create();
broker.register(sink, Mailbox.unbounded({ receive: countdown.hit }));
const BURST = 1000;

await table.timed(
  'trySend-enqueue',
  `trySend enqueue only (bursts of ${BURST}, drained untimed)`,
  async () => {
    const done = countdown.arm(BURST);
    const start = now();
    for (let i = 0; i < BURST; i++) broker.trySend(sink, ping);
    const elapsed = since(start);
    await done;
    return elapsed;
  },
  { ops: BURST, per: 'message', samples: pick(200, 10) },
);

await table.timed(
  'trySend-processed',
  `trySend + processing (bursts of ${BURST}, until handled)`,
  async () => {
    const done = countdown.arm(BURST);
    const start = now();
    for (let i = 0; i < BURST; i++) broker.trySend(sink, ping);
    await done;
    return since(start);
  },
  { ops: BURST, per: 'message', samples: pick(200, 10), rate: { unit: 'msg/s' } },
);

const target = ids[0] as ActorId;
await table.micro(
  'send',
  'send roundtrip, trivial handler, timeout armed',
  () => broker.send(target, ask),
  {
    per: 'roundtrip',
    rate: { unit: 'roundtrips/s' },
  },
);

await table.micro(
  'send$',
  'send$ roundtrip (firstValueFrom)',
  () => firstValueFrom(broker.send$(target, ask)),
  {
    per: 'roundtrip',
    rate: { unit: 'roundtrips/s' },
  },
);

broker.shutdown();
table.finish();
