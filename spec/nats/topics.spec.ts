import { firstValueFrom, toArray } from 'rxjs';
import { expect, it } from 'vitest';
import {
  ActorId,
  defineMessage,
  isBrokerError,
  isSendError,
  Mailbox,
  type Actor,
  type DeadLetter,
} from 'rxbroker';
import { Kvm } from '@nats-io/kv';
import type { NatsMessageBroker } from 'rxbroker/nats';
import { describeNats, whenKnown, whenTopic } from './support/nats-suite.js';

const Ping = defineMessage<void, string>('Ping');
const messages = [Ping];
const presence = { heartbeat: 100, presenceTtl: 1000 } as const;

/** Answers Ping with its name. */
function named(name: string): Actor {
  return { receive: () => name };
}

const whenSubscribed = (broker: NatsMessageBroker, actorId: ActorId, pattern: string) =>
  whenTopic(broker, actorId, pattern, true);
const whenUnsubscribed = (broker: NatsMessageBroker, actorId: ActorId, pattern: string) =>
  whenTopic(broker, actorId, pattern, false);

describeNats('NatsMessageBroker topics across nodes', (nats) => {
  it('publish from one node reaches the subscribers of every node, once each, in subscription order', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    const [one, two, three] = [ActorId.from(1), ActorId.from(2), ActorId.from(3)];
    await a.register(one, Mailbox.unbounded(named('a1')));
    await b.register(two, Mailbox.unbounded(named('b2')));
    await a.register(three, Mailbox.unbounded(named('a3')));
    for (const node of [a, b]) for (const id of [one, two, three]) await whenKnown(node, id);
    // One at a time, each seen by both nodes before the next: the cluster's subscription order.
    const subscriptions: [NatsMessageBroker, ActorId, string][] = [
      [a, one, 'orders.*'],
      [b, two, 'orders.>'],
      [a, three, 'orders.eu.create'],
      [a, one, 'orders.>'], // a second matching pattern: still one result
    ];
    for (const [owner, id, pattern] of subscriptions) {
      owner.subscribe(id, pattern);
      for (const node of [a, b]) await whenSubscribed(node, id, pattern);
    }
    for (const node of [a, b]) {
      expect(node.subscriptionsOf(one)).toEqual(['orders.*', 'orders.>']);
      const all = await node.publish('orders.eu.create', Ping());
      // In order of the first matching subscription: 'orders.*' matches two tokens only.
      expect(all).toEqual([
        { actorId: two, ok: true, value: 'b2' },
        { actorId: three, ok: true, value: 'a3' },
        { actorId: one, ok: true, value: 'a1' },
      ]);
      // `*` is one token, `>` one or more.
      expect((await node.publish('orders.eu', Ping())).map((r) => r.actorId)).toEqual([one, two]);
      const twin = await firstValueFrom(node.publish$('orders.us', Ping()).pipe(toArray()));
      expect(twin.map((r) => r.actorId)).toEqual([one, two]);
      await expect(node.publish('orders', Ping())).resolves.toEqual([]);
      await expect(node.publish('billing.eu', Ping())).resolves.toEqual([]);
    }
  });

  it('sendWithRouting from another node takes turns among the subscribers of every node', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    const [one, two] = [ActorId.from(1), ActorId.from(2)];
    await a.register(one, Mailbox.unbounded(named('a1')));
    await b.register(two, Mailbox.unbounded(named('b2')));
    a.subscribe(one, 'jobs.*');
    await whenKnown(b, one);
    await whenSubscribed(b, one, 'jobs.*'); // written before b's: the order is a1, b2
    b.subscribe(two, 'jobs.>');
    await whenSubscribed(a, two, 'jobs.>');
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) answers.push(await b.sendWithRouting({ topic: 'jobs.x' }, Ping()));
    expect(answers).toEqual(['a1', 'b2', 'a1', 'b2']);
    await expect(firstValueFrom(b.sendWithRouting$({ topic: 'jobs.x.y' }, Ping()))).resolves.toBe(
      'b2',
    );
  });

  it('unsubscribe on the owning node stops publish and sendWithRouting from the other', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    const one = ActorId.from(1);
    await a.register(one, Mailbox.unbounded(named('a1')));
    a.subscribe(one, 'news.*');
    await whenKnown(b, one);
    await whenSubscribed(b, one, 'news.*');
    await expect(b.sendWithRouting({ topic: 'news.today' }, Ping())).resolves.toBe('a1');
    expect(a.unsubscribe(one, 'news.*')).toBe(true);
    expect(a.unsubscribe(one, 'news.*')).toBe(false);
    await whenUnsubscribed(b, one, 'news.*');
    await expect(b.publish('news.today', Ping())).resolves.toEqual([]);
    expect(b.subscriptionsOf(one)).toEqual([]);
    // Subscribing again is seen again.
    a.subscribe(one, 'news.*');
    await whenSubscribed(b, one, 'news.*');
    await expect(b.sendWithRouting({ topic: 'news.today' }, Ping())).resolves.toBe('a1');
  });

  it('unregister removes the actor subscriptions on every node and in the directory', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    const one = ActorId.from(1);
    await a.register(one, Mailbox.unbounded(named('a1')));
    a.subscribe(one, 'x.*');
    a.subscribe(one, 'y.>');
    await whenKnown(b, one);
    await whenSubscribed(b, one, 'x.*');
    await whenSubscribed(b, one, 'y.>');
    const goneX = whenUnsubscribed(b, one, 'x.*');
    const goneY = whenUnsubscribed(b, one, 'y.>');
    await a.unregister(one);
    expect(a.subscriptionsOf(one)).toEqual([]);
    await Promise.all([goneX, goneY]);
    await expect(b.publish('x.1', Ping())).resolves.toEqual([]);
    const kv = await new Kvm(b.connection).open(cluster.bucket);
    const keys: string[] = [];
    for await (const key of await kv.keys('t.>')) keys.push(key);
    expect(keys).toEqual([]);
    // A node that starts later sees no subscriptions left behind.
    const c = await nats.node(cluster, { nodeId: 'c', messages });
    expect(c.subscriptionsOf(one)).toEqual([]);
  });

  it('a node that starts later knows the existing subscriptions once connected', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const one = ActorId.from(1);
    await a.register(one, Mailbox.unbounded(named('a1')));
    a.subscribe(one, 'late.>');
    const kv = await new Kvm(a.connection).open(cluster.bucket);
    // Written once the directory holds its key.
    for await (const entry of await kv.watch({ key: 't.>' })) if (entry.operation === 'PUT') break;
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    expect(b.subscriptionsOf(one)).toEqual(['late.>']);
    await expect(b.publish('late.news', Ping())).resolves.toEqual([
      { actorId: one, ok: true, value: 'a1' },
    ]);
  });

  it('no subscriber on any node: sendWithRouting rejects with RoutingFailed and a dead letter', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    const one = ActorId.from(1);
    await a.register(one, Mailbox.unbounded(named('a1')));
    a.subscribe(one, 'orders.eu');
    await whenKnown(b, one);
    await whenSubscribed(b, one, 'orders.eu');
    const letter = firstValueFrom(b.deadLetters$);
    const error: unknown = await b
      .sendWithRouting({ topic: 'orders.us' }, Ping())
      .catch((e: unknown) => e);
    expect(isBrokerError(error, 'RoutingFailed')).toBe(true);
    const dead: DeadLetter = await letter;
    expect(dead).toMatchObject({ topic: 'orders.us', reason: 'RoutingFailed', error });
    expect(dead.actorId).toBeUndefined();
    const twin: unknown = await firstValueFrom(
      b.sendWithRouting$({ topic: 'orders.us' }, Ping()),
    ).catch((e: unknown) => e);
    expect(isBrokerError(twin, 'RoutingFailed')).toBe(true);
  });

  it('topic arguments are checked as in memory', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const one = ActorId.from(1);
    expect(() => a.subscribe(one, 'x')).toThrow(expect.objectContaining({ kind: 'NotFound' }));
    await a.register(one, Mailbox.unbounded(named('a1')));
    expect(() => a.subscribe(one, 'x.>.y')).toThrow();
    expect(() => a.unsubscribe(one, '')).toThrow();
    await expect(a.publish('x.*', Ping())).rejects.toThrow();
    await expect(a.sendWithRouting({ topic: 'x.>' }, Ping())).rejects.toThrow();
    await expect(a.sendWithRouting(null as unknown as { topic: string }, Ping())).rejects.toThrow();
    a.subscribe(one, 'x');
    a.subscribe(one, 'x'); // twice changes nothing
    expect(a.subscriptionsOf(one)).toEqual(['x']);
  });

  it('a node that dies has its subscriptions forgotten elsewhere after the presence TTL', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages, ...presence });
    const b = await nats.node(cluster, { nodeId: 'b', messages, ...presence });
    const one = ActorId.from(1);
    await a.register(one, Mailbox.unbounded(named('a1')));
    a.subscribe(one, 'z.*');
    await whenKnown(b, one);
    await whenSubscribed(b, one, 'z.*');
    const gone = whenUnsubscribed(b, one, 'z.*');
    await a.connection.close();
    await gone;
    await expect(b.publish('z.1', Ping())).resolves.toEqual([]);
    const error: unknown = await b
      .sendWithRouting({ topic: 'z.1' }, Ping())
      .catch((e: unknown) => e);
    expect(isBrokerError(error, 'RoutingFailed')).toBe(true);
    expect(isSendError(error)).toBe(false);
  });
});
