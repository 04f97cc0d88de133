import type { ActorId } from '../../actor/actor-id.js';
import type { AnyMessage } from '../../message/message.js';
import { FRAME_MARKER, frameLength, OP_BATCH, OP_POST, writeFrameAt, writeU32 } from './frame.js';

/** First buffer of a destination; it doubles while bursts fill it. */
const FIRST_SLAB = 4096;
/** Past this a buffer is not grown any more: batches are published when it is full. */
const MAX_SLAB = 1 << 20;
/** The batch head: the marker and OP_BATCH. */
const BATCH_HEAD = 2;

/** The post frames waiting for one destination. */
class Batch {
  /** Frames are written here; what was published before `start` belongs to the client now. */
  slab = new Uint8Array(FIRST_SLAB);
  start = 0;
  end = 0;
  count = 0;
  /** The targets and messages in the batch, for dead letters should its publish fail. */
  ids: ActorId[] = [];
  messages: AnyMessage[] = [];

  constructor(readonly destination: string) {}
}

/**
 * Fire-and-forget messages to other nodes, gathered per destination until the microtask after the
 * first one, then sent as one NATS request: a batch of post frames (a single frame alone), which
 * the receiving node acknowledges once it has taken them. One request per destination and burst
 * instead of one publish per message is what lets `trySend` keep up with a bare publish
 * (bench/findings.md); the acknowledgement is what keeps a message lost on the way (a node the
 * server cut as a slow consumer, a node gone) from vanishing without a trace: every message of an
 * unacknowledged batch goes to `failed`. Order per destination is kept: `flush(destination)` runs before
 * any other request to it is made, so that request never overtakes earlier posts.
 */
export class Outbox {
  private readonly _batches = new Map<string, Batch>();
  private _scheduled = false;
  /** Batches sent and not acknowledged yet. */
  private readonly _inFlight = new Set<Promise<unknown>>();
  private readonly _flushAll = (): void => {
    this._scheduled = false;
    for (const batch of this._batches.values()) this._publish(batch);
  };

  /**
   * @param _send sends a batch to a destination (a node); its Promise settles with the
   *   receiver's acknowledgement
   * @param _failed gets the messages of a batch that could not be sent or was not acknowledged
   */
  constructor(
    private readonly _send: (destination: string, data: Uint8Array) => Promise<unknown>,
    private readonly _failed: (ids: ActorId[], messages: AnyMessage[], error: unknown) => void,
  ) {}

  /**
   * Queues a post to `actorId` for `destination`; `limit` is the server's max_payload, which the
   * frame alone was checked against.
   */
  post(
    destination: string,
    limit: number,
    actorId: ActorId,
    message: AnyMessage,
    priority: number,
    codec: Uint8Array,
    type: Uint8Array,
    body: Uint8Array,
  ): void {
    const length = frameLength(codec, type, body);
    let batch = this._batches.get(destination);
    if (batch === undefined) {
      batch = new Batch(destination);
      this._batches.set(destination, batch);
    }
    if (batch.count > 0 && batch.end - batch.start + 4 + length > limit) this._publish(batch);
    const room = (batch.count === 0 ? BATCH_HEAD : 0) + 4 + length;
    if (batch.slab.length - batch.end < room) {
      if (batch.count > 0) this._publish(batch);
      if (batch.slab.length - batch.end < BATCH_HEAD + 4 + length) {
        // A new buffer: twice the old one up to MAX_SLAB, or this frame's size when larger.
        const size = Math.max(Math.min(batch.slab.length * 2, MAX_SLAB), BATCH_HEAD + 4 + length);
        batch.slab = new Uint8Array(size);
        batch.start = 0;
        batch.end = 0;
      }
    }
    const slab = batch.slab;
    if (batch.count === 0) {
      slab[batch.end] = FRAME_MARKER;
      slab[batch.end + 1] = OP_BATCH;
      batch.end += BATCH_HEAD;
    }
    writeU32(slab, batch.end, length);
    batch.end = writeFrameAt(slab, batch.end + 4, OP_POST, priority, 0, actorId, codec, type, body);
    batch.count++;
    batch.ids.push(actorId);
    batch.messages.push(message);
    if (!this._scheduled) {
      this._scheduled = true;
      queueMicrotask(this._flushAll);
    }
  }

  /** Sends what waits for `destination` now (before another request to it). */
  flush(destination: string): void {
    const batch = this._batches.get(destination);
    if (batch !== undefined) this._publish(batch);
  }

  /** Publishes everything waiting (before the connection closes). */
  flushAll(): void {
    this._flushAll();
  }

  /** Resolves once every batch sent so far is acknowledged or handed to `failed`. */
  async settled(): Promise<void> {
    while (this._inFlight.size > 0) await Promise.allSettled(Array.from(this._inFlight));
  }

  private _publish(batch: Batch): void {
    if (batch.count === 0) return;
    // A single frame travels without the batch around it.
    const from = batch.count === 1 ? batch.start + BATCH_HEAD + 4 : batch.start;
    const data = batch.slab.subarray(from, batch.end);
    const { ids, messages } = batch;
    batch.start = batch.end;
    batch.count = 0;
    batch.ids = [];
    batch.messages = [];
    let acknowledged: Promise<unknown>;
    try {
      acknowledged = this._send(batch.destination, data);
    } catch (error) {
      this._failed(ids, messages, error);
      return;
    }
    const settled: Promise<void> = acknowledged.then(
      () => {
        this._inFlight.delete(settled);
      },
      (error: unknown) => {
        this._inFlight.delete(settled);
        this._failed(ids, messages, error);
      },
    );
    this._inFlight.add(settled);
  }
}
