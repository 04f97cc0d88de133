import { afterEach, expect, it } from 'vitest';
import { ActorId, defineMessage, isSendError, Mailbox } from 'rxbroker';
import type { NatsConnection } from '@nats-io/transport-node';
import { deferred } from '../support/promises.js';
import { startNatsServer, type NatsServer } from './support/nats-server.js';
import { describeNats, whenKnown } from './support/nats-suite.js';

const Ping = defineMessage<void, string>('Ping');
const messages = [Ping];

/** Resolves on the connection's next status event of `type` ('disconnect', 'reconnect'...). */
async function nextStatus(nc: NatsConnection, type: string): Promise<void> {
  for await (const status of nc.status()) if (status.type === type) return;
}

/** Reconnect quickly and forever: the tests restart the server at once. */
const reconnecting = { reconnectTimeWait: 50, maxReconnectAttempts: -1 } as const;

describeNats(
  'NatsMessageBroker when the server dies and comes back',
  (nats) => {
    const servers: NatsServer[] = [];
    afterEach(async () => {
      // The nodes first, while their server is up (hooks run after the harness's would).
      await Promise.all(nats.made.splice(0).map((broker) => broker.close()));
      for (const server of servers.splice(0).reverse()) await server.stop();
    });

    async function setUp() {
      const server = await startNatsServer({ own: true });
      servers.push(server);
      const cluster = nats.cluster();
      const options = { servers: server.url, messages, connectionOptions: reconnecting };
      const a = await nats.node(cluster, { ...options, nodeId: 'a' });
      const b = await nats.node(cluster, { ...options, nodeId: 'b' });
      return { server, cluster, a, b };
    }

    it('pending sends fail with Timeout within their timeout when the server is killed, nothing hangs', async () => {
      const { server, a, b } = await setUp();
      const never = deferred<string>();
      await a.register(ActorId.from(1), Mailbox.unbounded({ receive: () => never.promise }));
      await whenKnown(b, ActorId.from(1));
      const inFlight = Array.from({ length: 20 }, () =>
        b.send(ActorId.from(1), Ping(), { timeout: 400 }).catch((e: unknown) => e),
      );
      await b.connection.flush();
      const disconnected = nextStatus(b.connection, 'disconnect');
      await server.kill();
      await disconnected;
      // A send made while the connection is down fails the same way.
      const whileDown = b.send(ActorId.from(1), Ping(), { timeout: 300 }).catch((e: unknown) => e);
      const errors = await Promise.all([...inFlight, whileDown]);
      for (const error of errors) expect(isSendError(error, 'Timeout')).toBe(true);
      never.resolve('late');
      const up = Promise.all([
        nextStatus(a.connection, 'reconnect'),
        nextStatus(b.connection, 'reconnect'),
      ]);
      servers.push(await server.restart());
      await up;
    });

    it('after a restart on the same port, the nodes reconnect by themselves and serve again', async () => {
      const { server, a, b } = await setUp();
      await a.register(ActorId.from(1), Mailbox.unbounded({ receive: () => 'a1' }));
      await whenKnown(b, ActorId.from(1));
      await expect(b.send(ActorId.from(1), Ping())).resolves.toBe('a1');
      const down = Promise.all([
        nextStatus(a.connection, 'disconnect'),
        nextStatus(b.connection, 'disconnect'),
      ]);
      await server.kill();
      await down;
      const up = Promise.all([
        nextStatus(a.connection, 'reconnect'),
        nextStatus(b.connection, 'reconnect'),
      ]);
      servers.push(await server.restart());
      await up;
      // The client resubscribes as it reconnects; a flush makes sure the server has those SUBs.
      await Promise.all([a.connection.flush(), b.connection.flush()]);
      // The node subscriptions are back: requests both ways.
      await expect(b.send(ActorId.from(1), Ping(), { timeout: 2000 })).resolves.toBe('a1');
      await b.register(ActorId.from(2), Mailbox.unbounded({ receive: () => 'b2' }));
      await expect(a.send(ActorId.from(2), Ping(), { timeout: 2000 })).resolves.toBe('b2');
      // The directory watch is back: a registration after the restart reaches the other node's copy.
      await b.register(ActorId.from(3), Mailbox.unbounded({ receive: () => 'b3' }));
      await whenKnown(a, ActorId.from(3));
      expect(a.nodeOf(ActorId.from(3))).toBe('b');
    }, 15_000);
  },
  { own: true },
);
