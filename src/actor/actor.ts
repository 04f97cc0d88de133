import type { AnyMessage } from '../message/message.js';
import type { ActorContext } from './actor-context.js';

/**
 * An actor: something that receives messages one at a time. `receive` returns the message's result
 * as a plain value, a Promise, or an Observable (its last value, once it completes; `undefined`
 * when it completes empty). A throw, a rejection or an Observable error fails that message only.
 *
 * @example
 * ```ts
 * import { type Actor } from 'rxbroker';
 * const account: Actor = { receive: (msg, ctx) => (GetBalance.is(msg) ? 100 : undefined) };
 * ```
 */
export interface Actor<M extends AnyMessage = AnyMessage> {
  /** Handles one message; the broker never calls it again before the result has settled. */
  receive(message: M, ctx: ActorContext): unknown;
}
