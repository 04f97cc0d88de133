import type { Envelope } from '../../message/internal/envelope.js';

/**
 * @internal A binary min-heap of envelopes by deadline. Each envelope knows its index, so one that
 * settles early leaves in O(log n) and the heap only ever holds messages still in flight.
 */
export class DeadlineHeap {
  private readonly _items: Envelope[] = [];

  get size(): number {
    return this._items.length;
  }

  /** The earliest deadline, or Infinity when empty. */
  _peekDeadline(): number {
    return this._items.length === 0 ? Infinity : (this._items[0] as Envelope)._deadline;
  }

  push(envelope: Envelope): void {
    const items = this._items;
    envelope._heapIndex = items.length;
    items.push(envelope);
    this._up(envelope._heapIndex);
  }

  /** Removes and returns the envelope with the earliest deadline. */
  pop(): Envelope | undefined {
    const items = this._items;
    if (items.length === 0) return undefined;
    const top = items[0] as Envelope;
    this.remove(top);
    return top;
  }

  remove(envelope: Envelope): void {
    const items = this._items;
    const index = envelope._heapIndex;
    if (index < 0) return;
    envelope._heapIndex = -1;
    const last = items.pop() as Envelope;
    if (index === items.length) return;
    items[index] = last;
    last._heapIndex = index;
    this._down(index);
    this._up(last._heapIndex);
  }

  /** Removes and returns everything. */
  clear(): Envelope[] {
    const items = this._items.splice(0);
    for (const envelope of items) envelope._heapIndex = -1;
    return items;
  }

  private _up(index: number): void {
    const items = this._items;
    const item = items[index] as Envelope;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex] as Envelope;
      if (parent._deadline <= item._deadline) break;
      items[index] = parent;
      parent._heapIndex = index;
      index = parentIndex;
    }
    items[index] = item;
    item._heapIndex = index;
  }

  private _down(index: number): void {
    const items = this._items;
    const n = items.length;
    const item = items[index] as Envelope;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && (items[right] as Envelope)._deadline < (items[child] as Envelope)._deadline)
        child = right;
      const childItem = items[child] as Envelope;
      if (childItem._deadline >= item._deadline) break;
      items[index] = childItem;
      childItem._heapIndex = index;
      index = child;
    }
    items[index] = item;
    item._heapIndex = index;
  }
}
