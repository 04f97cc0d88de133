import { finalize, NEVER } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  defineMessage,
  isBrokerError,
  isSendError,
  Mailbox,
  type AnyMessage,
  type DeadLetter,
} from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import {
  deferred,
  rejectionOf,
  thrown,
  track,
  type Deferred,
  type Tracked,
} from '../../support/promises.js';
import { settle, virtualScheduler } from '../../support/virtual-time.js';

const Job = defineMessage<string, string>('Job');
const Note = defineMessage<string, void>('Note');

const makeBroker = brokerFactory();

function setup() {
  const scheduler = virtualScheduler();
  const broker = makeBroker({ scheduler });
  const letters: DeadLetter[] = [];
  let completed = false;
  broker.deadLetters$.subscribe({
    next: (l) => letters.push(l),
    complete: () => (completed = true),
  });
  return { scheduler, broker, letters, isCompleted: () => completed };
}

describe('InMemoryMessageBroker shutdown', () => {
  it('fails queued messages with ActorStopped, as dead letters', async () => {
    const { scheduler, broker, letters } = setup();
    const id = ActorId.from(1);
    const seen: string[] = [];
    broker.register(
      id,
      Mailbox.unbounded({ receive: (m: AnyMessage) => void seen.push(m.payload as string) }),
    );
    const queued = track(broker.send(id, Job('queued')));
    broker.trySend(id, Note('note'));
    broker.shutdown();
    await settle(scheduler);
    expect(isSendError(queued.error, 'ActorStopped')).toBe(true);
    expect(seen).toEqual([]);
    expect(letters.map((l) => [l.message.payload, l.reason])).toEqual([
      ['queued', 'ActorStopped'],
      ['note', 'ActorStopped'],
    ]);
  });

  it('tells the sender of a message in progress ActorStopped at once', async () => {
    const { scheduler, broker } = setup();
    const id = ActorId.from(1);
    const gate = deferred<string>();
    broker.register(id, Mailbox.unbounded({ receive: () => gate.promise }));
    const call = track(broker.send(id, Job('busy')));
    await settle(scheduler);
    expect(broker.mailboxOf(id)?.isProcessing).toBe(true);
    broker.shutdown();
    await settle(scheduler);
    expect(isSendError(call.error, 'ActorStopped')).toBe(true);
    gate.resolve('too late');
    await settle(scheduler);
    expect(broker.metrics().totalSent).toBe(
      broker.metrics().totalDelivered + broker.metrics().totalFailed,
    );
    expect(broker.metrics().totalFailed).toBe(1);
  });

  it('unsubscribes an Observable handler in progress, also for fire-and-forget messages', async () => {
    const { scheduler, broker, letters } = setup();
    let torndown = 0;
    const receive = () => NEVER.pipe(finalize(() => torndown++));
    broker.register(ActorId.from(1), Mailbox.unbounded({ receive }));
    broker.register(ActorId.from(2), Mailbox.unbounded({ receive }));
    const call = track(broker.send(ActorId.from(1), Job('asked')));
    broker.trySend(ActorId.from(2), Note('told'));
    await settle(scheduler);
    broker.shutdown();
    await settle(scheduler);
    expect(torndown).toBe(2);
    expect(isSendError(call.error, 'ActorStopped')).toBe(true);
    expect(letters.map((l) => [l.message.payload, l.reason])).toEqual([['told', 'ActorStopped']]);
  });

  it('also stops a handler still running for an actor unregistered before', async () => {
    const { scheduler, broker } = setup();
    const id = ActorId.from(1);
    let torndown = 0;
    broker.register(
      id,
      Mailbox.unbounded({ receive: () => NEVER.pipe(finalize(() => torndown++)) }),
    );
    const call = track(broker.send(id, Job('busy')));
    await settle(scheduler);
    broker.unregister(id);
    await settle(scheduler);
    expect(call.settled).toBe(false);
    broker.shutdown();
    await settle(scheduler);
    expect(torndown).toBe(1);
    expect(isSendError(call.error, 'ActorStopped')).toBe(true);
  });

  it('stops every busy unregistered actor, however many were unregistered before', async () => {
    const { scheduler, broker } = setup();
    const gates: Deferred<string>[] = [];
    const calls: Tracked<string>[] = [];
    const count = 100;
    for (let n = 0; n < count; n++) {
      const gate = deferred<string>();
      gates.push(gate);
      broker.register(ActorId.from(n), Mailbox.unbounded({ receive: () => gate.promise }));
      calls.push(track(broker.send(ActorId.from(n), Job(`${n}`), { timeout: 1_000_000 })));
    }
    await settle(scheduler);
    // Unregister them all while busy, letting most finish on the way.
    for (let n = 0; n < count; n++) {
      broker.unregister(ActorId.from(n));
      if (n % 10 !== 0) gates[n]?.resolve(`done ${n}`);
      await settle(scheduler);
    }
    broker.shutdown();
    await settle(scheduler);
    for (let n = 0; n < count; n++) {
      const call = calls[n] as Tracked<string>;
      if (n % 10 === 0) expect(isSendError(call.error, 'ActorStopped')).toBe(true);
      else expect(call.value).toBe(`done ${n}`);
    }
  });

  it('stops every actor even when one handler throws in its teardown', async () => {
    const { scheduler, broker, isCompleted } = setup();
    broker.register(
      ActorId.from(1),
      Mailbox.unbounded({
        receive: () =>
          NEVER.pipe(
            finalize(() => {
              throw new Error('teardown failed');
            }),
          ),
      }),
    );
    broker.register(ActorId.from(2), Mailbox.unbounded({ receive: () => NEVER }));
    const first = track(broker.send(ActorId.from(1), Job('a')));
    const busy = track(broker.send(ActorId.from(2), Job('b')));
    const queued = track(broker.send(ActorId.from(2), Job('c')));
    await settle(scheduler);
    try {
      broker.shutdown();
    } catch {
      // Whether the teardown error surfaces is the broker's choice; the rest must still stop.
    }
    await settle(scheduler);
    expect(isSendError(first.error, 'ActorStopped')).toBe(true);
    expect(isSendError(busy.error, 'ActorStopped')).toBe(true);
    expect(isSendError(queued.error, 'ActorStopped')).toBe(true);
    expect(isCompleted()).toBe(true);
  });

  it('fails senders waiting for room with ActorStopped', async () => {
    const { scheduler, broker, letters } = setup();
    const id = ActorId.from(1);
    broker.register(id, Mailbox.bounded({ receive: () => NEVER }, 1, { overflow: 'backpressure' }));
    track(broker.send(id, Job('busy')));
    await settle(scheduler);
    track(broker.send(id, Job('queued')));
    const waiting = track(broker.send(id, Job('waiting')));
    expect(broker.mailboxOf(id)?.waiting).toBe(1);
    broker.shutdown();
    await settle(scheduler);
    expect(isSendError(waiting.error, 'ActorStopped')).toBe(true);
    expect(letters.map((l) => l.message.payload).sort()).toEqual(['queued', 'waiting']);
  });

  it('settles a pending broadcast with ActorStopped for each unfinished target', async () => {
    const { scheduler, broker } = setup();
    broker.register(ActorId.from(1), Mailbox.unbounded({ receive: () => 'quick' }));
    broker.register(ActorId.from(2), Mailbox.unbounded({ receive: () => NEVER }));
    const call = track(broker.broadcast(Job('b')));
    await settle(scheduler);
    broker.shutdown();
    await settle(scheduler);
    expect(call.value?.map((r) => (r.ok ? r.value : r.error.kind))).toEqual([
      'quick',
      'ActorStopped',
    ]);
  });

  it('completes deadLetters$, empties the broker and releases every timer', async () => {
    const { scheduler, broker, isCompleted } = setup();
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded({ receive: () => NEVER }));
    broker.subscribe(id, 'x');
    track(broker.send(id, Job('a'), { timeout: 10_000 }));
    await settle(scheduler);
    expect(scheduler.actions.length).toBeGreaterThan(0);
    expect(broker.isShutdown).toBe(false);
    broker.shutdown();
    expect(broker.isShutdown).toBe(true);
    expect(isCompleted()).toBe(true);
    expect(broker.registeredCount()).toBe(0);
    expect(broker.actorIds()).toEqual([]);
    expect(broker.subscriptionsOf(id)).toEqual([]);
    expect(scheduler.actions).toHaveLength(0);
    let lateCompleted = false;
    broker.deadLetters$.subscribe({ complete: () => (lateCompleted = true) });
    expect(lateCompleted).toBe(true);
  });

  it('makes later calls fail: sends with ActorStopped, register with RoutingFailed', async () => {
    const { broker } = setup();
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded({ receive: () => 'x' }));
    broker.shutdown();
    expect(isSendError(await rejectionOf(broker.send(id, Job('late'))), 'ActorStopped')).toBe(true);
    expect(
      isSendError(
        thrown(() => broker.trySend(id, Note('late'))),
        'ActorStopped',
      ),
    ).toBe(true);
    const register = thrown(() =>
      broker.register(ActorId.from(2), Mailbox.unbounded({ receive: () => 1 })),
    );
    expect(isBrokerError(register, 'RoutingFailed')).toBe(true);
    expect(register).toMatchObject({ actorId: 2 });
    expect(
      isBrokerError(
        thrown(() => broker.subscribe(id, 'a')),
        'NotFound',
      ),
    ).toBe(true);
    await expect(broker.broadcast(Job('late'))).resolves.toEqual([]);
  });

  it('does nothing when called again', async () => {
    const { broker, letters } = setup();
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded({ receive: () => NEVER }));
    void broker.send(id, Job('queued')).catch(() => undefined);
    broker.shutdown();
    const before = { ...broker.metrics() };
    const lettersBefore = letters.length;
    expect(() => broker.shutdown()).not.toThrow();
    expect(broker.metrics()).toEqual(before);
    expect(letters).toHaveLength(lettersBefore);
  });

  it('keeps metrics balanced', async () => {
    const { scheduler, broker } = setup();
    const id = ActorId.from(1);
    const gate = deferred<string>();
    broker.register(id, Mailbox.unbounded({ receive: () => gate.promise }));
    for (let i = 0; i < 5; i++) track(broker.send(id, Job(`${i}`)));
    broker.trySend(id, Note('n'));
    await settle(scheduler);
    broker.shutdown();
    gate.resolve('late');
    await settle(scheduler);
    const m = broker.metrics();
    expect(m.totalSent).toBe(6);
    expect(m.totalDelivered + m.totalFailed).toBe(6);
    expect(m.inFlight).toBe(0);
  });
});
