import { ArgumentError } from '../errors/argument-error.js';

/**
 * Message priorities. An actor takes Critical before High before Normal before Low; within one
 * priority, messages keep the order they were sent in.
 *
 * @example
 * ```ts
 * import { Priority } from 'rxbroker';
 * await broker.sendWithPriority(id, Alarm(), Priority.Critical);
 * ```
 */
export const Priority = Object.freeze({
  Low: 0,
  Normal: 1,
  High: 2,
  Critical: 3,
} as const);

/** One of {@link Priority}'s values. */
export type Priority = (typeof Priority)[keyof typeof Priority];

/** @internal */
export const PRIORITY_LEVELS = 4;

/** @internal */
export function assertPriority(value: unknown, argument = 'priority'): asserts value is Priority {
  if (value !== 0 && value !== 1 && value !== 2 && value !== 3) {
    throw new ArgumentError(argument, 'Priority.Low | Normal | High | Critical (0-3)', value);
  }
}
