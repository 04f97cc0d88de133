import { isObservable, type Observable, type Subscription } from 'rxjs';
import type { Actor } from '../actor/actor.js';
import type { ActorContext } from '../actor/actor-context.js';
import type { ActorId } from '../actor/actor-id.js';
import { ArgumentError } from '../errors/argument-error.js';
import { DONE, Envelope, PROCESSING, QUEUED, WAITING } from '../message/internal/envelope.js';
import { isThenable } from '../message/internal/is-thenable.js';
import type { AnyMessage } from '../message/message.js';
import { Priority } from '../message/priority.js';
import type { MailboxHost } from './internal/mailbox-host.js';
import { PriorityQueue, type QueueEntry } from './internal/priority-queue.js';
import { assertOverflowStrategy, type OverflowStrategy } from './overflow-strategy.js';

/**
 * Options of a bounded mailbox.
 *
 * @example
 * ```ts
 * import { Mailbox } from 'rxbroker';
 * broker.register(id, Mailbox.bounded(worker, 100, { overflow: 'backpressure' }));
 * ```
 */
export interface BoundedMailboxOptions {
  /** What happens when a message finds the mailbox full; default `'fail'`. */
  readonly overflow?: OverflowStrategy;
}

/** @internal Outcome of `_offer`. */
export const ACCEPTED = 0;
/** @internal Refused for being full: `trySend` throws. */
export const REFUSED = 1;
/** @internal Dropped by the overflow strategy: the sender hears of it, `trySend` does not throw. */
export const DROPPED = 2;

const NEW = 0;
const OPEN = 1;
const STOPPED = 2;

// What a handler returned.
const PLAIN = 0;
const THENABLE = 1;
const OBSERVABLE = 2;

/** Messages one drain handles before yielding, so one busy actor cannot starve the rest. */
const THROUGHPUT = 512;

/**
 * An actor's mailbox: a priority queue in front of the actor, which the broker drains one message
 * at a time. Register it with a broker under an id; a mailbox belongs to one registration only.
 *
 * @example
 * ```ts
 * import { Mailbox } from 'rxbroker';
 * broker.register(id, Mailbox.bounded(account, 1000, { overflow: 'dropOldest' }));
 * broker.register(logId, Mailbox.unbounded(logger));
 * ```
 */
export class Mailbox<A extends Actor = Actor> {
  /**
   * A mailbox holding at most `capacity` queued messages (the one being processed not counted).
   *
   * @param actor the actor that receives the messages
   * @param capacity an integer >= 1
   * @param options `overflow`: what happens when full (default `'fail'`)
   * @throws ArgumentError for a missing actor, a capacity that is not an integer >= 1, or an unknown strategy
   */
  static bounded<A extends Actor>(
    actor: A,
    capacity: number,
    options: BoundedMailboxOptions = {},
  ): Mailbox<A> {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new ArgumentError('capacity', 'a safe integer >= 1', capacity);
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time, for JavaScript callers
    if (typeof options !== 'object' || options === null) {
      throw new ArgumentError('options', 'an object', options);
    }
    const overflow = options.overflow ?? 'fail';
    assertOverflowStrategy(overflow);
    return new Mailbox(actor, capacity, overflow);
  }

  /**
   * A mailbox without a bound: it never refuses a message for being full.
   *
   * @throws ArgumentError when `actor` has no `receive` function
   */
  static unbounded<A extends Actor>(actor: A): Mailbox<A> {
    return new Mailbox(actor, Infinity, 'fail');
  }

  /** @internal */ _id = -1 as ActorId;
  /** @internal */ _host: MailboxHost | null = null;
  /** @internal */ _ctx: ActorContext | null = null;
  /** @internal */ _queue: PriorityQueue | null = null;
  /** @internal */ _waiters: PriorityQueue | null = null;
  /** @internal */ _current: Envelope | null = null;
  /** @internal */ _subscription: Subscription | null = null;
  /** @internal */ _scheduled = false;
  /** @internal */ _state = NEW;
  /** @internal True while `actor.receive` runs. */ _receiving = false;
  /** @internal Set by the broker's shutdown: nothing more may start or be awaited. */ _halted = false;
  private _onDone: ((value: unknown) => void) | null = null;
  private _onFail: ((error: unknown) => void) | null = null;

  private constructor(
    /** The actor behind this mailbox. */
    readonly actor: A,
    /** The most messages it queues; `Infinity` for an unbounded mailbox. */
    readonly capacity: number,
    /** What happens when it is full. */
    readonly overflow: OverflowStrategy,
  ) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time, for JavaScript callers
    if (typeof actor !== 'object' || actor === null || typeof actor.receive !== 'function') {
      throw new ArgumentError('actor', 'an Actor, with receive(message, ctx)', actor);
    }
  }

  /** Messages queued (not counting the one being processed, nor senders waiting for room). */
  get size(): number {
    return this._queue === null ? 0 : this._queue.size;
  }

  /** Senders waiting for room (the `'backpressure'` strategy). */
  get waiting(): number {
    return this._waiters === null ? 0 : this._waiters.size;
  }

  /** True while the actor's handler is running. */
  get isProcessing(): boolean {
    return this._current !== null || this._receiving;
  }

  /** True once the mailbox was unregistered; it takes no more messages. */
  get isStopped(): boolean {
    return this._state === STOPPED;
  }

  /** @internal Binds the mailbox to a broker; false when it was registered before. */
  _open(id: ActorId, host: MailboxHost): boolean {
    if (this._state !== NEW) return false;
    this._state = OPEN;
    this._id = id;
    this._host = host;
    return true;
  }

  /**
   * @internal Takes an entry (an envelope, or a bare fire-and-forget message), applying the overflow
   * strategy when full. `canWait`: the sender awaits an answer, so under 'backpressure' it may wait
   * for room (only envelopes can).
   */
  _offer(entry: QueueEntry, priority: number, canWait: boolean): number {
    const queue = this._queue ?? (this._queue = new PriorityQueue(QUEUED));
    if (queue.size < this.capacity) {
      queue._pushAt(entry, priority);
      if (!this._scheduled && this._current === null) {
        this._scheduled = true;
        (this._host as MailboxHost)._defer(this);
      }
      return ACCEPTED;
    }
    switch (this.overflow) {
      case 'backpressure': {
        if (!canWait) return REFUSED;
        const envelope = entry as Envelope;
        envelope._state = WAITING;
        (this._waiters ?? (this._waiters = new PriorityQueue(WAITING))).push(envelope);
        return ACCEPTED;
      }
      case 'dropNewest': {
        const lowest = queue._lowestPriority();
        if (priority <= lowest) return DROPPED;
        this._evict(queue._popAt(lowest), lowest);
        queue._pushAt(entry, priority);
        return ACCEPTED;
      }
      case 'dropOldest': {
        const lowest = queue._lowestPriority();
        if (priority < lowest) return DROPPED;
        this._evict(queue._shiftAt(lowest), lowest);
        queue._pushAt(entry, priority);
        return ACCEPTED;
      }
      default:
        return REFUSED;
    }
  }

  /** @internal An envelope of this mailbox left its queue by settling (timeout, withdrawal). */
  _forget(previousState: number): void {
    if (previousState === QUEUED) {
      (this._queue as PriorityQueue).forget();
      this._admitWaiter();
    } else if (previousState === WAITING) {
      (this._waiters as PriorityQueue).forget();
    }
  }

  /**
   * @internal The current message timed out: an Observable handler is unsubscribed, freeing the
   * actor. The next message starts in a later turn, after every timeout due now has been applied.
   * A teardown that throws is reported, not thrown: it must not stop the broker's timeout loop.
   */
  _abandon(envelope: Envelope): void {
    if (this._current !== envelope || this._subscription === null) return;
    const subscription = this._subscription;
    this._subscription = null;
    this._current = null;
    try {
      subscription.unsubscribe();
    } catch (error) {
      (this._host as MailboxHost)._teardownFailed(this, error);
    }
    this._requestDrain();
  }

  /**
   * @internal For shutdown(): closes the mailbox and returns the envelope being processed, if any,
   * for the broker to end; a handler still inside `receive` ends when it returns (see `_run`).
   */
  _halt(): Envelope | null {
    this._halted = true;
    this._stop();
    return this._current;
  }

  /** @internal Closes the mailbox; what is queued or waiting fails with ActorStopped. */
  _stop(): void {
    if (this._state === STOPPED) return;
    this._state = STOPPED;
    const host = this._host as MailboxHost;
    for (const entry of this._waiters?.drain() ?? [])
      host._undeliverable(entry as Envelope, 'ActorStopped');
    for (const entry of this._queue?.drain() ?? [])
      host._undeliverable(this._wrap(entry), 'ActorStopped');
  }

  /** @internal Processes queued messages, one at a time, until one goes async or the budget runs out. */
  _drain(): void {
    this._scheduled = false;
    const queue = this._queue;
    if (queue === null) return;
    for (let budget = THROUGHPUT; this._current === null && this._state === OPEN; budget--) {
      if (budget === 0) {
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a handler run in this loop may have set it
        if (queue.size > 0 && !this._scheduled) {
          this._scheduled = true;
          (this._host as MailboxHost)._defer(this);
        }
        return;
      }
      const entry = queue.shift();
      if (entry === undefined) return;
      this._admitWaiter();
      this._run(entry);
    }
  }

  private _admitWaiter(): void {
    const waiters = this._waiters;
    if (waiters === null || waiters.size === 0) return;
    const envelope = waiters.shift() as Envelope;
    envelope._state = QUEUED;
    (this._queue as PriorityQueue).push(envelope);
  }

  private _evict(entry: QueueEntry, priority: number): void {
    (this._host as MailboxHost)._undeliverable(this._wrap(entry, priority), 'MailboxFull');
  }

  /** An envelope for a bare message, made only on the rare paths that need one (async, failure). */
  private _wrap(entry: QueueEntry, priority: number = Priority.Normal): Envelope {
    if (entry instanceof Envelope) return entry;
    const envelope = new Envelope(entry, this._id, priority);
    envelope._mailbox = this;
    return envelope;
  }

  private _run(entry: QueueEntry): void {
    const host = this._host as MailboxHost;
    let envelope = entry instanceof Envelope ? entry : null;
    const message: AnyMessage = envelope === null ? (entry as AnyMessage) : envelope.message;
    if (envelope !== null) envelope._state = PROCESSING;
    let result: unknown;
    let kind: number;
    this._receiving = true;
    try {
      result = this.actor.receive(message, this._ctx ?? (this._ctx = host._context(this)));
      // Probed inside the try: a result whose `then` or `subscribe` getter throws fails its message.
      kind =
        result === undefined
          ? PLAIN
          : isThenable(result)
            ? THENABLE
            : isObservable(result)
              ? OBSERVABLE
              : PLAIN;
    } catch (error) {
      this._receiving = false;
      host._handlerFailed(envelope ?? this._wrap(message), error);
      return;
    }
    this._receiving = false;
    if (kind === PLAIN) {
      if (envelope === null) host._deliveredBare();
      else host._succeed(envelope, result);
      return;
    }
    envelope ??= this._wrap(message);
    if (this._halted) {
      // shutdown() ran inside the handler: the broker is gone, the answer can no longer come.
      host._handlerStopped(envelope);
      return;
    }
    this._current = envelope;
    if (kind === THENABLE) this._await(result as PromiseLike<unknown>);
    else this._subscribe(envelope, result as Observable<unknown>);
  }

  /**
   * Waits for a Promise handler. A thenable that is not a native Promise is adopted by one first:
   * then it calls back once, and never synchronously, whatever it does itself.
   */
  private _await(result: PromiseLike<unknown>): void {
    const promise =
      result instanceof Promise
        ? result
        : new Promise<unknown>((resolve, reject) => {
            result.then(resolve, reject);
          });
    // The actor is busy until this one promise settles, so two callbacks per mailbox serve them all.
    promise.then(
      this._onDone ?? (this._onDone = (value) => this._finish(true, value)),
      this._onFail ?? (this._onFail = (error) => this._finish(false, error)),
    );
  }

  private _subscribe(envelope: Envelope, source: Observable<unknown>): void {
    const host = this._host as MailboxHost;
    let last: unknown;
    let synchronous = true;
    const end = (ok: boolean, value: unknown): void => {
      if (this._current !== envelope) return;
      this._current = null;
      this._subscription = null;
      if (ok) host._succeed(envelope, value);
      else host._handlerFailed(envelope, value);
      // Not inline: the next handler starts after this Observable's teardown, not inside it.
      if (!synchronous) this._requestDrain();
    };
    let subscription: Subscription;
    try {
      subscription = source.subscribe({
        next: (value) => (last = value),
        error: (error: unknown) => end(false, error),
        complete: () => end(true, last),
      });
    } catch (error) {
      // Either subscribing failed (the handler failed) or the Observable completed synchronously
      // and then threw in its teardown (the message has its answer; the throw is reported).
      if (this._current === envelope) {
        this._current = null;
        host._handlerFailed(envelope, error);
      } else {
        host._teardownFailed(this, error);
      }
      return;
    } finally {
      synchronous = false;
    }
    if (this._current === envelope) this._subscription = subscription;
  }

  /** A Promise handler settled: always in a microtask of its own, never inside `_run`. */
  private _finish(ok: boolean, value: unknown): void {
    const envelope = this._current as Envelope;
    this._current = null;
    if (envelope._state !== DONE) {
      if (ok) (this._host as MailboxHost)._succeed(envelope, value);
      else (this._host as MailboxHost)._handlerFailed(envelope, value);
    }
    // Through the broker's flush, not inline: an async actor with a deep queue takes turns with
    // the others (and with the event loop) instead of running its whole queue in one microtask chain.
    this._requestDrain();
  }

  private _requestDrain(): void {
    if (this._scheduled || this._queue === null || this._queue.size === 0) return;
    this._scheduled = true;
    (this._host as MailboxHost)._defer(this);
  }
}
