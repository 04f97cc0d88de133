import type { ActorId } from '../actor/actor-id.js';

/**
 * A change of this node's copy of the cluster's topic subscriptions: `actorId` subscribed to
 * `pattern` (on any node), or no longer is.
 *
 * @example
 * ```ts
 * import type { TopicChange } from 'rxbroker/nats';
 * broker.topicChanges$.subscribe(({ actorId, pattern, subscribed }: TopicChange) =>
 *   console.log(actorId, subscribed ? 'subscribed to' : 'left', pattern),
 * );
 * ```
 */
export interface TopicChange {
  /** The subscribing actor. */
  readonly actorId: ActorId;
  /** The subscription's pattern, as given to `subscribe`. */
  readonly pattern: string;
  /** True once the subscription is known, false once it is gone. */
  readonly subscribed: boolean;
}
