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
  /** Handled after everything else. */
  Low: 0,
  /** The default. */
  Normal: 1,
  /** Handled before Normal and Low. */
  High: 2,
  /** Handled before everything else. */
  Critical: 3,
} as const);

/**
 * One of {@link Priority}'s values.
 *
 * @example
 * ```ts
 * import { Priority } from 'rxbroker';
 * const urgency = (late: boolean): Priority => (late ? Priority.High : Priority.Normal);
 * ```
 */
export type Priority = (typeof Priority)[keyof typeof Priority];

/** @internal */
export const PRIORITY_LEVELS = 4;

/** @internal */
export function assertPriority(value: unknown, argument = 'priority'): asserts value is Priority {
  if (value !== 0 && value !== 1 && value !== 2 && value !== 3) {
    throw new ArgumentError(argument, 'Priority.Low | Normal | High | Critical (0-3)', value);
  }
}
