import type { ActorId } from '../actor/actor-id.js';

/**
 * Why a message did not produce a result.
 *
 * @example
 * ```ts
 * import { match } from 'ts-pattern';
 * import { type SendErrorKind } from 'rxbroker';
 * const retryable = (kind: SendErrorKind): boolean =>
 *   match(kind)
 *     .with('Timeout', 'MailboxFull', () => true)
 *     .with('ActorNotFound', 'ActorStopped', 'HandlerFailed', () => false)
 *     .exhaustive();
 * ```
 */
export type SendErrorKind =
  'ActorNotFound' | 'ActorStopped' | 'MailboxFull' | 'Timeout' | 'HandlerFailed';

/**
 * Structured context carried by a {@link SendError}.
 *
 * @example
 * ```ts
 * import { isSendError } from 'rxbroker';
 * if (isSendError(err, 'MailboxFull')) console.warn(`actor ${err.info.actorId} is full (${err.info.capacity})`);
 * ```
 */
export interface SendErrorInfo {
  /** The target actor, when there was one. */
  readonly actorId?: ActorId;
  /** The `type` of the message that failed. */
  readonly messageType?: string;
  /** The mailbox capacity, for `MailboxFull`. */
  readonly capacity?: number;
  /** The timeout in milliseconds, for `Timeout`. */
  readonly timeout?: number;
}

// Symbol.for so that a guard from one copy of the package (ESM) recognises an error from another (CJS).
const BRAND = Symbol.for('rxbroker.SendError');

const describe: Record<SendErrorKind, string> = {
  ActorNotFound: 'no actor is registered under this id',
  ActorStopped: 'the actor stopped before processing the message',
  MailboxFull: 'the mailbox is full',
  Timeout: 'no result within the timeout',
  HandlerFailed: 'the handler threw or rejected',
};

/**
 * Why a message sent to an actor produced no result. `send` rejects with it, `trySend` throws it,
 * and broadcasts report it per target.
 *
 * @example
 * ```ts
 * import { isSendError } from 'rxbroker';
 * try { await broker.send(id, GetBalance({ accountId: 1 })); }
 * catch (e) { if (isSendError(e, 'Timeout')) retryLater(); }
 * ```
 */
export class SendError extends Error {
  /** Always `'SendError'`. */
  override readonly name = 'SendError';
  /** Which failure this is; match on it exhaustively. */
  readonly kind: SendErrorKind;
  /** The target actor, when there was one. */
  readonly actorId: ActorId | undefined;
  /** Structured context: actor, message type, capacity, timeout. */
  readonly info: SendErrorInfo;
  /** @internal */
  readonly [BRAND] = true;

  constructor(kind: SendErrorKind, info: SendErrorInfo = {}, options?: { cause?: unknown }) {
    const target = info.actorId === undefined ? '' : ` (actor ${info.actorId})`;
    const what = info.messageType === undefined ? '' : ` [${info.messageType}]`;
    super(`${kind}: ${describe[kind]}${target}${what}`, options);
    this.kind = kind;
    this.actorId = info.actorId;
    this.info = info;
  }
}

/**
 * True when `value` is a {@link SendError} (of `kind`, if given), from any copy of the package.
 *
 * @example
 * ```ts
 * import { isSendError } from 'rxbroker';
 * if (isSendError(err, 'MailboxFull')) backOff();
 * ```
 */
export function isSendError(value: unknown, kind?: SendErrorKind): value is SendError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [BRAND]?: unknown })[BRAND] === true &&
    (kind === undefined || (value as SendError).kind === kind)
  );
}
