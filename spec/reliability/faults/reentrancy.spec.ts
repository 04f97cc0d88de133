import { finalize, NEVER } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  isArgumentError,
  isBrokerError,
  isSendError,
  Mailbox,
  type Actor,
  type BroadcastResult,
  type DeadLetter,
} from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import { deferred, thrown, track } from '../../support/promises.js';
import { settle, virtualScheduler } from '../../support/virtual-time.js';
import { addHealthyActor, Echo, expectBalanced, Note } from './fault-kit.js';

const makeBroker = brokerFactory();

function setup() {
  const scheduler = virtualScheduler();
  const broker = makeBroker({ scheduler, defaultTimeout: 1_000 });
  const letters: DeadLetter[] = [];
  broker.deadLetters$.subscribe((letter) => letters.push(letter));
  const healthy = addHealthyActor(broker);
  const stillServing = async (): Promise<void> => {
    const answer = track(broker.send(healthy, Echo('still')));
    await settle(scheduler);
    expect(answer.value).toBe('ok:still');
    expectBalanced(broker);
  };
  return { scheduler, broker, letters, healthy, stillServing };
}

const reasons = (letters: DeadLetter[]) => letters.map((l) => [l.message.payload, l.reason]);

describe('an actor that unregisters itself inside its own handler', () => {
  it('(synchronous handler) still answers the current message; queued ones fail ActorStopped', async () => {
    const { scheduler, broker, letters, stillServing } = setup();
    const id = ActorId.from(1);
    const handled: unknown[] = [];
    broker.register(
      id,
      Mailbox.unbounded({
        receive: (m, ctx) => {
          handled.push(m.payload);
          void ctx.broker.unregister(ctx.self);
          return `bye:${String(m.payload)}`;
        },
      }),
    );
    const current = track(broker.send(id, Echo('current')));
    const queued = track(broker.send(id, Echo('queued')));
    broker.trySend(id, Note('note'));
    await settle(scheduler);

    expect(current.value).toBe('bye:current');
    expect(isSendError(queued.error, 'ActorStopped')).toBe(true);
    expect(handled).toEqual(['current']);
    expect(reasons(letters)).toEqual([
      ['queued', 'ActorStopped'],
      ['note', 'ActorStopped'],
    ]);
    expect(broker.isRegistered(id)).toBe(false);
    const later = track(broker.send(id, Echo('later')));
    await settle(scheduler);
    expect(isSendError(later.error, 'ActorNotFound')).toBe(true);
    await stillServing();
  });

  it('(async handler) answers the current message when it settles; queued ones fail at once', async () => {
    const { scheduler, broker, letters, stillServing } = setup();
    const id = ActorId.from(1);
    const gate = deferred<string>();
    broker.register(
      id,
      Mailbox.unbounded({
        receive: async (_, ctx) => {
          void ctx.broker.unregister(ctx.self);
          return `late:${await gate.promise}`;
        },
      }),
    );
    const current = track(broker.send(id, Echo('current')));
    const queued = track(broker.send(id, Echo('queued')));
    await settle(scheduler);
    expect(isSendError(queued.error, 'ActorStopped')).toBe(true);
    expect(current.settled).toBe(false);
    gate.resolve('answer');
    await settle(scheduler);
    expect(current.value).toBe('late:answer');
    expect(reasons(letters)).toEqual([['queued', 'ActorStopped']]);
    await stillServing();
  });

  it('(async handler) is still stopped by a later shutdown: its sender gets ActorStopped', async () => {
    const { scheduler, broker } = setup();
    const id = ActorId.from(1);
    broker.register(
      id,
      Mailbox.unbounded({
        receive: (_, ctx) => {
          void ctx.broker.unregister(ctx.self);
          return new Promise(() => {}); // never settles
        },
      }),
    );
    const current = track(broker.send(id, Echo('current')));
    await settle(scheduler);
    expect(current.settled).toBe(false);
    broker.shutdown();
    await settle(scheduler);
    // README: shutdown() stops every actor, those unregistered while busy included.
    expect(current.settled).toBe(true);
    expect(isSendError(current.error, 'ActorStopped')).toBe(true);
    expectBalanced(broker);
  });

  it('(Observable handler) is unsubscribed by a later shutdown: its sender gets ActorStopped', async () => {
    const { scheduler, broker } = setup();
    const id = ActorId.from(1);
    let tornDown = false;
    broker.register(
      id,
      Mailbox.unbounded({
        receive: (_, ctx) => {
          void ctx.broker.unregister(ctx.self);
          return NEVER.pipe(finalize(() => (tornDown = true)));
        },
      }),
    );
    const current = track(broker.send(id, Echo('current')));
    await settle(scheduler);
    broker.shutdown();
    await settle(scheduler);
    expect(current.settled).toBe(true);
    expect(isSendError(current.error, 'ActorStopped')).toBe(true);
    expect(tornDown).toBe(true);
    expectBalanced(broker);
  });
});

describe('an actor that re-registers its own id inside its handler', () => {
  it('with a new mailbox: the current message gets the old answer, later ones reach the new actor', async () => {
    const { scheduler, broker, letters, stillServing } = setup();
    const id = ActorId.from(1);
    const oldMailbox = Mailbox.unbounded({
      receive: (m, ctx) => {
        void ctx.broker.unregister(ctx.self);
        void ctx.broker.register(
          ctx.self,
          Mailbox.unbounded({ receive: (n) => `new:${String(n.payload)}` }),
        );
        return `old:${String(m.payload)}`;
      },
    });
    broker.register(id, oldMailbox);
    const current = track(broker.send(id, Echo('a')));
    const queued = track(broker.send(id, Echo('b')));
    await settle(scheduler);
    expect(current.value).toBe('old:a');
    expect(isSendError(queued.error, 'ActorStopped')).toBe(true);
    expect(reasons(letters)).toEqual([['b', 'ActorStopped']]);
    expect(oldMailbox.isStopped).toBe(true);
    expect(broker.mailboxOf(id)).not.toBe(oldMailbox);

    const later = track(broker.send(id, Echo('c')));
    await settle(scheduler);
    expect(later.value).toBe('new:c');
    await stillServing();
  });

  it('with its own (used) mailbox: ArgumentError, and the id stays free', async () => {
    const { scheduler, broker, stillServing } = setup();
    const id = ActorId.from(1);
    let refusal: unknown;
    const mailbox: Mailbox = Mailbox.unbounded({
      receive: (_, ctx) => {
        void ctx.broker.unregister(ctx.self);
        refusal = thrown(() => ctx.broker.register(ctx.self, mailbox));
        return 'done';
      },
    });
    broker.register(id, mailbox);
    const current = track(broker.send(id, Echo('a')));
    await settle(scheduler);
    expect(current.value).toBe('done');
    expect(isArgumentError(refusal)).toBe(true);
    expect(refusal).toMatchObject({ argument: 'mailbox' });
    expect(broker.isRegistered(id)).toBe(false);
    await stillServing();
  });

  it('without unregistering first: AlreadyRegistered, and the actor keeps working', async () => {
    const { scheduler, broker, stillServing } = setup();
    const id = ActorId.from(1);
    let refusal: unknown;
    broker.register(
      id,
      Mailbox.unbounded({
        receive: (m, ctx) => {
          refusal ??= thrown(() =>
            ctx.broker.register(ctx.self, Mailbox.unbounded({ receive: () => 'x' })),
          );
          return `same:${String(m.payload)}`;
        },
      }),
    );
    const a = track(broker.send(id, Echo('a')));
    const b = track(broker.send(id, Echo('b')));
    await settle(scheduler);
    expect(isBrokerError(refusal, 'AlreadyRegistered')).toBe(true);
    expect([a.value, b.value]).toEqual(['same:a', 'same:b']);
    await stillServing();
  });
});

describe('registration and unregistration during a broadcast', () => {
  it('inside a handler the broadcast reaches: targets are fixed when the broadcast is made', async () => {
    const { scheduler, broker, letters, healthy, stillServing } = setup();
    const [a, b, c, d] = [1, 2, 3, 4].map((n) => ActorId.from(n)) as [
      ActorId,
      ActorId,
      ActorId,
      ActorId,
    ];
    const handledBy: number[] = [];
    const plain = (n: number): Actor => ({
      receive: () => {
        handledBy.push(n);
        return `from:${n}`;
      },
    });
    broker.register(
      a,
      Mailbox.unbounded({
        receive: (_, ctx) => {
          handledBy.push(1);
          if (ctx.broker.isRegistered(b)) {
            void ctx.broker.unregister(b); // b's copy is still queued: it fails ActorStopped
            void ctx.broker.register(d, Mailbox.unbounded(plain(4))); // not a target of this broadcast
            void ctx.broker.unregister(c);
            // The same id with a new mailbox: not a target of this broadcast either.
            void ctx.broker.register(c, Mailbox.unbounded(plain(33)));
          }
          return 'from:1';
        },
      }),
    );
    broker.register(b, Mailbox.unbounded(plain(2)));
    broker.register(c, Mailbox.unbounded(plain(3)));

    const results = track(broker.broadcast(Echo('x')));
    await settle(scheduler);
    const summary = (results.value ?? []).map((r: BroadcastResult<string>) =>
      r.ok ? [r.actorId, r.value] : [r.actorId, r.error.kind],
    );
    expect(summary).toEqual([
      [healthy, 'ok:x'],
      [a, 'from:1'],
      [b, 'ActorStopped'],
      [c, 'ActorStopped'],
    ]);
    expect(handledBy).toEqual([1]);
    expect(reasons(letters)).toEqual([
      ['x', 'ActorStopped'],
      ['x', 'ActorStopped'],
    ]);

    const next = track(broker.broadcast(Echo('y')));
    await settle(scheduler);
    expect((next.value ?? []).map((r) => [r.actorId, r.ok && r.value])).toEqual([
      [healthy, 'ok:y'],
      [a, 'from:1'],
      [d, 'from:4'],
      [c, 'from:33'],
    ]);
    await stillServing();
  });

  it("inside broadcastFilter's filter: registering actors neither hangs nor widens the selection", async () => {
    const { scheduler, broker, healthy, stillServing } = setup();
    const before = [1, 2, 3].map((n) => ActorId.from(n));
    for (const id of before)
      broker.register(id, Mailbox.unbounded({ receive: () => `from:${id}` }));
    const asked: number[] = [];
    let added = 0;
    const results = track(
      broker.broadcastFilter(Echo('x'), (id) => {
        asked.push(id);
        // A filter that registers an actor every time it runs: a live iteration would never end.
        if (added < 1_000) {
          added++;
          broker.register(
            ActorId.from(100 + added),
            Mailbox.unbounded({ receive: () => 'newcomer' }),
          );
        }
        return true;
      }),
    );
    await settle(scheduler);
    expect(asked).toEqual([healthy, ...before]);
    expect((results.value ?? []).map((r) => r.actorId)).toEqual([healthy, ...before]);
    await stillServing();
  });

  it("inside broadcastFilter's filter: an actor unregistered there never handles the message", async () => {
    const { scheduler, broker, healthy, stillServing } = setup();
    const [a, b, c] = [1, 2, 3].map((n) => ActorId.from(n)) as [ActorId, ActorId, ActorId];
    const handledBy: number[] = [];
    for (const id of [a, b, c]) {
      broker.register(id, Mailbox.unbounded({ receive: () => void handledBy.push(id) }));
    }
    const results = track(
      broker.broadcastFilter(Note('x'), (id) => {
        if (id === a) {
          broker.unregister(a); // already selected
          broker.unregister(c); // not yet asked
        }
        return id !== healthy;
      }),
    );
    await settle(scheduler);
    expect(handledBy).toEqual([b]);
    const byId = new Map((results.value ?? []).map((r) => [r.actorId, r]));
    expect(byId.get(b)).toMatchObject({ ok: true });
    for (const gone of [a, c]) {
      const result = byId.get(gone);
      // Either left out, or reported as not found: never handled, never a success.
      if (result !== undefined) {
        expect(result.ok).toBe(false);
        expect(isSendError((result as { error: unknown }).error, 'ActorNotFound')).toBe(true);
      }
    }
    await stillServing();
  });
});

describe('subscribe and unsubscribe during publish', () => {
  it('inside a handler a publish reaches: that publish keeps its targets, the next one sees the change', async () => {
    const { scheduler, broker, stillServing } = setup();
    const [a, b, c] = [1, 2, 3].map((n) => ActorId.from(n)) as [ActorId, ActorId, ActorId];
    broker.register(
      a,
      Mailbox.unbounded({
        receive: (_, ctx) => {
          if (ctx.broker.unsubscribe(b, 'jobs.*')) ctx.broker.subscribe(c, 'jobs.>');
          return 'a';
        },
      }),
    );
    broker.register(b, Mailbox.unbounded({ receive: () => 'b' }));
    broker.register(c, Mailbox.unbounded({ receive: () => 'c' }));
    broker.subscribe(a, 'jobs.*');
    broker.subscribe(b, 'jobs.*');

    const first = track(broker.publish('jobs.one', Echo('1')));
    await settle(scheduler);
    expect((first.value ?? []).map((r) => [r.actorId, r.ok && r.value])).toEqual([
      [a, 'a'],
      [b, 'b'], // unsubscribed after its copy was queued: it still gets it
    ]);
    const second = track(broker.publish('jobs.two', Echo('2')));
    await settle(scheduler);
    expect((second.value ?? []).map((r) => [r.actorId, r.ok && r.value])).toEqual([
      [a, 'a'],
      [c, 'c'],
    ]);
    await stillServing();
  });

  it('inside a publish$ observer as results arrive, and round-robin starts over cleanly', async () => {
    const { scheduler, broker, stillServing } = setup();
    const [a, b, c] = [1, 2, 3].map((n) => ActorId.from(n)) as [ActorId, ActorId, ActorId];
    for (const [id, name] of [
      [a, 'a'],
      [b, 'b'],
      [c, 'c'],
    ] as const) {
      broker.register(id, Mailbox.unbounded({ receive: () => name }));
    }
    broker.subscribe(a, 'work');
    broker.subscribe(b, 'work');
    const seen: unknown[] = [];
    broker.publish$('work', Echo('x')).subscribe((result) => {
      seen.push(result.ok && result.value);
      broker.unsubscribe(result.actorId, 'work');
      broker.subscribe(c, 'work');
    });
    await settle(scheduler);
    expect(seen).toEqual(['a', 'b']);
    expect(broker.subscriptionsOf(c)).toEqual(['work']);
    const routed = [0, 1].map(() => track(broker.sendWithRouting({ topic: 'work' }, Echo('y'))));
    await settle(scheduler);
    expect(routed.map((r) => r.value)).toEqual(['c', 'c']);
    await stillServing();
  });
});
