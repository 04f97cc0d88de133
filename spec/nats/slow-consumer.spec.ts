import { firstValueFrom, Subject, take, toArray } from 'rxjs';
import { afterEach, expect, it } from 'vitest';
import { ActorId, defineMessage, isSendError, Mailbox, type DeadLetter } from 'rxbroker';
import type { NatsMessageBroker } from 'rxbroker/nats';
import { deferred, rejectionOf } from '../support/promises.js';
import { childMessages, Double, Note, NotesSeen, Ping } from './support/child-messages.js';
import { spawnChildNode, whenStopped, type ChildNode } from './support/child-process.js';
import type { NatsServer } from './support/nats-server.js';
import { describeNats, whenKnown } from './support/nats-suite.js';

const Job = defineMessage<number, number>('Slow.Job'); // sent: answers its payload
const Work = defineMessage<number, void>('Slow.Work'); // fire-and-forget
const messages = [Job, Work];

/** Every dead letter `broker` reports from now on. */
function collect(broker: NatsMessageBroker): DeadLetter[] {
  const letters: DeadLetter[] = [];
  broker.deadLetters$.subscribe((letter) => letters.push(letter));
  return letters;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

describeNats('NatsMessageBroker with a slow actor behind a bounded mailbox', (nats) => {
  it('refuses what overflows: MailboxFull at the sender, dead letters where the actor lives; the rest is handled once it frees up', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    const id = ActorId.from(1);
    const capacity = 4;
    const gate = deferred();
    const busy = deferred();
    const handled$ = new Subject<number>();
    await a.register(
      id,
      Mailbox.bounded(
        {
          async receive(msg) {
            busy.resolve();
            await gate.promise;
            const n = Job.is(msg) || Work.is(msg) ? msg.payload : -1;
            handled$.next(n);
            return n;
          },
        },
        capacity,
      ),
    );
    await whenKnown(b, id);
    const lettersOfA = collect(a);
    const lettersOfB = collect(b);
    const handled: number[] = [];
    handled$.subscribe((n) => handled.push(n));

    const total = 16;
    const overflow = total - 1 - capacity;
    const refusedOnA = firstValueFrom(a.deadLetters$.pipe(take(overflow), toArray()));

    // The actor takes the first message and sits on it: the mailbox is empty, the actor busy.
    const first = b.send(id, Job(0), { timeout: 10_000 });
    await busy.promise;
    // Then, from node b, in this order (one connection: node a gets them in this order):
    const queuedSends = [1, 2].map((n) => b.send(id, Job(n), { timeout: 10_000 })); // queued
    for (const n of range(3, 13)) b.trySend(id, Work(n)); // 3 and 4 queued, 5-12 refused
    const refusedSends = range(13, total).map((n) => b.send(id, Job(n), { timeout: 10_000 }));

    // The sends beyond capacity reject at b with a typed MailboxFull...
    for (const error of await Promise.all(refusedSends.map(rejectionOf))) {
      expect(isSendError(error, 'MailboxFull')).toBe(true);
      expect(error).toMatchObject({ actorId: id, info: { messageType: 'Slow.Job' } });
    }
    // ...and every refused message, trySend or send, is a dead letter of node a.
    const letters = await refusedOnA;
    expect(letters.map((l) => l.message.payload)).toEqual(range(5, 16));
    for (const letter of letters) {
      expect(letter).toMatchObject({ actorId: id, reason: 'MailboxFull' });
      expect(isSendError(letter.error, 'MailboxFull')).toBe(true);
    }
    // Nothing was handled while the actor was busy; its mailbox holds exactly `capacity`.
    expect(handled).toEqual([]);
    expect(a.mailboxOf(id)?.size).toBe(capacity);

    const allHandled = firstValueFrom(handled$.pipe(take(1 + capacity), toArray()));
    gate.resolve();
    await expect(Promise.all([first, ...queuedSends])).resolves.toEqual([0, 1, 2]);
    expect(await allHandled).toEqual([0, 1, 2, 3, 4]);

    // Nothing lost without a trace: each message was handled or is a dead letter, never both.
    const dead = [...lettersOfA, ...lettersOfB].map((l) => l.message.payload as number);
    expect([...handled, ...dead].sort((x, y) => x - y)).toEqual(range(0, total));
    expect(lettersOfB).toEqual([]);
  });

  it('a MailboxFull from another node carries the capacity, as one on the same node does', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    const id = ActorId.from(1);
    const gate = deferred();
    const busy = deferred();
    const actor = {
      async receive() {
        busy.resolve();
        await gate.promise;
        return 0;
      },
    };
    await a.register(id, Mailbox.bounded(actor, 1));
    await whenKnown(b, id);
    const held = [b.send(id, Job(0))];
    await busy.promise;
    held.push(b.send(id, Job(1)));
    const remote = await rejectionOf(b.send(id, Job(2)));
    const local = await rejectionOf(a.send(id, Job(3)));
    gate.resolve();
    await Promise.all(held);
    expect(isSendError(local, 'MailboxFull') && local.info).toMatchObject({
      actorId: id,
      messageType: 'Slow.Job',
      capacity: 1,
    });
    expect(isSendError(remote, 'MailboxFull') && remote.info).toEqual(
      isSendError(local) && local.info,
    );
  });
});

/** The server's counters (its monitoring endpoint). */
async function varz(server: NatsServer): Promise<{ slow_consumers: number }> {
  const response = await fetch(`${server.monitorUrl as string}/varz`);
  return (await response.json()) as { slow_consumers: number };
}

/** Most 1 KB messages the flood sends before giving up on the server ever cutting the node. */
const FLOOD_LIMIT = 64 * 1024;
const BATCH = 256;

/**
 * trySends 1 KB Notes numbered from 0 to `actorId`, a batch at a time, until the server's count of
 * slow consumers goes up; resolves with how many it sent. Fails past FLOOD_LIMIT.
 */
async function floodUntilCut(
  broker: NatsMessageBroker,
  server: NatsServer,
  actorId: ActorId,
): Promise<number> {
  const before = (await varz(server)).slow_consumers;
  const padding = 'x'.repeat(1024);
  let sent = 0;
  while (sent < FLOOD_LIMIT) {
    for (let i = 0; i < BATCH; i++) broker.trySend(actorId, Note(`${sent + i}:${padding}`));
    sent += BATCH;
    await Promise.resolve(); // the trySends of this turn go out in the microtask after it
    await broker.connection.flush(); // the server has them all
    if ((await varz(server)).slow_consumers > before) return sent;
  }
  throw new Error(`the server did not cut the frozen node after ${sent} messages`);
}

// Long enough that a node frozen for the test is never taken for dead (see processes.spec.ts for
// a node that is: its actors become ActorNotFound once its presence lapses).
const presence = { heartbeat: 1000, presenceTtl: 60_000 } as const;
// The server cuts a client once 128 KB wait for it, or a write to it blocks 250 ms.
const slowConsumerServer = {
  monitor: true,
  maxPayload: 64 * 1024,
  config: 'max_pending: 131072\nwrite_deadline: "250ms"',
} as const;

describeNats(
  'NatsMessageBroker with a node the server cuts as a slow consumer',
  (nats) => {
    let child: ChildNode | undefined;
    afterEach(async () => {
      await child?.kill(); // SIGKILL ends a stopped process too
      child = undefined;
    });

    async function setUp() {
      const server = nats.server as NatsServer;
      const cluster = nats.cluster();
      const parent = await nats.node(cluster, {
        nodeId: 'parent',
        messages: childMessages,
        defaultTimeout: 1000, // how long an unacknowledged batch of trySends is waited for
        ...presence,
      });
      child = await spawnChildNode(server.url, cluster, 'child', [1], {
        ...presence,
        connectionOptions: { reconnectTimeWait: 50, maxReconnectAttempts: -1 },
      });
      const id = ActorId.from(1);
      await whenKnown(parent, id);
      await expect(parent.send(id, Ping())).resolves.toBe(`child:1:${child.pid}`);
      return { server, parent, child, id, cluster };
    }

    it('pending sends to a frozen node fail with Timeout; one made while it is cut off waits for it to reconnect by itself', async () => {
      const { server, parent, child, id } = await setUp();
      const disconnected = child.nextLine('disconnect');
      const reconnected = child.nextLine('reconnect');

      child.process.kill('SIGSTOP');
      await whenStopped(child.pid);
      const pending = range(0, 3).map((n) =>
        parent.send(id, Double(n), { timeout: 1000 }).catch((e: unknown) => e),
      );
      await floodUntilCut(parent, server, id); // until the server counts one more slow consumer
      // The node cut is the frozen one, not the sender: the parent's connection is up.
      expect(parent.connection.isClosed()).toBe(false);
      await expect(parent.connection.flush()).resolves.toBeUndefined();
      for (const error of await Promise.all(pending)) {
        expect(isSendError(error, 'Timeout')).toBe(true);
        expect(error).toMatchObject({ actorId: id, info: { timeout: 1000 } });
      }
      // While it is cut off (and not taken for dead), a send waits for it within its timeout:
      // one that runs out fails with Timeout, one with time left is answered once it is back.
      const meanwhile = await rejectionOf(parent.send(id, Ping(), { timeout: 1000 }));
      expect(isSendError(meanwhile, 'Timeout')).toBe(true);
      const waiting = parent.send(id, Ping(), { timeout: 15_000 });

      child.process.kill('SIGCONT');
      await disconnected; // it learns it was cut...
      await reconnected; // ...and is back, its subscriptions with it, without anyone's help
      await expect(waiting).resolves.toBe(`child:1:${child.pid}`);
      await expect(parent.send(id, Ping(), { timeout: 2000 })).resolves.toBe(
        `child:1:${child.pid}`,
      );
      expect(parent.nodeOf(id)).toBe('child');
    }, 20_000);

    it('every trySend to the node it cut is handled there or a dead letter of the sender', async () => {
      const { server, parent, child, id, cluster } = await setUp();
      const lost = new Set<number>(); // the Notes the parent made dead letters
      const kinds = new Set<string>();
      parent.deadLetters$.subscribe(({ message, error }) => {
        if (!Note.is(message)) return;
        lost.add(Number(message.payload.split(':')[0]));
        kinds.add(isSendError(error) ? error.kind : 'untyped');
      });
      const reconnected = child.nextLine('reconnect');
      child.process.kill('SIGSTOP');
      await whenStopped(child.pid);
      const sent = await floodUntilCut(parent, server, id);
      child.process.kill('SIGCONT');
      await reconnected;
      // Closing the parent waits until every batch it sent is acknowledged or dead letters
      // (deadLetters$ completes after those); then ask the child, from another node, what it had.
      await parent.close();
      const observer = await nats.node(cluster, { nodeId: 'observer', messages: childMessages });
      const seen = new Set(await observer.send(id, NotesSeen(), { timeout: 5000 }));
      expect(seen.size).toBeLessThan(sent); // the server did drop some
      expect(range(0, sent).filter((n) => !seen.has(n) && !lost.has(n))).toEqual([]);
      // Typed: no answer in time, or nobody listening once the node was cut.
      expect([...kinds].every((kind) => kind === 'Timeout' || kind === 'ActorNotFound')).toBe(true);
    }, 20_000);
  },
  slowConsumerServer,
);
