import type { SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  DeadLetterQueue,
  InMemoryMessageBroker,
  isArgumentError,
  Mailbox,
  type Actor,
  type DeadLetter,
} from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import { bad, thrown, track } from '../../support/promises.js';
import { advanceBy, settle, virtualScheduler } from '../../support/virtual-time.js';
import {
  cyclic,
  Echo,
  expectBalanced,
  expectPrototypeClean,
  HOSTILE,
  Note,
  throwingProxy,
} from './fault-kit.js';

// Options of the constructors (broker, mailbox, dead-letter queue), given hostile values.

const makeBroker = brokerFactory();
const ID = ActorId.from(1);
const echo: Actor = { receive: (m) => `ok:${String(m.payload)}` };

/**
 * `fn` throws an ArgumentError naming `argument`; for a Proxy whose traps throw (`argument`
 * undefined), the trap's own error is accepted too: the broker need not wrap the caller's exception.
 */
function expectArgumentError(fn: () => unknown, argument: string | undefined): void {
  const error = thrown(fn);
  if (error === HOSTILE && argument === undefined) return;
  expect(isArgumentError(error), `expected ArgumentError(${argument}), got ${String(error)}`).toBe(
    true,
  );
  if (argument !== undefined) expect(error).toMatchObject({ argument });
}

describe('broker options that are hostile values', () => {
  type Base = { scheduler: SchedulerLike; logger: null };
  it.each<[string, (base: Base) => object]>([
    [
      'frozen',
      (base) =>
        Object.freeze({
          ...base,
          defaultTimeout: 100,
          capacity: 10,
          deadLetterLogLimit: Object.freeze({ count: 1, interval: 5 }),
        }),
    ],
    [
      'cyclic',
      (base) => cyclic({ ...base, defaultTimeout: 100, deadLetterLogLimit: cyclic({ count: 1 }) }),
    ],
    [
      'parsed from JSON with "__proto__" keys (ignored, not merged)',
      (base) =>
        Object.assign(
          JSON.parse(
            '{"__proto__": {"defaultTimeout": -1, "capacity": -1, "logger": 5, "polluted": true},' +
              ' "defaultTimeout": 100, "deadLetterLogLimit": {"__proto__": {"count": -1}}}',
          ) as object,
          base,
        ),
    ],
    [
      'the largest values',
      (base) => ({ ...base, defaultTimeout: 2 ** 31 - 1, capacity: 2 ** 53 - 1 }),
    ],
  ])('%s: a working broker', async (_, make) => {
    const scheduler = virtualScheduler();
    const options = make({ scheduler, logger: null });
    const broker = new InMemoryMessageBroker(bad(options));
    const again = InMemoryMessageBroker.withCapacity(5, bad(options));
    try {
      broker.register(ID, Mailbox.unbounded(echo));
      const answer = track(broker.send(ID, Echo('x')));
      await settle(scheduler);
      expect(answer.value).toBe('ok:x');
      expect(again.capacity).toBe(5);
      expectPrototypeClean();
    } finally {
      broker.shutdown();
      again.shutdown();
    }
  });

  it('a JSON "__proto__" defaultTimeout is not read: the own one applies', async () => {
    const scheduler = virtualScheduler();
    const options = JSON.parse('{"__proto__": {"defaultTimeout": 5}, "defaultTimeout": 100}') as {
      scheduler?: SchedulerLike;
    };
    options.scheduler = scheduler;
    const broker = new InMemoryMessageBroker(options);
    try {
      broker.register(ID, Mailbox.unbounded({ receive: () => new Promise(() => {}) }));
      const answer = track(broker.send(ID, Echo('x')));
      await advanceBy(scheduler, 99);
      expect(answer.settled).toBe(false);
      await advanceBy(scheduler, 1);
      expect(answer.error).toMatchObject({ kind: 'Timeout' });
    } finally {
      broker.shutdown();
    }
  });

  it.each<[string, unknown, string | undefined]>([
    ['a function as options', Object.assign(() => 1, { defaultTimeout: 5 }), 'options'],
    ['a symbol as options', Symbol('o'), 'options'],
    ['a bigint as options', 1n, 'options'],
    ['a Proxy whose every trap throws', throwingProxy(), undefined],
    ['a defaultTimeout of 2^53', { defaultTimeout: 2 ** 53 }, 'defaultTimeout'],
    ['a bigint defaultTimeout', { defaultTimeout: 100n }, 'defaultTimeout'],
    ['a symbol defaultTimeout', { defaultTimeout: Symbol('t') }, 'defaultTimeout'],
    [
      'a Number object defaultTimeout',
      { defaultTimeout: Object(100) as unknown },
      'defaultTimeout',
    ],
    ['a capacity of 2^53', { capacity: 2 ** 53 }, 'capacity'],
    ['an infinite capacity', { capacity: Infinity }, 'capacity'],
    ['a bigint capacity', { capacity: 10n }, 'capacity'],
    ['a symbol capacity', { capacity: Symbol('c') }, 'capacity'],
    ['a symbol logger', { logger: Symbol('log') }, 'logger'],
    ['an object logger', { logger: { warn: () => undefined } }, 'logger'],
    ['a scheduler of the wrong shape', { scheduler: { now: 1, schedule: 1 } }, 'scheduler'],
    ['a bigint scheduler', { scheduler: 1n }, 'scheduler'],
    ['a Proxy scheduler whose traps throw', { scheduler: throwingProxy() }, undefined],
    ['a function deadLetterLogLimit', { deadLetterLogLimit: () => 1 }, 'deadLetterLogLimit'],
    ['a count of 2^53', { deadLetterLogLimit: { count: 2 ** 53 } }, 'deadLetterLogLimit.count'],
    ['a bigint count', { deadLetterLogLimit: { count: 10n } }, 'deadLetterLogLimit.count'],
    [
      'a symbol interval',
      { deadLetterLogLimit: { interval: Symbol('i') } },
      'deadLetterLogLimit.interval',
    ],
    ['a bigint interval', { deadLetterLogLimit: { interval: 10n } }, 'deadLetterLogLimit.interval'],
    [
      'a Proxy deadLetterLogLimit whose traps throw',
      { deadLetterLogLimit: throwingProxy() },
      undefined,
    ],
  ])('%s: refused with ArgumentError', (_, options, argument) => {
    expectArgumentError(() => new InMemoryMessageBroker(bad(options)), argument);
    expectPrototypeClean();
  });

  it.each<[string, unknown]>([
    ['2^53', 2 ** 53],
    ['a bigint', 10n],
    ['a symbol', Symbol('c')],
    ['a Number object', Object(5)],
  ])('withCapacity with %s: ArgumentError', (_, capacity) => {
    expectArgumentError(() => InMemoryMessageBroker.withCapacity(bad(capacity)), 'capacity');
  });
});

describe('mailbox arguments that are hostile values', () => {
  it.each<[string, () => Actor]>([
    ['a frozen actor', () => Object.freeze({ receive: () => 'frozen' })],
    ['a cyclic actor', () => cyclic({ receive: () => 'cyclic' })],
    [
      'an actor whose receive is inherited',
      () =>
        new (class {
          receive(): string {
            return 'inherited';
          }
        })(),
    ],
  ])('%s works', async (_, make) => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const actor = make();
    broker.register(ID, Mailbox.bounded(actor, 2 ** 53 - 1));
    broker.register(ActorId.from(2), Mailbox.unbounded(actor));
    const answers = [
      track(broker.send(ID, Echo('x'))),
      track(broker.send(ActorId.from(2), Echo('y'))),
    ];
    await settle(scheduler);
    expect(answers.map((a) => a.ok)).toEqual([true, true]);
  });

  it.each<[string, () => object]>([
    ['frozen', () => Object.freeze({ overflow: 'dropOldest' as const })],
    ['cyclic', () => cyclic({ overflow: 'dropOldest' as const })],
    [
      'parsed from JSON with a "__proto__" key (ignored)',
      () => JSON.parse('{"__proto__": {"overflow": "nonsense", "polluted": true}}') as object,
    ],
  ])('bounded options %s work', (_, make) => {
    const mailbox = Mailbox.bounded(echo, 3, bad(make()));
    expect(['dropOldest', 'fail']).toContain(mailbox.overflow);
    expectPrototypeClean();
  });

  it.each<[string, unknown]>([
    ['JSON with "__proto__" holding receive', JSON.parse('{"__proto__": {"receive": "x"}}')],
    ['a function with a receive property', Object.assign(() => 1, { receive: () => 1 })],
    ['a symbol', Symbol('actor')],
    ['a bigint', 1n],
    ['a Proxy whose every trap throws', throwingProxy()],
  ])('an actor that is %s: refused with ArgumentError', (name, actor) => {
    const argument = name.startsWith('a Proxy') ? undefined : 'actor';
    expectArgumentError(() => Mailbox.unbounded(bad(actor)), argument);
    expectArgumentError(() => Mailbox.bounded(bad(actor), 5), argument);
    expectPrototypeClean();
  });

  it.each<[string, unknown]>([
    ['2^53', 2 ** 53],
    ['Number.MAX_VALUE', Number.MAX_VALUE],
    ['a bigint', 10n],
    ['a symbol', Symbol('c')],
    ['a Number object', Object(10)],
  ])('a capacity of %s: ArgumentError', (_, capacity) => {
    expectArgumentError(() => Mailbox.bounded(echo, bad(capacity)), 'capacity');
  });

  it.each<[string, unknown, string | undefined]>([
    ['a function as options', Object.assign(() => 1, { overflow: 'fail' }), 'options'],
    ['a symbol as options', Symbol('o'), 'options'],
    ['a bigint as options', 1n, 'options'],
    ['a Proxy whose every trap throws', throwingProxy(), undefined],
    ['a symbol overflow', { overflow: Symbol('fail') }, 'overflow'],
    ['a String object overflow', { overflow: Object('fail') as unknown }, 'overflow'],
    ['a function overflow', { overflow: () => 'fail' }, 'overflow'],
    ['an inherited name', { overflow: '__proto__' }, 'overflow'],
    ['an inherited method name', { overflow: 'toString' }, 'overflow'],
  ])('%s: refused with ArgumentError', (_, options, argument) => {
    expectArgumentError(() => Mailbox.bounded(echo, 5, bad(options)), argument);
    expectPrototypeClean();
  });
});

describe('DeadLetterQueue options that are hostile values', () => {
  it.each<[string, () => object, number]>([
    ['frozen', () => Object.freeze({ capacity: 2 }), 2],
    ['cyclic', () => cyclic({ capacity: 2 }), 2],
    [
      'parsed from JSON with a "__proto__" key (ignored)',
      () => JSON.parse('{"__proto__": {"capacity": 0, "polluted": true}}') as object,
      1000,
    ],
    ['the largest capacity', () => ({ capacity: 2 ** 53 - 1 }), 2 ** 53 - 1],
  ])('%s: a working queue', async (_, make, capacity) => {
    const queue = new DeadLetterQueue(bad(make()));
    expect(queue.capacity).toBe(capacity);
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler }).withDeadLetterQueue(queue);
    for (let i = 0; i < 3; i++) thrown(() => broker.trySend(ActorId.from(404), Note(String(i))));
    expect(queue.size).toBe(Math.min(3, capacity));
    expect(queue.toArray().every((l: DeadLetter) => l.reason === 'ActorNotFound')).toBe(true);
    expectBalanced(broker);
    expectPrototypeClean();
  });

  it.each<[string, unknown]>([
    ['2^53', 2 ** 53],
    ['a bigint', 10n],
    ['a symbol', Symbol('c')],
    ['a Number object', Object(10)],
  ])('a capacity of %s: ArgumentError', (_, capacity) => {
    expectArgumentError(() => new DeadLetterQueue({ capacity: bad(capacity) }), 'capacity');
  });

  it('options that are not an object: ArgumentError, as from the other constructors', () => {
    const refusedWrongly: string[] = [];
    for (const [name, options] of [
      ['null', null],
      ['a number (a capacity meant as options)', 5],
      ['a string', '100'],
      ['a boolean', true],
      ['a symbol', Symbol('o')],
      ['a bigint', 5n],
    ] as const) {
      const error = thrown(() => new DeadLetterQueue(bad(options)));
      if (!isArgumentError(error) || error.argument !== 'options') {
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- whatever was thrown, as text
        refusedWrongly.push(`${name}: ${error === undefined ? 'accepted' : String(error)}`);
      }
    }
    // The broker and Mailbox.bounded refuse such options with ArgumentError('options').
    expect(thrown(() => new InMemoryMessageBroker(bad(5)))).toMatchObject({ argument: 'options' });
    expect(refusedWrongly).toEqual([]);
  });

  it('options that are a Proxy whose every trap throws: its error, no queue', () => {
    expectArgumentError(() => new DeadLetterQueue(bad(throwingProxy())), undefined);
  });
});
