import { afterEach, describe, expect, it, vi } from 'vitest';
import { ActorId, defineMessage, InMemoryMessageBroker, Mailbox } from 'rxbroker';
import { Timekeeper } from '../../../src/broker/internal/timekeeper.js';
import { deferred } from '../../support/promises.js';
import { microtasks, virtualScheduler } from '../../support/virtual-time.js';

const Ask = defineMessage<void, string>('Ask');

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function recorder() {
  const log: string[] = [];
  return {
    log,
    onDeadline: () => void log.push('deadline'),
    onFlush: () => void log.push('flush'),
  };
}

describe('Timekeeper with an injected scheduler', () => {
  it('takes now() from the scheduler', () => {
    const scheduler = virtualScheduler();
    const r = recorder();
    const keeper = new Timekeeper(scheduler, r.onDeadline, r.onFlush);
    scheduler.frame = 1234;
    expect(keeper.now()).toBe(1234);
  });

  it('runs one flush for many requests, and again once asked after it ran', () => {
    const scheduler = virtualScheduler();
    const r = recorder();
    const keeper = new Timekeeper(scheduler, r.onDeadline, r.onFlush);
    keeper._requestFlush();
    keeper._requestFlush();
    keeper._requestFlush();
    expect(r.log).toEqual([]);
    scheduler.flush();
    expect(r.log).toEqual(['flush']);
    keeper._requestFlush();
    scheduler.flush();
    expect(r.log).toEqual(['flush', 'flush']);
  });

  it('fires the deadline callback at the earliest armed deadline, once', () => {
    const scheduler = virtualScheduler();
    const r = recorder();
    const keeper = new Timekeeper(
      scheduler,
      () => r.log.push(`deadline@${scheduler.now()}`),
      r.onFlush,
    );
    keeper._arm(100);
    keeper._arm(50); // earlier: replaces
    keeper._arm(80); // later than the armed one: ignored
    scheduler.flush();
    expect(r.log).toEqual(['deadline@50']);
    keeper._arm(120); // after firing, a new deadline arms again
    scheduler.flush();
    expect(r.log).toEqual(['deadline@50', 'deadline@120']);
  });

  it('fires at once for a deadline already past', () => {
    const scheduler = virtualScheduler();
    const r = recorder();
    const keeper = new Timekeeper(
      scheduler,
      () => r.log.push(`deadline@${scheduler.now()}`),
      r.onFlush,
    );
    scheduler.frame = 500;
    keeper._arm(400);
    scheduler.flush();
    expect(r.log).toEqual(['deadline@500']);
  });

  it('cancel drops the armed deadline and lets a later one arm', () => {
    const scheduler = virtualScheduler();
    const r = recorder();
    const keeper = new Timekeeper(scheduler, r.onDeadline, r.onFlush);
    keeper._arm(10);
    keeper.cancel();
    expect(scheduler.actions).toHaveLength(0);
    scheduler.flush();
    expect(r.log).toEqual([]);
    keeper._arm(20);
    scheduler.flush();
    expect(r.log).toEqual(['deadline']);
  });
});

describe('Timekeeper on the platform (no scheduler)', () => {
  it('reads Date.now()', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 42_000 });
    const r = recorder();
    expect(new Timekeeper(undefined, r.onDeadline, r.onFlush).now()).toBe(42_000);
  });

  it('flushes in a microtask, once for many requests', async () => {
    const r = recorder();
    const keeper = new Timekeeper(undefined, r.onDeadline, r.onFlush);
    keeper._requestFlush();
    keeper._requestFlush();
    expect(r.log).toEqual([]);
    await microtasks(2);
    expect(r.log).toEqual(['flush']);
  });

  it('goes through a macrotask once every 1000 flushes, so timers and I/O get a turn', async () => {
    vi.useFakeTimers({ toFake: ['setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout'] });
    const r = recorder();
    const keeper = new Timekeeper(undefined, r.onDeadline, r.onFlush);
    let flushes = 0;
    for (let i = 0; i < 1000; i++) {
      keeper._requestFlush();
      await microtasks(2);
      flushes = r.log.length;
      if (flushes === i) break; // this one did not run in a microtask
    }
    expect(flushes).toBe(999);
    vi.runOnlyPendingTimers();
    expect(r.log).toHaveLength(1000);
    keeper._requestFlush();
    await microtasks(2);
    expect(r.log).toHaveLength(1001);
  });

  it('fires an armed deadline through setTimeout, and cancel clears it', () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now: 0 });
    const r = recorder();
    const keeper = new Timekeeper(undefined, r.onDeadline, r.onFlush);
    keeper._arm(100);
    vi.advanceTimersByTime(99);
    expect(r.log).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(r.log).toEqual(['deadline']);
    keeper._arm(300);
    keeper.cancel();
    vi.advanceTimersByTime(1000);
    expect(r.log).toEqual(['deadline']);
  });

  it('keeps the timer armed while idle but lets the process exit, and holds it again when needed', () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const r = recorder();
    const keeper = new Timekeeper(undefined, r.onDeadline, r.onFlush);
    const far = Date.now() + 10_000_000;
    keeper._arm(far);
    const handle = setTimeoutSpy.mock.results[0]?.value as NodeJS.Timeout;
    expect(handle.hasRef()).toBe(true);
    keeper._idle();
    expect(handle.hasRef()).toBe(false);
    keeper._idle();
    expect(handle.hasRef()).toBe(false);
    keeper._arm(far + 1); // later than the armed timer: reuses it, held again
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
    expect(handle.hasRef()).toBe(true);
    keeper.cancel();
    expect(r.log).toEqual([]);
  });
});

describe('an idle broker on the platform', () => {
  it('does not keep the process alive once every send has settled', async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const broker = new InMemoryMessageBroker({ logger: null });
    try {
      const id = ActorId.from(1);
      const started = deferred();
      const gate = deferred<string>();
      broker.register(
        id,
        Mailbox.unbounded({
          receive: () => {
            started.resolve();
            return gate.promise;
          },
        }),
      );
      const pending = broker.send(id, Ask());
      await started.promise;
      // While the answer is awaited, the deadline timer holds the process.
      expect(setTimeoutSpy.mock.results.some((r) => (r.value as NodeJS.Timeout).hasRef())).toBe(
        true,
      );
      gate.resolve('ok');
      await pending;
      const handles = setTimeoutSpy.mock.results.map((r) => r.value as NodeJS.Timeout);
      expect(handles.length).toBeGreaterThan(0);
      expect(handles.every((h) => !h.hasRef())).toBe(true);
    } finally {
      broker.shutdown();
    }
  });
});
