import { describe, expect, it } from 'vitest';
import { ActorId, BrokerError, isBrokerError, isSendError, type BrokerErrorKind } from 'rxbroker';

describe('BrokerError', () => {
  it.each<BrokerErrorKind>(['AlreadyRegistered', 'NotFound', 'RoutingFailed'])(
    'carries kind %s, its name and its info',
    (kind) => {
      const actorId = ActorId.from(3);
      const error = new BrokerError(kind, { actorId });
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('BrokerError');
      expect(error.kind).toBe(kind);
      expect(error.actorId).toBe(actorId);
      expect(error.info).toEqual({ actorId });
      expect(error.message).toMatch(new RegExp(`^${kind}: .+ \\(actor 3\\)$`));
    },
  );

  it('names the topic and the reason of a routing failure', () => {
    const error = new BrokerError('RoutingFailed', { topic: 'orders.eu', reason: 'no subscriber' });
    expect(error.message).toBe(
      "RoutingFailed: the message could not be routed (topic 'orders.eu'): no subscriber",
    );
    expect(error.actorId).toBeUndefined();
  });

  it('has a readable message without context and keeps a cause', () => {
    const cause = new Error('filter broke');
    const error = new BrokerError('NotFound', undefined, { cause });
    expect(error.message).toBe('NotFound: no actor is registered under this id');
    expect(error.info).toEqual({});
    expect(error.cause).toBe(cause);
  });
});

describe('isBrokerError', () => {
  it('recognises BrokerErrors, optionally of one kind', () => {
    const error = new BrokerError('AlreadyRegistered');
    expect(isBrokerError(error)).toBe(true);
    expect(isBrokerError(error, 'AlreadyRegistered')).toBe(true);
    expect(isBrokerError(error, 'NotFound')).toBe(false);
    expect(isSendError(error)).toBe(false);
  });

  it('is false for anything else and true for a branded foreign copy', () => {
    expect(isBrokerError(new Error('NotFound'))).toBe(false);
    expect(isBrokerError(undefined)).toBe(false);
    expect(isBrokerError(42)).toBe(false);
    const foreign = { [Symbol.for('rxbroker.BrokerError')]: true, kind: 'NotFound' };
    expect(isBrokerError(foreign, 'NotFound')).toBe(true);
  });
});
