import { firstValueFrom, ReplaySubject, take, toArray } from 'rxjs';
import { expect, it } from 'vitest';
import { ActorId, defineMessage, isBrokerError, isSendError, Mailbox, type Actor } from 'rxbroker';
import { describeNats, whenKnown } from './support/nats-suite.js';

const Ping = defineMessage<void, string>('Ping');
const Note = defineMessage<string, void>('Note');
const Relay = defineMessage<{ to: number }, string>('Relay');
const messages = [Ping, Note, Relay];

/** Answers Ping with its name, relays Relay to another actor, records Notes; 'bad' fails. */
function named(name: string, notes?: ReplaySubject<string>): Actor {
  return {
    receive(msg, ctx) {
      if (Note.is(msg)) {
        notes?.next(`${name}:${msg.payload}`);
        return undefined;
      }
      if (Relay.is(msg)) return ctx.broker.send(ActorId.from(msg.payload.to), Ping());
      if (name === 'bad') throw new Error('bad actor');
      return name;
    },
  };
}

describeNats('NatsMessageBroker with three nodes', (nats) => {
  it('send, trySend and a relay reach actors on each of three nodes from each node', async () => {
    const cluster = nats.cluster();
    const nodes = [
      await nats.node(cluster, { nodeId: 'a', messages }),
      await nats.node(cluster, { nodeId: 'b', messages }),
      await nats.node(cluster, { nodeId: 'c', messages }),
    ];
    const notes = new ReplaySubject<string>();
    for (const [i, node] of nodes.entries())
      await node.register(ActorId.from(i + 1), Mailbox.unbounded(named(node.nodeId, notes)));
    for (const node of nodes) for (const id of [1, 2, 3]) await whenKnown(node, ActorId.from(id));
    for (const from of nodes)
      for (const [i, to] of nodes.entries())
        await expect(from.send(ActorId.from(i + 1), Ping())).resolves.toBe(to.nodeId);
    // a -> actor 2 on b -> actor 3 on c, and back.
    await expect(nodes[0]?.send(ActorId.from(2), Relay({ to: 3 }))).resolves.toBe('c');
    nodes[2]?.trySend(ActorId.from(1), Note('from c'));
    nodes[0]?.trySend(ActorId.from(2), Note('from a'));
    nodes[1]?.trySend(ActorId.from(3), Note('from b'));
    const received = await firstValueFrom(notes.pipe(take(3), toArray()));
    expect(received.sort()).toEqual(['a:from c', 'b:from a', 'c:from b']);
  });

  it('broadcast from any node gathers every actor of the three nodes in registration order', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    const c = await nats.node(cluster, { nodeId: 'c', messages });
    await c.register(ActorId.from(10), Mailbox.unbounded(named('c')));
    await a.register(ActorId.from(20), Mailbox.unbounded(named('a')));
    await b.register(ActorId.from(30), Mailbox.unbounded(named('bad')));
    await b.register(ActorId.from(40), Mailbox.unbounded(named('b')));
    await c.register(ActorId.from(50), Mailbox.unbounded(named('c')));
    for (const node of [a, b, c])
      for (const id of [10, 20, 30, 40, 50]) await whenKnown(node, ActorId.from(id));
    for (const node of [a, b, c]) {
      const results = await node.broadcast(Ping());
      expect(results.map((r) => [r.actorId, r.ok ? r.value : (r.error.kind as string)])).toEqual([
        [10, 'c'],
        [20, 'a'],
        [30, 'HandlerFailed'],
        [40, 'b'],
        [50, 'c'],
      ]);
    }
    const filtered = await a.broadcastFilter(Ping(), (id) => id >= 40);
    expect(filtered).toEqual([
      { actorId: 40, ok: true, value: 'b' },
      { actorId: 50, ok: true, value: 'c' },
    ]);
    expect(a.actorIds()).toEqual([10, 20, 30, 40, 50]);
    expect(b.localActorIds()).toEqual([30, 40]);
  });

  it('an id is unique across the three nodes, and an unregistered one is ActorNotFound on all', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    const c = await nats.node(cluster, { nodeId: 'c', messages });
    const id = ActorId.from(1);
    await b.register(id, Mailbox.unbounded(named('b')));
    for (const node of [a, c]) {
      const error: unknown = await node
        .register(id, Mailbox.unbounded(named(node.nodeId)))
        .catch((e: unknown) => e);
      expect(isBrokerError(error, 'AlreadyRegistered')).toBe(true);
    }
    await whenKnown(a, id);
    await whenKnown(c, id);
    await b.unregister(id);
    for (const node of [a, b, c]) {
      const error: unknown = await node.send(id, Ping()).catch((e: unknown) => e);
      expect(isSendError(error, 'ActorNotFound')).toBe(true);
    }
  });
});
