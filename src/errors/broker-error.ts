import type { ActorId } from '../actor/actor-id.js';

/**
 * Why a broker operation (register, unregister, routing) failed.
 *
 * @example
 * ```ts
 * import { isBrokerError, type BrokerErrorKind } from 'rxbroker';
 * const kindOf = (error: unknown): BrokerErrorKind | undefined =>
 *   isBrokerError(error) ? error.kind : undefined;
 * ```
 */
export type BrokerErrorKind = 'AlreadyRegistered' | 'NotFound' | 'RoutingFailed';

/**
 * Structured context carried by a {@link BrokerError}.
 *
 * @example
 * ```ts
 * import { isBrokerError } from 'rxbroker';
 * if (isBrokerError(err, 'RoutingFailed')) console.warn(err.info.topic, err.info.reason);
 * ```
 */
export interface BrokerErrorInfo {
  /** The actor concerned, when there was one. */
  readonly actorId?: ActorId;
  /** The topic, for routing failures. */
  readonly topic?: string;
  /** Why routing failed, in words (the reference's `RoutingFailed(String)`). */
  readonly reason?: string;
}

const BRAND = Symbol.for('rxbroker.BrokerError');

const describe: Record<BrokerErrorKind, string> = {
  AlreadyRegistered: 'an actor is already registered under this id',
  NotFound: 'no actor is registered under this id',
  RoutingFailed: 'the message could not be routed',
};

/**
 * A broker operation failed: `register` of a taken id, `unregister` of an unknown one, or routing
 * with no route.
 *
 * @example
 * ```ts
 * import { isBrokerError } from 'rxbroker';
 * try { broker.register(id, mailbox); }
 * catch (e) { if (isBrokerError(e, 'AlreadyRegistered')) id = ActorId.create(); }
 * ```
 */
export class BrokerError extends Error {
  /** Always `'BrokerError'`. */
  override readonly name = 'BrokerError';
  /** Which failure this is; match on it exhaustively. */
  readonly kind: BrokerErrorKind;
  /** The actor concerned, when there was one. */
  readonly actorId: ActorId | undefined;
  /** Structured context: actor, topic, reason. */
  readonly info: BrokerErrorInfo;
  /** @internal */
  readonly [BRAND] = true;

  constructor(kind: BrokerErrorKind, info: BrokerErrorInfo = {}, options?: { cause?: unknown }) {
    const target = info.actorId === undefined ? '' : ` (actor ${info.actorId})`;
    const topic = info.topic === undefined ? '' : ` (topic '${info.topic}')`;
    const reason = info.reason === undefined ? '' : `: ${info.reason}`;
    super(`${kind}: ${describe[kind]}${target}${topic}${reason}`, options);
    this.kind = kind;
    this.actorId = info.actorId;
    this.info = info;
  }
}

/**
 * True when `value` is a {@link BrokerError} (of `kind`, if given), from any copy of the package.
 *
 * @example
 * ```ts
 * import { isBrokerError } from 'rxbroker';
 * if (isBrokerError(err, 'NotFound')) console.log('already gone');
 * ```
 */
export function isBrokerError(value: unknown, kind?: BrokerErrorKind): value is BrokerError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [BRAND]?: unknown })[BRAND] === true &&
    (kind === undefined || (value as BrokerError).kind === kind)
  );
}
