import { describe, expect, it } from 'vitest';
import { ActorId, defineMessage } from 'rxbroker';
import { DeadlineHeap } from '../../../src/broker/internal/deadline-heap.js';
import { Envelope } from '../../../src/message/internal/envelope.js';

const Tick = defineMessage<number, void>('Tick');

function at(deadline: number): Envelope {
  const envelope = new Envelope(Tick(deadline), ActorId.from(1), 1);
  envelope._deadline = deadline;
  return envelope;
}

function popAll(heap: DeadlineHeap): number[] {
  const out: number[] = [];
  for (let e = heap.pop(); e !== undefined; e = heap.pop()) out.push(e._deadline);
  return out;
}

describe('DeadlineHeap', () => {
  it('is empty when made', () => {
    const heap = new DeadlineHeap();
    expect(heap.size).toBe(0);
    expect(heap._peekDeadline()).toBe(Infinity);
    expect(heap.pop()).toBeUndefined();
  });

  it('pops by earliest deadline', () => {
    const heap = new DeadlineHeap();
    for (const d of [50, 10, 40, 10, 30, 20, 60, 5]) heap.push(at(d));
    expect(heap.size).toBe(8);
    expect(heap._peekDeadline()).toBe(5);
    expect(popAll(heap)).toEqual([5, 10, 10, 20, 30, 40, 50, 60]);
  });

  it('tracks each envelope index and removes any envelope, keeping the order', () => {
    const heap = new DeadlineHeap();
    const envelopes = [70, 30, 90, 10, 50, 80, 20, 60, 40].map(at);
    for (const e of envelopes) heap.push(e);
    for (const e of envelopes) expect(e._heapIndex).toBeGreaterThanOrEqual(0);
    const removed = envelopes.filter((e) => [30, 90, 10].includes(e._deadline));
    for (const e of removed) {
      heap.remove(e);
      expect(e._heapIndex).toBe(-1);
    }
    heap.remove(removed[0] as Envelope); // not in the heap any more: no effect
    expect(heap.size).toBe(6);
    expect(popAll(heap)).toEqual([20, 40, 50, 60, 70, 80]);
  });

  it('removing the last element leaves the rest alone', () => {
    const heap = new DeadlineHeap();
    const a = at(1);
    const b = at(2);
    heap.push(a);
    heap.push(b);
    heap.remove(b);
    expect(heap.size).toBe(1);
    expect(heap.pop()).toBe(a);
  });

  it('agrees with a sort for many pushes and removals', () => {
    const heap = new DeadlineHeap();
    let seed = 42;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 1000;
    const live = new Set<Envelope>();
    for (let i = 0; i < 500; i++) {
      const e = at(random());
      heap.push(e);
      live.add(e);
      if (i % 3 === 0) {
        const victim = [...live][random() % live.size] as Envelope;
        heap.remove(victim);
        live.delete(victim);
      }
    }
    const expected = [...live].map((e) => e._deadline).sort((x, y) => x - y);
    expect(popAll(heap)).toEqual(expected);
  });

  it('clear returns everything and empties the heap', () => {
    const heap = new DeadlineHeap();
    const envelopes = [3, 1, 2].map(at);
    for (const e of envelopes) heap.push(e);
    const cleared = heap.clear();
    expect(cleared.map((e) => e._deadline).sort()).toEqual([1, 2, 3]);
    expect(heap.size).toBe(0);
    for (const e of envelopes) expect(e._heapIndex).toBe(-1);
  });
});
