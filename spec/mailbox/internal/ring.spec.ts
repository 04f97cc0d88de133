import { describe, expect, it } from 'vitest';
import { Ring } from '../../../src/mailbox/internal/ring.js';

describe('Ring', () => {
  it('is empty when made', () => {
    const ring = new Ring<number>();
    expect(ring.length).toBe(0);
    expect(ring.shift()).toBeUndefined();
    expect(ring.pop()).toBeUndefined();
    expect(ring.peek()).toBeUndefined();
  });

  it('shifts in FIFO order and pops from the tail', () => {
    const ring = new Ring<string>();
    ring.push('a');
    ring.push('b');
    ring.push('c');
    expect(ring.length).toBe(3);
    expect(ring.peek()).toBe('a');
    expect(ring.shift()).toBe('a');
    expect(ring.pop()).toBe('c');
    expect(ring.shift()).toBe('b');
    expect(ring.length).toBe(0);
  });

  it('keeps the order when it grows while wrapped around', () => {
    const ring = new Ring<number>(4);
    const model: number[] = [];
    let next = 0;
    // Move the head forward, then fill past the capacity several times.
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 3 + round * 3; i++) {
        ring.push(next);
        model.push(next++);
      }
      for (let i = 0; i < 2 + round; i++) expect(ring.shift()).toBe(model.shift());
      expect(ring.length).toBe(model.length);
      expect(ring.peek()).toBe(model[0]);
    }
    expect(ring.drain()).toEqual(model);
  });

  it('pop works across the wrap-around point', () => {
    const ring = new Ring<number>(4);
    for (const n of [1, 2, 3]) ring.push(n);
    ring.shift();
    ring.shift();
    for (const n of [4, 5, 6]) ring.push(n); // wraps
    expect(ring.pop()).toBe(6);
    expect(ring.pop()).toBe(5);
    expect(ring.drain()).toEqual([3, 4]);
  });

  it('retain keeps only the matching items, in order', () => {
    const ring = new Ring<number>();
    for (let n = 0; n < 20; n++) ring.push(n);
    ring.retain((n) => n % 3 === 0);
    expect(ring.drain()).toEqual([0, 3, 6, 9, 12, 15, 18]);
  });

  it('drain empties it and it can be reused', () => {
    const ring = new Ring<number>();
    ring.push(1);
    expect(ring.drain()).toEqual([1]);
    expect(ring.length).toBe(0);
    ring.push(2);
    expect(ring.shift()).toBe(2);
  });

  it('holds a deep queue without losing anything', () => {
    const ring = new Ring<number>();
    for (let n = 0; n < 10_000; n++) ring.push(n);
    let sum = 0;
    for (let n = ring.shift(); n !== undefined; n = ring.shift()) sum += n;
    expect(sum).toBe((9_999 * 10_000) / 2);
  });
});
