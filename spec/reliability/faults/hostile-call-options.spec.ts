import { from, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ActorId, isArgumentError, Priority, sendTo, type InMemoryMessageBroker } from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import { bad, thrown, track } from '../../support/promises.js';
import { settle } from '../../support/virtual-time.js';
import {
  cyclic,
  Echo,
  expectBalanced,
  expectPrototypeClean,
  HOSTILE,
  misrefusals,
  Note,
  throwingProxy,
  type Channel,
  workingBrokerOf,
  expectUnharmed,
} from './fault-kit.js';

// Options bags and routing keys of the sending calls, given hostile values.

const makeBroker = brokerFactory();
const ID = ActorId.from(1);

const workingBroker = () => workingBrokerOf(makeBroker, ID);

/** The calls taking send options (timeout and priority), with the channel a refusal must use. */
function sendOptionCalls(
  broker: InMemoryMessageBroker,
  options: unknown,
  reads: 'timeout' | 'priority' | 'both',
): [string, Channel, () => unknown][] {
  const o = bad(options);
  const calls: [string, Channel, () => unknown][] = [
    ['send', 'rejected', () => broker.send(ID, Echo('x'), o)],
    ['send$', 'errored', () => broker.send$(ID, Echo('x'), o)],
    ['broadcast', 'rejected', () => broker.broadcast(Echo('x'), o)],
    ['broadcastFilter', 'rejected', () => broker.broadcastFilter(Echo('x'), () => true, o)],
    ['broadcast$', 'errored', () => broker.broadcast$(Echo('x'), o)],
    ['broadcastFilter$', 'errored', () => broker.broadcastFilter$(Echo('x'), () => true, o)],
    ['publish', 'rejected', () => broker.publish('jobs', Echo('x'), o)],
    ['publish$', 'errored', () => broker.publish$('jobs', Echo('x'), o)],
  ];
  if (reads !== 'timeout') calls.push(['trySend', 'threw', () => broker.trySend(ID, Note('x'), o)]);
  if (reads !== 'priority') {
    calls.push(
      [
        'sendWithRouting',
        'rejected',
        () => broker.sendWithRouting({ topic: 'jobs' }, Echo('x'), o),
      ],
      [
        'sendWithRouting$',
        'errored',
        () => broker.sendWithRouting$({ topic: 'jobs' }, Echo('x'), o),
      ],
    );
  }
  return calls;
}

describe('send options that are hostile values', () => {
  it.each<[string, (withPriority: boolean) => unknown]>([
    [
      'frozen',
      (p) => Object.freeze(p ? { timeout: 100, priority: Priority.High } : { timeout: 100 }),
    ],
    ['cyclic', (p) => cyclic(p ? { timeout: 100, priority: Priority.High } : { timeout: 100 })],
    [
      'parsed from JSON with a "__proto__" key (ignored, not merged)',
      () =>
        JSON.parse(
          '{"__proto__": {"timeout": -1, "priority": 99, "polluted": true}, "timeout": 100}',
        ) as unknown,
    ],
    ['the longest timeout', () => ({ timeout: 2 ** 31 - 1 })],
    ['a fractional timeout', () => ({ timeout: 0.5 })],
  ])('%s: accepted by every call', async (_, make) => {
    const { scheduler, broker } = workingBroker();
    const results = [
      track(broker.send(ID, Echo('a'), bad(make(true)))),
      track(broker.broadcast(Echo('b'), bad(make(true)))),
      track(broker.publish('jobs', Echo('c'), bad(make(true)))),
      track(broker.sendWithRouting({ topic: 'jobs' }, Echo('d'), bad(make(false)))),
    ];
    expect(thrown(() => broker.trySend(ID, Note('e'), bad(make(true))))).toBeUndefined();
    await settle(scheduler);
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true]);
    expect(results[0]?.value).toBe('ok:a');
    expectBalanced(broker);
    expectPrototypeClean();
  });

  it.each<[string, unknown]>([
    ['2^53', 2 ** 53],
    ['Number.MAX_VALUE', Number.MAX_VALUE],
    ['-0', -0],
    ['a bigint', 100n],
    ['a symbol', Symbol('t')],
    ['a function', () => 100],
    ['a Number object', Object(100)],
    ['an object with valueOf', { valueOf: () => 100 }],
  ])('the timeout %s: ArgumentError from every call that takes one', async (_, timeout) => {
    const { scheduler, broker, handled } = workingBroker();
    expect(await misrefusals(sendOptionCalls(broker, { timeout }, 'timeout'), 'timeout')).toEqual(
      [],
    );
    await expectUnharmed(broker, scheduler, handled, ID);
  });

  it.each<[string, unknown]>([
    ['a bigint', 1n],
    ['a symbol', Symbol('p')],
    ['a function', () => 1],
    ['a Number object', Object(1)],
    ['2^53', 2 ** 53],
    ['a name', 'High'],
  ])('the priority %s: ArgumentError from every call that takes one', async (_, priority) => {
    const { scheduler, broker, handled } = workingBroker();
    const calls: [string, Channel, () => unknown][] = [
      ...sendOptionCalls(broker, { priority }, 'priority'),
      ['sendWithPriority', 'rejected', () => broker.sendWithPriority(ID, Echo('x'), bad(priority))],
    ];
    expect(await misrefusals(calls, 'priority')).toEqual([]);
    await expectUnharmed(broker, scheduler, handled, ID);
  });

  it.each<[string, unknown]>([
    ['a function', Object.assign(() => 1, { timeout: 100 })],
    ['a symbol', Symbol('options')],
    ['a bigint', 5n],
    ['a number', 100],
  ])('options that are %s: ArgumentError from every call', async (_, options) => {
    const { scheduler, broker, handled } = workingBroker();
    expect(await misrefusals(sendOptionCalls(broker, options, 'both'), 'options')).toEqual([]);
    await expectUnharmed(broker, scheduler, handled, ID);
  });

  it('options that are a Proxy whose every trap throws: each call fails through its channel', async () => {
    const { scheduler, broker, handled } = workingBroker();
    expect(await misrefusals(sendOptionCalls(broker, throwingProxy(), 'both'))).toEqual([]);
    await expectUnharmed(broker, scheduler, handled, ID);
  });
});

describe('routing keys that are hostile values', () => {
  it.each<[string, () => unknown]>([
    ['frozen', () => Object.freeze({ topic: 'jobs', priority: Priority.Critical })],
    ['cyclic', () => cyclic({ topic: 'jobs', priority: Priority.Low })],
    [
      'parsed from JSON with a "__proto__" key (ignored, not merged)',
      () =>
        JSON.parse(
          '{"__proto__": {"topic": 5, "priority": 99, "polluted": true}, "topic": "jobs"}',
        ) as unknown,
    ],
  ])('%s: routes like a plain key', async (_, make) => {
    const { scheduler, broker } = workingBroker();
    const key = bad(make());
    const answers = [track(broker.sendWithRouting(key, Echo('a')))];
    let viaObservable: unknown;
    broker.sendWithRouting$(key, Echo('b')).subscribe((v) => (viaObservable = v));
    await settle(scheduler);
    expect(answers[0]?.value).toBe('ok:a');
    expect(viaObservable).toBe('ok:b');
    expectBalanced(broker);
    expectPrototypeClean();
  });

  it.each<[string, unknown, string]>([
    ['a function', Object.assign(() => 1, { topic: 'jobs' }), 'routingKey'],
    ['a symbol', Symbol('key'), 'routingKey'],
    ['a bigint', 1n, 'routingKey'],
    ['a bigint topic', { topic: 1n }, 'topic'],
    ['a symbol topic', { topic: Symbol('jobs') }, 'topic'],
    ['a String object topic', { topic: Object('jobs') as unknown }, 'topic'],
    ['a function topic', { topic: () => 'jobs' }, 'topic'],
    ['a bigint priority', { topic: 'jobs', priority: 1n }, 'priority'],
    ['a symbol priority', { topic: 'jobs', priority: Symbol('p') }, 'priority'],
    ['a Number object priority', { topic: 'jobs', priority: Object(1) as unknown }, 'priority'],
  ])('%s: ArgumentError, nothing routed', async (_, key, argument) => {
    const { scheduler, broker, handled } = workingBroker();
    const calls: [string, Channel, () => unknown][] = [
      ['sendWithRouting', 'rejected', () => broker.sendWithRouting(bad(key), Echo('x'))],
      ['sendWithRouting$', 'errored', () => broker.sendWithRouting$(bad(key), Echo('x'))],
    ];
    expect(await misrefusals(calls, argument)).toEqual([]);
    await expectUnharmed(broker, scheduler, handled, ID);
  });

  it('a Proxy whose every trap throws: both calls fail through their channel, nothing routed', async () => {
    const { scheduler, broker, handled } = workingBroker();
    const calls: [string, Channel, () => unknown][] = [
      [
        'sendWithRouting',
        'rejected',
        () => broker.sendWithRouting(bad(throwingProxy()), Echo('x')),
      ],
      [
        'sendWithRouting$',
        'errored',
        () => broker.sendWithRouting$(bad(throwingProxy()), Echo('x')),
      ],
    ];
    expect(await misrefusals(calls)).toEqual([]);
    await expectUnharmed(broker, scheduler, handled, ID);
  });

  it('a key whose priority changes between reads: read once, so it is sent once at the first answer', async () => {
    const { scheduler, broker, handled } = workingBroker();
    let reads = 0;
    const fickle = {
      topic: 'jobs',
      get priority() {
        return reads++ === 0 ? Priority.Normal : bad(7);
      },
    };
    const answer = track(broker.sendWithRouting(fickle, Echo('x')));
    await settle(scheduler);
    expect(reads).toBe(1);
    expect([answer.settled, answer.ok, answer.value]).toEqual([true, true, 'ok:x']);
    expect(handled).toHaveLength(1);
  });
});

describe('sendTo options that are hostile values', () => {
  it.each<[string, unknown, string | undefined]>([
    ['null', null, 'options'],
    ['a Proxy whose every trap throws', throwingProxy(), undefined],
    ['a concurrency of 2^53', { concurrency: 2 ** 53 }, 'concurrency'],
    ['a bigint concurrency', { concurrency: 2n }, 'concurrency'],
    ['a symbol concurrency', { concurrency: Symbol('c') }, 'concurrency'],
  ])('%s: refused when the operator is made', (_, options, argument) => {
    const { broker } = workingBroker();
    const error = thrown(() => sendTo(broker, ID, bad(options)));
    if (error !== HOSTILE) {
      expect(isArgumentError(error), String(error)).toBe(true);
      expect(error).toMatchObject({ argument });
    }
  });

  it('frozen, cyclic and JSON "__proto__" options work', async () => {
    const { scheduler, broker } = workingBroker();
    const bags = [
      Object.freeze({ concurrency: 2 }),
      cyclic({ concurrency: 2 }),
      JSON.parse('{"__proto__": {"concurrency": 0, "timeout": -1}}') as object,
    ];
    for (const options of bags) {
      const results = track(
        lastValueFrom(from([Echo('a'), Echo('b')]).pipe(sendTo(broker, ID, bad(options)))),
      );
      await settle(scheduler);
      expect(results.value).toBe('ok:b');
    }
    expectPrototypeClean();
  });
});
