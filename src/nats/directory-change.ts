import type { ActorId } from '../actor/actor-id.js';

/**
 * A change of the directory copy: `node` is where the actor now lives, `undefined` once it is gone.
 *
 * @example
 * ```ts
 * import type { DirectoryChange } from 'rxbroker/nats';
 * broker.directoryChanges$.subscribe(({ actorId, node }: DirectoryChange) => console.log(actorId, node ?? 'gone'));
 * ```
 */
export interface DirectoryChange {
  /** The actor whose entry changed. */
  readonly actorId: ActorId;
  /** The node it is registered on now; `undefined` once it was unregistered. */
  readonly node: string | undefined;
}
