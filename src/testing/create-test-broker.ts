import type { SchedulerLike } from 'rxjs';
import {
  InMemoryMessageBroker,
  type InMemoryMessageBrokerOptions,
} from '../broker/in-memory-message-broker.js';

/**
 * A broker that takes all of its time from `scheduler` (a TestScheduler, usually) and does not log
 * dead letters, for marble tests.
 *
 * @example
 * ```ts
 * import { createTestBroker, createTestScheduler } from 'rxbroker/testing';
 * const scheduler = createTestScheduler((a, e) => expect(a).toEqual(e));
 * scheduler.run(() => { const broker = createTestBroker(scheduler, { defaultTimeout: 100 }); });
 * ```
 */
export function createTestBroker(
  scheduler: SchedulerLike,
  options: Omit<InMemoryMessageBrokerOptions, 'scheduler'> = {},
): InMemoryMessageBroker {
  return new InMemoryMessageBroker({ logger: null, ...options, scheduler });
}
