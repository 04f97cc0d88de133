import type { ActorContext } from '../../actor/actor-context.js';
import {
  InMemoryMessageBroker,
  type InMemoryMessageBrokerOptions,
} from '../../broker/in-memory-message-broker.js';
import type { MessageBroker } from '../../broker/message-broker.js';
import type { Mailbox } from '../../mailbox/mailbox.js';
import type { DeadLetter } from '../../dead-letter/dead-letter.js';
import type { DeadLetterReporter } from '../../broker/internal/dead-letter-reporter.js';

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

  /**
   * @internal Calls `tap` with every dead letter of this node's routing too (after the reporter has
   * handled it), without counting as a listener: the logging fallback stays as it is.
   */
  _tapDeadLetters(tap: (letter: DeadLetter) => void): void {
    tapReporter((this as unknown as { _reporter: DeadLetterReporter })._reporter, tap);
  }

  /** @internal */
  override _context(mailbox: Mailbox): ActorContext {
    return Object.freeze({ self: mailbox._id, broker: this._owner });
  }
}

/** @internal Wraps `reporter._report` so that `tap` sees every letter; a throwing tap is ignored. */
export function tapReporter(reporter: DeadLetterReporter, tap: (letter: DeadLetter) => void): void {
  const report = reporter._report.bind(reporter);
  reporter._report = (letter: DeadLetter): void => {
    report(letter);
    try {
      tap(letter);
    } catch {
      // Best effort: the tap never breaks the delivery that reported the letter.
    }
  };
}
