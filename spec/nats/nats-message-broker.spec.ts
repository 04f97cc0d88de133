import { firstValueFrom, ReplaySubject, take, toArray } from 'rxjs';
import { expect, it, vi } from 'vitest';
import {
  ActorId,
  defineMessage,
  isBrokerError,
  isSendError,
  Mailbox,
  Priority,
  type Actor,
  type DeadLetter,
} from 'rxbroker';
import { Kvm } from '@nats-io/kv';
import { isCodecError, type NatsMessageBroker } from 'rxbroker/nats';
import { deferred } from '../support/promises.js';
import { describeNats, whenGone, whenKnown, type NatsHarness } from './support/nats-suite.js';

const GetBalance = defineMessage<{ accountId: number }, number>('GetBalance');
const Note = defineMessage<string, void>('Note');
const Ping = defineMessage<void, string>('Ping');
const Forward = defineMessage<{ to: number }, string>('Forward');
const Unregistered = defineMessage<void, void>('Unregistered');
const messages = [GetBalance, Note, Ping, Forward];

/**
 * Puts an actor of a node that does not exist (any more) into the directory, as a node that died
 * leaves its entries behind. (Closing a node's connection would leave the server a moment in which
 * it still routes to the dead client, which makes a test nondeterministic.)
 */
async function ghost(broker: NatsMessageBroker, bucket: string, actorId: number): Promise<void> {
  const kv = await new Kvm(broker.connection).open(bucket);
  await kv.create(`a.${actorId}`, 'ghost');
}

/** An actor answering Ping with its name, recording Notes, failing when named 'bad'. */
function named(name: string, notes?: ReplaySubject<string>): Actor {
  return {
    receive(msg, ctx) {
      if (Note.is(msg)) {
        notes?.next(msg.payload);
        return;
      }
      if (Forward.is(msg)) return ctx.broker.send(ActorId.from(msg.payload.to), Ping());
      if (name === 'bad') throw new Error('bad actor');
      return name;
    },
  };
}

/** Nodes a and b of a fresh cluster, with `actor` registered as actor 1 on a, and known to b. */
async function twoNodes(
  nats: NatsHarness,
  actor: Actor,
): Promise<{ a: NatsMessageBroker; b: NatsMessageBroker; id: ActorId }> {
  const cluster = nats.cluster();
  const a = await nats.node(cluster, { nodeId: 'a', messages });
  const b = await nats.node(cluster, { nodeId: 'b', messages });
  const id = ActorId.from(1);
  await a.register(id, Mailbox.unbounded(actor));
  await whenKnown(b, id);
  return { a, b, id };
}

describeNats('NatsMessageBroker across nodes', (nats) => {
  it('send to an actor of another node resolves with its handler result', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    const id = ActorId.from(1);
    await a.register(
      id,
      Mailbox.unbounded({ receive: (msg) => (GetBalance.is(msg) ? msg.payload.accountId * 2 : 0) }),
    );
    await expect(b.send(id, GetBalance({ accountId: 21 }))).resolves.toBe(42);
    await expect(b.sendWithPriority(id, GetBalance({ accountId: 1 }), Priority.High)).resolves.toBe(
      2,
    );
    await expect(firstValueFrom(b.send$(id, GetBalance({ accountId: 2 })))).resolves.toBe(4);
    expect(b.nodeOf(id)).toBe('a');
    expect(b.isRegistered(id)).toBe(true);
  });

  it("a handler's ctx.broker is the distributed broker: it reaches actors of other nodes", async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    await a.register(ActorId.from(1), Mailbox.unbounded(named('forwarder')));
    await b.register(ActorId.from(2), Mailbox.unbounded(named('target')));
    await expect(b.send(ActorId.from(1), Forward({ to: 2 }))).resolves.toBe('target');
  });

  it('a remote handler failure rejects with HandlerFailed carrying its message', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    await a.register(ActorId.from(1), Mailbox.unbounded(named('bad')));
    const error: unknown = await b.send(ActorId.from(1), Ping()).catch((e: unknown) => e);
    expect(isSendError(error, 'HandlerFailed')).toBe(true);
    expect(((error as Error).cause as Error).message).toBe('bad actor');
  });

  it('send to an id registered nowhere rejects with ActorNotFound', async () => {
    const cluster = nats.cluster();
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    const error: unknown = await b.send(ActorId.from(99), Ping()).catch((e: unknown) => e);
    expect(isSendError(error, 'ActorNotFound')).toBe(true);
  });

  it('send to an actor whose node is gone fails at once with ActorNotFound (no responders), not Timeout', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages, defaultTimeout: 60_000 });
    const letters = new ReplaySubject<DeadLetter>();
    b.deadLetters$.subscribe(letters);
    await ghost(a, cluster.bucket, 1); // its node died: the directory entry stays, nobody listens
    const error: unknown = await b.send(ActorId.from(1), Ping()).catch((e: unknown) => e);
    expect(isSendError(error, 'ActorNotFound')).toBe(true);
    const letter = await firstValueFrom(letters);
    expect(letter).toMatchObject({ actorId: 1, reason: 'ActorNotFound' });
  });

  it('a send that gets no answer within its timeout rejects with Timeout', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    const never = deferred<string>();
    await a.register(ActorId.from(1), Mailbox.unbounded({ receive: () => never.promise }));
    const error: unknown = await b
      .send(ActorId.from(1), Ping(), { timeout: 50 })
      .catch((e: unknown) => e);
    expect(isSendError(error, 'Timeout')).toBe(true);
    never.resolve('late');
  });

  it('send to an actor unregistered on its node rejects with ActorNotFound', async () => {
    const { a, b, id } = await twoNodes(nats, named('one'));
    await a.unregister(id);
    const error: unknown = await b.send(id, Ping()).catch((e: unknown) => e);
    expect(isSendError(error, 'ActorNotFound')).toBe(true);
    await whenGone(b, id);
    expect(b.isRegistered(id)).toBe(false);
  });

  it('trySend publishes to the remote actor, which receives the message', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    const notes = new ReplaySubject<string>();
    const id = ActorId.from(1);
    await a.register(id, Mailbox.unbounded(named('one', notes)));
    await whenKnown(b, id);
    b.trySend(id, Note('hello'));
    b.trySend(id, Note('world'), { priority: Priority.Low });
    await expect(firstValueFrom(notes.pipe(take(2), toArray()))).resolves.toEqual([
      'hello',
      'world',
    ]);
  });

  it('a burst of trySends and then a send to the same actor arrive in the order they were made', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    const seen: string[] = [];
    const id = ActorId.from(1);
    await a.register(
      id,
      Mailbox.unbounded({
        receive(msg) {
          seen.push(Note.is(msg) ? msg.payload : msg.type);
          return 'ok';
        },
      }),
    );
    await whenKnown(b, id);
    const sent = Array.from({ length: 500 }, (_, i) => `n${i}`);
    for (const text of sent.slice(0, 250)) b.trySend(id, Note(text));
    const ping = b.send(id, Ping()); // a request: the posts queued before it go first
    for (const text of sent.slice(250)) b.trySend(id, Note(text));
    await ping;
    await b.send(id, Ping());
    expect(seen).toEqual([...sent.slice(0, 250), 'Ping', ...sent.slice(250), 'Ping']);
  });

  it('trySends whose publish fails after trySend returned are dead letters, not lost', async () => {
    const { b, id } = await twoNodes(nats, named('one'));
    const letters = firstValueFrom(b.deadLetters$.pipe(take(2), toArray()));
    // The posts of a turn are published in the microtask after it; make that publish fail, as a
    // connection closing in between would.
    const refused = new Error('refused by the client');
    const publish = vi.spyOn(b.connection, 'publish').mockImplementation(() => {
      throw refused;
    });
    b.trySend(id, Note('one'));
    b.trySend(id, Note('two'));
    const received = await letters;
    publish.mockRestore();
    expect(received.map((l) => [l.actorId, l.message.payload, l.reason, l.error.cause])).toEqual([
      [id, 'one', 'ActorStopped', refused],
      [id, 'two', 'ActorStopped', refused],
    ]);
  });

  it('trySend on a closed connection is refused at once with ActorStopped and a dead letter', async () => {
    const { b, id } = await twoNodes(nats, named('one'));
    await b.connection.close();
    const letter = firstValueFrom(b.deadLetters$);
    let error: unknown;
    try {
      b.trySend(id, Note('late'));
    } catch (e) {
      error = e;
    }
    expect(isSendError(error, 'ActorStopped')).toBe(true);
    await expect(letter).resolves.toMatchObject({ actorId: id, reason: 'ActorStopped' });
  });

  it('a batch with a malformed frame: the frames before it are delivered, the rest is a dead letter', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const notes = new ReplaySubject<string>();
    const id = ActorId.from(1);
    await a.register(id, Mailbox.unbounded(named('one', notes)));
    const { asciiBytes, writeFrame, OP_POST } = await import('../../src/nats/internal/frame.js');
    const good = writeFrame(
      OP_POST,
      1,
      0,
      1,
      asciiBytes('json'),
      asciiBytes('Note'),
      new TextEncoder().encode('"fine"'),
    );
    const batch = new Uint8Array(2 + 4 + good.length + 4 + 3);
    batch.set([0xb1, 6, 0, 0, 0, good.length]);
    batch.set(good, 6);
    batch.set([0, 0, 0, 99, 1, 2, 3], 6 + good.length); // claims 99 bytes, holds 3
    const letter = firstValueFrom(a.deadLetters$);
    a.connection.publish(a.subject, batch);
    await expect(firstValueFrom(notes)).resolves.toBe('fine');
    const { reason, error } = await letter;
    expect(reason).toBe('RoutingFailed');
    expect(isCodecError(error.cause, 'InvalidPayload')).toBe(true);
  });

  it('trySend to an id the directory does not know throws ActorNotFound', async () => {
    const cluster = nats.cluster();
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    let error: unknown;
    try {
      b.trySend(ActorId.from(5), Note('x'));
    } catch (e) {
      error = e;
    }
    expect(isSendError(error, 'ActorNotFound')).toBe(true);
  });

  it('broadcast gathers one result per actor of every node, in registration order, errors per target', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    await a.register(ActorId.from(1), Mailbox.unbounded(named('a1')));
    await b.register(ActorId.from(2), Mailbox.unbounded(named('b2')));
    await a.register(ActorId.from(3), Mailbox.unbounded(named('bad')));
    await b.register(ActorId.from(4), Mailbox.unbounded(named('bad')));
    for (const id of [1, 2, 3, 4]) await whenKnown(a, ActorId.from(id));
    const results = await a.broadcast(Ping());
    expect(results.map((r) => [r.actorId, r.ok ? r.value : (r.error.kind as string)])).toEqual([
      [1, 'a1'],
      [2, 'b2'],
      [3, 'HandlerFailed'],
      [4, 'HandlerFailed'],
    ]);
    const some = await a.broadcastFilter(Ping(), (id) => id % 2 === 0);
    expect(some.map((r) => r.actorId)).toEqual([2, 4]);
    const streamed = await firstValueFrom(a.broadcast$(Ping()).pipe(toArray()));
    expect(streamed).toHaveLength(4);
    const filtered = await firstValueFrom(
      a.broadcastFilter$(Ping(), (id) => id === 2).pipe(toArray()),
    );
    expect(filtered).toEqual([{ actorId: 2, ok: true, value: 'b2' }]);
    expect(a.actorIds()).toEqual([1, 2, 3, 4]);
    expect(a.registeredCount()).toBe(4);
    expect(a.localActorIds()).toEqual([1, 3]);
    expect(a.metrics().registeredActors).toBe(4);
  });

  it('broadcast to a node that is gone yields ActorNotFound for its actors, never a hang', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages, defaultTimeout: 60_000 });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    await a.register(ActorId.from(1), Mailbox.unbounded(named('a1')));
    await ghost(b, cluster.bucket, 2);
    await whenKnown(a, ActorId.from(2));
    const results = await a.broadcast(Ping());
    expect(results[0]).toEqual({ actorId: 1, ok: true, value: 'a1' });
    expect(results[1]?.ok).toBe(false);
    expect(isSendError(results[1]?.ok === false ? results[1].error : null, 'ActorNotFound')).toBe(
      true,
    );
  });

  it('broadcastFilter with a throwing filter rejects with RoutingFailed and sends nothing', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    await a.register(ActorId.from(1), Mailbox.unbounded(named('a1')));
    const thrown: unknown = await a
      .broadcastFilter(Ping(), () => {
        throw new Error('no');
      })
      .catch((e: unknown) => e);
    expect(isBrokerError(thrown, 'RoutingFailed')).toBe(true);
    const promised: unknown = await a
      .broadcastFilter(Ping(), (() => Promise.resolve(true)) as never)
      .catch((e: unknown) => e);
    expect(isBrokerError(promised, 'RoutingFailed')).toBe(true);
  });

  it('registering an id taken on another node rejects with AlreadyRegistered', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    await a.register(ActorId.from(7), Mailbox.unbounded(named('a7')));
    const error: unknown = await b
      .register(ActorId.from(7), Mailbox.unbounded(named('b7')))
      .catch((e: unknown) => e);
    expect(isBrokerError(error, 'AlreadyRegistered')).toBe(true);
    expect(b.localActorIds()).toEqual([]);
    // The same on one node, even while the first registration is in flight.
    const twice = await Promise.allSettled([
      a.register(ActorId.from(8), Mailbox.unbounded(named('x'))),
      a.register(ActorId.from(8), Mailbox.unbounded(named('y'))),
    ]);
    expect(twice.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
  });

  it('concurrent registrations of one id on two nodes: exactly one wins', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    const outcomes = await Promise.allSettled([
      a.register(ActorId.from(9), Mailbox.unbounded(named('a9'))),
      b.register(ActorId.from(9), Mailbox.unbounded(named('b9'))),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(isBrokerError(lost.reason, 'AlreadyRegistered')).toBe(true);
  });

  it('an unregistered id, or one of a closed node, can be registered again on another node', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    await a.register(ActorId.from(1), Mailbox.unbounded(named('a1')));
    await a.register(ActorId.from(2), Mailbox.unbounded(named('a2')));
    await a.unregister(ActorId.from(1));
    await b.register(ActorId.from(1), Mailbox.unbounded(named('b1')));
    await a.close();
    await b.register(ActorId.from(2), Mailbox.unbounded(named('b2')));
    await expect(b.send(ActorId.from(2), Ping())).resolves.toBe('b2');
    const error: unknown = await b.unregister(ActorId.from(3)).catch((e: unknown) => e);
    expect(isBrokerError(error, 'NotFound')).toBe(true);
  });

  it('a message type not registered with the codec registry is refused before it is sent', async () => {
    const { a, b, id } = await twoNodes(nats, named('one'));
    const error: unknown = await b.send(id, Unregistered()).catch((e: unknown) => e);
    expect(isCodecError(error, 'UnknownMessageType')).toBe(true);
    expect(() => b.trySend(id, Unregistered())).toThrow(/UnknownMessageType/);
    const broadcast: unknown = await b.broadcast(Unregistered()).catch((e: unknown) => e);
    expect(isCodecError(broadcast, 'UnknownMessageType')).toBe(true);
    // Locally, nothing crosses the wire: no registration needed.
    await expect(a.send(id, Unregistered())).resolves.toBe('one');
  });

  it('a receiver that does not know the type refuses it: the sender gets UnknownMessageType', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages: [] });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    await a.register(ActorId.from(1), Mailbox.unbounded(named('one')));
    const error: unknown = await b.send(ActorId.from(1), Ping()).catch((e: unknown) => e);
    expect(isCodecError(error, 'UnknownMessageType')).toBe(true);
  });

  it('a trySend the receiver cannot decode is a dead letter there, never lost silently', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages: [Ping] }); // does not know Note
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    const id = ActorId.from(1);
    await a.register(id, Mailbox.unbounded(named('one')));
    await whenKnown(b, id);
    const letter = firstValueFrom(a.deadLetters$);
    b.trySend(id, Note('lost?'));
    const { actorId, message, reason, error } = await letter;
    expect({ actorId, type: message.type, reason }).toEqual({
      actorId: id,
      type: 'Note',
      reason: 'RoutingFailed',
    });
    expect(isBrokerError(error, 'RoutingFailed')).toBe(true);
    expect(isCodecError(error.cause, 'UnknownMessageType')).toBe(true);
    expect(message.payload).toBeInstanceOf(Uint8Array); // the bytes as they came, never decoded
  });

  it('bytes on a node subject that are no rxbroker frame: a dead letter, and a requester is told', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const letters = firstValueFrom(a.deadLetters$.pipe(take(2), toArray()));
    const junk = new TextEncoder().encode('{"op":"send"}');
    a.connection.publish(a.subject, junk);
    const reply = await a.connection.request(a.subject, junk, { timeout: 5000 });
    expect(reply.data[0]).toBe(0xb1); // a frame...
    expect(reply.data[1]).toBe(5); // ...carrying an error
    const received = await letters;
    expect(
      received.map((l) => [l.actorId, l.reason, isCodecError(l.error.cause, 'InvalidPayload')]),
    ).toEqual([
      [undefined, 'RoutingFailed', true],
      [undefined, 'RoutingFailed', true],
    ]);
  });

  it('a payload with a constructor or __proto__ key never reaches a remote handler', async () => {
    const Data = defineMessage<Record<string, unknown>, string>('Data');
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages: [Data] });
    const b = await nats.node(cluster, { nodeId: 'b', messages: [Data], codec: 'json' });
    const seen: unknown[] = [];
    await a.register(
      ActorId.from(1),
      Mailbox.unbounded({
        receive: (msg) => {
          seen.push(msg);
          return 'ok';
        },
      }),
    );
    const hostile = JSON.parse('{"nested":{"__proto__":{"polluted":true}}}') as Record<
      string,
      unknown
    >;
    for (const payload of [{ constructor: 'x' }, hostile]) {
      const error: unknown = await b.send(ActorId.from(1), Data(payload)).catch((e: unknown) => e);
      expect(isCodecError(error, 'InvalidPayload')).toBe(true);
    }
    expect(seen).toEqual([]);
    await expect(b.send(ActorId.from(1), Data({ fine: [1, 'two'] }))).resolves.toBe('ok');
  });

  it('nodes with different codecs understand each other (JSON for debugging, msgpack by default)', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages, codec: 'json' });
    await a.register(ActorId.from(1), Mailbox.unbounded(named('msgpack-node')));
    await b.register(ActorId.from(2), Mailbox.unbounded(named('json-node')));
    await expect(b.send(ActorId.from(1), Ping())).resolves.toBe('msgpack-node');
    await expect(a.send(ActorId.from(2), Ping())).resolves.toBe('json-node');
  });

  it('close() removes the node from the directory: its actors become ActorNotFound elsewhere', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    await a.register(ActorId.from(1), Mailbox.unbounded(named('a1')));
    await whenKnown(b, ActorId.from(1));
    const gone = whenGone(b, ActorId.from(1));
    await a.close();
    await gone;
    const error: unknown = await b.send(ActorId.from(1), Ping()).catch((e: unknown) => e);
    expect(isSendError(error, 'ActorNotFound')).toBe(true);
    const late: unknown = await a
      .register(ActorId.from(2), Mailbox.unbounded(named('x')))
      .catch((e: unknown) => e);
    expect(isBrokerError(late, 'RoutingFailed')).toBe(true);
  });

  it('a node that joins later loads the directory before connect() resolves', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    await a.register(ActorId.from(1), Mailbox.unbounded(named('a1')));
    await a.register(ActorId.from(2), Mailbox.unbounded(named('a2')));
    await a.unregister(ActorId.from(2));
    const c = await nats.node(cluster, { nodeId: 'c', messages });
    expect(c.actorIds()).toEqual([1]);
    expect(c.nodeOf(ActorId.from(1))).toBe('a');
  });
});
