import { describe, expect, it } from 'vitest';
import { ActorId, isArgumentError } from 'rxbroker';

describe('ActorId.create', () => {
  it('makes ids that are unique, increasing and at least 2^29', () => {
    const ids = Array.from({ length: 100 }, () => ActorId.create());
    expect(new Set(ids).size).toBe(100);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1] as number);
    expect(ids[0]).toBeGreaterThanOrEqual(2 ** 29);
  });

  it('makes ids that ActorId.is accepts', () => {
    expect(ActorId.is(ActorId.create())).toBe(true);
  });
});

describe('ActorId.from', () => {
  it.each([0, 1, 150, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER])(
    'accepts %s and returns it unchanged',
    (n) => {
      const id = ActorId.from(n);
      expect(id).toBe(n);
      expect(String(id)).toBe(String(n));
    },
  );

  it.each([-1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, -0.5])(
    'throws ArgumentError for %s',
    (n) => {
      let caught: unknown;
      try {
        ActorId.from(n);
      } catch (error) {
        caught = error;
      }
      expect(isArgumentError(caught)).toBe(true);
      expect(caught).toMatchObject({ name: 'ArgumentError', argument: 'actor id' });
      expect((caught as Error).message).toContain(String(n));
    },
  );

  it.each([['1'], [null], [undefined], [{}], [1n]])(
    'throws ArgumentError for a non-number (%s)',
    (v) => {
      expect(() => ActorId.from(v as never)).toThrow(/Invalid actor id/);
    },
  );
});

describe('ActorId.is', () => {
  it('tells valid ids from anything else', () => {
    expect(ActorId.is(0)).toBe(true);
    expect(ActorId.is(42)).toBe(true);
    expect(ActorId.is(-1)).toBe(false);
    expect(ActorId.is(0.1)).toBe(false);
    expect(ActorId.is(NaN)).toBe(false);
    expect(ActorId.is('42')).toBe(false);
    expect(ActorId.is(undefined)).toBe(false);
  });
});

describe('an ActorId as a value', () => {
  it('is usable directly as a Map key', () => {
    const map = new Map<ActorId, string>();
    map.set(ActorId.from(7), 'seven');
    expect(map.get(ActorId.from(7))).toBe('seven');
  });

  it('compares with < and >= as in the reference filter example', () => {
    const worker = ActorId.from(150);
    expect(worker >= 100 && worker < 200).toBe(true);
    expect(ActorId.from(99) >= 100).toBe(false);
  });
});
