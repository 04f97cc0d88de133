import { mergeMap, type OperatorFunction } from 'rxjs';
import type { ActorId } from '../../actor/actor-id.js';
import type { MessageBroker, SendOptions } from '../../broker/message-broker.js';
import { ArgumentError } from '../../errors/argument-error.js';
import type { Message } from '../../message/message.js';

/**
 * Options of {@link sendTo}: `concurrency`, and the `timeout` and `priority` of every send.
 *
 * @example
 * ```ts
 * import { sendTo } from 'rxbroker';
 * jobs$.pipe(sendTo(broker, workerId, { concurrency: 4, timeout: 1_000 }));
 * ```
 */
export interface SendToOptions extends SendOptions {
  /** The most messages in flight at once (sent, not yet answered); default 1. */
  readonly concurrency?: number;
}

/**
 * Feeds a stream of messages into an actor with backpressure: each message is sent with `send$`,
 * never more than `concurrency` at a time, and the results come out as they arrive (in order with
 * the default concurrency of 1). The first `SendError` errors the stream; unsubscribing withdraws
 * every message not yet processed.
 *
 * @example
 * ```ts
 * import { from } from 'rxjs';
 * import { sendTo } from 'rxbroker';
 * from(orders).pipe(map(PlaceOrder), sendTo(broker, shopId, { concurrency: 4 })).subscribe(console.log);
 * ```
 * @throws ArgumentError when `concurrency` is not an integer >= 1
 */
export function sendTo<R>(
  broker: MessageBroker,
  actorId: ActorId,
  options: SendToOptions = {},
): OperatorFunction<Message<unknown, R>, R> {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time, for JavaScript callers
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError('options', '{ concurrency?, timeout?, priority? }', options);
  }
  const { concurrency = 1, ...sendOptions } = options;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new ArgumentError('concurrency', 'a safe integer >= 1', concurrency);
  }
  return mergeMap((message) => broker.send$(actorId, message, sendOptions), concurrency);
}
