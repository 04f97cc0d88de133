/**
 * Table 6: what the default metrics cost. The same scenarios on a broker with metrics on (the
 * default) and one with `metrics: false`, interleaved A B B A … so that drift in the machine's load
 * hits both alike; each row is the median over the repetitions.
 */
import { ActorId, defineMessage, InMemoryMessageBroker, Mailbox } from 'rxbroker';
import {
  Countdown,
  microStats,
  now,
  pick,
  since,
  Table,
  timedStats,
  type Stats,
} from '../lib/harness.js';

const table = new Table('metrics', '6. Metrics on vs off');
const Ping = defineMessage('Ping');
const Ask = defineMessage<void, number>('Ask');
const ping = Ping();
const ask = Ask();
const N = pick(1_000_000, 20_000);
const REPETITIONS = pick(4, 2);
const countdown = new Countdown();

function setUp(metrics: boolean): {
  broker: InMemoryMessageBroker;
  server: ActorId;
  sink: ActorId;
} {
  const broker = new InMemoryMessageBroker({ metrics });
  const server = ActorId.create();
  const sink = ActorId.create();
  broker.register(server, Mailbox.bounded({ receive: () => 1 }, 1000));
  broker.register(sink, Mailbox.unbounded({ receive: countdown.hit }));
  return { broker, server, sink };
}
const variants = { on: setUp(true), off: setUp(false) };
const results = {
  send: { on: [] as Stats[], off: [] as Stats[] },
  ff: { on: [] as Stats[], off: [] as Stats[] },
};

for (let r = 0; r < REPETITIONS; r++) {
  const order = r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
  for (const key of order) {
    const { broker, server } = variants[key];
    results.send[key].push(await microStats(() => broker.send(server, ask)));
  }
  for (const key of order) {
    const { broker, sink } = variants[key];
    const run = async (): Promise<number> => {
      const done = countdown.arm(N);
      const start = now();
      for (let i = 0; i < N; i++) broker.trySend(sink, ping);
      await done;
      return since(start);
    };
    results.ff[key].push(await timedStats(run, pick(3, 1)));
  }
}

const million = N.toLocaleString('en-US');
const sendOptions = { per: 'roundtrip', rate: { unit: 'roundtrips/s' } };
const ffOptions = { ops: N, per: 'message', rate: { unit: 'msg/s' } };
table.record('send-on', 'send roundtrip, metrics on (default)', results.send.on, sendOptions);
table.record('send-off', 'send roundtrip, metrics: false', results.send.off, sendOptions);
table.record(
  'ff-on',
  `${million} trySend until handled, metrics on (default)`,
  results.ff.on,
  ffOptions,
);
table.record(
  'ff-off',
  `${million} trySend until handled, metrics: false`,
  results.ff.off,
  ffOptions,
);

variants.on.broker.shutdown();
variants.off.broker.shutdown();
table.finish();
