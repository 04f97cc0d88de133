import { firstValueFrom, isObservable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  DeadLetterQueue,
  defineMessage,
  InMemoryMessageBroker,
  isArgumentError,
  isBrokerError,
  Mailbox,
  sendTo,
} from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import { bad, rejectionOf, thrown } from '../../support/promises.js';

const Echo = defineMessage<string, string>('Echo');
const Note = defineMessage<string, void>('Note');

const makeBroker = brokerFactory();

/** The error a call throws synchronously, rejects with, or errors its Observable with. */
async function errorOf(call: () => unknown): Promise<unknown> {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    return error;
  }
  if (result instanceof Promise) return rejectionOf(result);
  if (isObservable(result)) return rejectionOf(firstValueFrom(result));
  throw new Error('expected the call to fail');
}

const badIds = [-1, 1.5, NaN, Infinity, 2 ** 53, '1', null, undefined];
const notMessages = [
  { type: 'Echo', payload: 'x' },
  JSON.parse(JSON.stringify(Echo('x'))) as unknown,
  'Echo',
  null,
  undefined,
  Echo,
];
const badTimeouts = [0, -1, NaN, Infinity, 2 ** 31, '10'];
// (null and undefined in an options bag mean "the default", like an absent option.)
const badPriorities = [-1, 4, 1.5, NaN, 'High'];

/** A broker with actor 1 answering `ok:<payload>`, subscribed to `jobs`. */
function workingBroker(): InMemoryMessageBroker {
  const broker = makeBroker();
  broker.register(
    ActorId.from(1),
    Mailbox.unbounded({ receive: (m) => `ok:${m.payload as string}` }),
  );
  broker.subscribe(ActorId.from(1), 'jobs');
  return broker;
}

/** The broker routed nothing and still answers. */
async function expectUnharmed(broker: InMemoryMessageBroker): Promise<void> {
  expect(broker.metrics()).toMatchObject({ totalSent: 0, totalFailed: 0, deadLetters: 0 });
  expect(broker.actorIds()).toEqual([1]);
  await expect(broker.send(ActorId.from(1), Echo('still'))).resolves.toBe('ok:still');
  await expect(broker.sendWithRouting({ topic: 'jobs' }, Echo('routed'))).resolves.toBe(
    'ok:routed',
  );
}

describe('bad input gets an ArgumentError and leaves the broker working', () => {
  it.each(badIds)('an invalid actor id (%s) in every call that takes one', async (id) => {
    const broker = workingBroker();
    const calls: (() => unknown)[] = [
      () => broker.send(bad(id), Echo('x')),
      () => broker.sendWithPriority(bad(id), Echo('x'), 1),
      () => broker.trySend(bad(id), Note('x')),
      () => broker.send$(bad(id), Echo('x')),
      () => broker.register(bad(id), Mailbox.unbounded({ receive: () => 1 })),
      () => broker.unregister(bad(id)),
      () => broker.isRegistered(bad(id)),
      () => broker.mailboxOf(bad(id)),
      () => broker.subscribe(bad(id), 'jobs'),
      () => broker.unsubscribe(bad(id), 'jobs'),
      () => broker.subscriptionsOf(bad(id)),
      () => ActorId.from(bad(id)),
    ];
    for (const call of calls) {
      const error = await errorOf(call);
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'actor id' });
    }
    await expectUnharmed(broker);
  });

  it.each(notMessages.map((m, i) => [i, m] as const))(
    'a value that is not a defined message (#%s) in every call that sends',
    async (_, value) => {
      const broker = workingBroker();
      const id = ActorId.from(1);
      const calls: (() => unknown)[] = [
        () => broker.send(id, bad(value)),
        () => broker.sendWithPriority(id, bad(value), 2),
        () => broker.trySend(id, bad(value)),
        () => broker.send$(id, bad(value)),
        () => broker.broadcast(bad(value)),
        () => broker.broadcastFilter(bad(value), () => true),
        () => broker.broadcast$(bad(value)),
        () => broker.broadcastFilter$(bad(value), () => true),
        () => broker.publish('jobs', bad(value)),
        () => broker.publish$('jobs', bad(value)),
        () => broker.sendWithRouting({ topic: 'jobs' }, bad(value)),
        () => broker.sendWithRouting$({ topic: 'jobs' }, bad(value)),
      ];
      for (const call of calls) {
        const error = await errorOf(call);
        expect(isArgumentError(error)).toBe(true);
        expect(error).toMatchObject({ argument: 'message' });
      }
      await expectUnharmed(broker);
    },
  );

  it.each(badTimeouts)('the timeout %s in every call that takes one', async (timeout) => {
    const broker = workingBroker();
    const id = ActorId.from(1);
    const options = { timeout: bad(timeout) };
    const calls: (() => unknown)[] = [
      () => broker.send(id, Echo('x'), options),
      () => broker.send$(id, Echo('x'), options),
      () => broker.broadcast(Echo('x'), options),
      () => broker.broadcastFilter(Echo('x'), () => true, options),
      () => broker.broadcast$(Echo('x'), options),
      () => broker.publish('jobs', Echo('x'), options),
      () => broker.sendWithRouting({ topic: 'jobs' }, Echo('x'), options),
      () => broker.sendWithRouting$({ topic: 'jobs' }, Echo('x'), options),
    ];
    for (const call of calls) {
      const error = await errorOf(call);
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'timeout' });
    }
    await expectUnharmed(broker);
  });

  it.each(badPriorities)('the priority %s in every call that takes one', async (priority) => {
    const broker = workingBroker();
    const id = ActorId.from(1);
    const p = bad(priority);
    const calls: (() => unknown)[] = [
      () => broker.send(id, Echo('x'), { priority: p }),
      () => broker.sendWithPriority(id, Echo('x'), p),
      () => broker.trySend(id, Note('x'), { priority: p }),
      () => broker.send$(id, Echo('x'), { priority: p }),
      () => broker.broadcast(Echo('x'), { priority: p }),
      () => broker.broadcast$(Echo('x'), { priority: p }),
      () => broker.publish('jobs', Echo('x'), { priority: p }),
      () => broker.sendWithRouting({ topic: 'jobs', priority: p }, Echo('x')),
      () => broker.sendWithRouting$({ topic: 'jobs', priority: p }, Echo('x')),
    ];
    for (const call of calls) {
      const error = await errorOf(call);
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'priority' });
    }
    await expectUnharmed(broker);
  });

  it('a missing priority where it is a required argument', async () => {
    const broker = workingBroker();
    for (const p of [null, undefined]) {
      const error = await errorOf(() =>
        broker.sendWithPriority(ActorId.from(1), Echo('x'), bad(p)),
      );
      expect(isArgumentError(error)).toBe(true);
    }
    await expectUnharmed(broker);
  });

  it.each([null, 42, 'fast'])('options that are not an object (%s)', async (options) => {
    const broker = workingBroker();
    const id = ActorId.from(1);
    const calls: (() => unknown)[] = [
      () => broker.send(id, Echo('x'), bad(options)),
      () => broker.trySend(id, Note('x'), bad(options)),
      () => broker.send$(id, Echo('x'), bad(options)),
      () => broker.broadcast(Echo('x'), bad(options)),
      () => broker.publish('jobs', Echo('x'), bad(options)),
      () => broker.sendWithRouting({ topic: 'jobs' }, Echo('x'), bad(options)),
      () => broker.sendWithRouting(bad(options), Echo('x')),
    ];
    for (const call of calls) {
      const error = await errorOf(call);
      expect(isArgumentError(error)).toBe(true);
      expect(['options', 'routingKey']).toContain((error as { argument: string }).argument);
    }
    await expectUnharmed(broker);
  });

  it.each(['', 'a..b', '>.a', 'a.>.b', 'a.*b', 'a b', '.', 7, null])(
    'the invalid topic pattern %j',
    async (pattern) => {
      const broker = workingBroker();
      const id = ActorId.from(1);
      for (const call of [
        () => broker.subscribe(id, bad(pattern)),
        () => broker.unsubscribe(id, bad(pattern)),
      ]) {
        const error = await errorOf(call);
        expect(isArgumentError(error)).toBe(true);
        expect(error).toMatchObject({ argument: 'pattern' });
      }
      expect(broker.subscriptionsOf(id)).toEqual(['jobs']);
      await expectUnharmed(broker);
    },
  );

  it.each(['', 'a.*', 'a.>', 'a..b', 'a b', 7, null])('the invalid topic %j', async (topic) => {
    const broker = workingBroker();
    const calls: (() => unknown)[] = [
      () => broker.publish(bad(topic), Echo('x')),
      () => broker.publish$(bad(topic), Echo('x')),
      () => broker.sendWithRouting({ topic: bad(topic) }, Echo('x')),
      () => broker.sendWithRouting$({ topic: bad(topic) }, Echo('x')),
    ];
    for (const call of calls) {
      const error = await errorOf(call);
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'topic' });
    }
    await expectUnharmed(broker);
  });

  it.each([0, -1, NaN, 1.5, Infinity, '5'])('the capacity %s', (capacity) => {
    const actor = { receive: () => 1 };
    for (const call of [
      () => Mailbox.bounded(actor, bad(capacity)),
      () => new DeadLetterQueue({ capacity: bad(capacity) }),
    ]) {
      const error = thrown(call);
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'capacity' });
    }
  });

  it.each(['drop', 'DROPOLDEST', 'block', '', 1])(
    'the unknown overflow strategy %j',
    (overflow) => {
      const error = thrown(() =>
        Mailbox.bounded({ receive: () => 1 }, 10, { overflow: bad(overflow) }),
      );
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'overflow' });
      expect((error as Error).message).toContain("'dropOldest'");
    },
  );

  it.each([0, -1, 1.5, NaN])('the sendTo concurrency %s', (concurrency) => {
    const broker = workingBroker();
    const error = thrown(() => sendTo(broker, ActorId.from(1), { concurrency }));
    expect(isArgumentError(error)).toBe(true);
    expect(error).toMatchObject({ argument: 'concurrency' });
  });

  it('a broadcast filter that throws gets RoutingFailed, not an ArgumentError', async () => {
    const broker = workingBroker();
    const error = await errorOf(() =>
      broker.broadcastFilter(Echo('x'), () => {
        throw new Error('bad filter');
      }),
    );
    expect(isBrokerError(error, 'RoutingFailed')).toBe(true);
    expect(isArgumentError(error)).toBe(false);
    await expectUnharmed(broker);
  });
});
