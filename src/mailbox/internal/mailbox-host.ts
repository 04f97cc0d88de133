import type { ActorContext } from '../../actor/actor-context.js';
import type { Envelope } from '../../message/internal/envelope.js';
import type { SendErrorKind } from '../../errors/send-error.js';
import type { Mailbox } from '../mailbox.js';

/** @internal What a registered mailbox needs from its broker: outcomes go back through it. */
export interface MailboxHost {
  /** The handler gave `value`. */
  _succeed(envelope: Envelope, value: unknown): void;
  /** A fire-and-forget message (no envelope) was handled without error. */
  _deliveredBare(): void;
  /** The handler threw or rejected with `cause`. */
  _handlerFailed(envelope: Envelope, cause: unknown): void;
  /** The broker shut down while the handler ran: the message ends with ActorStopped. */
  _handlerStopped(envelope: Envelope): void;
  /** The message never reached the handler (evicted, stopped): a dead letter. */
  _undeliverable(envelope: Envelope, kind: SendErrorKind): void;
  /** An abandoned handler's Observable threw while being unsubscribed. */
  _teardownFailed(mailbox: Mailbox, error: unknown): void;
  /** Runs `mailbox._drain()` soon, not now. */
  _defer(mailbox: Mailbox): void;
  /** The context handed to the mailbox's handler. */
  _context(mailbox: Mailbox): ActorContext;
}
