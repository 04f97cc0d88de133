import { freeze, isDraftable } from 'immer';

/**
 * @internal Freezes `value` and every draftable object inside it (plain objects, arrays, Maps,
 * Sets), with immer's `freeze` for each, so Maps and Sets become immutable too. Unlike
 * `freeze(value, true)`, which stops at an object that is already frozen, it also descends below
 * objects their owner froze shallowly. Cycles are fine: each object is visited once. Property
 * values are read from descriptors, so no getter runs.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || !isDraftable(value)) return value;
  if (freezeFlat(value)) return value;
  const pending: object[] = [value];
  const seen = new Set<object>();
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (seen.has(node)) continue;
    seen.add(node);
    freeze(node);
    for (const child of childrenOf(node)) {
      if (typeof child === 'object' && child !== null && isDraftable(child)) pending.push(child);
    }
  }
  return value;
}

/** The common case, without allocating: a plain object or array holding no objects. */
function freezeFlat(value: object): boolean {
  if (value instanceof Map || value instanceof Set) return false;
  for (const key of Reflect.ownKeys(value)) {
    const child: unknown = Object.getOwnPropertyDescriptor(value, key)?.value;
    if (typeof child === 'object' && child !== null) return false;
  }
  Object.freeze(value);
  return true;
}

function childrenOf(node: object): Iterable<unknown> {
  if (node instanceof Map) return node.values();
  if (node instanceof Set) return node.values();
  return Reflect.ownKeys(node).map((key) => Object.getOwnPropertyDescriptor(node, key)?.value);
}
