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
  /** Always `'ArgumentError'`. */
  override readonly name = 'ArgumentError';
  /** Always `'InvalidArgument'`, so that matching on `kind` covers every rxbroker error. */
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

/** @internal Throws an ArgumentError unless `ok`: one call instead of a throw at every check. */
export function check(ok: boolean, argument: string, expected: string, value: unknown): void {
  if (!ok) throw new ArgumentError(argument, expected, value);
}

function show(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null)
    return Array.isArray(value) ? 'an array' : 'an object';
  return String(value); // numbers, booleans, null, undefined, symbols
}
