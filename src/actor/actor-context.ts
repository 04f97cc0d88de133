import type { MessageBroker } from '../broker/message-broker.js';
import type { ActorId } from './actor-id.js';

/**
 * What a handler knows besides the message: its own id and the broker, to message other actors.
 *
 * @example
 * ```ts
 * import { type Actor } from 'rxbroker';
 * const forwarder: Actor = { receive: (msg, ctx) => ctx.broker.send(nextId, msg) };
 * ```
 */
export interface ActorContext {
  /** The id this actor is registered under. */
  readonly self: ActorId;
  /** The broker the actor is registered with. */
  readonly broker: MessageBroker;
}
