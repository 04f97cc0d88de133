import { describe, expect, it } from 'vitest';
import { defineMessage, isArgumentError, isMessage } from 'rxbroker';

const GetBalance = defineMessage<{ accountId: number }, number>('GetBalance');
const Shutdown = defineMessage<void, void>('Shutdown');
const Batch = defineMessage<{ items: { id: number }[] }, void>('Batch');

describe('defineMessage', () => {
  it('makes a factory of { type, payload } messages', () => {
    const msg = GetBalance({ accountId: 123 });
    expect(msg.type).toBe('GetBalance');
    expect(msg.payload).toEqual({ accountId: 123 });
    expect({ ...msg }).toEqual({ type: 'GetBalance', payload: { accountId: 123 } });
  });

  it('exposes the type name on the factory, which is itself frozen', () => {
    expect(GetBalance.type).toBe('GetBalance');
    expect(Object.isFrozen(GetBalance)).toBe(true);
  });

  it('makes messages without payload from a void factory called with no argument', () => {
    const msg = Shutdown();
    expect(msg.type).toBe('Shutdown');
    expect(msg.payload).toBeUndefined();
  });

  it('freezes the message and its payload deeply', () => {
    const payload = { items: [{ id: 1 }] };
    const msg = Batch(payload);
    expect(Object.isFrozen(msg)).toBe(true);
    expect(Object.isFrozen(msg.payload)).toBe(true);
    expect(Object.isFrozen(msg.payload.items)).toBe(true);
    expect(Object.isFrozen(msg.payload.items[0])).toBe(true);
    expect(() => {
      (msg.payload.items as { id: number }[]).push({ id: 2 });
    }).toThrow(TypeError);
    expect(() => {
      (msg as { type: string }).type = 'Other';
    }).toThrow(TypeError);
  });

  it('makes a new message object on every call', () => {
    expect(Shutdown()).not.toBe(Shutdown());
  });

  it('is() recognises messages of its own definition only', () => {
    expect(GetBalance.is(GetBalance({ accountId: 1 }))).toBe(true);
    expect(GetBalance.is(Shutdown())).toBe(false);
    expect(GetBalance.is({ type: 'GetBalance', payload: { accountId: 1 } })).toBe(false);
    expect(GetBalance.is(null)).toBe(false);
  });

  it.each([[''], [undefined], [42], [null]])(
    'throws ArgumentError for the type name %s',
    (name) => {
      let caught: unknown;
      try {
        defineMessage(name as never);
      } catch (error) {
        caught = error;
      }
      expect(isArgumentError(caught)).toBe(true);
      expect(caught).toMatchObject({ argument: 'message type' });
    },
  );
});

describe('isMessage', () => {
  it('is true for messages made by a definition', () => {
    expect(isMessage(Shutdown())).toBe(true);
    expect(isMessage(GetBalance({ accountId: 1 }))).toBe(true);
  });

  it('is false for look-alikes, copies and non-objects', () => {
    const msg = GetBalance({ accountId: 1 });
    expect(isMessage({ type: 'GetBalance', payload: { accountId: 1 } })).toBe(false);
    expect(isMessage({ ...msg })).toBe(false);
    expect(isMessage(JSON.parse(JSON.stringify(msg)))).toBe(false);
    expect(isMessage(null)).toBe(false);
    expect(isMessage(undefined)).toBe(false);
    expect(isMessage('GetBalance')).toBe(false);
    expect(isMessage(GetBalance)).toBe(false);
  });

  it('does not show the brand among the enumerable keys', () => {
    expect(Object.keys(Shutdown())).toEqual(['type', 'payload']);
  });
});
