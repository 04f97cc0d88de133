import { describe, expect, it } from 'vitest';
import { ActorId, defineMessage } from 'rxbroker';
import { PriorityQueue, type QueueEntry } from '../../../src/mailbox/internal/priority-queue.js';
import { DONE, Envelope, QUEUED, WAITING } from '../../../src/message/internal/envelope.js';

const Job = defineMessage<string, void>('Job');

function envelope(name: string, priority: number): Envelope {
  return new Envelope(Job(name), ActorId.from(1), priority);
}

function names(list: (QueueEntry | undefined)[]): (string | undefined)[] {
  return list.map((e) => {
    if (e === undefined) return undefined;
    return (e instanceof Envelope ? e.message.payload : e.payload) as string;
  });
}

describe('PriorityQueue', () => {
  it('shifts the highest priority first, FIFO within a priority', () => {
    const queue = new PriorityQueue(QUEUED);
    for (const [name, p] of [
      ['l1', 0],
      ['n1', 1],
      ['c1', 3],
      ['h1', 2],
      ['n2', 1],
      ['c2', 3],
      ['l2', 0],
    ] as const) {
      queue.push(envelope(name, p));
    }
    expect(queue.size).toBe(7);
    expect(names(queue.drain())).toEqual(['c1', 'c2', 'h1', 'n1', 'n2', 'l1', 'l2']);
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });

  it('skips entries that left by changing state (tombstones)', () => {
    const queue = new PriorityQueue(QUEUED);
    const a = envelope('a', 1);
    const b = envelope('b', 1);
    const c = envelope('c', 2);
    queue.push(a);
    queue.push(b);
    queue.push(c);
    c._state = DONE;
    queue.forget();
    a._state = DONE;
    queue.forget();
    expect(queue.size).toBe(1);
    expect(queue.shift()).toBe(b);
    expect(queue.shift()).toBeUndefined();
  });

  it('reports the lowest live priority, or -1 when empty', () => {
    const queue = new PriorityQueue(QUEUED);
    expect(queue._lowestPriority()).toBe(-1);
    const low = envelope('low', 0);
    queue.push(envelope('high', 2));
    queue.push(low);
    expect(queue._lowestPriority()).toBe(0);
    low._state = DONE;
    queue.forget();
    expect(queue._lowestPriority()).toBe(2);
  });

  it('shiftAt removes the oldest live entry of a priority', () => {
    const queue = new PriorityQueue(QUEUED);
    const [a, b, c] = [envelope('a', 1), envelope('b', 1), envelope('c', 1)];
    queue.push(a);
    queue.push(b);
    queue.push(c);
    a._state = DONE;
    queue.forget();
    expect(queue._shiftAt(1)).toBe(b);
    expect(queue.size).toBe(1);
  });

  it('popAt removes the newest live entry of a priority, skipping tombstones', () => {
    const queue = new PriorityQueue(QUEUED);
    const [a, b, c] = [envelope('a', 0), envelope('b', 0), envelope('c', 0)];
    queue.push(a);
    queue.push(b);
    queue.push(c);
    c._state = DONE;
    queue.forget();
    expect(queue._popAt(0)).toBe(b);
    expect(queue.size).toBe(1);
    expect(queue.shift()).toBe(a);
    expect(queue.size).toBe(0);
  });

  it('uses the live state it was made with (a queue of waiters)', () => {
    const queue = new PriorityQueue(WAITING);
    const e = envelope('w', 1);
    e._state = WAITING;
    queue.push(e);
    expect(queue.shift()).toBe(e);
    const queued = envelope('q', 1); // state QUEUED: not live for this queue
    queue.push(queued);
    queued._state = DONE;
    queue.forget();
    expect(queue.shift()).toBeUndefined();
  });

  it('sweeps tombstones once they outnumber live entries, keeping order', () => {
    const queue = new PriorityQueue(QUEUED);
    const all = Array.from({ length: 200 }, (_, i) => envelope(`e${i}`, i % 2));
    for (const e of all) queue.push(e);
    // Settle all but every tenth: far more tombstones than live entries.
    for (let i = 0; i < all.length; i++) {
      if (i % 10 !== 0) {
        (all[i] as Envelope)._state = DONE;
        queue.forget();
      }
    }
    expect(queue.size).toBe(20);
    const live = all.filter((_, i) => i % 10 === 0);
    const expected = [
      ...live.filter((e) => e.priority === 1),
      ...live.filter((e) => e.priority === 0),
    ];
    expect(queue.drain()).toEqual(expected);
  });

  it('holds bare messages (fire-and-forget) beside envelopes, by the priority given', () => {
    const queue = new PriorityQueue(QUEUED);
    queue._pushAt(Job('bare-low'), 0);
    queue.push(envelope('env-normal', 1));
    queue._pushAt(Job('bare-critical'), 3);
    expect(queue._lowestPriority()).toBe(0);
    expect(names([queue._popAt(0)])).toEqual(['bare-low']);
    expect(names(queue.drain())).toEqual(['bare-critical', 'env-normal']);
  });

  it('counts bare messages as live when sweeping tombstones', () => {
    const queue = new PriorityQueue(QUEUED);
    const envelopes = Array.from({ length: 100 }, (_, i) => envelope(`e${i}`, 1));
    queue._pushAt(Job('bare'), 1);
    for (const e of envelopes) queue.push(e);
    for (const e of envelopes) {
      e._state = DONE;
      queue.forget();
    }
    expect(queue.size).toBe(1);
    expect(names(queue.drain())).toEqual(['bare']);
  });

  it('drain also discards tombstones left behind', () => {
    const queue = new PriorityQueue(QUEUED);
    const a = envelope('a', 3);
    queue.push(a);
    queue.push(envelope('b', 3));
    a._state = DONE;
    queue.forget();
    expect(names(queue.drain())).toEqual(['b']);
    queue.push(envelope('c', 3));
    expect(names(queue.drain())).toEqual(['c']);
  });
});
