import { describe, expect, it } from 'vitest';
import { ActorId, defineMessage, InMemoryMessageBroker, isArgumentError, Mailbox } from 'rxbroker';
import { bad, thrown, track } from '../../support/promises.js';
import { advanceBy, virtualScheduler } from '../../support/virtual-time.js';

const Ask = defineMessage<void, string>('Ask');

function argumentOf(fn: () => unknown): string | undefined {
  const error = thrown(fn);
  expect(isArgumentError(error)).toBe(true);
  return (error as { argument?: string }).argument;
}

describe('new InMemoryMessageBroker', () => {
  it('works with no options at all', async () => {
    const broker = new InMemoryMessageBroker();
    try {
      const id = ActorId.create();
      broker.register(id, Mailbox.bounded({ receive: () => 'hi' }, 1000));
      await expect(broker.send(id, Ask())).resolves.toBe('hi');
      expect(broker.capacity).toBe(0);
      expect(broker.isShutdown).toBe(false);
    } finally {
      broker.shutdown();
    }
  });

  it('times out after 5000 ms by default', async () => {
    const scheduler = virtualScheduler();
    const broker = new InMemoryMessageBroker({ scheduler, logger: null });
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded({ receive: () => new Promise<never>(() => {}) }));
    const call = track(broker.send(id, Ask()));
    await advanceBy(scheduler, 4999);
    expect(call.settled).toBe(false);
    await advanceBy(scheduler, 1);
    expect(call.error).toMatchObject({ kind: 'Timeout', info: { timeout: 5000 } });
    broker.shutdown();
  });

  it.each([0, -1, NaN, Infinity, 2 ** 31, '100'])('rejects the defaultTimeout %s', (value) => {
    expect(argumentOf(() => new InMemoryMessageBroker({ defaultTimeout: bad(value) }))).toBe(
      'defaultTimeout',
    );
  });

  it('accepts the longest timeout a timer can carry', () => {
    const broker = new InMemoryMessageBroker({ defaultTimeout: 2 ** 31 - 1, logger: null });
    broker.shutdown();
  });

  it.each([-1, 1.5, NaN, Infinity, '10'])('rejects the capacity %s', (value) => {
    expect(argumentOf(() => new InMemoryMessageBroker({ capacity: bad(value) }))).toBe('capacity');
    expect(argumentOf(() => InMemoryMessageBroker.withCapacity(bad(value)))).toBe('capacity');
  });

  it.each([null, 42, {}, { now: () => 0 }, { schedule: () => undefined }])(
    'rejects a scheduler that is not a SchedulerLike (%s)',
    (value) => {
      expect(argumentOf(() => new InMemoryMessageBroker({ scheduler: bad(value) }))).toBe(
        'scheduler',
      );
    },
  );

  it.each(['console', 42, {}])('rejects the logger %s', (value) => {
    expect(argumentOf(() => new InMemoryMessageBroker({ logger: bad(value) }))).toBe('logger');
  });

  it.each([
    [{ count: -1 }, 'deadLetterLogLimit.count'],
    [{ count: 1.5 }, 'deadLetterLogLimit.count'],
    [{ count: NaN }, 'deadLetterLogLimit.count'],
    [{ interval: 0 }, 'deadLetterLogLimit.interval'],
    [{ interval: -5 }, 'deadLetterLogLimit.interval'],
    [{ interval: NaN }, 'deadLetterLogLimit.interval'],
    [{ interval: '1000' }, 'deadLetterLogLimit.interval'],
  ])('rejects the deadLetterLogLimit %j', (limit, argument) => {
    expect(argumentOf(() => new InMemoryMessageBroker({ deadLetterLogLimit: bad(limit) }))).toBe(
      argument,
    );
  });

  it.each([null, 5, 'fast'])('rejects options that are not an object (%s)', (value) => {
    expect(argumentOf(() => new InMemoryMessageBroker(bad(value)))).toBe('options');
  });
});

describe('InMemoryMessageBroker.withCapacity', () => {
  it('makes a working broker that remembers the expected number of actors', async () => {
    const broker = InMemoryMessageBroker.withCapacity(100, { logger: null });
    try {
      expect(broker).toBeInstanceOf(InMemoryMessageBroker);
      expect(broker.capacity).toBe(100);
      const id = ActorId.from(1);
      broker.register(id, Mailbox.unbounded({ receive: () => 'ok' }));
      await expect(broker.send(id, Ask())).resolves.toBe('ok');
    } finally {
      broker.shutdown();
    }
  });

  it('accepts 0 and passes the other options on', async () => {
    const scheduler = virtualScheduler();
    const broker = InMemoryMessageBroker.withCapacity(0, {
      scheduler,
      defaultTimeout: 7,
      logger: null,
    });
    expect(broker.capacity).toBe(0);
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded({ receive: () => new Promise<never>(() => {}) }));
    const call = track(broker.send(id, Ask()));
    await advanceBy(scheduler, 7);
    expect(call.error).toMatchObject({ kind: 'Timeout', info: { timeout: 7 } });
    broker.shutdown();
  });
});
