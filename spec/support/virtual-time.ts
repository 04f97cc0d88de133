import { expect } from 'vitest';
import type { TestScheduler } from 'rxjs/testing';
import { createTestScheduler } from 'rxbroker/testing';

/**
 * A TestScheduler for tests that mix virtual time with real Promises: it is used outside
 * `run()`, so time only moves when a test calls {@link advanceBy} or {@link settle}.
 */
export function virtualScheduler(): TestScheduler {
  const scheduler = createTestScheduler((actual, expected) => expect(actual).toEqual(expected));
  scheduler.maxFrames = Infinity;
  return scheduler;
}

/** Lets pending Promise callbacks run: a bounded number of microtask turns, no timers. */
export async function microtasks(turns = 25): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}

/**
 * Moves virtual time forward by `ms`, running every scheduled action at its own frame and letting
 * Promise callbacks run between frames, so async handlers see time pass as they would for real.
 */
export async function advanceBy(scheduler: TestScheduler, ms: number): Promise<void> {
  const target = scheduler.now() + ms;
  for (;;) {
    await microtasks();
    const next = scheduler.actions[0];
    if (next === undefined || next.delay > target) break;
    scheduler.maxFrames = next.delay;
    scheduler.flush();
  }
  scheduler.maxFrames = Infinity;
  scheduler.frame = target;
}

/** Runs what is due now (and the Promise callbacks it causes) without moving the clock. */
export function settle(scheduler: TestScheduler): Promise<void> {
  return advanceBy(scheduler, 0);
}
