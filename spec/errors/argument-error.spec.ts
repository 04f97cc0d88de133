import { describe, expect, it } from 'vitest';
import { ArgumentError, isArgumentError, isBrokerError, isSendError } from 'rxbroker';

describe('ArgumentError', () => {
  it('is a TypeError with a name, a kind, the argument and a readable message', () => {
    const error = new ArgumentError('capacity', 'a safe integer >= 1', 0);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.name).toBe('ArgumentError');
    expect(error.kind).toBe('InvalidArgument');
    expect(error.argument).toBe('capacity');
    expect(error.message).toBe('Invalid capacity: expected a safe integer >= 1, received 0');
  });

  it.each<[unknown, string]>([
    ['abc', '"abc"'],
    ['x'.repeat(50), `"${'x'.repeat(40)}…"`],
    [NaN, 'NaN'],
    [-1, '-1'],
    [true, 'true'],
    [null, 'null'],
    [undefined, 'undefined'],
    [10n, '10n'],
    [() => 1, 'a function'],
    [Symbol('s'), 'Symbol(s)'],
    [[1, 2], 'an array'],
    [{ a: 1 }, 'an object'],
  ])('shows the received value %s as %s', (value, shown) => {
    expect(new ArgumentError('x', 'y', value).message).toBe(
      `Invalid x: expected y, received ${shown}`,
    );
  });
});

describe('isArgumentError', () => {
  it('recognises ArgumentErrors only', () => {
    expect(isArgumentError(new ArgumentError('a', 'b', 1))).toBe(true);
    expect(isArgumentError(new TypeError('Invalid a'))).toBe(false);
    expect(isArgumentError(null)).toBe(false);
    expect(isArgumentError('ArgumentError')).toBe(false);
    expect(isSendError(new ArgumentError('a', 'b', 1))).toBe(false);
    expect(isBrokerError(new ArgumentError('a', 'b', 1))).toBe(false);
  });

  it('recognises a branded foreign copy', () => {
    expect(isArgumentError({ [Symbol.for('rxbroker.ArgumentError')]: true })).toBe(true);
  });
});
