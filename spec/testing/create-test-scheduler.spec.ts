import { of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { ActorId, BrokerError, SendError } from 'rxbroker';
import { createTestScheduler, reduceErrors } from 'rxbroker/testing';

describe('reduceErrors', () => {
  it('reduces an error with a kind to { name, kind, message }', () => {
    const error = new SendError('Timeout', {
      actorId: ActorId.from(1),
      messageType: 'Ping',
      timeout: 5,
    });
    expect(reduceErrors(error)).toEqual({
      name: 'SendError',
      kind: 'Timeout',
      message: error.message,
    });
  });

  it('reduces a plain error to { name, message }', () => {
    expect(reduceErrors(new RangeError('out'))).toEqual({ name: 'RangeError', message: 'out' });
  });

  it('reduces errors nested in plain objects and arrays, copying them', () => {
    const input = { a: [new BrokerError('NotFound'), 1], b: { c: new Error('x') }, d: 'text' };
    const output = reduceErrors(input);
    expect(output).toEqual({
      a: [
        {
          name: 'BrokerError',
          kind: 'NotFound',
          message: 'NotFound: no actor is registered under this id',
        },
        1,
      ],
      b: { c: { name: 'Error', message: 'x' } },
      d: 'text',
    });
    expect(output).not.toBe(input);
  });

  it('keeps primitives and class instances as they are', () => {
    class Point {
      constructor(readonly error = new Error('inside')) {}
    }
    const point = new Point();
    expect(reduceErrors(point)).toBe(point);
    expect(reduceErrors(null)).toBeNull();
    expect(reduceErrors(7)).toBe(7);
    const bare = Object.create(null) as Record<string, unknown>;
    bare.e = new Error('bare');
    expect(reduceErrors(bare)).toEqual({ e: { name: 'Error', message: 'bare' } });
  });

  it('stops descending past a depth of 32', () => {
    let deep: unknown = new Error('deep');
    for (let i = 0; i < 40; i++) deep = [deep];
    let out = reduceErrors(deep);
    for (let i = 0; i < 40; i++) out = (out as unknown[])[0];
    expect(out).toBeInstanceOf(Error);
  });
});

describe('createTestScheduler', () => {
  it('makes a TestScheduler that compares errors by name, kind and message', () => {
    const scheduler = createTestScheduler((actual, expected) => expect(actual).toEqual(expected));
    expect(scheduler).toBeInstanceOf(TestScheduler);
    scheduler.run(({ expectObservable }) => {
      expectObservable(
        throwError(() => new SendError('MailboxFull', { actorId: ActorId.from(2) })),
      ).toBe('#', undefined, new SendError('MailboxFull', { actorId: ActorId.from(2) }));
      expectObservable(of(new BrokerError('NotFound'))).toBe('(a|)', {
        a: { name: 'BrokerError', kind: 'NotFound', message: expect.any(String) as unknown },
      });
    });
  });

  it('reports a difference through the given assertion', () => {
    const scheduler = createTestScheduler((actual, expected) => expect(actual).toEqual(expected));
    expect(() =>
      scheduler.run(({ expectObservable }) => {
        expectObservable(throwError(() => new SendError('Timeout'))).toBe(
          '#',
          undefined,
          new SendError('ActorStopped'),
        );
      }),
    ).toThrow();
  });
});
