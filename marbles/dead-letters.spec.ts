import { config, map, mergeMap, Subject, throwError, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  DeadLetterQueue,
  defineMessage,
  Mailbox,
  Priority,
  SendError,
  type Actor,
  type AnyMessage,
  type DeadLetterReason,
  type Message,
  type OverflowStrategy,
  type SendErrorKind,
} from 'rxbroker';
import { createTestBroker, createTestScheduler } from 'rxbroker/testing';

const Job = defineMessage<string, string>('Job');
const Note = defineMessage<string, void>('Note');

const id = ActorId.from(1);
const nobody = ActorId.from(99);

function testScheduler() {
  return createTestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** Reports each payload on `seen` as its handler starts; answers in upper case 4 frames later. */
function worker(seen: Subject<string> = new Subject()): Actor {
  return {
    receive: (message) => {
      const payload = String(message.payload);
      seen.next(payload);
      return timer(4).pipe(map(() => payload.toUpperCase()));
    },
  };
}

/** An actor whose handler always throws. */
const failing: Actor = {
  receive: () => {
    throw new Error('boom');
  },
};

/** The error of a message of `message`'s type to `actorId`. */
function errorOf(kind: SendErrorKind, message: AnyMessage, actorId = id): SendError {
  return new SendError(kind, { actorId, messageType: message.type });
}

/** The dead letter of `message`, as `deadLetters$` emits it. */
function letter(
  reason: DeadLetterReason & SendErrorKind,
  message: AnyMessage,
  at: number,
  actorId = id,
) {
  return { actorId, message, reason, error: errorOf(reason, message, actorId), at };
}

function attempt(action: () => void): unknown {
  try {
    action();
    return 'ok';
  } catch (error) {
    return error;
  }
}

describe('deadLetters$', () => {
  it('reports messages to an unknown id (ActorNotFound), at the virtual time they failed', () => {
    const scheduler = testScheduler();
    const [x, y] = [Job('x'), Note('y')];
    scheduler.run(({ expectObservable, hot }) => {
      const broker = createTestBroker(scheduler);
      const notFound = errorOf('ActorNotFound', x, nobody);
      const letters = {
        x: letter('ActorNotFound', x, 1, nobody),
        y: letter('ActorNotFound', y, 3, nobody),
      };

      expectObservable(broker.deadLetters$).toBe('-x-y', letters);
      expectObservable(broker.send$(nobody, x), '-^').toBe('-#', undefined, notFound);
      hot('                        ---t').subscribe(() => attempt(() => broker.trySend(nobody, y)));
    });
  });

  it('reports the queued messages of an actor that is unregistered (ActorStopped)', () => {
    const scheduler = testScheduler();
    const [b, c] = [Job('b'), Note('c')];
    scheduler.run(({ expectObservable, hot }) => {
      const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
      broker.register(id, Mailbox.unbounded(worker()));
      const stopped = errorOf('ActorStopped', b);
      const letters = { b: letter('ActorStopped', b, 2), c: letter('ActorStopped', c, 2) };

      expectObservable(broker.deadLetters$).toBe('     --(bc)', letters);
      expectObservable(broker.send$(id, Job('a'))).toBe('----(A|)');
      expectObservable(broker.send$(id, b), '-^').toBe('--#', undefined, stopped);
      hot('                                            -c').subscribe(() => broker.trySend(id, c));
      hot('                                            --u').subscribe(() => broker.unregister(id));
    });
  });

  // a (send$, frame 0) is processed until 4; b (send$, 1) is queued; c (trySend, 2) finds it full.
  describe.each<{
    overflow: OverflowStrategy;
    victim: 'b' | 'c';
    b: string;
    tried: 'ok' | 'thrown';
    seen: string;
  }>([
    { overflow: 'fail', victim: 'c', b: '--------(B|)', tried: 'thrown', seen: 'a---b' },
    { overflow: 'dropNewest', victim: 'c', b: '--------(B|)', tried: 'ok', seen: 'a---b' },
    { overflow: 'dropOldest', victim: 'b', b: '--#', tried: 'ok', seen: 'a---c' },
    { overflow: 'backpressure', victim: 'c', b: '--------(B|)', tried: 'thrown', seen: 'a---b' },
  ])('with overflow $overflow', ({ overflow, victim, ...expected }) => {
    it(`reports the ${victim === 'b' ? 'evicted' : 'arriving'} message (MailboxFull)`, () => {
      const scheduler = testScheduler();
      const messages = { a: Job('a'), b: Job('b'), c: Note('c') };
      const dead = messages[victim];
      scheduler.run(({ expectObservable, hot }) => {
        const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
        const seen = new Subject<string>();
        broker.register(id, Mailbox.bounded(worker(seen), 1, { overflow }));
        const full = new SendError('MailboxFull', {
          actorId: id,
          messageType: dead.type,
          capacity: 1,
        });
        const letterOfFull = {
          actorId: id,
          message: dead,
          reason: 'MailboxFull',
          error: full,
          at: 2,
        };
        const tried = hot('--t').pipe(map(() => attempt(() => broker.trySend(id, messages.c))));

        expectObservable(broker.deadLetters$).toBe('         --d', { d: letterOfFull });
        expectObservable(broker.send$(id, messages.a)).toBe('----(A|)');
        expectObservable(broker.send$(id, messages.b), '-^').toBe(expected.b, undefined, full);
        expectObservable(tried).toBe('--r', { r: expected.tried === 'ok' ? 'ok' : full });
        expectObservable(seen).toBe(expected.seen);
      });
    });
  });

  // Both are Normal and fill the mailbox; the third arrives at frame 2 with the given priority.
  describe.each<{ overflow: OverflowStrategy; what: string; third: Priority }>([
    { overflow: 'fail', what: 'refused on arrival', third: Priority.Normal },
    { overflow: 'dropNewest', what: 'evicted by a higher priority', third: Priority.High },
    { overflow: 'dropOldest', what: 'evicted by a newer message', third: Priority.Normal },
  ])('with overflow $overflow, a fire-and-forget message $what', ({ overflow, third }) => {
    it('carries the mailbox capacity in its MailboxFull error, as SendErrorInfo documents', () => {
      const scheduler = testScheduler();
      scheduler.run(({ expectObservable, hot }) => {
        const broker = createTestBroker(scheduler);
        broker.register(id, Mailbox.bounded(worker(), 1, { overflow }));
        const infos = broker.deadLetters$.pipe(map((dead) => [dead.reason, dead.error.info]));
        const info = { actorId: id, messageType: 'Note', capacity: 1 };

        expectObservable(infos).toBe('--i', { i: ['MailboxFull', info] });
        hot('    abc', { a: Priority.Normal, b: Priority.Normal, c: third }).subscribe((priority) =>
          attempt(() => broker.trySend(id, Note('n'), { priority })),
        );
      });
    });
  });

  it('reports a message that timed out while waiting for room (Timeout)', () => {
    const scheduler = testScheduler();
    const c = Job('c');
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
      broker.register(id, Mailbox.bounded(worker(), 1, { overflow: 'backpressure' }));
      const late = new SendError('Timeout', { actorId: id, messageType: 'Job', timeout: 1 });

      expectObservable(broker.deadLetters$).toBe('           ---d', { d: letter('Timeout', c, 3) });
      expectObservable(broker.send$(id, Job('a'))).toBe('    ----(A|)');
      expectObservable(broker.send$(id, Job('b')), '-^').toBe('--------(B|)');
      expectObservable(broker.send$(id, c, { timeout: 1 }), '--^').toBe('---#', undefined, late);
    });
  });

  it('reports a fire-and-forget message whose handler throws or errors (HandlerFailed)', () => {
    const scheduler = testScheduler();
    const [x, y] = [Note('x'), Note('y')];
    const [boom, nope] = [new Error('boom'), new Error('nope')];
    scheduler.run(({ expectObservable, hot }) => {
      const broker = createTestBroker(scheduler);
      const actor: Actor = {
        receive: (message) => {
          if (message === x) throw boom;
          return timer(2).pipe(mergeMap(() => throwError(() => nope)));
        },
      };
      broker.register(id, Mailbox.unbounded(actor));
      // `cause` holds the handler's own error.
      const letters = broker.deadLetters$.pipe(
        map((dead) => ({ ...dead, cause: dead.error.cause })),
      );

      expectObservable(letters).toBe('-x--y', {
        x: { ...letter('HandlerFailed', x, 1), cause: boom },
        y: { ...letter('HandlerFailed', y, 4), cause: nope },
      });
      hot('-xy', { x, y }).subscribe((note) => broker.trySend(id, note));
    });
  });

  it('stays silent for a failing send$: its sender gets the error instead', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      broker.register(id, Mailbox.unbounded(failing));
      const x = Job('x');

      expectObservable(broker.deadLetters$).toBe('');
      expectObservable(broker.send$(id, x)).toBe('#', undefined, errorOf('HandlerFailed', x));
    });
  });

  it('completes on shutdown after the queued messages; the one being processed fails too', () => {
    const scheduler = testScheduler();
    const [b, c] = [Job('b'), Job('c')];
    scheduler.run(({ expectObservable, expectSubscriptions, hot, cold }) => {
      const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
      const busy = cold('----(a|)');
      broker.register(id, Mailbox.unbounded({ receive: () => busy }));
      const stopped = errorOf('ActorStopped', b);
      const letters = { b: letter('ActorStopped', b, 2), c: letter('ActorStopped', c, 2) };
      hot('--s').subscribe(() => broker.shutdown());

      expectObservable(broker.deadLetters$).toBe('               --(bc|)', letters);
      expectObservable(broker.send$(id, Job('a'))).toBe('        --#', undefined, stopped);
      expectSubscriptions(busy.subscriptions).toBe('             ^-!');
      expectObservable(broker.send$(id, b), '-^').toBe('         --#', undefined, stopped);
      expectObservable(broker.send$(id, c), '-^').toBe('         --#', undefined, stopped);
      expectObservable(broker.send$(id, Job('d')), '---^').toBe('---#', undefined, stopped);
    });
  });
});

describe('accounting', () => {
  it('loses nothing: each message is delivered, failed to its sender, or a dead letter', () => {
    const scheduler = testScheduler();
    let broker: ReturnType<typeof createTestBroker> | undefined;
    const [x, y] = [ActorId.from(1), ActorId.from(2)];
    const [n, d, bad] = [Job('n'), Job('d'), Job('bad')];
    scheduler.run(({ expectObservable, hot }) => {
      const active = (broker = createTestBroker(scheduler, { defaultTimeout: 100 }));
      active.register(x, Mailbox.bounded(worker(), 1, { overflow: 'dropOldest' }));
      active.register(y, Mailbox.unbounded(failing));
      const reasons = active.deadLetters$.pipe(map((dead) => dead.reason));
      const late = new SendError('Timeout', { actorId: x, messageType: 'Job', timeout: 1 });
      const notFound = errorOf('ActorNotFound', n, nobody);
      const failed = errorOf('HandlerFailed', bad, y);
      const why = {
        b: 'MailboxFull', // x's queued b, evicted by c
        n: 'ActorNotFound',
        t: 'Timeout', // d, queued behind c
        h: 'HandlerFailed', // y's fire-and-forget
        s: 'ActorStopped', // g, queued when x is unregistered
      };
      const send = (to: ActorId, message: Message<string, string>, timeout = 100) =>
        active.send$(to, message, { timeout });

      expectObservable(reasons).toBe('                    --bn--t--h---s', why);
      expectObservable(send(x, Job('a'))).toBe('          ----(A|)');
      expectObservable(send(nobody, n), '---^').toBe('    ---#', undefined, notFound);
      expectObservable(send(x, d, 1), '-----^').toBe('    ------#', undefined, late);
      expectObservable(send(x, Job('e')), '-------(^!)').toBe('');
      expectObservable(send(y, bad), '----------^').toBe('----------#', undefined, failed);
      hot('                                               -bc------y-fgu').subscribe((step) => {
        if (step === 'u') active.unregister(x);
        else if (step === 'y') active.trySend(y, Note('bad'));
        else active.trySend(x, Note(step));
      });
    });

    // a, b, c, n, d, e, y's two, f, g: 10 sent; a, c, f delivered; e withdrawn by its sender.
    expect(broker?.metrics()).toMatchObject({
      totalSent: 10,
      totalDelivered: 3,
      totalFailed: 7,
      totalWithdrawn: 1,
      inFlight: 0,
      deadLetters: 5,
    });
  });
});

describe('dead letters nobody listens to', () => {
  it('are logged, at most `count` per `interval` of virtual time, then summed up', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const logged = new Subject<unknown>();
      const broker = createTestBroker(scheduler, {
        logger: (line, dead) => logged.next(dead === undefined ? line : dead.message.payload),
        deadLetterLogLimit: { count: 2, interval: 10 },
      });
      const summary: unknown = expect.stringContaining('2 more dead letters not logged');
      hot('-abcd-------e').subscribe((p) => attempt(() => broker.trySend(nobody, Note(p))));

      expectObservable(logged).toBe('-ab---------(se)', { a: 'a', b: 'b', s: summary, e: 'e' });
    });
  });

  it('leave the broker working when the logger throws: senders get their errors, on time', () => {
    const scheduler = testScheduler();
    const unhandled: unknown[] = [];
    config.onUnhandledError = (error) => unhandled.push(error);
    try {
      scheduler.run(({ expectObservable, hot }) => {
        const broker = createTestBroker(scheduler, {
          defaultTimeout: 100,
          logger: () => {
            throw new Error('logger failed');
          },
        });
        broker.register(id, Mailbox.unbounded(worker()));
        const late = (n: number) =>
          new SendError('Timeout', { actorId: id, messageType: 'Job', timeout: n });
        const notFound = errorOf('ActorNotFound', Note('x'), nobody);
        const tried = hot('---t').pipe(map(() => attempt(() => broker.trySend(nobody, Note('x')))));

        expectObservable(broker.send$(id, Job('a'))).toBe('                ----(A|)');
        expectObservable(broker.send$(id, Job('b'), { timeout: 1 })).toBe('-#', undefined, late(1));
        expectObservable(broker.send$(id, Job('c'), { timeout: 2 })).toBe(
          '--#',
          undefined,
          late(2),
        );
        expectObservable(tried).toBe('---e', { e: notFound });
      });
    } finally {
      config.onUnhandledError = null;
    }
  });

  it('are not logged while deadLetters$ has a subscriber', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const logged = new Subject<unknown>();
      const broker = createTestBroker(scheduler, { logger: (line) => logged.next(line) });
      const payloads = broker.deadLetters$.pipe(map((dead) => dead.message.payload));
      hot('-a').subscribe((p) => attempt(() => broker.trySend(nobody, Note(p))));

      expectObservable(payloads).toBe('-a');
      expectObservable(logged).toBe('');
    });
  });

  it('are kept by an attached DeadLetterQueue (the latest `capacity` of them), not logged', () => {
    const scheduler = testScheduler();
    const queue = new DeadLetterQueue({ capacity: 2 });
    scheduler.run(({ expectObservable, hot }) => {
      const logged = new Subject<unknown>();
      const broker = createTestBroker(scheduler, { logger: (line) => logged.next(line) });
      broker.withDeadLetterQueue(queue);
      hot('-a-b-c').subscribe((p) => attempt(() => broker.trySend(nobody, Note(p))));

      expectObservable(logged).toBe('');
    });

    const kept = queue.toArray().map(({ message, reason, at }) => [message.payload, reason, at]);
    expect(kept).toEqual([
      ['b', 'ActorNotFound', 3],
      ['c', 'ActorNotFound', 5],
    ]);
    expect(queue.dropped).toBe(1);
  });
});
