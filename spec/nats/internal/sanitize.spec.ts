import { describe, expect, it } from 'vitest';
import { isCodecError } from 'rxbroker/nats';
import { sanitize } from '../../../src/nats/internal/sanitize.js';

/** The CodecError kind `sanitize` throws for `value`, or 'ok'. */
function verdict(value: unknown): string {
  try {
    sanitize(value, 'Data');
    return 'ok';
  } catch (error) {
    return isCodecError(error) ? error.kind : 'untyped';
  }
}

describe('sanitize (what a decoded value may hold)', () => {
  it('lets plain data through: objects, arrays, Maps, Sets, Dates, bytes', () => {
    const value = {
      list: [1, 'two', null, true],
      map: new Map<unknown, unknown>([
        ['a', { b: 1 }],
        [2, [3]],
      ]),
      set: new Set([1, 'x', { y: 2 }]),
      at: new Date(0),
      bytes: new Uint8Array([1, 2]),
      bare: Object.create(null) as object,
    };
    expect(sanitize(value)).toBe(value);
  });

  it('refuses forbidden keys, in objects and in Maps, at any depth', () => {
    expect(verdict(JSON.parse('{"a":{"__proto__":{}}}'))).toBe('InvalidPayload');
    expect(verdict({ constructor: 1 })).toBe('InvalidPayload');
    expect(verdict({ a: [{ prototype: 1 }] })).toBe('InvalidPayload');
    expect(verdict(new Map([['__proto__', 1]]))).toBe('InvalidPayload');
    expect(verdict(new Map([['ok', new Map([['constructor', 1]])]]))).toBe('InvalidPayload');
    expect(verdict(new Set([{ constructor: 1 }]))).toBe('InvalidPayload');
  });

  it('refuses functions, symbols, symbol keys, odd prototypes, and values nested too deep', () => {
    expect(verdict({ f: () => 1 })).toBe('InvalidPayload');
    expect(verdict([Symbol('s')])).toBe('InvalidPayload');
    expect(verdict({ [Symbol('k')]: 1 })).toBe('InvalidPayload');
    expect(verdict(new URL('http://127.0.0.1/'))).toBe('InvalidPayload'); // a class instance
    let deep: unknown = 'bottom';
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(verdict(deep)).toBe('InvalidPayload');
    let fine: unknown = 'bottom';
    for (let i = 0; i < 60; i++) fine = [fine];
    expect(verdict(fine)).toBe('ok');
  });
});
