import type { Priority } from '../message/priority.js';

/**
 * Where `sendWithRouting` sends a message: to one subscriber of `topic`, at `priority`.
 *
 * @example
 * ```ts
 * const total = await broker.sendWithRouting({ topic: 'orders.eu.create', priority: Priority.High }, order);
 * ```
 */
export interface RoutingKey {
  /** A subject like `orders.eu.create`: `.`-separated tokens, no wildcards. */
  readonly topic: string;
  /** Default `Priority.Normal`. */
  readonly priority?: Priority;
}
