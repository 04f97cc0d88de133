import type { ActorId } from '../actor/actor-id.js';
import type { SendError } from '../errors/send-error.js';

/**
 * The outcome of a broadcast for one target: its result, or why it has none.
 *
 * @example
 * ```ts
 * const results = await broker.broadcast(Shutdown());
 * const failed = results.filter((r) => !r.ok).map((r) => r.actorId);
 * ```
 */
export type BroadcastResult<R> =
  | {
      /** The target. */
      readonly actorId: ActorId;
      /** True: the target's handler gave a result. */
      readonly ok: true;
      /** That result. */
      readonly value: R;
    }
  | {
      /** The target. */
      readonly actorId: ActorId;
      /** False: the target gave no result. */
      readonly ok: false;
      /** Why not. */
      readonly error: SendError;
    };
