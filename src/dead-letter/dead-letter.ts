import type { ActorId } from '../actor/actor-id.js';
import type { BrokerError } from '../errors/broker-error.js';
import type { SendError, SendErrorKind } from '../errors/send-error.js';
import type { AnyMessage } from '../message/message.js';

/**
 * Why a message became a dead letter: a {@link SendErrorKind}, or `'RoutingFailed'` for a topic
 * nobody serves.
 *
 * @example
 * ```ts
 * import { type DeadLetterReason } from 'rxbroker';
 * const worthRetrying = (reason: DeadLetterReason) => reason === 'Timeout' || reason === 'MailboxFull';
 * ```
 */
export type DeadLetterReason = SendErrorKind | 'RoutingFailed';

/**
 * A message that reached no handler (or whose fire-and-forget handler failed), kept so that it is
 * never lost without a trace.
 *
 * @example
 * ```ts
 * broker.deadLetters$.subscribe(({ actorId, message, reason }) => console.warn(actorId, message.type, reason));
 * ```
 */
export interface DeadLetter {
  /** The target actor; `undefined` for a routed message that found no subscriber. */
  readonly actorId: ActorId | undefined;
  /** The topic, for routed messages. */
  readonly topic?: string;
  /** The message itself. */
  readonly message: AnyMessage;
  /** Why it reached no handler. */
  readonly reason: DeadLetterReason;
  /** The error the sender got (or would have got). */
  readonly error: SendError | BrokerError;
  /** When, in the broker's scheduler time (ms). */
  readonly at: number;
}
