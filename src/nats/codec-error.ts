/**
 * Why a message or a result could not cross the wire.
 *
 * @example
 * ```ts
 * import { type CodecErrorKind } from 'rxbroker/nats';
 * const retryable = (kind: CodecErrorKind): boolean => kind === 'UnknownMessageType';
 * ```
 */
export type CodecErrorKind = 'UnknownMessageType' | 'InvalidPayload' | 'UnencodablePayload';

const BRAND = Symbol.for('rxbroker.CodecError');

const describe: Record<CodecErrorKind, string> = {
  UnknownMessageType: 'the message type is not registered with the codec registry',
  InvalidPayload: 'the bytes received do not decode to a safe value',
  UnencodablePayload: 'the value cannot be encoded by the codec',
};

/**
 * A message (or a result) could not cross the wire: its type is not registered, or its bytes do
 * not decode to a safe value. Nothing half-decoded ever reaches a handler.
 *
 * @example
 * ```ts
 * import { isCodecError } from 'rxbroker/nats';
 * try { await broker.send(id, Unregistered()); }
 * catch (e) { if (isCodecError(e, 'UnknownMessageType')) broker.codecs.register(Unregistered); }
 * ```
 */
export class CodecError extends Error {
  /** Always `'CodecError'`. */
  override readonly name = 'CodecError';
  /** Which failure this is; match on it exhaustively. */
  readonly kind: CodecErrorKind;
  /** The message type concerned, when known. */
  readonly messageType: string | undefined;
  /** @internal */
  readonly [BRAND] = true;

  constructor(kind: CodecErrorKind, messageType?: string, options?: { cause?: unknown }) {
    const what = messageType === undefined ? '' : ` [${messageType}]`;
    super(`${kind}: ${describe[kind]}${what}`, options);
    this.kind = kind;
    this.messageType = messageType;
  }
}

/**
 * True when `value` is a {@link CodecError} (of `kind`, if given), from any copy of the package.
 *
 * @example
 * ```ts
 * import { isCodecError } from 'rxbroker/nats';
 * if (isCodecError(err, 'InvalidPayload')) console.warn('a peer sent bytes we cannot read');
 * ```
 */
export function isCodecError(value: unknown, kind?: CodecErrorKind): value is CodecError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [BRAND]?: unknown })[BRAND] === true &&
    (kind === undefined || (value as CodecError).kind === kind)
  );
}
