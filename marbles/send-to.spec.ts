import { map, Subject, timer, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  defineMessage,
  InMemoryMessageBroker,
  isArgumentError,
  Mailbox,
  sendTo,
  SendError,
  type Actor,
  type Message,
} from 'rxbroker';
import { createTestBroker, createTestScheduler } from 'rxbroker/testing';

const Work = defineMessage<string, string>('Work');

const id = ActorId.from(1);
const work: Record<string, Message<string, string>> = {
  a: Work('a'),
  b: Work('b'),
  c: Work('c'),
  d: Work('d'),
  x: Work('x'), // its handler throws
};

function testScheduler() {
  return createTestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

interface SetUp {
  /** Frames each message takes; default 3. */
  frames?: number;
  /** The capacity of a bounded mailbox with the 'fail' strategy; unbounded when absent. */
  capacity?: number;
  /** What the handler reports on `seen` when it starts on a message; default its payload. */
  report?: (payload: string, broker: InMemoryMessageBroker) => unknown;
}

/**
 * A broker in virtual time with one actor under `id`: it reports each message on `seen` when its
 * handler starts, and answers the payload in upper case `frames` later; for `x` it throws.
 */
function setUp(scheduler: SchedulerLike, { frames = 3, capacity, report = (p) => p }: SetUp = {}) {
  const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
  const seen = new Subject<unknown>();
  const worker: Actor = {
    receive: (message) => {
      const payload = String(message.payload);
      seen.next(report(payload, broker));
      if (payload === 'x') throw new Error('boom');
      return timer(frames).pipe(map(() => payload.toUpperCase()));
    },
  };
  const mailbox =
    capacity === undefined
      ? Mailbox.unbounded(worker)
      : Mailbox.bounded(worker, capacity, { overflow: 'fail' });
  broker.register(id, mailbox);
  return { broker, seen };
}

describe('sendTo', () => {
  it('sends one message at a time by default and emits the results in source order', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, expectSubscriptions, cold }) => {
      const { broker, seen } = setUp(scheduler);
      const source = cold('-a-b-c|', work);

      expectObservable(source.pipe(sendTo(broker, id))).toBe('----A--B--(C|)');
      expectSubscriptions(source.subscriptions).toBe('        ^-----!');
      expectObservable(seen).toBe('                           -a--b--c');
    });
  });

  describe.each([
    { concurrency: 1, depths: [0, 0, 0, 0] },
    { concurrency: 2, depths: [1, 1, 1, 0] },
    { concurrency: 3, depths: [2, 2, 1, 0] },
  ])('with concurrency $concurrency', ({ concurrency, depths }) => {
    it(`keeps at most ${concurrency} in flight (${concurrency - 1} queued, one running)`, () => {
      const scheduler = testScheduler();
      scheduler.run(({ expectObservable, cold }) => {
        // The handler reports how many messages wait in the mailbox when it starts on one.
        const report = (_: string, broker: InMemoryMessageBroker) => broker.mailboxOf(id)?.size;
        const { broker, seen } = setUp(scheduler, { report });
        const source = cold('(abcd|)', work);

        expectObservable(source.pipe(sendTo(broker, id, { concurrency }))).toBe('---A--B--C--(D|)');
        expectObservable(seen).toBe('                                          0--1--2--3', depths);
      });
    });

    it(`never overflows a mailbox of capacity ${concurrency} with the 'fail' strategy`, () => {
      const scheduler = testScheduler();
      scheduler.run(({ expectObservable, cold }) => {
        const { broker } = setUp(scheduler, { capacity: concurrency });
        const source = cold('(abcd|)', work);

        expectObservable(source.pipe(sendTo(broker, id, { concurrency }))).toBe('---A--B--C--(D|)');
      });
    });
  });

  it('overflows a mailbox smaller than its concurrency: MailboxFull; the rest is withdrawn', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, expectSubscriptions, cold }) => {
      const { broker, seen } = setUp(scheduler, { capacity: 2 });
      const source = cold('(abcd|)', work);
      const output = source.pipe(sendTo(broker, id, { concurrency: 3 }));
      const full = new SendError('MailboxFull', { actorId: id, messageType: 'Work', capacity: 2 });

      expectObservable(output).toBe('                 #', undefined, full);
      expectSubscriptions(source.subscriptions).toBe('(^!)');
      expectObservable(seen).toBe('');
    });
  });

  it('completes at once, sending nothing, for an empty source', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, expectSubscriptions, cold }) => {
      const { broker, seen } = setUp(scheduler);
      const source = cold<Message<string, string>>('|');

      expectObservable(source.pipe(sendTo(broker, id))).toBe('|');
      expectSubscriptions(source.subscriptions).toBe('        (^!)');
      expectObservable(seen).toBe('');
    });
  });

  it('never emits, sending nothing, for a source that never emits', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, expectSubscriptions, cold }) => {
      const { broker, seen } = setUp(scheduler);
      const source = cold<Message<string, string>>('-');

      expectObservable(source.pipe(sendTo(broker, id))).toBe('-');
      expectSubscriptions(source.subscriptions).toBe('        ^');
      expectObservable(seen).toBe('');
    });
  });

  it('passes on a source error at once, withdrawing the messages still queued', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, expectSubscriptions, cold }) => {
      const { broker, seen } = setUp(scheduler, { frames: 5 });
      const failure = new Error('source failed');
      const source = cold('(ab)#', work, failure);
      const output = source.pipe(sendTo(broker, id, { concurrency: 2 }));

      expectObservable(output).toBe('                 ----#', undefined, failure);
      expectSubscriptions(source.subscriptions).toBe('^---!');
      expectObservable(seen).toBe('                   a');
    });
  });

  it('errors with HandlerFailed if a handler throws; drops the source, withdraws the rest', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, expectSubscriptions, cold }) => {
      const { broker, seen } = setUp(scheduler);
      const source = cold('(axc)-----|', work);
      const output = source.pipe(sendTo(broker, id, { concurrency: 2 }));
      const failed = new SendError('HandlerFailed', { actorId: id, messageType: 'Work' });

      expectObservable(output).toBe('                 ---(A#)', undefined, failed);
      expectSubscriptions(source.subscriptions).toBe('^--!');
      expectObservable(seen).toBe('                   a--x');
    });
  });

  it('unsubscribes the source and withdraws the queued messages when unsubscribed early', () => {
    const scheduler = testScheduler();
    let broker: InMemoryMessageBroker | undefined;
    scheduler.run(({ expectObservable, expectSubscriptions, cold }) => {
      const { broker: active, seen } = setUp(scheduler);
      broker = active;
      const source = cold('(abc)-----|', work);
      const output = source.pipe(sendTo(active, id, { concurrency: 2 }));

      expectObservable(output, '^---!').toBe('        ---A');
      expectSubscriptions(source.subscriptions).toBe('^---!');
      expectObservable(seen).toBe('                   a--b');
    });
    // `c` was queued when the stream was unsubscribed; `b`, being processed, ran to its end.
    expect(broker?.metrics()).toMatchObject({ totalSent: 3, totalDelivered: 2, totalWithdrawn: 1 });
  });

  it('errors with ActorNotFound on the first message to an unknown actor', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, expectSubscriptions, cold }) => {
      const broker = createTestBroker(scheduler);
      const nobody = ActorId.from(99);
      const source = cold('-a-b|', work);
      const notFound = new SendError('ActorNotFound', { actorId: nobody, messageType: 'Work' });

      expectObservable(source.pipe(sendTo(broker, nobody))).toBe('-#', undefined, notFound);
      expectSubscriptions(source.subscriptions).toBe('            ^!');
    });
  });

  it('applies its timeout option to every message', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, cold }) => {
      const { broker } = setUp(scheduler);
      const source = cold('-a|', work);
      const output = source.pipe(sendTo(broker, id, { timeout: 2 }));
      const late = new SendError('Timeout', { actorId: id, messageType: 'Work', timeout: 2 });

      expectObservable(output).toBe('---#', undefined, late);
    });
  });

  it.each([0, -1, 1.5, Number.NaN])('throws ArgumentError at once for a concurrency of %s', (n) => {
    const broker = new InMemoryMessageBroker({ logger: null });
    let thrown: unknown;
    try {
      sendTo(broker, id, { concurrency: n });
    } catch (error) {
      thrown = error;
    }
    expect(isArgumentError(thrown)).toBe(true);
    broker.shutdown();
  });
});
