import { describe, expect, it } from 'vitest';
import { ActorId, isSendError, SendError } from 'rxbroker';
import { CodecError, isCodecError } from 'rxbroker/nats';
import { describeError, fromWireError, toWireError } from '../../../src/nats/internal/wire.js';

const id = ActorId.from(7);
/** An error as the sender gets it after the round trip through the wire (and JSON, as a codec would). */
const travelled = (error: unknown): Error =>
  fromWireError(JSON.parse(JSON.stringify(toWireError(error, 'Job'))), id, 'Job');

describe('wire errors', () => {
  it('a SendError keeps its kind and its numbers: capacity, timeout', () => {
    const full = travelled(new SendError('MailboxFull', { actorId: id, capacity: 4 }));
    expect(isSendError(full, 'MailboxFull') && full.info).toEqual({
      actorId: id,
      messageType: 'Job',
      capacity: 4,
    });
    const late = travelled(new SendError('Timeout', { actorId: id, timeout: 250 }));
    expect(isSendError(late, 'Timeout') && late.info.timeout).toBe(250);
  });

  it("a handler's own error becomes HandlerFailed with its message as the cause", () => {
    const failed = travelled(new TypeError('no such account'));
    expect(isSendError(failed, 'HandlerFailed')).toBe(true);
    expect((failed.cause as Error).message).toBe('no such account');
    const thrown = travelled('a string');
    expect((thrown.cause as Error).message).toBe('a string');
  });

  it('a CodecError keeps its kind, size and limit', () => {
    const large = travelled(new CodecError('PayloadTooLarge', 'Job', { size: 2000, limit: 1024 }));
    expect(isCodecError(large, 'PayloadTooLarge')).toBe(true);
    expect(large).toMatchObject({ size: 2000, limit: 1024 });
  });

  it('whatever else arrives is a HandlerFailed, never a crash or a forged kind', () => {
    for (const value of [
      null,
      42,
      'x',
      [],
      { e: 's', kind: 'Exploded' },
      { e: 'c', kind: 'Nope' },
    ]) {
      const error = fromWireError(value, id, 'Job');
      expect(isSendError(error, 'HandlerFailed')).toBe(true);
    }
    const odd = fromWireError(
      { e: 's', kind: 'MailboxFull', capacity: 'many', timeout: NaN },
      id,
      'Job',
    );
    expect(isSendError(odd, 'MailboxFull') && odd.info).toEqual({
      actorId: id,
      messageType: 'Job',
    });
  });

  it('describes anything thrown, even what cannot be printed', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError(12)).toBe('12');
    expect(
      describeError({
        toString: () => {
          throw new Error('no');
        },
      }),
    ).toBe('(unprintable error)');
  });
});
