import { config, map, NEVER, Observable, Subject, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  ArgumentError,
  defineMessage,
  Mailbox,
  SendError,
  type Actor,
  type InMemoryMessageBroker,
  type SendOptions,
} from 'rxbroker';
import { createTestBroker, createTestScheduler } from 'rxbroker/testing';

const Job = defineMessage<string, string>('Job');

const id = ActorId.from(1);

function testScheduler() {
  return createTestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** The error of a send to `actorId` that timed out after `timeout`. */
function late(timeout: number, actorId = id): SendError {
  return new SendError('Timeout', { actorId, messageType: 'Job', timeout });
}

/** Reports each payload on `seen` when its handler starts and answers with `answers[payload]`. */
function scripted(seen: Subject<string>, answers: Record<string, Observable<unknown>>): Actor {
  return {
    receive: (message) => {
      const payload = String(message.payload);
      seen.next(payload);
      return answers[payload] ?? payload.toUpperCase();
    },
  };
}

/** `send$` of a Job carrying `payload` to the actor under `id`. */
function sender(broker: InMemoryMessageBroker) {
  return (payload: string, options?: SendOptions) => broker.send$(id, Job(payload), options);
}

describe('timeout', () => {
  it('fails a send with Timeout after the broker’s default timeout', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, expectSubscriptions, cold }) => {
      const broker = createTestBroker(scheduler, { defaultTimeout: 5 });
      const silent = cold('-');
      broker.register(id, Mailbox.unbounded({ receive: () => silent }));
      const send = sender(broker);

      expectObservable(send('x')).toBe('              -----#', undefined, late(5));
      expectSubscriptions(silent.subscriptions).toBe('^----!');
    });
  });

  it('lets a per-call timeout override the default, shorter or longer', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler, { defaultTimeout: 5 });
      const [slow, slower] = [ActorId.from(1), ActorId.from(2)];
      broker.register(slow, Mailbox.unbounded({ receive: () => NEVER }));
      broker.register(slower, Mailbox.unbounded({ receive: () => timer(7).pipe(map(() => 'r')) }));
      const shorter = broker.send$(slow, Job('x'), { timeout: 2 });
      const longer = broker.send$(slower, Job('y'), { timeout: 8 });

      expectObservable(shorter).toBe('--#', undefined, late(2));
      expectObservable(longer).toBe(' -------(r|)');
    });
  });

  it('does not fail a send answered before its deadline once the deadline passes', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler, { defaultTimeout: 5 });
      broker.register(id, Mailbox.unbounded({ receive: () => timer(4).pipe(map(() => 'r')) }));
      const send = sender(broker);

      expectObservable(send('x')).toBe('----(r|)');
      expectObservable(send('y')).toBe('-----#', undefined, late(5));
    });
  });

  it('counts from the send: time spent queued is part of it', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, expectSubscriptions, cold }) => {
      const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
      const seen = new Subject<string>();
      const busy = cold('----(a|)');
      const slow = cold('----(b|)');
      broker.register(id, Mailbox.unbounded(scripted(seen, { a: busy, b: slow })));
      const send = sender(broker);

      expectObservable(seen).toBe('                           a---b');
      expectObservable(send('a')).toBe('                      ----(a|)');
      expectObservable(send('b', { timeout: 6 }), '-^').toBe('-------#', undefined, late(6));
      expectSubscriptions(slow.subscriptions).toBe('          ----^--!');
    });
  });

  it('withdraws a message timing out while queued: it never runs and is a dead letter', () => {
    const scheduler = testScheduler();
    const b = Job('b');
    scheduler.run(({ expectObservable, cold }) => {
      const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
      const seen = new Subject<string>();
      broker.register(id, Mailbox.unbounded(scripted(seen, { a: cold('------(a|)') })));
      const send = sender(broker);
      const letter = { actorId: id, message: b, reason: 'Timeout', error: late(2), at: 3 };

      expectObservable(broker.deadLetters$).toBe('                      ---d', { d: letter });
      expectObservable(seen).toBe('                                     a-----c');
      expectObservable(send('a')).toBe('                                ------(a|)');
      expectObservable(broker.send$(id, b, { timeout: 2 }), '-^').toBe('---#', undefined, late(2));
      expectObservable(send('c'), '--^').toBe('                         ------(C|)');
    });
  });

  it('unsubscribes an Observable handler that times out, and lets the actor go on', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, expectSubscriptions, cold }) => {
      const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
      const seen = new Subject<string>();
      const slow = cold('-----(a|)');
      broker.register(id, Mailbox.unbounded(scripted(seen, { a: slow })));
      const send = sender(broker);

      // The message reached its handler, so it is no dead letter: its sender hears of it.
      expectObservable(broker.deadLetters$).toBe('');
      expectObservable(seen).toBe('                     a--b');
      expectObservable(send('a', { timeout: 3 })).toBe('---#', undefined, late(3));
      expectSubscriptions(slow.subscriptions).toBe('    ^--!');
      expectObservable(send('b'), '-^').toBe('          ---(B|)');
    });
  });

  it('applies every timeout due at one instant before the actor starts on its next message', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, expectSubscriptions, cold }) => {
      const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
      const seen = new Subject<string>();
      const slow = cold('-----(a|)');
      broker.register(id, Mailbox.unbounded(scripted(seen, { a: slow })));
      const send = sender(broker);

      // a (processing) and b (queued) are both due at frame 3: b must not start when a is dropped.
      expectObservable(seen).toBe('                           a--c');
      expectObservable(send('a', { timeout: 3 })).toBe('      ---#', undefined, late(3));
      expectSubscriptions(slow.subscriptions).toBe('          ^--!');
      expectObservable(send('b', { timeout: 2 }), '-^').toBe('---#', undefined, late(2));
      expectObservable(send('c'), '--^').toBe('               ---(C|)');
    });
  });

  it('fails queued messages in the order of their deadlines, whatever the order of sending', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, cold }) => {
      const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
      const seen = new Subject<string>();
      broker.register(id, Mailbox.unbounded(scripted(seen, { a: cold('----------(a|)') })));
      const send = sender(broker);

      expectObservable(seen).toBe('                             a');
      expectObservable(send('a')).toBe('                        ----------(a|)');
      expectObservable(send('x', { timeout: 7 }), '-^').toBe('  --------#', undefined, late(7));
      expectObservable(send('y', { timeout: 2 }), '--^').toBe(' ----#', undefined, late(2));
      expectObservable(send('z', { timeout: 4 }), '---^').toBe('-------#', undefined, late(4));
    });
  });

  it('neither times out nor leaves a dead letter once its subscriber has unsubscribed', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, cold }) => {
      const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
      const seen = new Subject<string>();
      broker.register(id, Mailbox.unbounded(scripted(seen, { a: cold('------(a|)') })));
      const send = sender(broker);

      expectObservable(broker.deadLetters$).toBe('');
      expectObservable(seen).toBe('     a');
      expectObservable(send('a')).toBe('------(a|)');
      expectObservable(send('b', { timeout: 4 }), '-^-!').toBe('');
    });
  });

  it('fails a handler that asks its own actor and awaits the reply, instead of hanging', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
      const seen = new Subject<string>();
      const selfAsking: Actor = {
        receive: (message, ctx) => {
          const payload = String(message.payload);
          seen.next(payload);
          if (payload !== 'outer') return 'C';
          return ctx.broker.send$(ctx.self, Job('inner'), { timeout: 10 });
        },
      };
      broker.register(id, Mailbox.unbounded(selfAsking));
      const send = sender(broker);

      // The inner ask is withdrawn with the outer handler: it never runs and is no dead letter.
      expectObservable(broker.deadLetters$).toBe('');
      expectObservable(seen).toBe('                         o----c', { o: 'outer', c: 'c' });
      expectObservable(send('outer', { timeout: 5 })).toBe('-----#', undefined, late(5));
      expectObservable(send('c'), '-^').toBe('              -----(C|)');
    });
  });

  it('lets the actor go on when the handler it abandons on timeout throws in its teardown', () => {
    const scheduler = testScheduler();
    const unhandled: unknown[] = [];
    config.onUnhandledError = (error) => unhandled.push(error);
    try {
      scheduler.run(({ expectObservable }) => {
        const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
        const seen = new Subject<string>();
        const badTeardown = new Observable<string>(() => () => {
          throw new Error('teardown failed');
        });
        broker.register(id, Mailbox.unbounded(scripted(seen, { a: badTeardown })));
        const send = sender(broker);

        expectObservable(seen).toBe('                     a--b');
        expectObservable(send('a', { timeout: 3 })).toBe('---#', undefined, late(3));
        expectObservable(send('b'), '-^').toBe('          ---(B|)');
      });
    } finally {
      config.onUnhandledError = null;
    }
  });

  it.each([0, -1, Number.NaN, Infinity])(
    'rejects a timeout of %s: send$ errors with ArgumentError and sends nothing',
    (timeout) => {
      const scheduler = testScheduler();
      scheduler.run(({ expectObservable }) => {
        const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
        const seen = new Subject<string>();
        broker.register(id, Mailbox.unbounded(scripted(seen, {})));
        const send = sender(broker);
        const expected = `a number of milliseconds > 0 and <= ${2 ** 31 - 1}`;
        const invalid = new ArgumentError('timeout', expected, timeout);

        expectObservable(send('x', { timeout })).toBe('#', undefined, invalid);
        expectObservable(send('y'), '-^').toBe('       -(Y|)');
        expectObservable(seen).toBe('                  -y');
      });
    },
  );
});
