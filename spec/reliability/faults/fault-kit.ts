// Shared helpers of the fault specs: hostile values, outcome channels, broker health checks.

import { isObservable } from 'rxjs';
import { expect } from 'vitest';
import {
  ActorId,
  defineMessage,
  isArgumentError,
  Mailbox,
  type AnyMessage,
  type InMemoryMessageBroker,
  type InMemoryMessageBrokerOptions,
} from 'rxbroker';
import { track } from '../../support/promises.js';
import { settle, virtualScheduler } from '../../support/virtual-time.js';

export const Echo = defineMessage<string, string>('Echo');
export const Note = defineMessage<string, void>('Note');

/** The error a hostile value throws from its traps, recognisable by identity. */
export const HOSTILE = new Error('hostile trap');

/** A Proxy whose every trap throws {@link HOSTILE}: reading, probing or calling it fails. */
export function throwingProxy(): object {
  const fail = (): never => {
    throw HOSTILE;
  };
  return new Proxy(
    {},
    {
      get: fail,
      has: fail,
      ownKeys: fail,
      getOwnPropertyDescriptor: fail,
      getPrototypeOf: fail,
      isExtensible: fail,
      preventExtensions: fail,
      defineProperty: fail,
      set: fail,
      deleteProperty: fail,
      apply: fail,
      construct: fail,
    },
  );
}

/** A Proxy over `target` whose `get` of one of `keys` throws {@link HOSTILE}; all else passes. */
export function throwingGetters<T extends object>(target: T, keys: readonly PropertyKey[]): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      if (keys.includes(key)) throw HOSTILE;
      return Reflect.get(t, key, receiver) as unknown;
    },
  });
}

/** An object that refers to itself. */
export function cyclic<T extends object>(fields: T): T & { self: unknown } {
  const value = { ...fields } as T & { self: unknown };
  value.self = value;
  return value;
}

const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

/** Object.prototype has exactly its standard properties and no injected value shows on `{}`. */
export function expectPrototypeClean(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
  const probe: Record<string, unknown> = {};
  for (const key of ['polluted', 'timeout', 'priority', 'capacity', 'overflow', 'topic', 'type']) {
    expect(probe[key]).toBeUndefined();
  }
}

/** How a call failed (or did not): the channel matters as much as the error. */
type Outcome =
  | { readonly channel: 'threw' | 'rejected' | 'errored'; readonly error: unknown }
  | { readonly channel: 'returned'; readonly value: unknown }
  | { readonly channel: 'pending' };

/** The channel a bad call of each kind must fail through. */
export type Channel = 'threw' | 'rejected' | 'errored';

/**
 * Runs `call` and reports how it ended: a synchronous throw, a rejected Promise, an Observable that
 * errors when subscribed, a plain return (a Promise that resolves, an Observable that emits), or
 * `pending` for a Promise still unsettled after a few microtask turns (refusals are immediate).
 */
async function outcomeOf(call: () => unknown): Promise<Outcome> {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    return { channel: 'threw', error };
  }
  if (result instanceof Promise) {
    const state: { outcome?: Outcome } = {};
    result.then(
      (value: unknown) => (state.outcome = { channel: 'returned', value }),
      (error: unknown) => (state.outcome = { channel: 'rejected', error }),
    );
    for (let i = 0; i < 10 && state.outcome === undefined; i++) await Promise.resolve();
    return state.outcome ?? { channel: 'pending' };
  }
  if (isObservable(result)) {
    let failure: { error: unknown } | undefined;
    const values: unknown[] = [];
    const subscription = result.subscribe({
      next: (value) => values.push(value),
      error: (error: unknown) => (failure = { error }),
    });
    subscription.unsubscribe();
    return failure === undefined
      ? { channel: 'returned', value: values }
      : { channel: 'errored', error: failure.error };
  }
  return { channel: 'returned', value: result };
}

function describeOutcome(outcome: Outcome): string {
  if (outcome.channel === 'returned' || outcome.channel === 'pending') return outcome.channel;
  const error = outcome.error;
  const what =
    error === HOSTILE
      ? 'the hostile trap error'
      : isArgumentError(error)
        ? `ArgumentError(${error.argument})`
        : error instanceof Error
          ? `${error.name}: ${error.message}`
          : String(error);
  return `${outcome.channel} ${what}`;
}

/**
 * Runs each named call with a bad value and lists those that were not refused as they should be:
 * through `channel`, with an ArgumentError naming `argument` (when given) or, for a value whose own
 * trap threw, that very error (the broker need not wrap the caller's own exception). Empty when all
 * were refused properly.
 */
export async function misrefusals(
  calls: readonly (readonly [string, Channel, () => unknown])[],
  argument?: string | readonly string[],
): Promise<string[]> {
  const wrong: string[] = [];
  const names = argument === undefined ? undefined : ([] as string[]).concat(argument);
  for (const [name, channel, call] of calls) {
    const outcome = await outcomeOf(call);
    const error = (outcome as { error?: unknown }).error;
    const typed =
      error === HOSTILE ||
      (isArgumentError(error) && (names === undefined || names.includes(error.argument)));
    if (outcome.channel !== channel || !typed) {
      wrong.push(`${name}: expected ${channel} ArgumentError, got ${describeOutcome(outcome)}`);
    }
  }
  return wrong;
}

/** Every message accounted for: sent = delivered + failed, nothing in flight. */
export function expectBalanced(broker: InMemoryMessageBroker): void {
  const m = broker.metrics();
  expect(m.totalSent).toBe(m.totalDelivered + m.totalFailed);
  expect(m.inFlight).toBe(0);
}

/** Registers a healthy actor that answers `ok:<payload>` and returns its id. */
export function addHealthyActor(broker: InMemoryMessageBroker, id = ActorId.from(999)): ActorId {
  broker.register(id, Mailbox.unbounded({ receive: (m) => `ok:${String(m.payload)}` }));
  return id;
}

/**
 * A broker in virtual time (made by the spec file's `makeBroker`, which shuts it down after the
 * test) with one actor at `id` answering `ok:<payload>`, subscribed to `jobs`, recording what it got.
 */
export function workingBrokerOf(
  makeBroker: (options: InMemoryMessageBrokerOptions) => InMemoryMessageBroker,
  id: ActorId,
): {
  scheduler: ReturnType<typeof virtualScheduler>;
  broker: InMemoryMessageBroker;
  handled: AnyMessage[];
} {
  const scheduler = virtualScheduler();
  const broker = makeBroker({ scheduler });
  const handled: AnyMessage[] = [];
  broker.register(
    id,
    Mailbox.unbounded({
      receive: (m) => {
        handled.push(m);
        return `ok:${String(m.payload)}`;
      },
    }),
  );
  broker.subscribe(id, 'jobs');
  return { scheduler, broker, handled };
}

/**
 * After a refused call on a {@link workingBrokerOf} broker: nothing was routed, no handler ran, the
 * actor and its subscription are still there, and it still answers a send and a routed send.
 */
export async function expectUnharmed(
  broker: InMemoryMessageBroker,
  scheduler: ReturnType<typeof virtualScheduler>,
  handled: AnyMessage[],
  id: ActorId,
): Promise<void> {
  await settle(scheduler);
  expect(handled).toEqual([]);
  expect(broker.metrics()).toMatchObject({ totalSent: 0, deadLetters: 0 });
  expect(broker.actorIds()).toEqual([id]);
  expect(broker.subscriptionsOf(id)).toEqual(['jobs']);
  const answers = [
    track(broker.send(id, Echo('still'))),
    track(broker.sendWithRouting({ topic: 'jobs' }, Echo('still'))),
  ];
  await settle(scheduler);
  expect(answers.map((answer) => answer.value)).toEqual(['ok:still', 'ok:still']);
  expectBalanced(broker);
  expectPrototypeClean();
}
