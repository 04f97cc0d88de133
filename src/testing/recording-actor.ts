import type { Actor } from '../actor/actor.js';
import type { ActorContext } from '../actor/actor-context.js';
import type { AnyMessage } from '../message/message.js';

/**
 * An actor that remembers what it received.
 *
 * @example
 * ```ts
 * import { Mailbox } from 'rxbroker';
 * import { recordingActor, type RecordingActor } from 'rxbroker/testing';
 * const actor: RecordingActor = recordingActor();
 * broker.register(id, Mailbox.unbounded(actor));
 * await broker.send(id, Ping());
 * actor.received.length; // 1
 * ```
 */
export interface RecordingActor extends Actor {
  /** Every message received, in the order the handler was called. */
  readonly received: AnyMessage[];
}

/**
 * An actor that records each message and answers with `reply` (a value, Promise or Observable;
 * `undefined` when no reply function is given).
 *
 * @example
 * ```ts
 * import { recordingActor } from 'rxbroker/testing';
 * const actor = recordingActor((msg) => msg.type);
 * broker.register(id, Mailbox.unbounded(actor));
 * // ... later: actor.received.map((m) => m.type)
 * ```
 */
export function recordingActor(
  reply?: (message: AnyMessage, ctx: ActorContext) => unknown,
): RecordingActor {
  const received: AnyMessage[] = [];
  return {
    received,
    receive(message, ctx) {
      received.push(message);
      return reply?.(message, ctx);
    },
  };
}
