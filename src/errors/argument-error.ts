const BRAND = Symbol.for('rxbroker.ArgumentError');

/**
 * Bad input to a public call: a wrong type, an out-of-range number, an unknown option, an invalid
 * topic. Thrown (or, for calls that return a Promise, rejected) before anything is routed, so the
 * broker's state is unchanged.
 *
 * @example
 * ```ts
 * import { Mailbox, isArgumentError } from 'rxbroker';
 * try { Mailbox.bounded(actor, 0); } catch (e) { isArgumentError(e); } // true: capacity must be >= 1
 * ```
 */
export class ArgumentError extends TypeError {
  override readonly name = 'ArgumentError';
  readonly kind = 'InvalidArgument' as const;
  /** The name of the parameter (or option) that was wrong. */
  readonly argument: string;
  /** @internal */
  readonly [BRAND] = true;

  constructor(argument: string, expected: string, received: unknown) {
    super(`Invalid ${argument}: expected ${expected}, received ${show(received)}`);
    this.argument = argument;
  }
}

/**
 * True when `value` is an {@link ArgumentError}, from any copy of the package.
 *
 * @example
 * ```ts
 * import { isArgumentError } from 'rxbroker';
 * if (isArgumentError(err)) console.error(err.argument, err.message);
 * ```
 */
export function isArgumentError(value: unknown): value is ArgumentError {
  return (
    typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true
  );
}

function show(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null)
    return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  return Array.isArray(value) ? 'an array' : 'an object';
}
