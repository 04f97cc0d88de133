/**
 * Why a message or a result could not cross the wire.
 *
 * @example
 * ```ts
 * import { type CodecErrorKind } from 'rxbroker/nats';
 * const retryable = (kind: CodecErrorKind): boolean => kind === 'UnknownMessageType';
 * ```
 */
export type CodecErrorKind =
  'UnknownMessageType' | 'InvalidPayload' | 'UnencodablePayload' | 'PayloadTooLarge';

const BRAND = Symbol.for('rxbroker.CodecError');

const describe: Record<CodecErrorKind, string> = {
  UnknownMessageType: 'the message type is not registered with the codec registry',
  InvalidPayload: 'the bytes received do not decode to a safe value',
  UnencodablePayload: 'the value cannot be encoded by the codec',
  PayloadTooLarge:
    "the encoded message (frame head, names and body) exceeds the server's max_payload",
};

/**
 * A message (or a result) could not cross the wire: its type is not registered, its bytes do not
 * decode to a safe value, or it is larger than the server accepts (`PayloadTooLarge`, checked
 * before sending: `size` and `limit` say by how much). Nothing half-decoded ever reaches a handler.
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
  /** For `PayloadTooLarge`: the encoded size in bytes (the whole frame: head, names and body). */
  readonly size: number | undefined;
  /** For `PayloadTooLarge`: the server's `max_payload` in bytes. */
  readonly limit: number | undefined;
  /** @internal */
  readonly [BRAND] = true;

  constructor(
    kind: CodecErrorKind,
    messageType?: string,
    options?: { cause?: unknown; size?: number; limit?: number },
  ) {
    const what = messageType === undefined ? '' : ` [${messageType}]`;
    const size =
      options?.size === undefined ? '' : ` (${options.size} bytes > ${options.limit ?? '?'})`;
    super(`${kind}: ${describe[kind]}${what}${size}`, options);
    this.kind = kind;
    this.messageType = messageType;
    this.size = options?.size;
    this.limit = options?.limit;
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
