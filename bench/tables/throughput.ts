/**
 * Table 2: sustained traffic. Fire-and-forget bursts (`trySend`, 1M messages, timed until the
 * handlers saw them all) into 1, 4 and 16 actors; awaited `broadcast` to 10 and 100 actors and
 * `publish` to 10 topic subscribers, as deliveries per second.
 */
import { ActorId, defineMessage, InMemoryMessageBroker, Mailbox } from 'rxbroker';
import { Countdown, now, pick, since, Table } from '../lib/harness.js';

const table = new Table('throughput', '2. Throughput');
const Ping = defineMessage('Ping');
const ping = Ping();
const N = pick(1_000_000, 20_000);
const SAMPLES = pick(5, 2);
const countdown = new Countdown();

function brokerWith(
  actors: number,
  receive: () => unknown,
): { broker: InMemoryMessageBroker; ids: ActorId[] } {
  const broker = new InMemoryMessageBroker();
  const ids: ActorId[] = [];
  for (let i = 0; i < actors; i++) {
    const id = ActorId.create();
    broker.register(id, Mailbox.unbounded({ receive }));
    ids.push(id);
  }
  return { broker, ids };
}

const million = N.toLocaleString('en-US');
{
  const { broker, ids } = brokerWith(1, countdown.hit);
  const id = ids[0] as ActorId;
  await table.timed(
    'ff-1',
    `1 actor, ${million} trySend until handled`,
    async () => {
      const done = countdown.arm(N);
      const start = now();
      for (let i = 0; i < N; i++) broker.trySend(id, ping);
      await done;
      return since(start);
    },
    { ops: N, per: 'message', samples: SAMPLES, rate: { unit: 'msg/s' } },
  );
  broker.shutdown();
}

for (const actors of [4, 16]) {
  const { broker, ids } = brokerWith(actors, countdown.hit);
  const mask = actors - 1;
  await table.timed(
    `ff-${actors}`,
    `${actors} actors, ${million} trySend round-robin until handled`,
    async () => {
      const done = countdown.arm(N);
      const start = now();
      for (let i = 0; i < N; i++) broker.trySend(ids[i & mask] as ActorId, ping);
      await done;
      return since(start);
    },
    { ops: N, per: 'message', samples: SAMPLES, rate: { unit: 'msg/s' } },
  );
  broker.shutdown();
}

for (const actors of [10, 100]) {
  const { broker } = brokerWith(actors, () => undefined);
  await table.micro(
    `broadcast-${actors}`,
    `broadcast to ${actors} actors (awaited)`,
    () => broker.broadcast(ping),
    {
      per: 'broadcast',
      rate: { unit: 'deliveries/s', perOp: actors },
    },
  );
  broker.shutdown();
}

{
  const { broker, ids } = brokerWith(10, () => undefined);
  ids.forEach((id, i) => broker.subscribe(id, i % 2 === 0 ? 'orders.created' : 'orders.*'));
  await table.micro(
    'publish-10',
    'publish to 10 topic subscribers (5 exact, 5 `orders.*`)',
    () => broker.publish('orders.created', ping),
    { per: 'publish', rate: { unit: 'deliveries/s', perOp: 10 } },
  );
  broker.shutdown();
}

table.finish();
