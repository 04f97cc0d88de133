import type { ActorContext } from '../../actor/actor-context.js';
import {
  InMemoryMessageBroker,
  type InMemoryMessageBrokerOptions,
} from '../../broker/in-memory-message-broker.js';
import type { MessageBroker } from '../../broker/message-broker.js';
import type { Mailbox } from '../../mailbox/mailbox.js';

/**
 * The local routing of one node: an InMemoryMessageBroker whose handlers see the distributed
 * broker as `ctx.broker`, so that they can message actors on any node.
 */
export class NodeBroker extends InMemoryMessageBroker {
  constructor(
    options: InMemoryMessageBrokerOptions,
    private readonly _owner: MessageBroker,
  ) {
    super(options);
  }

  /** @internal */
  override _context(mailbox: Mailbox): ActorContext {
    return Object.freeze({ self: mailbox._id, broker: this._owner });
  }
}
