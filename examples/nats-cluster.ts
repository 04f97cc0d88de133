/**
 * Two nodes of one cluster on NATS (here in one process, each with its own connection): an account
 * actor lives on `billing`; `shipping` sends to it, posts to it, broadcasts and publishes on a
 * topic, with the same calls as in memory.
 *
 * Needs a NATS server with JetStream: NATS_URL, or else `nats-server` on the PATH, which the example
 * starts on a free loopback port (and stops). Without either it says so and exits.
 *
 * Run: npm run build && npx tsx --tsconfig examples/tsconfig.json examples/nats-cluster.ts
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom } from 'rxjs';
import { ActorId, defineMessage, isSendError, Mailbox, type Actor } from 'rxbroker';
import { NatsMessageBroker } from 'rxbroker/nats';

const GetBalance = defineMessage<{ accountId: number }, number>('GetBalance');
const Deposit = defineMessage<{ accountId: number; amount: number }, void>('Deposit');
const Shipped = defineMessage<{ order: string }, string>('Shipped');
// Only registered types cross the wire (an unregistered one is refused before it is sent).
const messages = [GetBalance, Deposit, Shipped];

const balances = new Map<number, number>([[123, 100]]);
const account: Actor = {
  receive(msg) {
    if (GetBalance.is(msg)) return balances.get(msg.payload.accountId) ?? 0;
    if (Deposit.is(msg)) {
      const { accountId, amount } = msg.payload;
      balances.set(accountId, (balances.get(accountId) ?? 0) + amount);
      return;
    }
    if (Shipped.is(msg)) return `billing noted ${msg.payload.order}`;
    throw new Error(`account: unexpected message ${msg.type}`);
  },
};

const server = await natsServer();
if (server === undefined) {
  console.log('skipped: set NATS_URL, or put nats-server (with JetStream) on the PATH');
} else {
  try {
    await cluster(server.url);
  } finally {
    server.stop();
  }
}

async function cluster(servers: string): Promise<void> {
  const options = { servers, messages, prefix: 'example', bucket: 'example_actors' };
  const billing = await NatsMessageBroker.connect({ ...options, nodeId: 'billing' });
  const shipping = await NatsMessageBroker.connect({ ...options, nodeId: 'shipping' });
  try {
    const accountId = ActorId.from(123);
    await billing.register(accountId, Mailbox.bounded(account, 1000)); // unique in the cluster
    billing.subscribe(accountId, 'orders.*');

    // Node shipping learns of the actor through the directory's watch.
    const known = (c: { actorId: ActorId; node: string | undefined }) =>
      c.actorId === accountId && c.node === 'billing';
    if (shipping.nodeOf(accountId) !== 'billing')
      await firstValueFrom(shipping.directoryChanges$.pipe(filter(known)));

    // Request-response across nodes: the result type comes from the message definition.
    const balance: number = await shipping.send(accountId, GetBalance({ accountId: 123 }));
    console.log(`balance seen from shipping: ${balance}`);

    // Fire-and-forget: the posts of one turn travel as one acknowledged batch, in order, and a
    // send made after them is answered after they are handled.
    for (let i = 0; i < 3; i++)
      shipping.trySend(accountId, Deposit({ accountId: 123, amount: 50 }));
    assert.equal(await shipping.send(accountId, GetBalance({ accountId: 123 })), 250);
    console.log('three deposits later: 250');

    // Broadcast: one result per actor, whichever node it lives on.
    const results = await shipping.broadcast(GetBalance({ accountId: 123 }));
    console.log('broadcast:', results.map((r) => (r.ok ? r.value : r.error.kind)).join(', '));

    // Topics across nodes: publish from shipping reaches the subscriber on billing.
    if (!shipping.subscriptionsOf(accountId).includes('orders.*'))
      await firstValueFrom(shipping.topicChanges$.pipe(filter((c) => c.subscribed)));
    const published = await shipping.publish('orders.shipped', Shipped({ order: 'A-17' }));
    console.log('publish:', published.map((r) => (r.ok ? r.value : r.error.kind)).join(', '));

    // Typed errors, as in memory.
    const error: unknown = await shipping
      .send(ActorId.from(999), GetBalance({ accountId: 1 }))
      .catch((e: unknown) => e);
    assert.ok(isSendError(error, 'ActorNotFound'));
    console.log(`an unknown actor: ${error.kind}`);
  } finally {
    await shipping.close();
    await billing.close(); // its actors leave the directory
  }
}

/** NATS_URL, or a nats-server started here on a free loopback port; undefined without either. */
async function natsServer(): Promise<{ url: string; stop(): void } | undefined> {
  const url = process.env['NATS_URL'];
  if (url !== undefined) return { url, stop: () => undefined };
  if (spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status !== 0) return undefined;
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const store = mkdtempSync(join(tmpdir(), 'rxbroker-example-'));
  const child = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', store], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server is ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`nats-server exited (${code}):\n${log}`)));
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    stop() {
      child.kill();
      rmSync(store, { recursive: true, force: true });
    },
  };
}
