import { expect, it } from 'vitest';
import { ActorId, defineMessage, isSendError, Mailbox } from 'rxbroker';
import { ArgumentError } from 'rxbroker';
import { Kvm } from '@nats-io/kv';
import { NatsMessageBroker } from 'rxbroker/nats';
import { describeNats, whenGone, whenKnown } from './support/nats-suite.js';

const Ping = defineMessage<void, string>('Ping');
const messages = [Ping];
const presence = { heartbeat: 100, presenceTtl: 1000 } as const;

describeNats('NatsMessageBroker presence', (nats) => {
  it('a node that dies without close() has its actors become ActorNotFound elsewhere after the TTL', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages, ...presence });
    const b = await nats.node(cluster, { nodeId: 'b', messages, ...presence });
    const id = ActorId.from(1);
    await a.register(id, Mailbox.unbounded({ receive: () => 'a1' }));
    await whenKnown(b, id);
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
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages, ...presence });
    const b = await nats.node(cluster, { nodeId: 'b', messages, ...presence });
    const id = ActorId.from(1);
    await a.register(id, Mailbox.unbounded({ receive: () => 'a1' }));
    await whenKnown(b, id);
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
