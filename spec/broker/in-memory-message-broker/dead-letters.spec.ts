import { NEVER } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  DeadLetterQueue,
  defineMessage,
  isArgumentError,
  isSendError,
  Mailbox,
  type DeadLetter,
} from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import { bad, rejectionOf, thrown, track } from '../../support/promises.js';
import { advanceBy, settle, virtualScheduler } from '../../support/virtual-time.js';

const Job = defineMessage<string, string>('Job');
const Note = defineMessage<string, void>('Note');

const makeBroker = brokerFactory();

describe('InMemoryMessageBroker dead letters', () => {
  it('reports every message that never reached a handler, with its reason, error and time', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler, defaultTimeout: 50 });
    const letters: DeadLetter[] = [];
    broker.deadLetters$.subscribe((l) => letters.push(l));
    const busy = ActorId.from(1);
    const full = ActorId.from(2);
    const leaving = ActorId.from(3);
    broker.register(busy, Mailbox.unbounded({ receive: () => new Promise<never>(() => {}) }));
    broker.register(full, Mailbox.bounded({ receive: () => 'ok' }, 1));
    broker.register(leaving, Mailbox.unbounded({ receive: () => 'ok' }));

    await advanceBy(scheduler, 5);
    const notFound = Job('not-found');
    track(broker.send(ActorId.from(404), notFound));
    track(broker.send(full, Job('kept')));
    track(broker.send(full, Job('full')));
    track(broker.send(leaving, Job('stopped')));
    broker.unregister(leaving);
    track(broker.sendWithRouting({ topic: 'nowhere' }, Job('unrouted')));
    track(broker.send(busy, Job('processing')));
    track(broker.send(busy, Job('timed-out')));
    await advanceBy(scheduler, 50);

    expect(letters.map((l) => [l.message.payload, l.reason, l.at])).toEqual([
      ['not-found', 'ActorNotFound', 5],
      ['full', 'MailboxFull', 5],
      ['stopped', 'ActorStopped', 5],
      ['unrouted', 'RoutingFailed', 5],
      ['timed-out', 'Timeout', 55],
    ]);
    const first = letters[0] as DeadLetter;
    expect(first.actorId).toBe(404);
    expect(first.message).toBe(notFound);
    expect(isSendError(first.error, 'ActorNotFound')).toBe(true);
    expect(letters[3]).toMatchObject({ actorId: undefined, topic: 'nowhere' });
    expect(broker.metrics().deadLetters).toBe(5);
  });

  it('reports a failed fire-and-forget handler as HandlerFailed with the cause', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const letters: DeadLetter[] = [];
    broker.deadLetters$.subscribe((l) => letters.push(l));
    const id = ActorId.from(1);
    const cause = new Error('handler broke');
    broker.register(
      id,
      Mailbox.unbounded({
        receive: () => {
          throw cause;
        },
      }),
    );
    broker.trySend(id, Note('n'));
    await settle(scheduler);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ actorId: id, reason: 'HandlerFailed' });
    expect(letters[0]?.error.cause).toBe(cause);
  });

  it('does not report messages that reached their handler or were withdrawn by their sender', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler, defaultTimeout: 20 });
    const letters: DeadLetter[] = [];
    broker.deadLetters$.subscribe((l) => letters.push(l));
    broker.register(
      ActorId.from(1),
      Mailbox.unbounded({ receive: () => Promise.reject(new Error('x')) }),
    );
    broker.register(ActorId.from(2), Mailbox.unbounded({ receive: () => NEVER }));
    broker.register(ActorId.from(3), Mailbox.unbounded({ receive: () => 'fine' }));
    const failed = track(broker.send(ActorId.from(1), Job('fails'))); // the sender hears it
    const slow = track(broker.send(ActorId.from(2), Job('slow'))); // timed out in the handler
    broker.send$(ActorId.from(3), Job('withdrawn')).subscribe().unsubscribe();
    const fine = track(broker.broadcastFilter(Job('b'), (id) => id === 3));
    await advanceBy(scheduler, 20);
    expect(isSendError(failed.error, 'HandlerFailed')).toBe(true);
    expect(isSendError(slow.error, 'Timeout')).toBe(true);
    expect(fine.value).toHaveLength(1);
    expect(letters).toEqual([]);
    expect(broker.metrics().deadLetters).toBe(0);
  });

  it('is hot: a subscriber sees the dead letters after it subscribed, every subscriber sees each', () => {
    const broker = makeBroker();
    const id = ActorId.from(9);
    thrown(() => broker.trySend(id, Note('before')));
    const a: unknown[] = [];
    const b: unknown[] = [];
    broker.deadLetters$.subscribe((l) => a.push(l.message.payload));
    const sub = broker.deadLetters$.subscribe((l) => b.push(l.message.payload));
    thrown(() => broker.trySend(id, Note('both')));
    sub.unsubscribe();
    thrown(() => broker.trySend(id, Note('only a')));
    expect(a).toEqual(['both', 'only a']);
    expect(b).toEqual(['both']);
    expect(broker.metrics().deadLetters).toBe(3);
  });
});

describe('InMemoryMessageBroker withDeadLetterQueue', () => {
  it('keeps every dead letter in the attached queue and returns the broker for chaining', async () => {
    const queue = new DeadLetterQueue({ capacity: 10 });
    const broker = makeBroker();
    expect(broker.deadLetterQueue).toBeNull();
    expect(broker.withDeadLetterQueue(queue)).toBe(broker);
    expect(broker.deadLetterQueue).toBe(queue);
    await rejectionOf(broker.send(ActorId.from(1), Job('a')));
    thrown(() => broker.trySend(ActorId.from(2), Note('b')));
    const held = queue.toArray();
    expect(held.map((l) => [l.actorId, l.message.payload, l.reason])).toEqual([
      [1, 'a', 'ActorNotFound'],
      [2, 'b', 'ActorNotFound'],
    ]);
  });

  it('feeds the queue and deadLetters$ subscribers alike', () => {
    const queue = new DeadLetterQueue();
    const broker = makeBroker().withDeadLetterQueue(queue);
    const seen: unknown[] = [];
    broker.deadLetters$.subscribe((l) => seen.push(l.message.payload));
    thrown(() => broker.trySend(ActorId.from(1), Note('x')));
    expect(queue.size).toBe(1);
    expect(seen).toEqual(['x']);
  });

  it('throws ArgumentError for something that is not a DeadLetterQueue', () => {
    const broker = makeBroker();
    for (const value of [null, {}, { push: () => undefined }, []]) {
      const error = thrown(() => broker.withDeadLetterQueue(bad(value)));
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'queue' });
    }
    expect(broker.deadLetterQueue).toBeNull();
  });
});
