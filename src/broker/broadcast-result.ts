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
  | { readonly actorId: ActorId; readonly ok: true; readonly value: R }
  | { readonly actorId: ActorId; readonly ok: false; readonly error: SendError };
