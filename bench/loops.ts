/**
 * Plain loops over one hot path each, with no harness in the way, for profiling:
 * `npm run bench:profile -- loop:send` (or loop:trySend, loop:broadcast). Prints the time per operation.
 */
import { ActorId, defineMessage, InMemoryMessageBroker, Mailbox } from 'rxbroker';

const [which = 'send', count] = process.argv.slice(2);
const Ping = defineMessage('Ping');
const Ask = defineMessage<void, number>('Ask');
const ping = Ping();
const ask = Ask();
const broker = new InMemoryMessageBroker();
let operations = 0;
const start = performance.now();

if (which === 'send') {
  const id = ActorId.create();
  broker.register(id, Mailbox.bounded({ receive: () => 1 }, 1000));
  operations = Number(count ?? 3_000_000);
  for (let i = 0; i < operations; i++) await broker.send(id, ask);
} else if (which === 'trySend') {
  let left = 0;
  let done: () => void = () => undefined;
  const id = ActorId.create();
  broker.register(
    id,
    Mailbox.unbounded({
      receive: () => {
        if (--left === 0) done();
      },
    }),
  );
  operations = Number(count ?? 20_000_000);
  const BURST = 1_000_000;
  for (let sent = 0; sent < operations; sent += BURST) {
    const drained = new Promise<void>((resolve) => {
      left = BURST;
      done = resolve;
    });
    for (let i = 0; i < BURST; i++) broker.trySend(id, ping);
    await drained;
  }
} else if (which === 'broadcast') {
  for (let i = 0; i < 10; i++)
    broker.register(ActorId.create(), Mailbox.unbounded({ receive: () => undefined }));
  operations = Number(count ?? 500_000);
  for (let i = 0; i < operations; i++) await broker.broadcast(ping);
} else {
  throw new Error(`unknown loop ${which}: send, trySend or broadcast`);
}

const ns = ((performance.now() - start) * 1e6) / operations;
process.stderr.write(`loop:${which}: ${operations} operations, ${ns.toFixed(1)} ns each\n`);
broker.shutdown();
