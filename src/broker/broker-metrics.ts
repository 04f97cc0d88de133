/**
 * Counters of a broker, read with `broker.metrics()`. Once every message has settled,
 * `totalSent === totalDelivered + totalFailed`.
 *
 * @example
 * ```ts
 * const { totalSent, totalDelivered, inFlight, deadLetters } = broker.metrics();
 * console.log(`${totalDelivered}/${totalSent} delivered, ${inFlight} in flight, ${deadLetters} dead`);
 * ```
 */
export interface BrokerMetrics {
  /** Actors registered now. */
  readonly registeredActors: number;
  /** Messages routed, one per target (a broadcast to 10 actors counts 10). */
  readonly totalSent: number;
  /** Messages whose handler gave a result. */
  readonly totalDelivered: number;
  /** Messages that ended in an error (including those withdrawn by their sender). */
  readonly totalFailed: number;
  /**
   * Mean time of the routing step (lookup and enqueue), sampled on one message in 1024 with
   * `performance.now()`, in nanoseconds; 0 before the first sample or with `metrics: false`.
   */
  readonly avgRoutingLatencyNs: number;
  /** Messages routed but not settled yet: queued, waiting for room, or being processed. */
  readonly inFlight: number;
  /** Messages withdrawn by their sender before processing (unsubscribed `send$`); part of `totalFailed`. */
  readonly totalWithdrawn: number;
  /** Dead letters reported so far. */
  readonly deadLetters: number;
}
