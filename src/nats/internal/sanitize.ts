import { CodecError } from '../codec-error.js';

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 64;

/**
 * Checks a freshly decoded value: plain data only (objects with the plain prototype or none,
 * arrays, Maps, Sets, Dates, byte arrays), no `__proto__` / `constructor` / `prototype` keys, at
 * most 64 levels deep. Returns the value; throws CodecError `InvalidPayload` otherwise.
 */
export function sanitize<T>(value: T, messageType?: string): T {
  check(value, 0, messageType);
  return value;
}

function check(value: unknown, depth: number, messageType: string | undefined): void {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'function' || typeof value === 'symbol') fail(messageType);
    return;
  }
  if (depth > MAX_DEPTH) fail(messageType);
  if (ArrayBuffer.isView(value) || value instanceof Date) return;
  if (Array.isArray(value)) {
    for (const item of value) check(item, depth + 1, messageType);
    return;
  }
  if (value instanceof Map) {
    for (const [key, item] of value) {
      if (typeof key === 'string' && FORBIDDEN.has(key)) fail(messageType);
      check(key, depth + 1, messageType);
      check(item, depth + 1, messageType);
    }
    return;
  }
  if (value instanceof Set) {
    for (const item of value) check(item, depth + 1, messageType);
    return;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) fail(messageType);
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key !== 'string' || FORBIDDEN.has(key)) fail(messageType);
    check((value as Record<string, unknown>)[key], depth + 1, messageType);
  }
}

function fail(messageType: string | undefined): never {
  throw new CodecError('InvalidPayload', messageType);
}
