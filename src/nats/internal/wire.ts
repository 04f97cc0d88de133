import type { ActorId } from '../../actor/actor-id.js';
import { SendError, isSendError, type SendErrorKind } from '../../errors/send-error.js';
import { CodecError, isCodecError, type CodecErrorKind } from '../codec-error.js';

/** An error as it travels: plain data only. */
export interface WireError {
  /** `s` for a SendError, `c` for a CodecError. */
  readonly e: 's' | 'c';
  readonly kind: string;
  readonly type?: string;
  readonly cause?: string;
  /** The numbers of the error's context: a SendError's `capacity` and `timeout`, a CodecError's `size` and `limit`. */
  readonly capacity?: number;
  readonly timeout?: number;
  readonly size?: number;
  readonly limit?: number;
}

const SEND_KINDS = new Set<string>([
  'ActorNotFound',
  'ActorStopped',
  'MailboxFull',
  'Timeout',
  'HandlerFailed',
]);
const CODEC_KINDS = new Set<string>([
  'UnknownMessageType',
  'InvalidPayload',
  'UnencodablePayload',
  'PayloadTooLarge',
]);

/** An error made plain for the wire. A handler's own error travels as its message only. */
export function toWireError(error: unknown, messageType: string): WireError {
  if (isCodecError(error)) {
    return { e: 'c', kind: error.kind, type: messageType, ...numbers(error, 'size', 'limit') };
  }
  if (isSendError(error)) {
    const cause: unknown = error.cause;
    const wire: WireError = {
      e: 's',
      kind: error.kind,
      type: messageType,
      ...numbers(error.info, 'capacity', 'timeout'),
    };
    return cause === undefined ? wire : { ...wire, cause: describeError(cause) };
  }
  return { e: 's', kind: 'HandlerFailed', type: messageType, cause: describeError(error) };
}

/** The named properties of `source` that are finite numbers (anything else stays behind). */
function numbers<K extends string>(source: object, ...keys: K[]): Partial<Record<K, number>> {
  const picked: Partial<Record<K, number>> = {};
  for (const key of keys) {
    const value: unknown = (source as Record<string, unknown>)[key];
    if (typeof value === 'number' && Number.isFinite(value)) picked[key] = value;
  }
  return picked;
}

/** The error a sender gets for a wire error about `actorId`. */
export function fromWireError(value: unknown, actorId: ActorId, messageType: string): Error {
  const wire = (typeof value === 'object' && value !== null ? value : {}) as Partial<WireError>;
  const kind = String(wire.kind);
  if (wire.e === 'c' && CODEC_KINDS.has(kind))
    return new CodecError(kind as CodecErrorKind, messageType, numbers(wire, 'size', 'limit'));
  const sendKind = (SEND_KINDS.has(kind) ? kind : 'HandlerFailed') as SendErrorKind;
  const info = { actorId, messageType, ...numbers(wire, 'capacity', 'timeout') };
  return typeof wire.cause === 'string'
    ? new SendError(sendKind, info, { cause: new Error(wire.cause) })
    : new SendError(sendKind, info);
}

/** An error's message, or the thing thrown as a string. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return '(unprintable error)';
  }
}
