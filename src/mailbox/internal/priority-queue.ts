import { PRIORITY_LEVELS } from '../../message/priority.js';
import type { Envelope } from '../../message/internal/envelope.js';
import { Ring } from './ring.js';

/**
 * @internal Envelopes by priority: one FIFO ring per priority, made on first use. An envelope
 * settled while queued (timed out, withdrawn) stays in its ring as a tombstone, skipped when reached;
 * tombstones are swept out once they outnumber the live entries, so they never pile up.
 */
export class PriorityQueue {
  /** Live entries. */
  size = 0;
  private readonly _levels: (Ring<Envelope> | null)[] = [null, null, null, null];
  private _dead = 0;

  /** @param _liveState the envelope state that marks an entry of this queue as live */
  constructor(private readonly _liveState: number) {}

  push(envelope: Envelope): void {
    const levels = this._levels;
    const ring = levels[envelope.priority] ?? (levels[envelope.priority] = new Ring<Envelope>());
    ring.push(envelope);
    this.size++;
  }

  /** The oldest live envelope of the highest priority, removed. */
  shift(): Envelope | undefined {
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

  /** Call when a live entry left the queue by changing state (timeout, withdrawal). */
  forget(): void {
    this.size--;
    this._dead++;
    if (this._dead > 64 && this._dead > this.size) this._sweep();
  }

  /** The lowest priority holding a live entry, or -1 when empty. */
  lowestPriority(): number {
    if (this.size === 0) return -1;
    for (let p = 0; p < PRIORITY_LEVELS; p++) {
      const ring = this._levels[p];
      if (ring !== null && ring !== undefined && this._cleanHead(ring)) return p;
    }
    return -1;
  }

  /** Removes the oldest live envelope of priority `p` (which must hold one). */
  shiftAt(p: number): Envelope {
    const ring = this._levels[p] as Ring<Envelope>;
    this._cleanHead(ring);
    this.size--;
    return ring.shift() as Envelope;
  }

  /** Removes the newest live envelope of priority `p` (which must hold one). */
  popAt(p: number): Envelope {
    const ring = this._levels[p] as Ring<Envelope>;
    for (;;) {
      const envelope = ring.pop() as Envelope;
      if (envelope.state === this._liveState) {
        this.size--;
        return envelope;
      }
      this._dead--;
    }
  }

  /** Removes and returns every live envelope, highest priority first. */
  drain(): Envelope[] {
    const out: Envelope[] = [];
    for (let envelope = this.shift(); envelope !== undefined; envelope = this.shift()) out.push(envelope);
    for (const ring of this._levels) ring?.drain();
    this._dead = 0;
    return out;
  }

  /** Drops tombstones at the head; true when a live entry is then at the head. */
  private _cleanHead(ring: Ring<Envelope>): boolean {
    for (;;) {
      const head = ring.peek();
      if (head === undefined) return false;
      if (head.state === this._liveState) return true;
      ring.shift();
      this._dead--;
    }
  }

  private _sweep(): void {
    const live = this._liveState;
    for (const ring of this._levels) ring?.retain((envelope) => envelope.state === live);
    this._dead = 0;
  }
}
