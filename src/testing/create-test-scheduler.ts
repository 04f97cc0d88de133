import { TestScheduler } from 'rxjs/testing';

/**
 * Compares what an Observable did with what was expected, throwing when they differ.
 *
 * @example
 * ```ts
 * import { expect } from 'vitest';
 * import { createTestScheduler, type DeepEqual } from 'rxbroker/testing';
 * const deepEqual: DeepEqual = (actual, expected) => expect(actual).toEqual(expected);
 * const scheduler = createTestScheduler(deepEqual);
 * ```
 */
export type DeepEqual = (actual: unknown, expected: unknown) => void;

/**
 * A fresh `TestScheduler` whose comparison first reduces every error (in values and in error
 * notifications) to `{ name, kind, message }`, so expected errors can be written as plain objects
 * or built with the real error classes, and stack traces never make two equal errors differ.
 *
 * @example
 * ```ts
 * import { expect } from 'vitest';
 * import { createTestScheduler, createTestBroker } from 'rxbroker/testing';
 * const scheduler = createTestScheduler((actual, expected) => expect(actual).toEqual(expected));
 * scheduler.run(({ expectObservable }) => {
 *   const broker = createTestBroker(scheduler);
 *   expectObservable(broker.send$(id, Ping())).toBe('#', undefined, { name: 'SendError', kind: 'ActorNotFound', message: expect.any(String) });
 * });
 * ```
 * @param deepEqual your framework's deep equality assertion
 */
export function createTestScheduler(deepEqual: DeepEqual): TestScheduler {
  return new TestScheduler((actual, expected) =>
    deepEqual(reduceErrors(actual), reduceErrors(expected)),
  );
}

/**
 * A copy of `value` in which every `Error` is replaced by `{ name, kind, message }` (`kind` only
 * when the error has one). Plain objects and arrays are copied; anything else is kept as is.
 *
 * @example
 * ```ts
 * import { SendError } from 'rxbroker';
 * import { reduceErrors } from 'rxbroker/testing';
 * reduceErrors({ error: new SendError('Timeout') });
 * // { error: { name: 'SendError', kind: 'Timeout', message: 'Timeout: no result within the timeout' } }
 * ```
 * @param value what to copy
 * @param depth how deep `value` itself is nested; copying stops 32 levels down
 * @returns the copy
 */
export function reduceErrors(value: unknown, depth = 0): unknown {
  if (depth > 32 || typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) {
    const { name, message } = value;
    const kind = (value as { kind?: unknown }).kind;
    return kind === undefined ? { name, message } : { name, kind, message };
  }
  if (Array.isArray(value)) return value.map((item) => reduceErrors(item, depth + 1));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value))
    copy[key] = reduceErrors((value as Record<string, unknown>)[key], depth + 1);
  return copy;
}
