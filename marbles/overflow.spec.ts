import { map, Subject, timer, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  defineMessage,
  Mailbox,
  Priority,
  SendError,
  type Actor,
  type OverflowStrategy,
  type SendOptions,
} from 'rxbroker';
import { createTestBroker, createTestScheduler } from 'rxbroker/testing';

const Job = defineMessage<string, string>('Job');
const Note = defineMessage<string, void>('Note');

const id = ActorId.from(1);
const high = { priority: Priority.High };
const low = { priority: Priority.Low };

function testScheduler() {
  return createTestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/**
 * A broker in virtual time with one actor under `id`, behind a bounded mailbox. The actor reports
 * each payload on `seen` when its handler starts, and answers it in upper case 4 frames later.
 */
function setUp(scheduler: SchedulerLike, capacity: number, overflow?: OverflowStrategy) {
  const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
  const seen = new Subject<string>();
  const worker: Actor = {
    receive: (message) => {
      const payload = String(message.payload);
      seen.next(payload);
      return timer(4).pipe(map(() => payload.toUpperCase()));
    },
  };
  const options = overflow === undefined ? {} : { overflow };
  broker.register(id, Mailbox.bounded(worker, capacity, options));
  return {
    seen,
    send: (payload: string, sendOptions?: SendOptions) =>
      broker.send$(id, Job(payload), sendOptions),
    /** trySend, giving 'ok' or what it threw. */
    trySend: (payload: string) => attempt(() => broker.trySend(id, Note(payload))),
  };
}

function mailboxFull(capacity: number, messageType = 'Job'): SendError {
  return new SendError('MailboxFull', { actorId: id, messageType, capacity });
}

function attempt(action: () => void): unknown {
  try {
    action();
    return 'ok';
  } catch (error) {
    return error;
  }
}

// In every test below, `a` (sent at frame 0) keeps the actor busy until frame 4, so the messages
// sent at frames 1, 2, 3 find `a` being processed and queue up behind it. The capacity counts the
// queued messages only, not the one being processed.

describe('overflow fail', () => {
  it('refuses a message finding the mailbox full: send$ errors, trySend throws MailboxFull', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const { seen, send, trySend } = setUp(scheduler, 2, 'fail');
      const full = mailboxFull(2);

      expectObservable(seen).toBe('             a---b---c');
      expectObservable(send('a'), '^   ').toBe('----(A|)');
      expectObservable(send('b'), '-^  ').toBe('--------(B|)');
      expectObservable(send('c'), '--^ ').toBe('------------(C|)');
      expectObservable(send('d'), '---^').toBe('---#', undefined, full);
      const tried = hot('                       ---t').pipe(map(() => trySend('e')));
      expectObservable(tried).toBe('            ---e', { e: mailboxFull(2, 'Note') });
    });
  });

  it('is the default strategy of a bounded mailbox', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { seen, send } = setUp(scheduler, 1);

      expectObservable(seen).toBe('            a---b');
      expectObservable(send('a'), '^  ').toBe('----(A|)');
      expectObservable(send('b'), '-^ ').toBe('--------(B|)');
      expectObservable(send('c'), '--^').toBe('--#', undefined, mailboxFull(1));
    });
  });
});

describe('overflow dropNewest', () => {
  it('drops an arrival ranking no higher than the queue; its sender gets MailboxFull', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { seen, send } = setUp(scheduler, 2, 'dropNewest');
      const full = mailboxFull(2);

      expectObservable(seen).toBe('             a---b---c');
      expectObservable(send('a'), '^   ').toBe('----(A|)');
      expectObservable(send('b'), '-^  ').toBe('--------(B|)');
      expectObservable(send('c'), '--^ ').toBe('------------(C|)');
      expectObservable(send('d'), '---^').toBe('---#', undefined, full);
    });
  });

  it('makes room for a higher priority by dropping the newest queued message of the lowest', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { seen, send } = setUp(scheduler, 2, 'dropNewest');
      const full = mailboxFull(2);

      expectObservable(seen).toBe('                   a---d---b');
      expectObservable(send('a'), '^   ').toBe('      ----(A|)');
      expectObservable(send('b'), '-^  ').toBe('      ------------(B|)');
      expectObservable(send('c'), '--^ ').toBe('      ---#', undefined, full);
      expectObservable(send('d', high), '---^').toBe('--------(D|)');
    });
  });

  it('drops a lower-priority queued message before a newer one of higher priority', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { seen, send } = setUp(scheduler, 2, 'dropNewest');
      const full = mailboxFull(2);

      expectObservable(seen).toBe('                  a---c---d');
      expectObservable(send('a'), '^   ').toBe('     ----(A|)');
      expectObservable(send('b', low), '-^  ').toBe('---#', undefined, full);
      expectObservable(send('c'), '--^ ').toBe('     --------(C|)');
      expectObservable(send('d'), '---^').toBe('     ------------(D|)');
    });
  });
});

describe('overflow dropOldest', () => {
  it('evicts the oldest queued message for the new one; its sender gets MailboxFull', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { seen, send } = setUp(scheduler, 2, 'dropOldest');
      const full = mailboxFull(2);

      expectObservable(seen).toBe('             a---c---d');
      expectObservable(send('a'), '^   ').toBe('----(A|)');
      expectObservable(send('b'), '-^  ').toBe('---#', undefined, full);
      expectObservable(send('c'), '--^ ').toBe('--------(C|)');
      expectObservable(send('d'), '---^').toBe('------------(D|)');
    });
  });

  it('evicts the oldest message of the lowest priority, sparing older higher-priority ones', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { seen, send } = setUp(scheduler, 2, 'dropOldest');
      const full = mailboxFull(2);

      expectObservable(seen).toBe('                   a---b---d');
      expectObservable(send('a'), '^   ').toBe('      ----(A|)');
      expectObservable(send('b', high), '-^  ').toBe('--------(B|)');
      expectObservable(send('c'), '--^ ').toBe('      ---#', undefined, full);
      expectObservable(send('d'), '---^').toBe('      ------------(D|)');
    });
  });

  it('drops an arriving message of lower priority than everything queued', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { seen, send } = setUp(scheduler, 2, 'dropOldest');
      const full = mailboxFull(2);

      expectObservable(seen).toBe('                  a---b---c');
      expectObservable(send('a'), '^   ').toBe('     ----(A|)');
      expectObservable(send('b'), '-^  ').toBe('     --------(B|)');
      expectObservable(send('c'), '--^ ').toBe('     ------------(C|)');
      expectObservable(send('d', low), '---^').toBe('---#', undefined, full);
    });
  });
});

describe.each([
  { overflow: 'dropNewest' as const, handled: 'a---b---c' },
  { overflow: 'dropOldest' as const, handled: 'a---c---d' },
])('overflow $overflow with trySend', ({ overflow, handled }) => {
  it('drops a message without throwing', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const { seen, trySend } = setUp(scheduler, 2, overflow);

      const tried = hot('           abcd').pipe(map(trySend));
      expectObservable(tried).toBe('abcd', { a: 'ok', b: 'ok', c: 'ok', d: 'ok' });
      expectObservable(seen).toBe(handled);
    });
  });
});

describe('overflow backpressure', () => {
  it('makes send$ wait for room, then go in as soon as there is some', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { seen, send } = setUp(scheduler, 1, 'backpressure');

      expectObservable(seen).toBe('             a---b---c---d');
      expectObservable(send('a'), '^   ').toBe('----(A|)');
      expectObservable(send('b'), '-^  ').toBe('--------(B|)');
      expectObservable(send('c'), '--^ ').toBe('------------(C|)');
      expectObservable(send('d'), '---^').toBe('----------------(D|)');
    });
  });

  it('fails a send that gets no room within its timeout with Timeout; it never runs', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { seen, send } = setUp(scheduler, 1, 'backpressure');
      const late = new SendError('Timeout', { actorId: id, messageType: 'Job', timeout: 1 });

      expectObservable(seen).toBe('                             a---b---d');
      expectObservable(send('a'), '^   ').toBe('                ----(A|)');
      expectObservable(send('b'), '-^  ').toBe('                --------(B|)');
      expectObservable(send('c', { timeout: 1 }), '--^ ').toBe('---#', undefined, late);
      expectObservable(send('d'), '---^').toBe('                ------------(D|)');
    });
  });

  it('makes trySend fail with MailboxFull instead of waiting', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const { seen, trySend } = setUp(scheduler, 1, 'backpressure');

      const tried = hot('           abc').pipe(map(trySend));
      expectObservable(tried).toBe('abc', { a: 'ok', b: 'ok', c: mailboxFull(1, 'Note') });
      expectObservable(seen).toBe(' a---b');
    });
  });

  it('gives room to waiting senders by priority', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { seen, send } = setUp(scheduler, 1, 'backpressure');

      expectObservable(seen).toBe('                   a---b---d---c');
      expectObservable(send('a'), '^   ').toBe('      ----(A|)');
      expectObservable(send('b'), '-^  ').toBe('      --------(B|)');
      expectObservable(send('c'), '--^ ').toBe('      ----------------(C|)');
      expectObservable(send('d', high), '---^').toBe('------------(D|)');
    });
  });

  it('withdraws a waiting send when unsubscribed; the next waiter takes the room', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { seen, send } = setUp(scheduler, 1, 'backpressure');

      expectObservable(seen).toBe('             a---b---d');
      expectObservable(send('a'), '^   ').toBe('----(A|)');
      expectObservable(send('b'), '-^  ').toBe('--------(B|)');
      expectObservable(send('c'), '--^!').toBe('');
      expectObservable(send('d'), '---^').toBe('------------(D|)');
    });
  });
});
