import { NEVER } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ActorId, defineMessage, Mailbox, type AnyMessage } from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import { deferred, track } from '../../support/promises.js';
import { advanceBy, settle, virtualScheduler } from '../../support/virtual-time.js';

const Job = defineMessage<string, string>('Job');
const Note = defineMessage<string, void>('Note');

const makeBroker = brokerFactory();

afterEach(() => {
  vi.restoreAllMocks();
});

describe('InMemoryMessageBroker metrics', () => {
  it('starts at zero', () => {
    const broker = makeBroker();
    expect(broker.metrics()).toEqual({
      registeredActors: 0,
      totalSent: 0,
      totalDelivered: 0,
      totalFailed: 0,
      avgRoutingLatencyNs: 0,
      inFlight: 0,
      totalWithdrawn: 0,
      deadLetters: 0,
    });
  });

  it('returns a snapshot, not a live view', () => {
    const broker = makeBroker();
    const before = broker.metrics();
    broker.register(ActorId.from(1), Mailbox.unbounded({ receive: () => 1 }));
    broker.trySend(ActorId.from(1), Note('x'));
    expect(before).toMatchObject({ registeredActors: 0, totalSent: 0 });
    expect(broker.metrics()).toMatchObject({ registeredActors: 1, totalSent: 1 });
  });

  it('counts registered actors', () => {
    const broker = makeBroker();
    broker.register(ActorId.from(1), Mailbox.unbounded({ receive: () => 1 }));
    broker.register(ActorId.from(2), Mailbox.unbounded({ receive: () => 1 }));
    broker.unregister(ActorId.from(1));
    expect(broker.metrics().registeredActors).toBe(1);
  });

  it('shows messages in flight until they settle', async () => {
    const broker = makeBroker();
    const id = ActorId.from(1);
    const gate = deferred<string>();
    broker.register(id, Mailbox.unbounded({ receive: () => gate.promise }));
    const a = broker.send(id, Job('a'));
    const b = broker.send(id, Job('b'));
    expect(broker.metrics()).toMatchObject({ totalSent: 2, inFlight: 2, totalDelivered: 0 });
    gate.resolve('done');
    await Promise.all([a, b]);
    expect(broker.metrics()).toMatchObject({ totalSent: 2, inFlight: 0, totalDelivered: 2 });
  });

  it('balances totalSent === totalDelivered + totalFailed once a mixed workload has settled', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler, defaultTimeout: 100 });
    const ok = ActorId.from(1);
    const failing = ActorId.from(2);
    const slow = ActorId.from(3);
    const small = ActorId.from(4);
    broker.register(ok, Mailbox.unbounded({ receive: (m: AnyMessage) => m.payload }));
    broker.register(
      failing,
      Mailbox.unbounded({
        receive: () => {
          throw new Error('no');
        },
      }),
    );
    broker.register(slow, Mailbox.unbounded({ receive: () => new Promise<never>(() => {}) }));
    broker.register(small, Mailbox.bounded({ receive: () => NEVER }, 1));
    broker.subscribe(ok, 'ok.>');

    const calls = [
      track(broker.send(ok, Job('1'))), // delivered
      track(broker.send(failing, Job('2'))), // failed: HandlerFailed
      track(broker.send(ActorId.from(99), Job('3'))), // failed: ActorNotFound
      track(broker.send(slow, Job('4'))), // failed: Timeout while processing
      track(broker.send(slow, Job('5'))), // failed: Timeout while queued
      track(broker.send(small, Job('6'))), // failed: Timeout while processing
      track(broker.send(small, Job('7'))), // failed: MailboxFull
      track(broker.sendWithRouting({ topic: 'ok.a' }, Job('9'))), // delivered
      track(broker.sendWithRouting({ topic: 'none' }, Job('10'))), // failed: RoutingFailed
      track(broker.broadcastFilter(Job('b'), (id) => id === ok || id === failing)), // 1 + 1
    ];
    broker.trySend(ok, Note('fire')); // delivered
    broker.trySend(failing, Note('fire')); // failed: HandlerFailed dead letter
    broker.send$(ok, Job('withdrawn')).subscribe().unsubscribe(); // failed: withdrawn

    await advanceBy(scheduler, 100);
    expect(calls.every((c) => c.settled)).toBe(true);
    const m = broker.metrics();
    expect(m.totalSent).toBe(14);
    expect(m.totalDelivered).toBe(4);
    expect(m.totalFailed).toBe(10);
    expect(m.totalSent).toBe(m.totalDelivered + m.totalFailed);
    expect(m.inFlight).toBe(0);
    expect(m.totalWithdrawn).toBe(1);
    // Never handled: 3 (not found), 5 (queued timeout), 7 (full), 10 (routing), failed fire-and-forget.
    expect(m.deadLetters).toBe(5);
  });

  describe('avgRoutingLatencyNs', () => {
    function steppingClock(): { calls: () => number } {
      let now = 1000;
      const spy = vi.spyOn(performance, 'now').mockImplementation(() => (now += 0.25));
      return { calls: () => spy.mock.calls.length };
    }

    it('is 0 before the first sample and then the mean sampled routing time in ns', async () => {
      const scheduler = virtualScheduler();
      const clock = steppingClock();
      const broker = makeBroker({ scheduler });
      const id = ActorId.from(1);
      broker.register(id, Mailbox.unbounded({ receive: () => undefined }));
      for (let i = 0; i < 1023; i++) broker.trySend(id, Note('x'));
      expect(broker.metrics().avgRoutingLatencyNs).toBe(0);
      for (let i = 0; i < 1025; i++) broker.trySend(id, Note('x'));
      // Each sample reads the (stepping) clock twice: 0.25 ms apart.
      expect(broker.metrics().avgRoutingLatencyNs).toBe(250_000);
      expect(clock.calls()).toBeGreaterThan(0);
      await settle(scheduler);
    });

    it('stays 0 and never reads the clock with metrics: false', async () => {
      const scheduler = virtualScheduler();
      const clock = steppingClock();
      const broker = makeBroker({ scheduler, metrics: false });
      const id = ActorId.from(1);
      broker.register(id, Mailbox.unbounded({ receive: () => undefined }));
      for (let i = 0; i < 3000; i++) broker.trySend(id, Note('x'));
      await settle(scheduler);
      expect(broker.metrics()).toMatchObject({
        avgRoutingLatencyNs: 0,
        totalSent: 3000,
        totalDelivered: 3000,
      });
      expect(clock.calls()).toBe(0);
    });
  });
});
