import { config } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ActorId,
  DeadLetterQueue,
  isSendError,
  Mailbox,
  type DeadLetter,
  type InMemoryMessageBroker,
} from 'rxbroker';
import { createTestScheduler } from 'rxbroker/testing';
import { brokerFactory } from '../../support/brokers.js';
import { bad, thrown, track } from '../../support/promises.js';
import { advanceBy, settle, virtualScheduler } from '../../support/virtual-time.js';
import { Echo, expectBalanced, HOSTILE, Note, throwingProxy } from './fault-kit.js';

const makeBroker = brokerFactory();
const MISSING = ActorId.from(404);
const HEALTHY = ActorId.from(1);
const FAILING = ActorId.from(2);

/** Registers an actor answering `ok:<payload>` and one whose handler always throws. */
function populate(broker: InMemoryMessageBroker): void {
  broker.register(HEALTHY, Mailbox.unbounded({ receive: (m) => `ok:${String(m.payload)}` }));
  broker.register(
    FAILING,
    Mailbox.unbounded({
      receive: () => {
        throw new Error('handler failed');
      },
    }),
  );
}

/**
 * RxJS reports an error thrown by an observer through `config.onUnhandledError`, on its timeout
 * provider, which `TestScheduler.run` makes virtual: inside `run` it is caught here, in order.
 */
describe('observers that throw', () => {
  const reported: unknown[] = [];
  let previous: typeof config.onUnhandledError;
  beforeEach(() => {
    previous = config.onUnhandledError;
    reported.length = 0;
    config.onUnhandledError = (error) => reported.push(error);
  });
  afterEach(() => {
    config.onUnhandledError = previous;
  });

  it('a deadLetters$ subscriber that throws: other subscribers, the queue and senders all still hear', () => {
    const scheduler = createTestScheduler((a, e) => expect(a).toEqual(e));
    const queue = new DeadLetterQueue();
    const seen: DeadLetter[] = [];
    const outcomes: string[] = [];
    let broker!: InMemoryMessageBroker;
    scheduler.run(() => {
      broker = makeBroker({ scheduler }).withDeadLetterQueue(queue);
      populate(broker);
      broker.deadLetters$.subscribe(() => {
        throw HOSTILE;
      });
      broker.deadLetters$.subscribe((letter) => seen.push(letter));

      const refused = thrown(() => broker.trySend(MISSING, Note('lost')));
      outcomes.push(isSendError(refused) ? refused.kind : 'no error');
      broker.send$(MISSING, Echo('lost too')).subscribe({
        error: (e: unknown) => outcomes.push(isSendError(e) ? e.kind : String(e)),
      });
      broker.trySend(FAILING, Note('fails')); // a HandlerFailed dead letter, when handled
      broker.send$(HEALTHY, Echo('fine')).subscribe((v) => outcomes.push(v));
    });

    expect(outcomes).toEqual(['ActorNotFound', 'ActorNotFound', 'ok:fine']);
    const reasons = ['ActorNotFound', 'ActorNotFound', 'HandlerFailed'];
    expect(seen.map((l) => l.reason)).toEqual(reasons);
    expect(queue.toArray().map((l) => l.reason)).toEqual(reasons);
    expect(reported).toEqual([HOSTILE, HOSTILE, HOSTILE]); // reported, not swallowed
    expect(broker.metrics().deadLetters).toBe(3);
    expectBalanced(broker);
  });

  it('send$ and broadcast$ observers that throw: every target is still served, in turn', () => {
    const scheduler = createTestScheduler((a, e) => expect(a).toEqual(e));
    const handled: number[] = [];
    let broker!: InMemoryMessageBroker;
    let after: unknown;
    scheduler.run(() => {
      broker = makeBroker({ scheduler });
      for (const n of [1, 2, 3]) {
        broker.register(
          ActorId.from(n),
          Mailbox.unbounded({ receive: () => void handled.push(n) }),
        );
      }
      broker.send$(ActorId.from(1), Echo('a')).subscribe(() => {
        throw HOSTILE;
      });
      broker.broadcast$(Echo('b')).subscribe(() => {
        throw HOSTILE;
      });
      // The handler answers nothing, whatever Echo's type says.
      broker
        .send$(ActorId.from(2), Echo('c'))
        .subscribe((v: string | undefined) => (after = v ?? 'done'));
    });
    expect(handled).toEqual([1, 1, 2, 2, 3]); // each mailbox in turn, each in its own order
    expect(after).toBe('done');
    expect(reported).toEqual([HOSTILE, HOSTILE, HOSTILE, HOSTILE]);
    expectBalanced(broker);
  });
});

describe('a logger that throws', () => {
  it.each<[string, unknown]>([
    ['an Error', new Error('logger broke')],
    ['undefined', undefined],
    ['a Proxy whose every trap throws', throwingProxy()],
  ])(
    'throwing %s: the dead letter still counts, its sender hears, logging goes on',
    async (_, failure) => {
      const scheduler = virtualScheduler();
      const calls: string[] = [];
      const broker = makeBroker({
        scheduler,
        logger: (line) => {
          calls.push(line);
          throw failure;
        },
      });
      populate(broker);
      const first = thrown(() => broker.trySend(MISSING, Note('a')));
      const second = track(broker.send(MISSING, Echo('b')));
      broker.trySend(FAILING, Note('c'));
      const fine = track(broker.send(HEALTHY, Echo('d')));
      await settle(scheduler);
      expect(isSendError(first, 'ActorNotFound')).toBe(true);
      expect(isSendError(second.error, 'ActorNotFound')).toBe(true);
      expect(fine.value).toBe('ok:d');
      expect(calls).toHaveLength(3); // one line per dead letter, the logger was not dropped
      expect(calls[2]).toContain('HandlerFailed');
      expect(broker.metrics().deadLetters).toBe(3);
      expectBalanced(broker);
    },
  );

  it('a logger that is a Proxy function whose apply trap throws', async () => {
    const scheduler = virtualScheduler();
    const logger = new Proxy(() => undefined, {
      apply: () => {
        throw HOSTILE;
      },
    });
    const broker = makeBroker({ scheduler, logger });
    populate(broker);
    expect(
      isSendError(
        thrown(() => broker.trySend(MISSING, Note('a'))),
        'ActorNotFound',
      ),
    ).toBe(true);
    const fine = track(broker.send(HEALTHY, Echo('b')));
    await settle(scheduler);
    expect(fine.value).toBe('ok:b');
    expectBalanced(broker);
  });

  it('a logger that makes a dead letter each time it logs: the chain stops at the rate limit', async () => {
    const scheduler = virtualScheduler();
    let calls = 0;
    const broker: InMemoryMessageBroker = makeBroker({
      scheduler,
      deadLetterLogLimit: { count: 5 },
      logger: () => {
        calls++;
        broker.trySend(MISSING, Note('from the logger')); // throws ActorNotFound: a new dead letter
      },
    });
    populate(broker);
    expect(
      isSendError(
        thrown(() => broker.trySend(MISSING, Note('first'))),
        'ActorNotFound',
      ),
    ).toBe(true);
    expect(calls).toBe(5);
    expect(broker.metrics()).toMatchObject({ deadLetters: 6, totalSent: 6, totalFailed: 6 });
    const fine = track(broker.send(HEALTHY, Echo('b')));
    await settle(scheduler);
    expect(fine.value).toBe('ok:b');
    expectBalanced(broker);
  });
});

describe('a DeadLetterQueue shared by two brokers', () => {
  it('keeps the letters of both, in order, each naming its actor, within one capacity', async () => {
    const scheduler = virtualScheduler();
    const queue = new DeadLetterQueue({ capacity: 4 });
    const one = makeBroker({ scheduler }).withDeadLetterQueue(queue);
    const two = makeBroker({ scheduler }).withDeadLetterQueue(queue);
    populate(one);
    populate(two);
    thrown(() => one.trySend(ActorId.from(10), Note('one-a')));
    thrown(() => two.trySend(ActorId.from(20), Note('two-a')));
    one.trySend(FAILING, Note('one-b'));
    two.trySend(FAILING, Note('two-b'));
    await settle(scheduler);
    thrown(() => two.trySend(ActorId.from(21), Note('two-c')));

    expect(queue.toArray().map((l) => [l.message.payload, l.actorId, l.reason])).toEqual([
      ['two-a', 20, 'ActorNotFound'],
      ['one-b', FAILING, 'HandlerFailed'],
      ['two-b', FAILING, 'HandlerFailed'],
      ['two-c', 21, 'ActorNotFound'],
    ]);
    expect(queue.dropped).toBe(1);
    expect(one.metrics().deadLetters + two.metrics().deadLetters).toBe(5);
  });

  it('goes on taking the letters of one broker after the other shut down, and drains safely', async () => {
    const scheduler = virtualScheduler();
    const queue = new DeadLetterQueue();
    const one = makeBroker({ scheduler }).withDeadLetterQueue(queue);
    const two = makeBroker({ scheduler }).withDeadLetterQueue(queue);
    populate(one);
    populate(two);
    const busy = track(one.send(HEALTHY, Echo('x'))); // queued when one shuts down
    one.shutdown();
    thrown(() => two.trySend(MISSING, Note('after')));
    const drained = queue.drain();
    expect(drained.map((l) => [l.message.payload, l.reason])).toEqual([
      ['x', 'ActorStopped'],
      ['after', 'ActorNotFound'],
    ]);
    thrown(() => one.trySend(HEALTHY, Note('to a stopped broker')));
    const fine = track(two.send(HEALTHY, Echo('y')));
    await settle(scheduler);
    expect(isSendError(busy.error, 'ActorStopped')).toBe(true);
    expect(fine.value).toBe('ok:y');
    expect(queue.toArray().map((l) => [l.message.payload, l.reason])).toEqual([
      ['to a stopped broker', 'ActorStopped'],
    ]);
    expectBalanced(one);
    expectBalanced(two);
  });

  it('one letter per failure even when both brokers also have deadLetters$ subscribers', async () => {
    const scheduler = virtualScheduler();
    const queue = new DeadLetterQueue();
    const one = makeBroker({ scheduler }).withDeadLetterQueue(queue);
    const two = makeBroker({ scheduler }).withDeadLetterQueue(queue);
    const streamed: string[] = [];
    one.deadLetters$.subscribe((l) => streamed.push(`one:${String(l.message.payload)}`));
    two.deadLetters$.subscribe((l) => streamed.push(`two:${String(l.message.payload)}`));
    thrown(() => one.trySend(MISSING, Note('a')));
    thrown(() => two.trySend(MISSING, Note('b')));
    await advanceBy(scheduler, 10);
    expect(streamed).toEqual(['one:a', 'two:b']);
    expect(queue.toArray().map((l) => l.message.payload)).toEqual(['a', 'b']);
  });
});

describe('a DeadLetterQueue that cannot take letters', () => {
  it.each<[string, () => DeadLetterQueue]>([
    ['a frozen queue', () => bad(Object.freeze(new DeadLetterQueue({ capacity: 1 })))],
    [
      'a queue object never constructed',
      () => Object.create(DeadLetterQueue.prototype) as DeadLetterQueue,
    ],
  ])(
    '%s: refused when attached, or every failure still reaches its sender as a SendError',
    async (_, make) => {
      const scheduler = virtualScheduler();
      const broker = makeBroker({ scheduler });
      populate(broker);
      const attach = thrown(() => broker.withDeadLetterQueue(make()));
      if (attach !== undefined) {
        expect(attach).toMatchObject({ name: 'ArgumentError', argument: 'queue' });
        return;
      }
      const refusals = [1, 2, 3].map((n) => thrown(() => broker.trySend(MISSING, Note(String(n)))));
      expect(refusals.map((e) => (isSendError(e) ? e.kind : String(e)))).toEqual([
        'ActorNotFound',
        'ActorNotFound',
        'ActorNotFound',
      ]);
      const fine = track(broker.send(HEALTHY, Echo('x')));
      await settle(scheduler);
      expect(fine.value).toBe('ok:x');
      expectBalanced(broker);
    },
  );
});
