import { freeze, isDraftable } from 'immer';

/**
 * @internal Freezes `value` and every draftable object inside it (plain objects, arrays, Maps,
 * Sets), with immer's `freeze` for each, so Maps and Sets become immutable too. Unlike
 * `freeze(value, true)`, which stops at an object that is already frozen, it also descends below
 * objects their owner froze shallowly. Cycles are fine: `seen` (made only for nested payloads)
 * holds the objects visited. Values are read from descriptors, so no getter runs.
 */
export function deepFreeze<T>(value: T, seen?: Set<object>): T {
  if (typeof value !== 'object' || value === null || !isDraftable(value) || seen?.has(value)) {
    return value;
  }
  freeze(value);
  const children =
    value instanceof Map || value instanceof Set
      ? [...value.values()]
      : Reflect.ownKeys(value).map(
          (key): unknown => Object.getOwnPropertyDescriptor(value, key)?.value,
        );
  for (const child of children) {
    if (typeof child === 'object' && child !== null) {
      (seen ??= new Set()).add(value);
      deepFreeze(child, seen);
    }
  }
  return value;
}
