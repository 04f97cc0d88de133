import { ArgumentError } from '../../errors/argument-error.js';
import { assertPriority, Priority } from '../../message/priority.js';

/** The longest timer Node (and a browser) accepts, in ms: longer ones fire at once. */
export const MAX_TIMEOUT = 2 ** 31 - 1;

/** The priority of a call's options (Normal when unset); ArgumentError for anything else. */
export function readPriority(options: { readonly priority?: Priority }): Priority {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time, for JavaScript callers
  if (typeof options !== 'object' || options === null)
    throw new ArgumentError('options', 'an object', options);
  const priority = options.priority ?? Priority.Normal;
  assertPriority(priority);
  return priority;
}

/** `value` when it is a timeout a timer can keep (ms, > 0); ArgumentError naming `argument` else. */
export function checkTimeout(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !(value > 0) || value > MAX_TIMEOUT) {
    throw new ArgumentError(argument, `a number of milliseconds > 0 and <= ${MAX_TIMEOUT}`, value);
  }
  return value;
}
