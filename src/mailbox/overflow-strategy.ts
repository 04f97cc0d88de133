import { ArgumentError } from '../errors/argument-error.js';

/**
 * What a bounded mailbox does with a message that finds it full.
 * - `'fail'`: the new message is refused: `send` rejects and `trySend` throws `MailboxFull`.
 * - `'dropNewest'`: the newest message of the lowest priority present (usually the new one) is
 *   dropped; its sender gets `MailboxFull`. `trySend` does not throw.
 * - `'dropOldest'`: the oldest message of the lowest priority present is evicted to make room; its
 *   sender gets `MailboxFull`. A new message of lower priority than everything queued is dropped.
 * - `'backpressure'`: `send` waits for room within its timeout; `trySend` fails with `MailboxFull`.
 *
 * Every dropped or refused message is also a dead letter with reason `MailboxFull`.
 *
 * @example
 * ```ts
 * import { Mailbox, type OverflowStrategy } from 'rxbroker';
 * const overflow: OverflowStrategy = 'dropOldest'; // keep the newest readings
 * broker.register(sensorId, Mailbox.bounded(sensor, 100, { overflow }));
 * ```
 */
export type OverflowStrategy = 'fail' | 'dropNewest' | 'dropOldest' | 'backpressure';

const STRATEGIES: readonly OverflowStrategy[] = [
  'fail',
  'dropNewest',
  'dropOldest',
  'backpressure',
];

/** @internal */
export function assertOverflowStrategy(value: unknown): asserts value is OverflowStrategy {
  if (!STRATEGIES.includes(value as OverflowStrategy)) {
    throw new ArgumentError(
      'overflow',
      `one of ${STRATEGIES.map((s) => `'${s}'`).join(', ')}`,
      value,
    );
  }
}
