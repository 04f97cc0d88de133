import type { ActorId } from '../../actor/actor-id.js';
import { BrokerError } from '../../errors/broker-error.js';
import { isThenable } from '../../message/internal/is-thenable.js';

/**
 * @internal The ids passing a broadcast filter. The caller passes a snapshot, so actors the filter
 * registers are not asked; a filter that throws, or answers with a Promise (truthy, so it would
 * select everyone), is RoutingFailed before anything is sent.
 */
export function selectActors(
  ids: readonly ActorId[],
  filter: (actorId: ActorId) => boolean,
): ActorId[] {
  const selected: ActorId[] = [];
  for (const actorId of ids) {
    let chosen: unknown;
    try {
      chosen = filter(actorId);
    } catch (cause) {
      throw new BrokerError(
        'RoutingFailed',
        { actorId, reason: 'the broadcast filter threw' },
        { cause },
      );
    }
    if (isThenable(chosen)) {
      throw new BrokerError('RoutingFailed', {
        actorId,
        reason: 'the broadcast filter answered with a Promise',
      });
    }
    if (chosen) selected.push(actorId);
  }
  return selected;
}
