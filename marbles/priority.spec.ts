import { map, Subject, timer, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  ArgumentError,
  defineMessage,
  Mailbox,
  Priority,
  type Actor,
  type SendOptions,
} from 'rxbroker';
import { createTestBroker, createTestScheduler } from 'rxbroker/testing';

const Job = defineMessage<string, string>('Job');
const Note = defineMessage<string, void>('Note');

const id = ActorId.from(1);
const { Low, Normal, High, Critical } = Priority;

function testScheduler() {
  return createTestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/**
 * A broker in virtual time with one actor under `id` that reports each payload on `seen` when its
 * handler starts, and answers it in upper case `frames` later.
 */
function setUp(scheduler: SchedulerLike, frames = 2) {
  const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
  const seen = new Subject<string>();
  const worker: Actor = {
    receive: (message) => {
      const payload = String(message.payload);
      seen.next(payload);
      return timer(frames).pipe(map(() => payload.toUpperCase()));
    },
  };
  broker.register(id, Mailbox.unbounded(worker));
  return {
    broker,
    seen,
    send: (payload: string, options?: SendOptions) => broker.send$(id, Job(payload), options),
  };
}

describe('priority', () => {
  it('takes Critical, then High, then Normal, then Low', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { seen, send } = setUp(scheduler);

      // `b` keeps the actor busy until frame 2; the others all queue at frame 1, lowest first.
      expectObservable(seen).toBe('                                   b-c-h-n-l');
      expectObservable(send('b')).toBe('                              --(B|)');
      expectObservable(send('l', { priority: Low }), '-^').toBe('     ----------(L|)');
      expectObservable(send('n', { priority: Normal }), '-^').toBe('  --------(N|)');
      expectObservable(send('h', { priority: High }), '-^').toBe('    ------(H|)');
      expectObservable(send('c', { priority: Critical }), '-^').toBe('----(C|)');
    });
  });

  it('keeps the order of sending within one priority (FIFO)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const { broker, seen } = setUp(scheduler, 1);
      const sends = {
        b: ['busy', Normal],
        l: ['L1', Low],
        h: ['H1', High],
        m: ['L2', Low],
        i: ['H2', High],
        n: ['N1', Normal],
        o: ['L3', Low],
        j: ['H3', High],
      } as const;

      // All but `busy` arrive at frame 1 (a group), while the actor works on `busy`.
      hot('b(lhminoj)', sends).subscribe(([payload, priority]) =>
        broker.trySend(id, Note(payload), { priority }),
      );
      expectObservable(seen).toBe('01234567', ['busy', 'H1', 'H2', 'H3', 'N1', 'L1', 'L2', 'L3']);
    });
  });

  it('does not pre-empt the message being processed', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { seen, send } = setUp(scheduler, 5);

      expectObservable(seen).toBe('                                   l----c');
      expectObservable(send('l', { priority: Low })).toBe('           -----(L|)');
      expectObservable(send('c', { priority: Critical }), '-^').toBe('----------(C|)');
    });
  });

  it('orders the messages queued before the actor’s first turn too', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { broker, seen } = setUp(scheduler);
      expectObservable(seen).toBe('c-h-n-l');

      // Sent synchronously, before the mailbox gets its first turn at frame 0.
      broker.trySend(id, Note('l'), { priority: Low });
      broker.trySend(id, Note('n'));
      broker.trySend(id, Note('h'), { priority: High });
      broker.trySend(id, Note('c'), { priority: Critical });
    });
  });

  it('lets a late high-priority message overtake earlier queued ones', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { seen, send } = setUp(scheduler, 4);

      expectObservable(seen).toBe('                                 a---h---x---y');
      expectObservable(send('a')).toBe('                            ----(A|)');
      expectObservable(send('x'), '-^').toBe('                      ------------(X|)');
      expectObservable(send('y'), '--^').toBe('                     ----------------(Y|)');
      expectObservable(send('h', { priority: High }), '---^').toBe('--------(H|)');
    });
  });

  it('applies to sendWithPriority and to the priority of a routing key', async () => {
    const scheduler = testScheduler();
    const replies: Promise<string>[] = [];
    scheduler.run(({ expectObservable, hot }) => {
      const { broker, seen } = setUp(scheduler);
      broker.subscribe(id, 'jobs.*');
      const key = { topic: 'jobs.x', priority: High };

      hot('b(nrs)').subscribe((step) => {
        if (step === 'b') replies.push(broker.send(id, Job('busy')));
        if (step === 'n') replies.push(broker.send(id, Job('normal')));
        if (step === 'r') replies.push(broker.sendWithRouting(key, Job('routed')));
        if (step === 's') replies.push(broker.sendWithPriority(id, Job('critical'), Critical));
      });
      expectObservable(seen).toBe('0-1-2-3', ['busy', 'critical', 'routed', 'normal']);
    });

    await expect(Promise.all(replies)).resolves.toEqual(['BUSY', 'NORMAL', 'ROUTED', 'CRITICAL']);
  });

  it('applies to sendWithRouting$, which takes it from the routing key only', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { broker, seen, send } = setUp(scheduler);
      broker.subscribe(id, 'jobs.*');
      const routed = broker.sendWithRouting$({ topic: 'jobs.x', priority: High }, Job('r'));
      const options = { priority: High } as unknown as { timeout?: number };
      const priorityInOptions = broker.sendWithRouting$({ topic: 'jobs.x' }, Job('o'), options);
      const refused = new ArgumentError(
        'options.priority',
        'no priority here: the routing key carries it',
        High,
      );

      expectObservable(seen).toBe('                   b-r-n');
      expectObservable(send('b')).toBe('              --(B|)');
      expectObservable(send('n'), '-^').toBe('        ------(N|)');
      expectObservable(routed, '-^').toBe('           ----(R|)');
      expectObservable(priorityInOptions, '-^').toBe('-#', undefined, refused);
    });
  });

  it('rejects a priority that is not one of Priority: send$ errors with ArgumentError', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { seen, send } = setUp(scheduler);
      const bad = 7 as Priority;
      const expected = 'Priority.Low | Normal | High | Critical (0-3)';
      const invalid = new ArgumentError('priority', expected, 7);

      expectObservable(send('x', { priority: bad })).toBe('#', undefined, invalid);
      expectObservable(send('y'), '-^').toBe('             ---(Y|)');
      expectObservable(seen).toBe('                        -y');
    });
  });
});
