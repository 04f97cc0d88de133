import type { ActorId } from '../actor/actor-id.js';
import type { InMemoryMessageBroker } from '../broker/in-memory-message-broker.js';
import { ArgumentError } from '../errors/argument-error.js';
import type { AnyMessage } from '../message/message.js';

/**
 * What the probe saw of one broadcast (or publish).
 *
 * @example
 * ```ts
 * import { BrokerTestProbe } from 'rxbroker/testing';
 * const probe = new BrokerTestProbe(broker);
 * await broker.broadcast(Ping());
 * probe.broadcasts; // [{ reached: 3, targets: 3 }] with three actors registered
 * ```
 */
export interface ProbedBroadcast {
  /** Targets whose mailbox took the message. */
  readonly reached: number;
  /** Targets the broadcast was addressed to. */
  readonly targets: number;
}

/**
 * Watches a broker from the moment it is made: which messages each actor's mailbox took, and how
 * many actors each broadcast reached. The assertions return booleans, as in the reference, so they
 * work with any test framework.
 *
 * @example
 * ```ts
 * import { BrokerTestProbe } from 'rxbroker/testing';
 * const probe = new BrokerTestProbe(broker);
 * for (let i = 0; i < 5; i++) broker.trySend(id, Tick());
 * expect(probe.assertSent(id, 5)).toBe(true);
 * ```
 */
export class BrokerTestProbe {
  private readonly _sent = new Map<ActorId, AnyMessage[]>();
  private readonly _broadcasts: ProbedBroadcast[] = [];

  /**
   * Starts watching `broker`; what happened before is not seen.
   *
   * @param broker the broker to watch
   * @throws ArgumentError when `broker` is not an InMemoryMessageBroker
   */
  constructor(
    /** The broker watched. */
    readonly broker: InMemoryMessageBroker,
  ) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time, for JavaScript callers
    if (typeof broker !== 'object' || broker === null || typeof broker._addTap !== 'function') {
      throw new ArgumentError('broker', 'an InMemoryMessageBroker', broker);
    }
    broker._addTap(this);
  }

  /** True when exactly `expected` messages were taken by `actorId`'s mailbox since the probe was made. */
  assertSent(actorId: ActorId, expected: number): boolean {
    return this.sentCount(actorId) === expected;
  }

  /** True when the latest broadcast (or publish) reached exactly `expected` actors. */
  assertBroadcast(expected: number): boolean {
    const last = this._broadcasts[this._broadcasts.length - 1];
    return last !== undefined && last.reached === expected;
  }

  /** Messages taken by `actorId`'s mailbox since the probe was made. */
  sentCount(actorId: ActorId): number {
    return this._sent.get(actorId)?.length ?? 0;
  }

  /** Those messages, in the order they were sent. */
  sentMessages(actorId: ActorId): readonly AnyMessage[] {
    return this._sent.get(actorId) ?? [];
  }

  /** Every broadcast seen, oldest first. */
  get broadcasts(): readonly ProbedBroadcast[] {
    return this._broadcasts;
  }

  /** Forgets what was seen so far. */
  reset(): void {
    this._sent.clear();
    this._broadcasts.length = 0;
  }

  /** @internal */
  _onSent(actorId: ActorId, message: AnyMessage): void {
    const list = this._sent.get(actorId);
    if (list === undefined) this._sent.set(actorId, [message]);
    else list.push(message);
  }

  /** @internal */
  _onBroadcast(reached: number, targets: number): void {
    this._broadcasts.push({ reached, targets });
  }
}
