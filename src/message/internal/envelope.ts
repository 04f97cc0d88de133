import type { ActorId } from '../../actor/actor-id.js';
import type { Mailbox } from '../../mailbox/mailbox.js';
import type { AnyMessage } from '../message.js';

// Where an envelope is in its life (plain constants: esbuild compiles files one by one).
/** @internal In a mailbox queue. */
export const QUEUED = 0;
/** @internal Waiting for room in a full mailbox with the 'backpressure' strategy. */
export const WAITING = 1;
/** @internal Its handler is running. */
export const PROCESSING = 2;
/** @internal Its outcome has been reported; nothing more happens to it. */
export const DONE = 3;

/** @internal Hears the outcome of the envelopes of one broadcast. */
export interface BatchSink {
  _settled(slot: number, actorId: ActorId, ok: boolean, value: unknown): void;
}

/**
 * @internal One message on its way to one actor. A single class, so every envelope has the same
 * shape; who hears the outcome is a field (resolve/reject for send and send$, a batch for
 * broadcasts, neither for trySend), not a closure.
 */
export class Envelope {
  _state = QUEUED;
  /** Absolute deadline in scheduler time, set when its clock starts (0 until then: a small integer, not a boxed double). */
  _deadline = 0;
  /** Position in the broker's deadline heap, -1 when not in it. */
  _heapIndex = -1;
  _timeout = 0;
  _resolve: ((value: unknown) => void) | null = null;
  _reject: ((error: unknown) => void) | null = null;
  _batch: BatchSink | null = null;
  _slot = 0;
  /** The mailbox that took it, once routed. */
  _mailbox: Mailbox | null = null;

  constructor(
    readonly message: AnyMessage,
    readonly actorId: ActorId,
    readonly priority: number,
  ) {}
}
