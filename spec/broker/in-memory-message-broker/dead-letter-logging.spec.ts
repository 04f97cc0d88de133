import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ActorId,
  DeadLetterQueue,
  defineMessage,
  InMemoryMessageBroker,
  isSendError,
  Mailbox,
  type DeadLetter,
  type DeadLetterLogger,
} from 'rxbroker';
import { rejectionOf, thrown, track } from '../../support/promises.js';
import { advanceBy, settle, virtualScheduler } from '../../support/virtual-time.js';

const Note = defineMessage<string, void>('Note');
const Job = defineMessage<string, string>('Job');

const brokers: InMemoryMessageBroker[] = [];
afterEach(() => {
  for (const broker of brokers.splice(0)) {
    try {
      broker.shutdown();
    } catch {
      // Only the tests with a throwing logger get here; what they expect is asserted in them.
    }
  }
  vi.restoreAllMocks();
});

function loggingBroker(options: ConstructorParameters<typeof InMemoryMessageBroker>[0] = {}) {
  const scheduler = virtualScheduler();
  const lines: [string, DeadLetter | undefined][] = [];
  const logger: DeadLetterLogger = (line, letter) => void lines.push([line, letter]);
  const broker = new InMemoryMessageBroker({ scheduler, logger, ...options });
  brokers.push(broker);
  /** Makes `n` dead letters now (fire-and-forget to an actor that does not exist). */
  const lose = (n: number, payload = 'x'): void => {
    for (let i = 0; i < n; i++) thrown(() => broker.trySend(ActorId.from(404), Note(payload)));
  };
  return { scheduler, broker, lines, lose };
}

describe('dead-letter logging', () => {
  it('logs a dead letter nobody listens to, naming message, actor, reason and what to do', () => {
    const { lines, lose } = loggingBroker();
    lose(1);
    expect(lines).toHaveLength(1);
    const [line, letter] = lines[0] as [string, DeadLetter | undefined];
    expect(line).toContain('Note');
    expect(line).toContain('404');
    expect(line).toContain('ActorNotFound');
    expect(line).toMatch(/deadLetters\$/);
    expect(line).toMatch(/DeadLetterQueue/);
    expect(letter).toMatchObject({ actorId: 404, reason: 'ActorNotFound' });
  });

  it('names the topic of a message that found no route', async () => {
    const { broker, lines } = loggingBroker();
    await rejectionOf(broker.sendWithRouting({ topic: 'orders.eu' }, Job('x')));
    expect(lines).toHaveLength(1);
    expect(lines[0]?.[0]).toContain("topic 'orders.eu'");
    expect(lines[0]?.[0]).toContain('RoutingFailed');
  });

  it('does not log while deadLetters$ has a subscriber, and logs again once it leaves', () => {
    const { broker, lines, lose } = loggingBroker();
    const subscription = broker.deadLetters$.subscribe();
    lose(3);
    expect(lines).toEqual([]);
    subscription.unsubscribe();
    lose(1);
    expect(lines).toHaveLength(1);
  });

  it('does not log when a DeadLetterQueue is attached', () => {
    const { broker, lines, lose } = loggingBroker();
    const queue = new DeadLetterQueue();
    broker.withDeadLetterQueue(queue);
    lose(2);
    expect(lines).toEqual([]);
    expect(queue.size).toBe(2);
  });

  it('logs at most 10 a 10 s window by default, then says how many it left out', async () => {
    const { scheduler, lines, lose } = loggingBroker();
    lose(25);
    expect(lines).toHaveLength(10);
    await advanceBy(scheduler, 9_999);
    lose(1);
    expect(lines).toHaveLength(10);
    await advanceBy(scheduler, 1);
    lose(1, 'next window');
    expect(lines).toHaveLength(12);
    expect(lines[10]).toEqual([
      'rxbroker: 16 more dead letters not logged (rate limit)',
      undefined,
    ]);
    expect(lines[11]?.[1]?.message.payload).toBe('next window');
  });

  it('follows a custom deadLetterLogLimit', async () => {
    const { scheduler, lines, lose } = loggingBroker({
      deadLetterLogLimit: { count: 2, interval: 100 },
    });
    lose(5);
    expect(lines).toHaveLength(2);
    await advanceBy(scheduler, 100);
    lose(1);
    expect(lines.map(([line]) => line.startsWith('rxbroker: 3 more'))).toEqual([
      false,
      false,
      true,
      false,
    ]);
    await advanceBy(scheduler, 100);
    lose(1);
    // Nothing was left out in the previous window: no summary line.
    expect(lines).toHaveLength(5);
  });

  it('takes a partial limit, keeping the other default', async () => {
    const { scheduler, lines, lose } = loggingBroker({ deadLetterLogLimit: { interval: 10 } });
    lose(12);
    expect(lines).toHaveLength(10);
    await advanceBy(scheduler, 10);
    lose(1);
    expect(lines).toHaveLength(12);
  });

  it('keeps the error a sender sees when the logger throws', () => {
    const { broker } = loggingBroker({
      logger: () => {
        throw new Error('logger failed');
      },
    });
    const refused = thrown(() => broker.trySend(ActorId.from(404), Note('lost')));
    expect(isSendError(refused, 'ActorNotFound')).toBe(true);
    expect(broker.metrics().deadLetters).toBe(1);
  });

  it('keeps other actors working when the logger throws', async () => {
    const { scheduler, broker } = loggingBroker({
      logger: () => {
        throw new Error('logger failed');
      },
    });
    broker.register(
      ActorId.from(1),
      Mailbox.unbounded({
        receive: () => {
          throw new Error('handler failed');
        },
      }),
    );
    broker.register(ActorId.from(2), Mailbox.unbounded({ receive: () => 'still answering' }));
    broker.trySend(ActorId.from(1), Note('fails: a dead letter the logger chokes on'));
    const other = track(broker.send(ActorId.from(2), Job('x')));
    try {
      await settle(scheduler);
    } catch {
      // A logger's failure may surface, but must not stall other actors.
    }
    await settle(scheduler);
    expect(other.value).toBe('still answering');
  });

  it('logs through console.warn by default', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const broker = new InMemoryMessageBroker({ scheduler: virtualScheduler() });
    brokers.push(broker);
    thrown(() => broker.trySend(ActorId.from(1), Note('x')));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('ActorNotFound');
  });

  it('logs nothing with logger: null', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const broker = new InMemoryMessageBroker({ scheduler: virtualScheduler(), logger: null });
    brokers.push(broker);
    thrown(() => broker.trySend(ActorId.from(1), Note('x')));
    expect(warn).not.toHaveBeenCalled();
    expect(broker.metrics().deadLetters).toBe(1);
  });
});
