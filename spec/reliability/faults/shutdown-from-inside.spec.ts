import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  isBrokerError,
  isSendError,
  Mailbox,
  type DeadLetter,
  type InMemoryMessageBroker,
} from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import { deferred, thrown, track, type Tracked } from '../../support/promises.js';
import { advanceBy, settle, virtualScheduler } from '../../support/virtual-time.js';
import { Echo, expectBalanced, Note } from './fault-kit.js';

// shutdown() called from code the broker is running: a handler, a filter, a dead-letter
// subscriber, the logger. Whatever was in flight settles, nothing is left scheduled.

const makeBroker = brokerFactory();
const SELF = ActorId.from(1);
const OTHER = ActorId.from(2);

function setup(options: { logger?: (line: string) => void } = {}) {
  const scheduler = virtualScheduler();
  const broker = makeBroker({ scheduler, defaultTimeout: 1_000, ...options });
  const letters: DeadLetter[] = [];
  let completed = false;
  if (options.logger === undefined) {
    broker.deadLetters$.subscribe({
      next: (letter) => letters.push(letter),
      complete: () => (completed = true),
    });
  }
  return { scheduler, broker, letters, isCompleted: () => completed };
}

/** After shutdown: every call settled, nothing left on the scheduler, the broker refuses work. */
async function expectShutDownCleanly(
  broker: InMemoryMessageBroker,
  scheduler: ReturnType<typeof virtualScheduler>,
  pending: Tracked<unknown>[],
): Promise<void> {
  await settle(scheduler);
  expect(pending.map((p) => p.settled)).toEqual(pending.map(() => true));
  expect(broker.isShutdown).toBe(true);
  expect(scheduler.actions).toHaveLength(0);
  expectBalanced(broker);
  const late = track(broker.send(OTHER, Echo('late')));
  await settle(scheduler);
  expect(isSendError(late.error, 'ActorStopped')).toBe(true);
  const refusal = thrown(() =>
    broker.register(ActorId.from(9), Mailbox.unbounded({ receive: () => 1 })),
  );
  expect(isBrokerError(refusal, 'RoutingFailed')).toBe(true);
}

describe('shutdown() from inside a handler', () => {
  it('(synchronous handler) fails everything queued with ActorStopped and completes deadLetters$', async () => {
    const { scheduler, broker, letters, isCompleted } = setup();
    broker.register(
      SELF,
      Mailbox.unbounded({
        receive: (m, ctx) => {
          ctx.broker.shutdown();
          return `answered:${String(m.payload)}`;
        },
      }),
    );
    broker.register(OTHER, Mailbox.unbounded({ receive: () => 'other' }));
    const current = track(broker.send(SELF, Echo('current')));
    const queuedSelf = track(broker.send(SELF, Echo('queued')));
    const queuedOther = track(broker.send(OTHER, Echo('other-queued')));
    await expectShutDownCleanly(broker, scheduler, [current, queuedSelf, queuedOther]);

    // The handler ran to its end: its answer, or ActorStopped (README: the message being handled
    // "ends too"); either way exactly one outcome.
    if (current.ok) expect(current.value).toBe('answered:current');
    else expect(isSendError(current.error, 'ActorStopped')).toBe(true);
    expect(isSendError(queuedSelf.error, 'ActorStopped')).toBe(true);
    expect(isSendError(queuedOther.error, 'ActorStopped')).toBe(true);
    expect(letters.map((l) => [l.message.payload, l.reason])).toEqual([
      ['queued', 'ActorStopped'],
      ['other-queued', 'ActorStopped'],
    ]);
    expect(isCompleted()).toBe(true);
  });

  it('(handler returning a Promise that never settles) its sender gets ActorStopped', async () => {
    const { scheduler, broker } = setup();
    broker.register(
      SELF,
      Mailbox.unbounded({
        receive: (_, ctx) => {
          ctx.broker.shutdown();
          return new Promise(() => {});
        },
      }),
    );
    const current = track(broker.send(SELF, Echo('current')));
    await settle(scheduler);
    await advanceBy(scheduler, 2_000); // past its timeout, for good measure
    expect(current.settled).toBe(true);
    expect(isSendError(current.error, 'ActorStopped')).toBe(true);
    await expectShutDownCleanly(broker, scheduler, [current]);
  });

  it('(handler returning an Observable that never completes) its sender gets ActorStopped, nothing stays subscribed', async () => {
    const { scheduler, broker } = setup();
    let subscriptions = 0;
    let teardowns = 0;
    const never$ = new Observable<string>(() => {
      subscriptions++;
      return () => teardowns++;
    });
    broker.register(
      SELF,
      Mailbox.unbounded({
        receive: (_, ctx) => {
          ctx.broker.shutdown();
          return never$;
        },
      }),
    );
    const current = track(broker.send(SELF, Echo('current')));
    await settle(scheduler);
    await advanceBy(scheduler, 2_000);
    expect(current.settled).toBe(true);
    expect(isSendError(current.error, 'ActorStopped')).toBe(true);
    // Either never subscribed or unsubscribed: no subscription outlives the shutdown.
    expect(subscriptions - teardowns).toBe(0);
    await expectShutDownCleanly(broker, scheduler, [current]);
  });

  it('(handler reached by a broadcast) the broadcast resolves, the rest with ActorStopped', async () => {
    const { scheduler, broker } = setup();
    const handled: number[] = [];
    broker.register(OTHER, Mailbox.unbounded({ receive: () => void handled.push(OTHER) }));
    broker.register(
      SELF,
      Mailbox.unbounded({
        receive: (_, ctx) => {
          handled.push(SELF);
          ctx.broker.shutdown();
          return 'stopper';
        },
      }),
    );
    broker.register(ActorId.from(3), Mailbox.unbounded({ receive: () => void handled.push(3) }));
    const results = track(broker.broadcast(Echo('x')));
    await expectShutDownCleanly(broker, scheduler, [results]);
    expect(handled).toEqual([OTHER, SELF]);
    const summary = (results.value ?? []).map((r) => [r.actorId, r.ok ? 'ok' : r.error.kind]);
    expect(summary[0]).toEqual([OTHER, 'ok']);
    expect(summary[2]).toEqual([3, 'ActorStopped']);
  });
});

describe('shutdown() from inside other callbacks', () => {
  it("inside broadcastFilter's filter: the call settles and no handler runs", async () => {
    const { scheduler, broker } = setup();
    const handled: number[] = [];
    for (const id of [SELF, OTHER]) {
      broker.register(id, Mailbox.unbounded({ receive: () => void handled.push(id) }));
    }
    const results = track(
      broker.broadcastFilter(Echo('x'), () => {
        broker.shutdown();
        return true;
      }),
    );
    await expectShutDownCleanly(broker, scheduler, [results]);
    expect(handled).toEqual([]);
    if (results.ok) {
      for (const r of results.value ?? []) {
        expect(r.ok).toBe(false);
        expect(isSendError((r as { error: unknown }).error, 'ActorStopped')).toBe(true);
      }
    }
  });

  it('inside a deadLetters$ subscriber, on a timeout: every other pending call settles', async () => {
    const { scheduler, broker } = setup();
    let shutdowns = 0;
    broker.deadLetters$.subscribe((letter) => {
      if (letter.reason === 'Timeout') {
        shutdowns++;
        broker.shutdown();
      }
    });
    const gate = deferred<string>();
    broker.register(SELF, Mailbox.unbounded({ receive: () => gate.promise }));
    broker.register(OTHER, Mailbox.unbounded({ receive: () => new Promise(() => {}) }));
    const busy = track(broker.send(SELF, Echo('busy'), { timeout: 500 }));
    const queuedShort = track(broker.send(SELF, Echo('short'), { timeout: 10 }));
    const queuedLong = track(broker.send(SELF, Echo('long'), { timeout: 20 }));
    const otherBusy = track(broker.send(OTHER, Echo('stuck'), { timeout: 500 }));
    await settle(scheduler);
    await advanceBy(scheduler, 10);
    expect(shutdowns).toBe(1);
    expect(isSendError(queuedShort.error, 'Timeout')).toBe(true);
    expect(isSendError(queuedLong.error, 'ActorStopped')).toBe(true);
    expect(isSendError(busy.error, 'ActorStopped')).toBe(true);
    expect(isSendError(otherBusy.error, 'ActorStopped')).toBe(true);
    gate.resolve('too late');
    await expectShutDownCleanly(broker, scheduler, [busy, queuedShort, queuedLong, otherBusy]);
  });

  it('inside a deadLetters$ subscriber, while unregister fails the queue: the rest still fail', async () => {
    const { scheduler, broker, letters } = setup();
    broker.deadLetters$.subscribe(() => broker.shutdown());
    const gate = deferred<string>();
    broker.register(SELF, Mailbox.unbounded({ receive: () => gate.promise }));
    broker.register(OTHER, Mailbox.unbounded({ receive: () => 'other' }));
    const busy = track(broker.send(SELF, Echo('busy')));
    await settle(scheduler);
    const queued = [1, 2, 3].map((n) => track(broker.send(SELF, Echo(`q${n}`))));
    const otherQueued = track(broker.send(OTHER, Echo('other')));
    broker.unregister(SELF); // the first ActorStopped dead letter shuts the broker down
    await settle(scheduler);
    for (const q of [...queued, otherQueued])
      expect(isSendError(q.error, 'ActorStopped')).toBe(true);
    // deadLetters$ completes within the first letter; the later ones are still counted.
    expect(letters.map((l) => l.message.payload)).toEqual(['q1', 'other']);
    expect(broker.metrics().deadLetters).toBe(4);
    // The handler still running for the actor being unregistered is stopped too (README: shutdown
    // stops "those unregistered while busy included"); its gate never opens.
    expect(busy.settled).toBe(true);
    expect(isSendError(busy.error, 'ActorStopped')).toBe(true);
    await expectShutDownCleanly(broker, scheduler, [busy, ...queued, otherQueued]);
  });

  it('inside the logger: the call that made the dead letter still reports it', async () => {
    const lines: string[] = [];
    const { scheduler, broker } = setup({
      logger: (line) => {
        lines.push(line);
        broker.shutdown();
      },
    });
    broker.register(OTHER, Mailbox.unbounded({ receive: () => new Promise(() => {}) }));
    const stuck = track(broker.send(OTHER, Echo('stuck')));
    await settle(scheduler);
    expect(
      isSendError(
        thrown(() => broker.trySend(ActorId.from(404), Note('x'))),
        'ActorNotFound',
      ),
    ).toBe(true);
    expect(lines).toHaveLength(1);
    await expectShutDownCleanly(broker, scheduler, [stuck]);
    expect(isSendError(stuck.error, 'ActorStopped')).toBe(true);
  });

  it('inside a send$ observer, while the broker drains mailboxes', async () => {
    const { scheduler, broker } = setup();
    broker.register(SELF, Mailbox.unbounded({ receive: () => 'first' }));
    broker.register(OTHER, Mailbox.unbounded({ receive: () => 'never' }));
    let seen: unknown;
    broker.send$(SELF, Echo('a')).subscribe((v) => {
      seen = v;
      broker.shutdown();
    });
    const other = track(broker.send(OTHER, Echo('b')));
    await expectShutDownCleanly(broker, scheduler, [other]);
    expect(seen).toBe('first');
    expect(isSendError(other.error, 'ActorStopped')).toBe(true);
  });
});
