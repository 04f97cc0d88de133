import { Observable, type SchedulerLike, type Subscriber } from 'rxjs';
import type { ActorContext } from '../actor/actor-context.js';
import { assertActorId, type ActorId } from '../actor/actor-id.js';
import type { DeadLetter } from '../dead-letter/dead-letter.js';
import { DeadLetterQueue } from '../dead-letter/dead-letter-queue.js';
import { ArgumentError, check } from '../errors/argument-error.js';
import { BrokerError } from '../errors/broker-error.js';
import { SendError, type SendErrorKind } from '../errors/send-error.js';
import { Ring } from '../mailbox/internal/ring.js';
import { ACCEPTED, Mailbox, REFUSED } from '../mailbox/mailbox.js';
import { DONE, Envelope, PROCESSING, QUEUED, WAITING } from '../message/internal/envelope.js';
import { assertMessage, type AnyMessage, type Message } from '../message/message.js';
import { assertPriority, Priority } from '../message/priority.js';
import type { BroadcastResult } from './broadcast-result.js';
import type { BrokerMetrics } from './broker-metrics.js';
import { BroadcastBatch } from './internal/broadcast-batch.js';
import { DeadlineHeap } from './internal/deadline-heap.js';
import {
  DeadLetterReporter,
  type DeadLetterLogger,
  type DeadLetterLogLimit,
} from './internal/dead-letter-reporter.js';
import { checkTimeout, readPriority } from './internal/send-options.js';
import { selectActors } from './internal/select-actors.js';
import { parseTopic, TopicRouter } from './internal/topic-router.js';
import { Timekeeper } from './internal/timekeeper.js';
import type {
  MessageBroker,
  RoutedSendOptions,
  SendOptions,
  TrySendOptions,
} from './message-broker.js';
import type { RoutingKey } from './routing-key.js';

/**
 * Options of an {@link InMemoryMessageBroker}.
 *
 * @example
 * ```ts
 * import { InMemoryMessageBroker } from 'rxbroker';
 * const broker = new InMemoryMessageBroker({ defaultTimeout: 1_000, logger: null, metrics: false });
 * ```
 */
export interface InMemoryMessageBrokerOptions {
  /** Milliseconds a `send` or broadcast waits for its result unless told otherwise; default 5000. */
  readonly defaultTimeout?: number;
  /**
   * Where all time comes from: `now()`, timeouts and the scheduling of mailboxes. Pass a
   * `TestScheduler` to run the broker in virtual time. Default: microtasks and RxJS's `asyncScheduler`.
   */
  readonly scheduler?: SchedulerLike;
  /** Expected number of actors. JavaScript maps grow by themselves; this is validated and kept for parity. */
  readonly capacity?: number;
  /** Where dead letters go when nobody listens; default `console.warn`, `null` for nowhere. */
  readonly logger?: DeadLetterLogger | null;
  /** Rate limit of that logging; default 10 lines per 10 000 ms. */
  readonly deadLetterLogLimit?: Partial<DeadLetterLogLimit>;
  /** Sample routing latency for `metrics().avgRoutingLatencyNs`; default true. Counters are always kept. */
  readonly metrics?: boolean;
}

/** @internal Sees every accepted message, for `BrokerTestProbe`. */
export interface BrokerTap {
  _onSent(actorId: ActorId, message: AnyMessage): void;
  _onBroadcast(reached: number, targets: number): void;
}

/** The longest timeout a timer can carry (2^31 - 1 ms, about 24.8 days). */

// The executor of every send's Promise: a shared function, not a closure per message.
let pendingEnvelope: Envelope;
function captureSettlers(
  resolve: (value: unknown) => void,
  reject: (error: unknown) => void,
): void {
  pendingEnvelope._resolve = resolve;
  pendingEnvelope._reject = reject;
}

const defaultLogger: DeadLetterLogger = (line) => console.warn(line);

/**
 * The in-process message broker: a map from actor id to mailbox, one delivery path for every kind
 * of send, one deadline timer for every timeout, and dead letters for every message that reached no
 * handler.
 *
 * @example
 * ```ts
 * import { ActorId, defineMessage, InMemoryMessageBroker, Mailbox } from 'rxbroker';
 * const GetBalance = defineMessage<{ accountId: number }, number>('GetBalance');
 * const broker = new InMemoryMessageBroker({ defaultTimeout: 5_000 });
 * const id = ActorId.create();
 * broker.register(id, Mailbox.bounded({ receive: () => 100 }, 1000));
 * const balance = await broker.send(id, GetBalance({ accountId: 123 })); // 100, typed number
 * broker.shutdown();
 * ```
 */
export class InMemoryMessageBroker implements MessageBroker {
  /**
   * A broker expecting about `capacity` actors (the reference's `with_capacity`).
   *
   * @throws ArgumentError when `capacity` is not an integer >= 0
   */
  static withCapacity(
    capacity: number,
    options: InMemoryMessageBrokerOptions = {},
  ): InMemoryMessageBroker {
    return new InMemoryMessageBroker({ ...options, capacity });
  }

  /** Every dead letter, as it happens. Completes on `shutdown()`. */
  readonly deadLetters$: Observable<DeadLetter>;
  /** The expected number of actors given at construction (0 when none). */
  readonly capacity: number;

  private readonly _actors = new Map<ActorId, Mailbox>();
  private readonly _router = new TopicRouter();
  private readonly _deadlines = new DeadlineHeap();
  private readonly _ready = new Ring<Mailbox>();
  /** Unregistered mailboxes that were still processing a message (see `_retire`). */
  private readonly _retired = new Set<Mailbox>();
  private _retiredSweepAt = 64;
  /** Envelopes sent since the last flush, whose deadline starts at that flush. */
  private readonly _unarmed: Envelope[] = [];
  private readonly _time: Timekeeper;
  private readonly _reporter: DeadLetterReporter;
  private readonly _defaultTimeout: number;
  private readonly _sampling: boolean;
  private _sent = 0;
  private _delivered = 0;
  private _failed = 0;
  private _withdrawn = 0;
  private _routed = 0;
  private _samples = 0;
  private _sampledNs = 0;
  private _isShutdown = false;
  /** @internal */ _taps: BrokerTap[] | null = null;

  /** @throws ArgumentError for an invalid option */
  constructor(options: InMemoryMessageBrokerOptions = {}) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time, for JavaScript callers
    check(typeof options === 'object' && options !== null, 'options', 'an object', options);
    const { scheduler, logger = defaultLogger, metrics = true } = options;
    this._defaultTimeout = checkTimeout(options.defaultTimeout ?? 5000, 'defaultTimeout');
    const capacity = options.capacity ?? 0;
    check(
      Number.isSafeInteger(capacity) && capacity >= 0,
      'capacity',
      'a safe integer >= 0',
      capacity,
    );
    this.capacity = capacity;
    check(
      scheduler === undefined ||
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- null from JavaScript callers
        (typeof scheduler?.now === 'function' && typeof scheduler.schedule === 'function'),
      'scheduler',
      'an RxJS SchedulerLike',
      scheduler,
    );
    check(logger === null || typeof logger === 'function', 'logger', 'a function, or null', logger);
    const given = options.deadLetterLogLimit ?? {};
    check(
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time, for JavaScript callers
      typeof given === 'object' && given !== null,
      'deadLetterLogLimit',
      '{ count?, interval? }',
      given,
    );
    const limit = { count: given.count ?? 10, interval: given.interval ?? 10_000 };
    check(
      Number.isSafeInteger(limit.count) && limit.count >= 0,
      'deadLetterLogLimit.count',
      'a safe integer >= 0',
      limit.count,
    );
    check(
      typeof limit.interval === 'number' && limit.interval > 0,
      'deadLetterLogLimit.interval',
      'a number > 0',
      limit.interval,
    );
    // `metrics: 0` from JavaScript still samples; `performance` is missing in some runtimes.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-boolean-literal-compare, @typescript-eslint/no-unnecessary-condition
    this._sampling = metrics !== false && typeof globalThis.performance?.now === 'function';
    this._reporter = new DeadLetterReporter(logger, limit);
    this.deadLetters$ = this._reporter.subject.asObservable();
    this._time = new Timekeeper(
      scheduler,
      () => this._expire(),
      () => this._flush(),
    );
  }

  /**
   * Attaches a dead-letter queue, which then keeps every dead letter of this broker.
   *
   * @returns this broker, for chaining
   * @throws ArgumentError when `queue` is not a DeadLetterQueue
   */
  withDeadLetterQueue(queue: DeadLetterQueue): this {
    if (!DeadLetterQueue._accepts(queue)) {
      throw new ArgumentError('queue', 'a DeadLetterQueue', queue);
    }
    this._reporter.queue = queue;
    return this;
  }

  /** The attached dead-letter queue, if any. */
  get deadLetterQueue(): DeadLetterQueue | null {
    return this._reporter.queue;
  }

  /**
   * Registers `mailbox` under `actorId`.
   *
   * @throws BrokerError `AlreadyRegistered` when the id is taken; `RoutingFailed` after `shutdown()`
   * @throws ArgumentError for an invalid id, or a mailbox that is not one or was registered before
   */
  register(actorId: ActorId, mailbox: Mailbox): void {
    assertActorId(actorId);
    if (!(mailbox instanceof Mailbox)) throw new ArgumentError('mailbox', 'a Mailbox', mailbox);
    if (this._isShutdown)
      throw new BrokerError('RoutingFailed', { actorId, reason: 'the broker is shut down' });
    if (this._actors.has(actorId)) throw new BrokerError('AlreadyRegistered', { actorId });
    if (!mailbox._open(actorId, this)) {
      throw new ArgumentError('mailbox', 'a mailbox not registered before', mailbox);
    }
    this._actors.set(actorId, mailbox);
  }

  /**
   * Removes an actor. Later sends get `ActorNotFound`; its queued messages fail with
   * `ActorStopped`; the message being processed finishes and its sender gets the result.
   *
   * @throws BrokerError `NotFound` when no actor has this id
   */
  unregister(actorId: ActorId): void {
    assertActorId(actorId);
    const mailbox = this._actors.get(actorId);
    if (mailbox === undefined) throw new BrokerError('NotFound', { actorId });
    this._actors.delete(actorId);
    this._router._removeActor(actorId);
    // Retired first: a shutdown() run by whatever _stop() reports must still find this mailbox.
    if (mailbox.isProcessing) this._retire(mailbox);
    mailbox._stop();
  }

  /** True when an actor is registered under `actorId`. @throws ArgumentError for an invalid id */
  isRegistered(actorId: ActorId): boolean {
    assertActorId(actorId);
    return this._actors.has(actorId);
  }

  /** The number of registered actors. */
  registeredCount(): number {
    return this._actors.size;
  }

  /** A snapshot of the registered ids, in registration order. */
  actorIds(): ActorId[] {
    return Array.from(this._actors.keys());
  }

  /** The mailbox registered under `actorId`, to read its queue depth. */
  mailboxOf(actorId: ActorId): Mailbox | undefined {
    assertActorId(actorId);
    return this._actors.get(actorId);
  }

  /**
   * Sends `message` and resolves with the handler's result, typed by the message definition.
   * Rejects with a `SendError` (`ActorNotFound`, `ActorStopped`, `MailboxFull`, `Timeout`,
   * `HandlerFailed` with the handler's error as `cause`), or an `ArgumentError` for bad input.
   */
  send<R>(actorId: ActorId, message: Message<unknown, R>, options?: SendOptions): Promise<R> {
    let priority: number = Priority.Normal;
    let timeout = this._defaultTimeout;
    if (options !== undefined) {
      try {
        priority = readPriority(options);
        timeout = this._readTimeout(options);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this._request(actorId, message, priority, timeout);
  }

  /** `send` at `priority`. */
  sendWithPriority<R>(
    actorId: ActorId,
    message: Message<unknown, R>,
    priority: Priority,
  ): Promise<R> {
    try {
      assertPriority(priority);
    } catch (error) {
      return Promise.reject(error);
    }
    return this._request(actorId, message, priority, this._defaultTimeout);
  }

  /**
   * Fire-and-forget, for messages whose result is `void`: returns once the message is queued.
   * A failure of its handler becomes a dead letter with reason `HandlerFailed`.
   *
   * @throws SendError `ActorNotFound`, `ActorStopped`, or `MailboxFull` (strategy `'fail'` or
   *   `'backpressure'`; the drop strategies drop a message without throwing)
   * @throws ArgumentError for bad input
   */
  trySend(actorId: ActorId, message: Message<unknown, void>, options?: TrySendOptions): void {
    assertActorId(actorId);
    assertMessage(message);
    const priority = options === undefined ? Priority.Normal : readPriority(options);
    const error = this._deliver(actorId, message, priority, null, false);
    if (error !== null) throw error;
  }

  /**
   * Cold twin of `send`: sends on subscribe, emits the result and completes, or errors with the
   * `SendError`. Unsubscribing before the message is processed withdraws it.
   */
  send$<R>(actorId: ActorId, message: Message<unknown, R>, options?: SendOptions): Observable<R> {
    return new Observable<R>((subscriber) => {
      assertActorId(actorId);
      assertMessage(message);
      const priority = options === undefined ? Priority.Normal : readPriority(options);
      const timeout = options === undefined ? this._defaultTimeout : this._readTimeout(options);
      return this._send$(actorId, message, priority, timeout, subscriber);
    });
  }

  /** Sends to every registered actor; resolves with one result per actor, in registration order. */
  broadcast<R>(message: Message<unknown, R>, options?: SendOptions): Promise<BroadcastResult<R>[]> {
    return this._broadcast(message, options, () => this.actorIds());
  }

  /**
   * Sends to the registered actors whose id passes `filter`. The filter runs for every id before
   * anything is sent, so a filter that throws sends nothing: the call rejects with `RoutingFailed`.
   */
  broadcastFilter<R>(
    message: Message<unknown, R>,
    filter: (actorId: ActorId) => boolean,
    options?: SendOptions,
  ): Promise<BroadcastResult<R>[]> {
    if (typeof filter !== 'function') {
      return Promise.reject(new ArgumentError('filter', 'a function (actorId) => boolean', filter));
    }
    return this._broadcast(message, options, () => selectActors(this.actorIds(), filter));
  }

  /** Cold twin of `broadcast`: emits each target's result as it settles, then completes. */
  broadcast$<R>(
    message: Message<unknown, R>,
    options?: SendOptions,
  ): Observable<BroadcastResult<R>> {
    return this._broadcast$(message, options, () => this.actorIds());
  }

  /** Cold twin of `broadcastFilter`: emits each target's result as it settles, then completes. */
  broadcastFilter$<R>(
    message: Message<unknown, R>,
    filter: (actorId: ActorId) => boolean,
    options?: SendOptions,
  ): Observable<BroadcastResult<R>> {
    return this._broadcast$(message, options, () => {
      if (typeof filter !== 'function')
        throw new ArgumentError('filter', 'a function (actorId) => boolean', filter);
      return selectActors(this.actorIds(), filter);
    });
  }

  /** Cold twin of `publish`: emits each subscriber's result as it settles, then completes. */
  publish$<R>(
    topic: string,
    message: Message<unknown, R>,
    options?: SendOptions,
  ): Observable<BroadcastResult<R>> {
    return this._broadcast$(message, options, () => this._router.match(topic));
  }

  /**
   * Subscribes an actor to a topic pattern: `.`-separated tokens, `*` for one token, `>` (last) for
   * one or more. Subscribing twice to one pattern changes nothing.
   *
   * @throws BrokerError `NotFound` for an unregistered actor; ArgumentError for an invalid pattern
   */
  subscribe(actorId: ActorId, pattern: string): void {
    assertActorId(actorId);
    if (!this._actors.has(actorId)) throw new BrokerError('NotFound', { actorId });
    this._router.subscribe(actorId, pattern);
  }

  /** Removes a subscription; false when there was none. @throws ArgumentError for an invalid pattern */
  unsubscribe(actorId: ActorId, pattern: string): boolean {
    assertActorId(actorId);
    return this._router.unsubscribe(actorId, pattern);
  }

  /** The patterns an actor is subscribed to. */
  subscriptionsOf(actorId: ActorId): string[] {
    assertActorId(actorId);
    return this._router._patternsOf(actorId);
  }

  /** Sends to every subscriber of `topic`: one result each, in order of subscription ([] when none). */
  publish<R>(
    topic: string,
    message: Message<unknown, R>,
    options?: SendOptions,
  ): Promise<BroadcastResult<R>[]> {
    return this._broadcast(message, options, () => this._router.match(topic));
  }

  /**
   * Sends to one subscriber of the key's topic, taking turns among them, and resolves with its
   * result. With no subscriber it rejects with BrokerError `RoutingFailed` and the message becomes a
   * dead letter.
   */
  sendWithRouting<R>(
    routingKey: RoutingKey,
    message: Message<unknown, R>,
    options?: RoutedSendOptions,
  ): Promise<R> {
    let target: { actorId: ActorId; priority: number };
    let timeout: number;
    try {
      timeout = options === undefined ? this._defaultTimeout : this._readRoutedTimeout(options);
      target = this._pick(routingKey, message);
    } catch (error) {
      return Promise.reject(error);
    }
    return this._request(target.actorId, message, target.priority, timeout);
  }

  /** Cold twin of `sendWithRouting`: picks the subscriber and sends when subscribed. */
  sendWithRouting$<R>(
    routingKey: RoutingKey,
    message: Message<unknown, R>,
    options?: RoutedSendOptions,
  ): Observable<R> {
    return new Observable<R>((subscriber) => {
      const timeout =
        options === undefined ? this._defaultTimeout : this._readRoutedTimeout(options);
      const { actorId, priority } = this._pick(routingKey, message);
      return this._send$(actorId, message, priority, timeout, subscriber);
    });
  }

  /** Counters of this broker; see {@link BrokerMetrics}. */
  metrics(): BrokerMetrics {
    return {
      registeredActors: this._actors.size,
      totalSent: this._sent,
      totalDelivered: this._delivered,
      totalFailed: this._failed,
      avgRoutingLatencyNs: this._samples === 0 ? 0 : Math.round(this._sampledNs / this._samples),
      inFlight: this._sent - this._delivered - this._failed,
      totalWithdrawn: this._withdrawn,
      deadLetters: this._reporter.count,
    };
  }

  /** True once `shutdown()` was called. */
  get isShutdown(): boolean {
    return this._isShutdown;
  }

  /**
   * Stops every actor: queued messages fail with `ActorStopped` (dead letters), senders still
   * awaiting a handler get `ActorStopped`, the deadline timer is released and `deadLetters$`
   * completes. Later sends fail with `ActorStopped`; `register` throws. Calling it again does nothing.
   */
  shutdown(): void {
    if (this._isShutdown) return;
    this._isShutdown = true;
    const mailboxes = [...this._actors.values(), ...this._retired];
    this._actors.clear();
    this._retired.clear();
    this._router.clear();
    for (const mailbox of mailboxes) {
      const current = mailbox._halt();
      if (current === null) continue;
      this._handlerStopped(current);
      mailbox._abandon(current);
    }
    // Everything awaited was queued, waiting or being processed by one of those: all settled now.
    this._deadlines.clear();
    this._unarmed.length = 0;
    this._time.cancel();
    this._reporter.subject.complete();
  }

  /**
   * Keeps an unregistered mailbox whose handler is still running, so that `shutdown()` can stop it
   * too. Finished ones are swept out as the set grows, so churn does not make it grow for ever.
   */
  private _retire(mailbox: Mailbox): void {
    const retired = this._retired;
    if (retired.size >= this._retiredSweepAt) {
      for (const old of retired) if (!old.isProcessing) retired.delete(old);
      this._retiredSweepAt = Math.max(64, retired.size * 2);
    }
    retired.add(mailbox);
  }

  /** @internal Adds a tap (the test probe). */
  _addTap(tap: BrokerTap): void {
    (this._taps ?? (this._taps = [])).push(tap);
  }

  // ---- MailboxHost -------------------------------------------------------------------------

  /** @internal */
  _succeed(envelope: Envelope, value: unknown): void {
    if (envelope._state !== DONE) this._conclude(envelope, true, value, false);
  }

  /** @internal */
  _deliveredBare(): void {
    this._delivered++;
  }

  /** @internal */
  _handlerFailed(envelope: Envelope, cause: unknown): void {
    if (envelope._state !== DONE) {
      this._conclude(
        envelope,
        false,
        new SendError('HandlerFailed', this._info(envelope), { cause }),
        false,
      );
    }
  }

  /** @internal */
  _handlerStopped(envelope: Envelope): void {
    if (envelope._state !== DONE) {
      this._conclude(envelope, false, this._error('ActorStopped', envelope), false);
    }
  }

  /** @internal */
  _undeliverable(envelope: Envelope, kind: SendErrorKind): void {
    this._conclude(envelope, false, this._error(kind, envelope), true);
  }

  /** @internal */
  _teardownFailed(mailbox: Mailbox, error: unknown): void {
    this._reporter._diagnose(
      `rxbroker: the handler Observable of actor ${mailbox._id} threw while being unsubscribed`,
      error,
    );
  }

  /** @internal */
  _defer(mailbox: Mailbox): void {
    this._ready.push(mailbox);
    this._time._requestFlush();
  }

  /** @internal */
  _context(mailbox: Mailbox): ActorContext {
    return Object.freeze({ self: mailbox._id, broker: this });
  }

  // ---- the one delivery path ---------------------------------------------------------------

  /**
   * Routes one message to its actor's mailbox: counts it, applies the overflow strategy, arms its
   * deadline. Every send, trySend, broadcast and routed message goes through here. `envelope` is
   * null for fire-and-forget, whose bare message is queued without any allocation.
   * Returns the error when the message was refused (not found, stopped, full), else null.
   */
  private _deliver(
    actorId: ActorId,
    message: AnyMessage,
    priority: number,
    envelope: Envelope | null,
    canWait: boolean,
  ): SendError | null {
    this._sent++;
    const sample = this._sampling && (++this._routed & 1023) === 0;
    const started = sample ? performance.now() : 0;
    const mailbox = this._actors.get(actorId);
    if (mailbox === undefined) {
      const kind = this._isShutdown ? 'ActorStopped' : 'ActorNotFound';
      return this._refuse(envelope ?? new Envelope(message, actorId, priority), kind);
    }
    const outcome = mailbox._offer(envelope ?? message, priority, canWait);
    if (sample) {
      this._samples++;
      this._sampledNs += (performance.now() - started) * 1e6;
    }
    if (envelope !== null) envelope._mailbox = mailbox;
    if (outcome === ACCEPTED) {
      if (envelope !== null && envelope._timeout > 0) {
        this._unarmed.push(envelope);
        this._time._requestFlush();
      }
      if (this._taps !== null) for (const tap of this._taps) tap._onSent(actorId, message);
      return null;
    }
    if (envelope === null) {
      envelope = new Envelope(message, actorId, priority);
      envelope._mailbox = mailbox;
    }
    const error = this._refuse(envelope, 'MailboxFull');
    return outcome === REFUSED ? error : null;
  }

  private _request<R>(
    actorId: ActorId,
    message: Message<unknown, R>,
    priority: number,
    timeout: number,
  ): Promise<R> {
    try {
      assertActorId(actorId);
      assertMessage(message);
    } catch (error) {
      return Promise.reject(error);
    }
    const envelope = new Envelope(message, actorId, priority);
    envelope._timeout = timeout;
    pendingEnvelope = envelope;
    const promise = new Promise<R>(captureSettlers as never);
    this._deliver(actorId, message, priority, envelope, true);
    return promise;
  }

  private _send$<R>(
    actorId: ActorId,
    message: AnyMessage,
    priority: number,
    timeout: number,
    subscriber: Subscriber<R>,
  ): () => void {
    const envelope = new Envelope(message, actorId, priority);
    envelope._timeout = timeout;
    envelope._resolve = (value) => {
      subscriber.next(value as R);
      subscriber.complete();
    };
    envelope._reject = (error) => subscriber.error(error);
    this._deliver(actorId, message, priority, envelope, true);
    return () => this._withdraw(envelope);
  }

  private _broadcast$<R>(
    message: Message<unknown, R>,
    options: SendOptions | undefined,
    targets: () => readonly ActorId[],
  ): Observable<BroadcastResult<R>> {
    return new Observable<BroadcastResult<R>>((subscriber) => {
      assertMessage(message);
      const priority = options === undefined ? Priority.Normal : readPriority(options);
      const timeout = options === undefined ? this._defaultTimeout : this._readTimeout(options);
      const ids = targets();
      const batch = new BroadcastBatch(ids.length, null, subscriber);
      this._fanOut(batch, ids, message, priority, timeout);
      return () => {
        for (const envelope of batch._envelopes) this._withdraw(envelope);
      };
    });
  }

  /**
   * The subscriber of a routing key's topic whose turn it is. With none, the message becomes a
   * dead letter (reason `RoutingFailed`) and this throws the BrokerError its sender gets.
   */
  private _pick(
    routingKey: RoutingKey,
    message: AnyMessage,
  ): { actorId: ActorId; priority: number } {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time, for JavaScript callers
    if (typeof routingKey !== 'object' || routingKey === null) {
      throw new ArgumentError('routingKey', '{ topic, priority? }', routingKey);
    }
    // Each field read once: a getter that changes its answer cannot pass one check and fail the next.
    const topic = routingKey.topic;
    const priority = routingKey.priority ?? Priority.Normal;
    parseTopic(topic);
    assertPriority(priority);
    assertMessage(message);
    const actorId = this._router.pick(topic);
    if (actorId !== undefined) return { actorId, priority };
    const error = new BrokerError('RoutingFailed', {
      topic,
      reason: 'no actor subscribes to this topic',
    });
    this._sent++;
    this._failed++;
    this._reporter._report({
      actorId: undefined,
      topic,
      message,
      reason: 'RoutingFailed',
      error,
      at: this._time.now(),
    });
    throw error;
  }

  private _broadcast<R>(
    message: Message<unknown, R>,
    options: SendOptions | undefined,
    targets: () => readonly ActorId[],
  ): Promise<BroadcastResult<R>[]> {
    let priority: number = Priority.Normal;
    let timeout = this._defaultTimeout;
    let ids: readonly ActorId[];
    try {
      assertMessage(message);
      if (options !== undefined) {
        priority = readPriority(options);
        timeout = this._readTimeout(options);
      }
      ids = targets();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<BroadcastResult<R>[]>((resolve) => {
      const batch = new BroadcastBatch(ids.length, resolve as never, null);
      this._fanOut(batch, ids, message, priority, timeout);
    });
  }

  private _fanOut(
    batch: BroadcastBatch,
    ids: readonly ActorId[],
    message: AnyMessage,
    priority: number,
    timeout: number,
  ): void {
    let reached = 0;
    for (let slot = 0; slot < ids.length; slot++) {
      const actorId = ids[slot] as ActorId;
      const envelope = new Envelope(message, actorId, priority);
      envelope._timeout = timeout;
      envelope._batch = batch;
      envelope._slot = slot;
      if (batch._withdrawable) batch._envelopes.push(envelope);
      if (
        this._deliver(actorId, message, priority, envelope, true) === null &&
        envelope._state !== DONE
      )
        reached++;
    }
    if (this._taps !== null) for (const tap of this._taps) tap._onBroadcast(reached, ids.length);
    batch.start();
  }

  /** Settles an envelope exactly once: counts it, tells its sender, reports a dead letter. */
  private _conclude(envelope: Envelope, ok: boolean, value: unknown, neverHandled: boolean): void {
    envelope._state = DONE;
    if (envelope._heapIndex >= 0) this._deadlines.remove(envelope);
    if (ok) this._delivered++;
    else this._failed++;
    let deadLetter = neverHandled;
    if (envelope._resolve !== null) {
      if (ok) envelope._resolve(value);
      else (envelope._reject as (error: unknown) => void)(value);
    } else if (envelope._batch !== null) {
      envelope._batch._settled(envelope._slot, envelope.actorId, ok, value);
    } else if (!ok) {
      deadLetter = true; // fire-and-forget: nobody else would hear of it
    }
    if (deadLetter) {
      const error = value as SendError;
      this._reporter._report({
        actorId: envelope.actorId,
        message: envelope.message,
        reason: error.kind,
        error,
        at: this._time.now(),
      });
    }
    if (this._deadlines.size === 0) this._time._idle();
  }

  private _refuse(envelope: Envelope, kind: SendErrorKind): SendError {
    const error = this._error(kind, envelope);
    this._conclude(envelope, false, error, true);
    return error;
  }

  /** The sender gave up (unsubscribed) before processing: the message leaves its queue quietly. */
  private _withdraw(envelope: Envelope): void {
    const state = envelope._state;
    if (state !== QUEUED && state !== WAITING) return;
    envelope._state = DONE;
    (envelope._mailbox as Mailbox)._forget(state);
    if (envelope._heapIndex >= 0) this._deadlines.remove(envelope);
    this._failed++;
    this._withdrawn++;
    if (this._deadlines.size === 0) this._time._idle();
  }

  /** The deadline timer fired: every envelope past its deadline fails with `Timeout`. */
  private _expire(): void {
    const now = this._time.now();
    const deadlines = this._deadlines;
    while (deadlines._peekDeadline() <= now) {
      const envelope = deadlines.pop() as Envelope;
      const state = envelope._state;
      const error = this._error('Timeout', envelope);
      if (state === PROCESSING) {
        this._conclude(envelope, false, error, false);
        (envelope._mailbox as Mailbox)._abandon(envelope);
      } else {
        envelope._state = DONE;
        (envelope._mailbox as Mailbox)._forget(state);
        this._conclude(envelope, false, error, true);
      }
    }
    if (deadlines.size > 0) this._time._arm(deadlines._peekDeadline());
  }

  /**
   * Drains the mailboxes that were ready when the flush began (later ones get the next flush), then
   * starts the clock of the messages sent since the last flush that are still unsettled. Reading the
   * clock here, once, instead of once per send, saves a clock read per message; a deadline so
   * computed can only be late, never early, by the synchronous run it was sent in, during which no
   * timer could have fired anyway. Under a TestScheduler the flush runs in the same frame: exact.
   */
  private _flush(): void {
    const ready = this._ready;
    for (let n = ready.length; n > 0; n--) {
      const mailbox = ready.shift() as Mailbox;
      try {
        mailbox._drain();
      } catch (error) {
        // Handler failures are caught where they happen; this is a last guard, so that one
        // mailbox's surprise never strands the others in this flush.
        this._reporter._diagnose(`rxbroker: actor ${mailbox._id} failed unexpectedly`, error);
        mailbox._scheduled = false;
      }
    }
    const unarmed = this._unarmed;
    if (unarmed.length === 0) return;
    let now = -1;
    let earliest = Infinity;
    // pop(), not a loop and `length = 0`: emptying an array by its length costs more than the rest.
    for (let envelope = unarmed.pop(); envelope !== undefined; envelope = unarmed.pop()) {
      if (envelope._state === DONE) continue;
      if (now < 0) now = this._time.now();
      envelope._deadline = now + envelope._timeout;
      this._deadlines.push(envelope);
      if (envelope._deadline < earliest) earliest = envelope._deadline;
    }
    if (earliest !== Infinity) this._time._arm(earliest);
  }

  private _error(kind: SendErrorKind, envelope: Envelope): SendError {
    return new SendError(kind, this._info(envelope));
  }

  private _info(envelope: Envelope): {
    actorId: ActorId;
    messageType: string;
    capacity?: number;
    timeout?: number;
  } {
    const info: { actorId: ActorId; messageType: string; capacity?: number; timeout?: number } = {
      actorId: envelope.actorId,
      messageType: typeOf(envelope.message),
    };
    if (envelope._mailbox !== null && envelope._mailbox.capacity !== Infinity)
      info.capacity = envelope._mailbox.capacity;
    if (envelope._timeout > 0) info.timeout = envelope._timeout;
    return info;
  }

  /** A priority here would be ambiguous next to the routing key's: refuse it rather than ignore it. */
  private _readRoutedTimeout(options: RoutedSendOptions): number {
    const timeout = this._readTimeout(options);
    if ((options as SendOptions).priority !== undefined) {
      throw new ArgumentError(
        'options.priority',
        'no priority here: the routing key carries it',
        (options as SendOptions).priority,
      );
    }
    return timeout;
  }

  private _readTimeout(options: SendOptions): number {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time, for JavaScript callers
    if (typeof options !== 'object' || options === null)
      throw new ArgumentError('options', 'an object', options);
    return options.timeout === undefined
      ? this._defaultTimeout
      : checkTimeout(options.timeout, 'timeout');
  }
}

/** A message's type, read defensively: a Proxy's getter may throw, and errors must still be made. */
function typeOf(message: AnyMessage): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- a forged message's type may be no string
    return String(message.type);
  } catch {
    return '(unreadable type)';
  }
}
