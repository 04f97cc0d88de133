import { describe, expect, it } from 'vitest';
import { ActorId, isBrokerError, isSendError, SendError, type SendErrorKind } from 'rxbroker';

const kinds: SendErrorKind[] = [
  'ActorNotFound',
  'ActorStopped',
  'MailboxFull',
  'Timeout',
  'HandlerFailed',
];

describe('SendError', () => {
  it.each(kinds)('carries kind %s, its name and its structured info', (kind) => {
    const actorId = ActorId.from(7);
    const error = new SendError(kind, { actorId, messageType: 'Ping', capacity: 3, timeout: 50 });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SendError');
    expect(error.kind).toBe(kind);
    expect(error.actorId).toBe(actorId);
    expect(error.info).toEqual({ actorId, messageType: 'Ping', capacity: 3, timeout: 50 });
    expect(error.message).toMatch(new RegExp(`^${kind}: .+ \\(actor 7\\) \\[Ping\\]$`));
  });

  it('has a readable message without context', () => {
    const error = new SendError('Timeout');
    expect(error.message).toBe('Timeout: no result within the timeout');
    expect(error.actorId).toBeUndefined();
    expect(error.info).toEqual({});
  });

  it('keeps a cause', () => {
    const cause = new RangeError('boom');
    const error = new SendError('HandlerFailed', {}, { cause });
    expect(error.cause).toBe(cause);
  });
});

describe('isSendError', () => {
  it('recognises SendErrors, optionally of one kind', () => {
    const error = new SendError('MailboxFull');
    expect(isSendError(error)).toBe(true);
    expect(isSendError(error, 'MailboxFull')).toBe(true);
    expect(isSendError(error, 'Timeout')).toBe(false);
  });

  it('is false for other errors and non-errors', () => {
    expect(isSendError(new Error('MailboxFull'))).toBe(false);
    expect(isSendError({ name: 'SendError', kind: 'Timeout' })).toBe(false);
    expect(isSendError(null)).toBe(false);
    expect(isSendError('SendError')).toBe(false);
    expect(isBrokerError(new SendError('Timeout'))).toBe(false);
  });

  it('recognises an error made by another copy of the package (shared brand, not instanceof)', () => {
    const foreign = { [Symbol.for('rxbroker.SendError')]: true, kind: 'Timeout' };
    expect(isSendError(foreign)).toBe(true);
    expect(isSendError(foreign, 'Timeout')).toBe(true);
    expect(isSendError(foreign, 'ActorStopped')).toBe(false);
  });
});
