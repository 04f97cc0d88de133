import { firstValueFrom } from 'rxjs';
import { expect, it } from 'vitest';
import { ActorId, defineMessage, isBrokerError, isSendError, Mailbox } from 'rxbroker';
import { describeNats, whenKnown } from './support/nats-suite.js';

const Ping = defineMessage<void, string>('Ping');
const Note = defineMessage<string, void>('Note');
const messages = [Ping, Note];
const cluster = { prefix: 'locked', bucket: 'locked_actors' };

/**
 * A locked-down node: it may subscribe only to its own subject and its own inbox, publish to the
 * other nodes, to JetStream's API and its two KV buckets, and its own dead-letter subject; it
 * may answer requests (allow_responses). `c` may publish only to node a.
 */
function user(name: string, nodes = 'locked.node.*'): string {
  return `{
    user: ${name}, password: ${name}-secret
    permissions: {
      publish: { allow: ["${nodes}", "locked.dead.${name}", "$JS.API.>", "$JS.FC.>", "$JS.ACK.>",
                         "$KV.locked_actors.>", "$KV.locked_actors_nodes.>"] }
      subscribe: { allow: ["locked.node.${name}", "_INBOX_${name}.>"] }
      allow_responses: true
    }
  }`;
}

const config = `authorization { users: [ ${user('a')}, ${user('b')}, ${user('c', 'locked.node.a')} ] }`;

function as(name: string) {
  return {
    ...cluster,
    messages,
    nodeId: name,
    connectionOptions: { user: name, pass: `${name}-secret`, inboxPrefix: `_INBOX_${name}` },
  };
}

describeNats(
  'NatsMessageBroker with per-user permissions',
  (nats) => {
    it('locked-down nodes work: register, send and broadcast across them', async () => {
      const a = await nats.node(cluster, as('a'));
      const b = await nats.node(cluster, as('b'));
      await a.register(ActorId.from(1), Mailbox.unbounded({ receive: () => 'a1' }));
      await b.register(ActorId.from(2), Mailbox.unbounded({ receive: () => 'b2' }));
      await whenKnown(a, ActorId.from(2));
      await whenKnown(b, ActorId.from(1));
      await expect(a.send(ActorId.from(2), Ping())).resolves.toBe('b2');
      await expect(b.send(ActorId.from(1), Ping())).resolves.toBe('a1');
      const results = await a.broadcast(Ping());
      expect(results.map((r) => (r.ok ? r.value : r.error))).toEqual(['a1', 'b2']);
    });

    it("a node that may not subscribe to its subject (another node's) fails connect with a typed error", async () => {
      const error: unknown = await nats
        .node(cluster, { ...as('a'), nodeId: 'b' })
        .catch((e: unknown) => e);
      expect(isBrokerError(error, 'RoutingFailed')).toBe(true);
      expect((error as Error).message).toContain('locked.node.b');
      expect((error as Error).cause).toMatchObject({
        name: 'PermissionViolationError',
        operation: 'subscription',
        subject: 'locked.node.b',
      });
    });

    it('a send the server refuses to publish fails at once with a typed error and a dead letter', async () => {
      const b = await nats.node(cluster, as('b'));
      const c = await nats.node(cluster, as('c')); // may publish to node a only
      const id = ActorId.from(3);
      await b.register(id, Mailbox.unbounded({ receive: () => 'b3' }));
      await whenKnown(c, id);
      const dead = firstValueFrom(c.deadLetters$);
      // Default timeout 5 s; this settles on the server's -ERR, not on the timeout.
      const error: unknown = await c.send(id, Ping(), { timeout: 60_000 }).catch((e: unknown) => e);
      expect(isSendError(error, 'ActorStopped')).toBe(true);
      expect((error as Error).cause).toMatchObject({
        name: 'PermissionViolationError',
        operation: 'publish',
        subject: 'locked.node.b',
      });
      await expect(dead).resolves.toMatchObject({ actorId: id, reason: 'ActorStopped' });
    });

    it('a trySend the server refuses to publish is a dead letter of the sender, with the reason', async () => {
      const b = await nats.node(cluster, as('b'));
      const c = await nats.node(cluster, { ...as('c'), defaultTimeout: 60_000 }); // node a only
      const id = ActorId.from(4);
      await b.register(id, Mailbox.unbounded({ receive: () => undefined }));
      await whenKnown(c, id);
      const dead = firstValueFrom(c.deadLetters$);
      c.trySend(id, Note('forbidden')); // returns: the refusal comes back from the server
      // It settles on the server's -ERR, not on the 60 s wait for the acknowledgement.
      const { actorId, reason, message, error } = await dead;
      expect({ actorId, reason, payload: message.payload }).toEqual({
        actorId: id,
        reason: 'ActorStopped',
        payload: 'forbidden',
      });
      expect(error.cause).toMatchObject({
        name: 'PermissionViolationError',
        operation: 'publish',
        subject: 'locked.node.b',
      });
    });
  },
  { config },
);
