import type { Observable } from 'rxjs';
import type { ActorId } from '../actor/actor-id.js';
import type { DeadLetter } from '../dead-letter/dead-letter.js';
import type { Mailbox } from '../mailbox/mailbox.js';
import type { Message } from '../message/message.js';
import type { Priority } from '../message/priority.js';
import type { BroadcastResult } from './broadcast-result.js';
import type { BrokerMetrics } from './broker-metrics.js';
import type { RoutingKey } from './routing-key.js';

/**
 * Per-call options of `send`, `send$` and the broadcasts.
 *
 * @example
 * ```ts
 * import { Priority } from 'rxbroker';
 * await broker.send(id, GetBalance({ accountId: 1 }), { timeout: 1_000, priority: Priority.High });
 * ```
 */
export interface SendOptions {
  /** Milliseconds until the call fails with `Timeout`; default: the broker's `defaultTimeout`. */
  readonly timeout?: number;
  /** Default `Priority.Normal`. */
  readonly priority?: Priority;
}

/**
 * Options of `sendWithRouting`: the routing key carries the priority.
 *
 * @example
 * ```ts
 * import { Priority } from 'rxbroker';
 * const key = { topic: 'images.resize', priority: Priority.High };
 * await broker.sendWithRouting(key, Resize({ image: 'a.png' }), { timeout: 500 });
 * ```
 */
export interface RoutedSendOptions {
  /** Milliseconds until the call fails with `Timeout`; default: the broker's `defaultTimeout`. */
  readonly timeout?: number;
}

/**
 * Options of `trySend`: fire-and-forget messages have no timeout.
 *
 * @example
 * ```ts
 * import { Priority } from 'rxbroker';
 * broker.trySend(id, LogEvent({ message: 'cache warmed' }), { priority: Priority.Low });
 * ```
 */
export interface TrySendOptions {
  /** Default `Priority.Normal`. */
  readonly priority?: Priority;
}

/**
 * Routes messages between actors. `InMemoryMessageBroker` implements it inside one process; the
 * NATS broker (`rxbroker/nats`) across processes. Code written against this interface runs on both.
 *
 * @example
 * ```ts
 * import { type MessageBroker } from 'rxbroker';
 * async function balanceOf(broker: MessageBroker, id: ActorId): Promise<number> {
 *   return broker.send(id, GetBalance({ accountId: 1 }));
 * }
 * ```
 */
export interface MessageBroker {
  /**
   * Registers a mailbox under `actorId`. @throws BrokerError `AlreadyRegistered`; ArgumentError.
   * A distributed broker (`NatsMessageBroker`) returns a Promise, which rejects with those errors
   * instead: await the result when the broker may be one.
   */
  register(actorId: ActorId, mailbox: Mailbox): void | Promise<void>;
  /**
   * Removes an actor: its queued messages fail with `ActorStopped`. @throws BrokerError `NotFound`.
   * A distributed broker returns a Promise, which rejects instead.
   */
  unregister(actorId: ActorId): void | Promise<void>;
  /** Sends a message and resolves with its handler's result, or rejects with a `SendError`. */
  send<R>(actorId: ActorId, message: Message<unknown, R>, options?: SendOptions): Promise<R>;
  /** `send` at a priority. */
  sendWithPriority<R>(
    actorId: ActorId,
    message: Message<unknown, R>,
    priority: Priority,
  ): Promise<R>;
  /** Fire-and-forget for messages whose result is `void`. @throws SendError when refused */
  trySend(actorId: ActorId, message: Message<unknown, void>, options?: TrySendOptions): void;
  /** Sends to every registered actor; one result per actor, in registration order. */
  broadcast<R>(message: Message<unknown, R>, options?: SendOptions): Promise<BroadcastResult<R>[]>;
  /** Sends to the actors whose id passes `filter`; one result each, in registration order. */
  broadcastFilter<R>(
    message: Message<unknown, R>,
    filter: (actorId: ActorId) => boolean,
    options?: SendOptions,
  ): Promise<BroadcastResult<R>[]>;
  /** Cold: sends when subscribed; unsubscribing before processing withdraws the message. */
  send$<R>(actorId: ActorId, message: Message<unknown, R>, options?: SendOptions): Observable<R>;
  /** Cold: broadcasts when subscribed, emitting each target's result as it settles. */
  broadcast$<R>(
    message: Message<unknown, R>,
    options?: SendOptions,
  ): Observable<BroadcastResult<R>>;
  /** Cold twin of `broadcastFilter`. */
  broadcastFilter$<R>(
    message: Message<unknown, R>,
    filter: (actorId: ActorId) => boolean,
    options?: SendOptions,
  ): Observable<BroadcastResult<R>>;
  /** Subscribes an actor to a topic pattern (`*` one token, `>` the rest). */
  subscribe(actorId: ActorId, pattern: string): void;
  /** Removes a subscription; false when there was none. */
  unsubscribe(actorId: ActorId, pattern: string): boolean;
  /** Sends to every subscriber of `topic`; one result each. */
  publish<R>(
    topic: string,
    message: Message<unknown, R>,
    options?: SendOptions,
  ): Promise<BroadcastResult<R>[]>;
  /** Cold twin of `publish`. */
  publish$<R>(
    topic: string,
    message: Message<unknown, R>,
    options?: SendOptions,
  ): Observable<BroadcastResult<R>>;
  /** Sends to one subscriber of the key's topic (round-robin) and resolves with its result. */
  sendWithRouting<R>(
    routingKey: RoutingKey,
    message: Message<unknown, R>,
    options?: RoutedSendOptions,
  ): Promise<R>;
  /** Cold twin of `sendWithRouting`. */
  sendWithRouting$<R>(
    routingKey: RoutingKey,
    message: Message<unknown, R>,
    options?: RoutedSendOptions,
  ): Observable<R>;
  /** True when an actor is registered under `actorId`. */
  isRegistered(actorId: ActorId): boolean;
  /** The number of registered actors. */
  registeredCount(): number;
  /** A snapshot of the registered ids, in registration order. */
  actorIds(): ActorId[];
  /** Counters of this broker; see {@link BrokerMetrics}. */
  metrics(): BrokerMetrics;
  /** Every dead letter, as it happens. Completes on `shutdown()`. */
  readonly deadLetters$: Observable<DeadLetter>;
  /** Stops every actor and releases every timer; the broker takes no more work. */
  shutdown(): void;
}
