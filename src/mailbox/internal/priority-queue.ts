import { PRIORITY_LEVELS } from '../../message/priority.js';
import { Envelope } from '../../message/internal/envelope.js';
import type { AnyMessage } from '../../message/message.js';
import { Ring } from './ring.js';

/**
 * @internal A queued item: an Envelope when someone awaits the outcome, or the bare message for
 * fire-and-forget (`trySend`), which then costs no allocation at all.
 */
export type QueueEntry = Envelope | AnyMessage;

/**
 * @internal Queue entries by priority: one FIFO ring per priority, made on first use. An envelope
 * settled while queued (timed out, withdrawn) stays in its ring as a tombstone, skipped when reached;
 * tombstones are swept out once they outnumber the live entries, so they never pile up.
 */
export class PriorityQueue {
  /** Live entries. */
  size = 0;
  private readonly _levels: (Ring<QueueEntry> | null)[] = [null, null, null, null];
  private _dead = 0;

  /** @param _liveState the envelope state that marks an envelope of this queue as live */
  constructor(private readonly _liveState: number) {}

  push(envelope: Envelope): void {
    this._pushAt(envelope, envelope.priority);
  }

  _pushAt(entry: QueueEntry, priority: number): void {
    const levels = this._levels;
    const ring = levels[priority] ?? (levels[priority] = new Ring<QueueEntry>());
    ring.push(entry);
    this.size++;
  }

  /** The oldest live entry of the highest priority, removed. */
  shift(): QueueEntry | undefined {
    if (this.size === 0) return undefined;
    for (let p = PRIORITY_LEVELS - 1; p >= 0; p--) {
      const ring = this._levels[p];
      if (ring !== null && ring !== undefined && this._cleanHead(ring)) {
        this.size--;
        return ring.shift();
      }
    }
    return undefined; // unreachable while size is right
  }

  /** Call when a live envelope left the queue by changing state (timeout, withdrawal). */
  forget(): void {
    this.size--;
    this._dead++;
    if (this._dead > 64 && this._dead > this.size) this._sweep();
  }

  /** The lowest priority holding a live entry, or -1 when empty. */
  _lowestPriority(): number {
    if (this.size === 0) return -1;
    for (let p = 0; p < PRIORITY_LEVELS; p++) {
      const ring = this._levels[p];
      if (ring !== null && ring !== undefined && this._cleanHead(ring)) return p;
    }
    return -1;
  }

  /** Removes the oldest live entry of priority `p` (which must hold one). */
  _shiftAt(p: number): QueueEntry {
    const ring = this._levels[p] as Ring<QueueEntry>;
    this._cleanHead(ring);
    this.size--;
    return ring.shift() as QueueEntry;
  }

  /** Removes the newest live entry of priority `p` (which must hold one). */
  _popAt(p: number): QueueEntry {
    const ring = this._levels[p] as Ring<QueueEntry>;
    for (;;) {
      const entry = ring.pop() as QueueEntry;
      if (this._dead === 0) {
        this.size--;
        return entry;
      }
      if (this._isLive(entry)) {
        this.size--;
        return entry;
      }
      this._dead--;
    }
  }

  /** Removes and returns every live entry, highest priority first. */
  drain(): QueueEntry[] {
    const out: QueueEntry[] = [];
    for (let entry = this.shift(); entry !== undefined; entry = this.shift()) out.push(entry);
    for (const ring of this._levels) ring?.drain();
    this._dead = 0;
    return out;
  }

  private _isLive(entry: QueueEntry): boolean {
    return !(entry instanceof Envelope) || entry._state === this._liveState;
  }

  /** Drops tombstones at the head; true when a live entry is then at the head. */
  private _cleanHead(ring: Ring<QueueEntry>): boolean {
    if (this._dead === 0) return ring.length > 0; // no tombstones anywhere: nothing to check
    for (;;) {
      const head = ring.peek();
      if (head === undefined) return false;
      if (this._isLive(head)) return true;
      ring.shift();
      this._dead--;
    }
  }

  private _sweep(): void {
    for (const ring of this._levels) ring?.retain((entry) => this._isLive(entry));
    this._dead = 0;
  }
}
