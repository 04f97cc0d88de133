import { describe, expect, it } from 'vitest';
import {
  ActorId,
  DeadLetterQueue,
  defineMessage,
  isArgumentError,
  SendError,
  type DeadLetter,
} from 'rxbroker';

const Ping = defineMessage<number, void>('Ping');

function letter(n: number): DeadLetter {
  const actorId = ActorId.from(n);
  return {
    actorId,
    message: Ping(n),
    reason: 'ActorNotFound',
    error: new SendError('ActorNotFound', { actorId }),
    at: n,
  };
}

describe('DeadLetterQueue', () => {
  it('holds 1000 dead letters by default and starts empty', () => {
    const queue = new DeadLetterQueue();
    expect(queue.capacity).toBe(1000);
    expect(queue.size).toBe(0);
    expect(queue.dropped).toBe(0);
    expect(queue.toArray()).toEqual([]);
  });

  it('keeps dead letters oldest first; toArray does not remove them', () => {
    const queue = new DeadLetterQueue({ capacity: 5 });
    const letters = [letter(1), letter(2), letter(3)];
    for (const l of letters) queue.push(l);
    expect(queue.size).toBe(3);
    expect(queue.toArray()).toEqual(letters);
    expect(queue.toArray()).toEqual(letters);
    expect(queue.size).toBe(3);
  });

  it('evicts the oldest when full and counts what it dropped', () => {
    const queue = new DeadLetterQueue({ capacity: 2 });
    for (let n = 1; n <= 5; n++) queue.push(letter(n));
    expect(queue.size).toBe(2);
    expect(queue.dropped).toBe(3);
    expect(queue.toArray().map((l) => l.at)).toEqual([4, 5]);
  });

  it('drain removes and returns everything held', () => {
    const queue = new DeadLetterQueue({ capacity: 3 });
    queue.push(letter(1));
    queue.push(letter(2));
    expect(queue.drain().map((l) => l.at)).toEqual([1, 2]);
    expect(queue.size).toBe(0);
    expect(queue.drain()).toEqual([]);
  });

  it('clear removes everything held, without touching dropped', () => {
    const queue = new DeadLetterQueue({ capacity: 1 });
    queue.push(letter(1));
    queue.push(letter(2));
    queue.clear();
    expect(queue.size).toBe(0);
    expect(queue.toArray()).toEqual([]);
    expect(queue.dropped).toBe(1);
  });

  it.each([0, -1, NaN, 1.5, Infinity, '10'])(
    'rejects the capacity %s with ArgumentError',
    (capacity) => {
      let caught: unknown;
      try {
        new DeadLetterQueue({ capacity: capacity as number });
      } catch (error) {
        caught = error;
      }
      expect(isArgumentError(caught)).toBe(true);
      expect(caught).toMatchObject({ argument: 'capacity' });
    },
  );
});
