/**
 * @internal A growable ring-buffer deque: O(1) push/shift/pop at either end, unlike `Array.shift`,
 * which copies the whole array and turns a deep queue quadratic.
 */
export class Ring<T> {
  private _items: (T | undefined)[];
  private _head = 0;
  private _length = 0;

  constructor(initialCapacity = 8) {
    this._items = new Array<T | undefined>(initialCapacity);
  }

  get length(): number {
    return this._length;
  }

  push(item: T): void {
    const items = this._items;
    if (this._length === items.length) {
      this._grow();
      this.push(item);
      return;
    }
    items[(this._head + this._length) & (items.length - 1)] = item;
    this._length++;
  }

  shift(): T | undefined {
    if (this._length === 0) return undefined;
    const items = this._items;
    const item = items[this._head];
    items[this._head] = undefined;
    this._head = (this._head + 1) & (items.length - 1);
    this._length--;
    return item;
  }

  pop(): T | undefined {
    if (this._length === 0) return undefined;
    const items = this._items;
    const index = (this._head + this._length - 1) & (items.length - 1);
    const item = items[index];
    items[index] = undefined;
    this._length--;
    return item;
  }

  peek(): T | undefined {
    return this._length === 0 ? undefined : this._items[this._head];
  }

  /** Keeps only the items for which `keep` is true, in order. */
  retain(keep: (item: T) => boolean): void {
    const kept: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) {
      if (keep(item)) kept.push(item);
    }
    for (const item of kept) this.push(item);
  }

  /** Removes and returns every item, in order. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }

  private _grow(): void {
    const old = this._items;
    const items = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this._length; i++) items[i] = old[(this._head + i) & (old.length - 1)];
    this._items = items;
    this._head = 0;
  }
}
