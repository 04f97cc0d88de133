import { ArgumentError } from '../errors/argument-error.js';
import { deepFreeze } from './internal/deep-freeze.js';

declare const resultType: unique symbol;

/**
 * A message: an immutable `{ type, payload }` whose result type `R` is carried in the type system,
 * so `broker.send` infers what it resolves to. Make one with a {@link defineMessage} factory.
 *
 * @example
 * ```ts
 * import { defineMessage, type Message } from 'rxbroker';
 * const GetBalance = defineMessage<{ accountId: number }, number>('GetBalance');
 * const msg: Message<{ accountId: number }, number> = GetBalance({ accountId: 123 });
 * ```
 */
export interface Message<P = unknown, R = unknown, T extends string = string> {
  /** The message type's name, as given to {@link defineMessage}. */
  readonly type: T;
  /** What the message carries, frozen deeply. */
  readonly payload: P;
  /** Type-level only: the result a handler gives for this message. Never present at run time. */
  readonly [resultType]?: R;
}

/**
 * Any message, whatever its payload and result.
 *
 * @example
 * ```ts
 * import { type AnyMessage } from 'rxbroker';
 * const describe = (msg: AnyMessage): string => `${msg.type} ${JSON.stringify(msg.payload)}`;
 * ```
 */
export type AnyMessage = Message<unknown, unknown>;

/**
 * The result type of a message.
 *
 * @example
 * ```ts
 * import { defineMessage, type ResultOf } from 'rxbroker';
 * const GetBalance = defineMessage<{ accountId: number }, number>('GetBalance');
 * type Balance = ResultOf<ReturnType<typeof GetBalance>>; // number
 * ```
 */
export type ResultOf<M> = M extends Message<unknown, infer R> ? R : never;

/**
 * The payload type of a message.
 *
 * @example
 * ```ts
 * import { defineMessage, type PayloadOf } from 'rxbroker';
 * const GetBalance = defineMessage<{ accountId: number }, number>('GetBalance');
 * type Query = PayloadOf<ReturnType<typeof GetBalance>>; // { accountId: number }
 * ```
 */
export type PayloadOf<M> = M extends Message<infer P, unknown> ? P : never;

/**
 * A callable factory made by {@link defineMessage}: call it to make a message, use `is` to narrow.
 *
 * @example
 * ```ts
 * import { defineMessage, type AnyMessage, type MessageDefinition } from 'rxbroker';
 * const Deposit = defineMessage<{ amount: number }, void>('Deposit');
 * const accepts = (def: MessageDefinition<{ amount: number }, void>, msg: AnyMessage) => def.is(msg);
 * accepts(Deposit, Deposit({ amount: 5 })); // true
 * ```
 */
export interface MessageDefinition<P, R, T extends string = string> {
  /** A new frozen message carrying `payload`. */
  (...payload: [P] extends [void] ? [] : [payload: P]): Message<P, R, T>;
  /** The message type name. */
  readonly type: T;
  /** Type guard: true when `value` is a message of this definition. */
  is(value: unknown): value is Message<P, R, T>;
}

// Symbol.for: a message made by one copy of the package (ESM) is accepted by another (CJS).
const MESSAGE = Symbol.for('rxbroker.message');

class MessageImpl {
  // A private field cannot be inherited or faked: `#made in value` holds only for objects this
  // constructor made, never for Object.create(message) or a Proxy, and costs one hidden-class check.
  readonly #made = true;

  constructor(
    readonly type: string,
    readonly payload: unknown,
  ) {}

  static _made(value: object): boolean {
    return #made in value;
  }
}
// On the prototype too, for a second copy of the package (ESM next to CJS): see isMessage.
Object.defineProperty(MessageImpl.prototype, MESSAGE, { value: true });

/**
 * Defines a message type: `P` is its payload, `R` the result its handler gives.
 * Messages are frozen deeply (immer's `freeze`, down through objects their owner froze shallowly),
 * so one object can be shared by every broadcast target safely.
 *
 * @example
 * ```ts
 * import { defineMessage } from 'rxbroker';
 * const GetBalance = defineMessage<{ accountId: number }, number>('GetBalance');
 * const Shutdown = defineMessage<void, void>('Shutdown');
 * const msg = GetBalance({ accountId: 123 }); // { type: 'GetBalance', payload: { accountId: 123 } }
 * GetBalance.is(msg); // true
 * ```
 * @param type a non-empty name for the message type
 * @throws ArgumentError when `type` is not a non-empty string
 */
export function defineMessage<P = void, R = void, T extends string = string>(
  type: T,
): MessageDefinition<P, R, T> {
  if (typeof type !== 'string' || type.length === 0) {
    throw new ArgumentError('message type', 'a non-empty string', type);
  }
  const create = (payload?: P): Message<P, R, T> =>
    Object.freeze(new MessageImpl(type, deepFreeze(payload))) as unknown as Message<P, R, T>;
  return Object.freeze(
    Object.assign(create, {
      type,
      is: (value: unknown): value is Message<P, R, T> => isMessage(value) && value.type === type,
    }),
  );
}

/**
 * True when `value` was made by a {@link defineMessage} factory.
 *
 * @example
 * ```ts
 * import { isMessage } from 'rxbroker';
 * isMessage({ type: 'GetBalance', payload: {} }); // false: not made by a definition
 * ```
 */
export function isMessage(value: unknown): value is AnyMessage {
  if (typeof value !== 'object' || value === null) return false;
  if (MessageImpl._made(value)) return true;
  try {
    // A message made by another copy of the package: its class's prototype carries the shared
    // brand as its own property (inheriting from a message does not make one), and it is frozen.
    const proto: unknown = Object.getPrototypeOf(value);
    return (
      typeof proto === 'object' &&
      proto !== null &&
      Object.prototype.hasOwnProperty.call(proto, MESSAGE) &&
      Object.isFrozen(value)
    );
  } catch {
    return false; // a Proxy whose traps throw is no message
  }
}

/** @internal */
export function assertMessage(value: unknown): asserts value is AnyMessage {
  if (!isMessage(value)) {
    throw new ArgumentError('message', 'a defineMessage() message', value);
  }
}
