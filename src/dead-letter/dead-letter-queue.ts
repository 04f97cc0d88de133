import { ArgumentError } from '../errors/argument-error.js';
import { Ring } from '../mailbox/internal/ring.js';
import type { DeadLetter } from './dead-letter.js';

/**
 * Options of a {@link DeadLetterQueue}.
 *
 * @example
 * ```ts
 * import { DeadLetterQueue } from 'rxbroker';
 * const dlq = new DeadLetterQueue({ capacity: 100 });
 * ```
 */
export interface DeadLetterQueueOptions {
  /** The most dead letters kept; when full, the oldest goes. Default 1000. */
  readonly capacity?: number;
}

/**
 * Keeps the most recent dead letters of the brokers it is attached to, for inspection.
 *
 * @example
 * ```ts
 * import { DeadLetterQueue, InMemoryMessageBroker } from 'rxbroker';
 * const dlq = new DeadLetterQueue({ capacity: 100 });
 * const broker = new InMemoryMessageBroker().withDeadLetterQueue(dlq);
 * // ... later
 * for (const letter of dlq.drain()) console.warn(letter.reason, letter.message.type);
 * ```
 */
export class DeadLetterQueue {
  /** The most dead letters kept. */
  readonly capacity: number;
  readonly #letters = new Ring<DeadLetter>();
  #dropped = 0;

  /**
   * True when `value` is a working DeadLetterQueue: made by this constructor and not frozen.
   * @internal
   */
  static _accepts(value: unknown): value is DeadLetterQueue {
    return (
      typeof value === 'object' && value !== null && #letters in value && !Object.isFrozen(value)
    );
  }

  /** @throws ArgumentError when `options` is not an object or `capacity` not an integer >= 1 */
  constructor(options: DeadLetterQueueOptions = {}) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time, for JavaScript callers
    if (typeof options !== 'object' || options === null) {
      throw new ArgumentError('options', '{ capacity? }', options);
    }
    const capacity = options.capacity ?? 1000;
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new ArgumentError('capacity', 'a safe integer >= 1', capacity);
    }
    this.capacity = capacity;
  }

  /** Dead letters held now. */
  get size(): number {
    return this.#letters.length;
  }

  /** Dead letters pushed out by newer ones since the queue was made. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Adds a dead letter, evicting the oldest when full. */
  push(letter: DeadLetter): void {
    if (this.#letters.length === this.capacity) {
      this.#letters.shift();
      this.#dropped++;
    }
    this.#letters.push(letter);
  }

  /** The dead letters held, oldest first, without removing them. */
  toArray(): DeadLetter[] {
    const all = this.#letters.drain();
    for (const letter of all) this.#letters.push(letter);
    return all;
  }

  /** Removes and returns the dead letters held, oldest first. */
  drain(): DeadLetter[] {
    return this.#letters.drain();
  }

  /** Removes every dead letter held. */
  clear(): void {
    this.#letters.drain();
  }
}
