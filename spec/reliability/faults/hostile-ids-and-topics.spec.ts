import { describe, expect, it } from 'vitest';
import { ActorId, Mailbox } from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import { bad, track } from '../../support/promises.js';
import { settle } from '../../support/virtual-time.js';
import {
  Echo,
  expectBalanced,
  expectPrototypeClean,
  misrefusals,
  Note,
  throwingProxy,
  type Channel,
  workingBrokerOf,
  expectUnharmed,
} from './fault-kit.js';

// Actor ids, topics and subscription patterns given hostile values.

const makeBroker = brokerFactory();
const ID = ActorId.from(1);

const workingBroker = () => workingBrokerOf(makeBroker, ID);

describe('actor ids that are hostile values', () => {
  it.each<[string, () => unknown]>([
    ['a symbol', () => Symbol('id')],
    ['a bigint', () => 1n],
    ['a function', () => () => 1],
    ['a Number object', () => Object(1) as unknown],
    ['a frozen Number object', () => Object.freeze(Object(1) as unknown)],
    ['an object with valueOf', () => ({ valueOf: () => 1 })],
    ['a Proxy whose every trap throws', () => throwingProxy()],
    [
      'JSON with a "__proto__" key',
      () => JSON.parse('{"__proto__": {"valueOf": 1}, "id": 1}') as unknown,
    ],
  ])('%s: ArgumentError from every call that takes an id', async (_, make) => {
    const { scheduler, broker, handled } = workingBroker();
    const id = bad(make());
    const calls: [string, Channel, () => unknown][] = [
      ['send', 'rejected', () => broker.send(id, Echo('x'))],
      ['sendWithPriority', 'rejected', () => broker.sendWithPriority(id, Echo('x'), 1)],
      ['trySend', 'threw', () => broker.trySend(id, Note('x'))],
      ['send$', 'errored', () => broker.send$(id, Echo('x'))],
      ['register', 'threw', () => broker.register(id, Mailbox.unbounded({ receive: () => 1 }))],
      ['unregister', 'threw', () => broker.unregister(id)],
      ['isRegistered', 'threw', () => broker.isRegistered(id)],
      ['mailboxOf', 'threw', () => broker.mailboxOf(id)],
      ['subscribe', 'threw', () => broker.subscribe(id, 'jobs')],
      ['unsubscribe', 'threw', () => broker.unsubscribe(id, 'jobs')],
      ['subscriptionsOf', 'threw', () => broker.subscriptionsOf(id)],
      ['ActorId.from', 'threw', () => ActorId.from(id)],
    ];
    expect(await misrefusals(calls, 'actor id')).toEqual([]);
    expect(ActorId.is(id)).toBe(false);
    await expectUnharmed(broker, scheduler, handled, ID);
  });

  it('the largest safe integer is a working id, and -0 is the id 0', async () => {
    const { scheduler, broker } = workingBroker();
    const top = ActorId.from(Number.MAX_SAFE_INTEGER);
    broker.register(top, Mailbox.unbounded({ receive: () => 'top' }));
    broker.register(ActorId.from(-0), Mailbox.unbounded({ receive: () => 'zero' }));
    const answers = [
      track(broker.send(top, Echo('x'))),
      track(broker.send(ActorId.from(0), Echo('y'))),
    ];
    await settle(scheduler);
    expect(answers.map((a) => a.value)).toEqual(['top', 'zero']);
    expect(broker.isRegistered(ActorId.from(0))).toBe(true);
  });
});

describe('topics and patterns that are hostile values', () => {
  it.each<[string, () => unknown]>([
    ['a symbol', () => Symbol('jobs')],
    ['a bigint', () => 1n],
    ['a function', () => () => 'jobs'],
    ['a String object', () => Object('jobs') as unknown],
    ['an object with toString', () => ({ toString: () => 'jobs' })],
    ['a Proxy whose every trap throws', () => throwingProxy()],
  ])('%s as a topic or pattern: ArgumentError everywhere', async (_, make) => {
    const { scheduler, broker, handled } = workingBroker();
    const value = bad(make());
    const topicCalls: [string, Channel, () => unknown][] = [
      ['publish', 'rejected', () => broker.publish(value, Echo('x'))],
      ['publish$', 'errored', () => broker.publish$(value, Echo('x'))],
      ['sendWithRouting', 'rejected', () => broker.sendWithRouting({ topic: value }, Echo('x'))],
      ['sendWithRouting$', 'errored', () => broker.sendWithRouting$({ topic: value }, Echo('x'))],
    ];
    const patternCalls: [string, Channel, () => unknown][] = [
      ['subscribe', 'threw', () => broker.subscribe(ID, value)],
      ['unsubscribe', 'threw', () => broker.unsubscribe(ID, value)],
    ];
    expect(await misrefusals(topicCalls, 'topic')).toEqual([]);
    expect(await misrefusals(patternCalls, 'pattern')).toEqual([]);
    await expectUnharmed(broker, scheduler, handled, ID);
  });

  it('tokens named like Object.prototype members route as plain names', async () => {
    const { scheduler, broker } = workingBroker();
    const a = ActorId.from(2);
    const b = ActorId.from(3);
    broker.register(a, Mailbox.unbounded({ receive: () => 'a' }));
    broker.register(b, Mailbox.unbounded({ receive: () => 'b' }));
    broker.subscribe(a, '__proto__');
    broker.subscribe(a, 'constructor.*');
    broker.subscribe(b, 'hasOwnProperty.>');
    broker.subscribe(b, 'toString');
    const results = [
      track(broker.publish('__proto__', Echo('1'))),
      track(broker.publish('constructor.prototype', Echo('2'))),
      track(broker.publish('hasOwnProperty.x.y', Echo('3'))),
      track(broker.publish('toString', Echo('4'))),
      track(broker.publish('valueOf', Echo('5'))),
      track(broker.sendWithRouting({ topic: '__proto__' }, Echo('6'))),
    ];
    await settle(scheduler);
    expect(
      results.slice(0, 5).map((r) => (r.value as { actorId: number }[]).map((x) => x.actorId)),
    ).toEqual([[a], [a], [b], [b], []]);
    expect(results[5]?.value).toBe('a');
    expect(broker.subscriptionsOf(a)).toEqual(['__proto__', 'constructor.*']);
    expectBalanced(broker);
    expectPrototypeClean();
  });
});
