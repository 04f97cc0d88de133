import { afterEach, expect, it } from 'vitest';
import { ActorId, isBrokerError, isSendError, Mailbox } from 'rxbroker';
import type { NatsMessageBroker } from 'rxbroker/nats';
import { childMessages, Double, Ping } from './support/child-messages.js';
import { spawnChildNode, type ChildNode } from './support/child-process.js';
import { describeNats, whenGone, whenKnown, type NatsHarness } from './support/nats-suite.js';

// The same on every node of a cluster (see `presenceTtl`); short, so that a killed node is
// forgotten within a second (the child's defaults are these too).
const presence = { heartbeat: 100, presenceTtl: 1000 } as const;
const parentOptions = { nodeId: 'parent', messages: childMessages, ...presence };

const children: ChildNode[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.kill()));
});

/** Starts a node in a new Node process and resolves once its actors are registered. */
async function spawnNode(
  nats: NatsHarness,
  cluster: { bucket: string; prefix: string },
  nodeId: string,
  ids: readonly number[],
): Promise<ChildNode> {
  const child = await spawnChildNode((nats.server as { url: string }).url, cluster, nodeId, ids);
  children.push(child);
  return child;
}

async function knowsAll(broker: NatsMessageBroker, ids: readonly number[]): Promise<void> {
  await Promise.all(ids.map((id) => whenKnown(broker, ActorId.from(id))));
}

describeNats('NatsMessageBroker with nodes in separate OS processes', (nats) => {
  it('the parent sends to actors of a node in a child process and gets their answers', async () => {
    const cluster = nats.cluster();
    const parent = await nats.node(cluster, parentOptions);
    const child = await spawnNode(nats, cluster, 'child', [1, 2]);
    await knowsAll(parent, [1, 2]);
    const pid = child.process.pid as number;
    await expect(parent.send(ActorId.from(1), Ping())).resolves.toBe(`child:1:${pid}`);
    await expect(parent.send(ActorId.from(2), Double(21))).resolves.toBe(42);
    expect(parent.nodeOf(ActorId.from(1))).toBe('child');
    // A broadcast reaches both processes, in registration order.
    await parent.register(ActorId.from(3), Mailbox.unbounded({ receive: () => 'parent:3' }));
    const results = await parent.broadcast(Ping());
    expect(results).toEqual([
      { actorId: 1, ok: true, value: `child:1:${pid}` },
      { actorId: 2, ok: true, value: `child:2:${pid}` },
      { actorId: 3, ok: true, value: 'parent:3' },
    ]);
    // An id taken in the child process is taken for the parent too.
    const error: unknown = await parent
      .register(ActorId.from(1), Mailbox.unbounded({ receive: () => 'x' }))
      .catch((e: unknown) => e);
    expect(isBrokerError(error, 'AlreadyRegistered')).toBe(true);
  });

  it('killing the child process makes its actors ActorNotFound once its presence lapses', async () => {
    const cluster = nats.cluster();
    const parent = await nats.node(cluster, parentOptions);
    const child = await spawnNode(nats, cluster, 'child', [1, 2]);
    await knowsAll(parent, [1, 2]);
    await expect(parent.send(ActorId.from(1), Double(1))).resolves.toBe(2);
    const gone = Promise.all([
      whenGone(parent, ActorId.from(1)),
      whenGone(parent, ActorId.from(2)),
    ]);
    child.process.kill('SIGKILL'); // no close(): its directory entries stay until the TTL
    await child.exited;
    await gone;
    for (const id of [1, 2]) {
      const error: unknown = await parent.send(ActorId.from(id), Ping()).catch((e: unknown) => e);
      expect(isSendError(error, 'ActorNotFound')).toBe(true);
    }
    // Its ids are free again.
    await parent.register(ActorId.from(1), Mailbox.unbounded({ receive: () => 'parent:1' }));
    await expect(parent.send(ActorId.from(1), Ping())).resolves.toBe('parent:1');
  });

  it('a child process that closes its node removes its actors at once, before it exits', async () => {
    const cluster = nats.cluster();
    const parent = await nats.node(cluster, parentOptions);
    const child = await spawnNode(nats, cluster, 'child', [5]);
    await knowsAll(parent, [5]);
    const gone = whenGone(parent, ActorId.from(5));
    child.process.stdin?.end(); // the child closes its node, then exits
    await gone;
    await child.exited;
    expect(child.process.exitCode).toBe(0);
    const error: unknown = await parent.send(ActorId.from(5), Ping()).catch((e: unknown) => e);
    expect(isSendError(error, 'ActorNotFound')).toBe(true);
  });
});
