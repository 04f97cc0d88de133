import { expect, it } from 'vitest';
import { ActorId, defineMessage, isSendError, Mailbox } from 'rxbroker';
import { ArgumentError } from 'rxbroker';
import { Kvm } from '@nats-io/kv';
import { NatsMessageBroker } from 'rxbroker/nats';
import { deferred } from '../support/promises.js';
import {
  describeNats,
  whenGone,
  whenKnown,
  whenTopic,
  type NatsHarness,
} from './support/nats-suite.js';

const Ping = defineMessage<void, string>('Ping');
const messages = [Ping];
const presence = { heartbeat: 100, presenceTtl: 1000 } as const;

/** Nodes a and b of a fresh cluster; actor 1 on a answers 'a1' (known to b, unless told not to wait). */
async function twoNodes(nats: NatsHarness, known = true) {
  const cluster = nats.cluster();
  const a = await nats.node(cluster, { nodeId: 'a', messages, ...presence });
  const b = await nats.node(cluster, { nodeId: 'b', messages, ...presence });
  const id = ActorId.from(1);
  await a.register(id, Mailbox.unbounded({ receive: () => 'a1' }));
  if (known) await whenKnown(b, id);
  return { a, b, id, cluster };
}

describeNats('NatsMessageBroker presence', (nats) => {
  it('a node that dies without close() has its actors become ActorNotFound elsewhere after the TTL', async () => {
    const { a, b, id } = await twoNodes(nats);
    await expect(b.send(id, Ping())).resolves.toBe('a1');
    // Node a crashes: its connection goes away under it, no close(), nothing removed.
    const gone = whenGone(b, id);
    const died = Date.now();
    await a.connection.close();
    await gone;
    // Never forgotten early (load can only make it later, so this cannot flake); no upper bound.
    expect(Date.now() - died).toBeGreaterThanOrEqual(presence.presenceTtl - presence.heartbeat);
    const error: unknown = await b.send(id, Ping()).catch((e: unknown) => e);
    expect(isSendError(error, 'ActorNotFound')).toBe(true);
    // Its entry left the directory too: the id is free again, anywhere.
    await b.register(id, Mailbox.unbounded({ receive: () => 'b1' }));
    await expect(b.send(id, Ping())).resolves.toBe('b1');
  });

  it('a live node keeps its actors well past the TTL: the heartbeat refreshes its presence', async () => {
    const { b, id, cluster } = await twoNodes(nats);
    const changes: unknown[] = [];
    b.directoryChanges$.subscribe((c) => changes.push(c));
    // Watch a's presence key: 15 refreshes at 100 ms span 1.5 TTLs, in which b forgets nothing.
    const watch = await (
      await new Kvm(b.connection).open(`${cluster.bucket}_nodes`)
    ).watch({
      key: 'n.a',
      include: 'updates',
    });
    const started = Date.now();
    let refreshes = 0;
    for await (const entry of watch) if (entry.operation === 'PUT' && ++refreshes === 15) break;
    expect(Date.now() - started).toBeGreaterThan(presence.presenceTtl);
    expect(changes).toEqual([]);
    await expect(b.send(id, Ping())).resolves.toBe('a1');
  });

  it('a node whose entries were purged as if it were dead takes its actors and subscriptions back', async () => {
    const { a, b, id, cluster } = await twoNodes(nats, false);
    a.subscribe(id, 'news.*');
    await whenKnown(b, id);
    await whenTopic(b, id, 'news.*', true);
    // What another node's expiry of node a does: purge its subscriptions, then its actor.
    const kv = await new Kvm(b.connection).open(cluster.bucket);
    const topicKeys: string[] = [];
    for await (const key of await kv.keys('t.>')) topicKeys.push(key);
    const gone = whenGone(b, id);
    await Promise.all([...topicKeys.map((key) => kv.purge(key)), kv.purge(`a.${id}`)]);
    await gone;
    await whenKnown(b, id); // node a is alive: it registered its actor again...
    await whenTopic(b, id, 'news.*', true); // ...and wrote its subscription again
    await expect(b.send(id, Ping())).resolves.toBe('a1');
    await expect(b.publish('news.today', Ping())).resolves.toEqual([
      { actorId: id, ok: true, value: 'a1' },
    ]);
  });

  it('an id registered elsewhere while its node was taken for dead stays there; the actor here is unregistered', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages, ...presence });
    const id = ActorId.from(1);
    const gate = deferred();
    await a.register(
      id,
      Mailbox.unbounded({
        async receive() {
          await gate.promise;
          return 'a1';
        },
      }),
    );
    const busy = a.send(id, Ping()); // the handler waits at the gate
    const queued = a.send(id, Ping()).catch((e: unknown) => e);
    const kv = await new Kvm(a.connection).open(cluster.bucket);
    // Purged as if node a were dead, and taken by node c before a could take it back.
    await Promise.all([kv.purge(`a.${id}`), kv.create(`a.${id}`, 'c')]);
    expect(isSendError(await queued, 'ActorStopped')).toBe(true);
    expect(a.localActorIds()).toEqual([]);
    gate.resolve();
    await busy;
    expect((await kv.get(`a.${id}`))?.string()).toBe('c');
  });

  it('presence options are validated', async () => {
    const cluster = nats.cluster();
    const url = (nats.server as { url: string }).url;
    for (const bad of [
      { heartbeat: 0 },
      { heartbeat: 1000, presenceTtl: 1000 },
      { presenceBucket: 'no.dots' },
    ]) {
      await expect(
        NatsMessageBroker.connect({ servers: url, ...cluster, ...bad }),
      ).rejects.toBeInstanceOf(ArgumentError);
    }
  });
});
