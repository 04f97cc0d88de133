import { afterEach, expect, it } from 'vitest';
import { ActorId, Mailbox } from 'rxbroker';
import { Kvm } from '@nats-io/kv';
import { childMessages, Ping } from './support/child-messages.js';
import { spawnChildNode, whenStopped, type ChildNode } from './support/child-process.js';
import type { NatsServer } from './support/nats-server.js';
import { describeNats, whenGone, whenKnown } from './support/nats-suite.js';

// Short, so that a node frozen for a moment is taken for dead (the child's defaults are these).
const presence = { heartbeat: 100, presenceTtl: 1000 } as const;

describeNats('NatsMessageBroker with a node paused past the presence TTL', (nats) => {
  let child: ChildNode | undefined;
  afterEach(async () => {
    await child?.kill();
    child = undefined;
  });

  it('the paused node takes its actors back when it resumes, and takes nobody else for dead', async () => {
    const server = nats.server as NatsServer;
    const cluster = nats.cluster();
    const parent = await nats.node(cluster, {
      nodeId: 'parent',
      messages: childMessages,
      ...presence,
    });
    const mine = ActorId.from(10);
    await parent.register(mine, Mailbox.unbounded({ receive: () => 'parent:10' }));
    const kv = await new Kvm(parent.connection).open(cluster.bucket);
    const before = await kv.get(`a.${mine}`);
    child = await spawnChildNode(server.url, cluster, 'child', [1]); // it knows actor 10 when ready
    const theirs = ActorId.from(1);
    await whenKnown(parent, theirs);

    child.process.kill('SIGSTOP');
    await whenStopped(child.pid);
    await whenGone(parent, theirs); // the parent takes the frozen child for dead after the TTL
    const back = whenKnown(parent, theirs);
    child.process.kill('SIGCONT');
    await back; // it noticed, and registered its actor again

    await expect(parent.send(theirs, Ping())).resolves.toBe(`child:1:${child.pid}`);
    // Its own stale view of the parent did not make it remove the parent's actor: the entry is the
    // one written at registration (a removal and a new registration would have a new revision).
    const after = await kv.get(`a.${mine}`);
    expect([after?.operation, after?.string(), after?.revision]).toEqual([
      'PUT',
      'parent',
      before?.revision,
    ]);
    expect(parent.nodeOf(mine)).toBe('parent');
  });
});
