import { map, mergeMap, NEVER, Subject, throwError, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  BrokerError,
  defineMessage,
  Mailbox,
  SendError,
  type Actor,
  type BroadcastResult,
  type SendErrorInfo,
  type SendErrorKind,
} from 'rxbroker';
import { createTestBroker, createTestScheduler } from 'rxbroker/testing';

const Ask = defineMessage<string, string>('Ask');
const Check = defineMessage<{ readonly n: number }, boolean>('Check');

const [one, two, three] = [ActorId.from(1), ActorId.from(2), ActorId.from(3)];

function testScheduler() {
  return createTestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/**
 * Answers `<its id>:<payload>` after `frames` (at once for 0), and reports the same on `seen` when
 * its handler starts.
 */
function answering(frames: number, seen?: Subject<string>): Actor {
  return {
    receive: (message, ctx) => {
      const answer = `${ctx.self}:${String(message.payload)}`;
      seen?.next(answer);
      return frames === 0 ? answer : timer(frames).pipe(map(() => answer));
    },
  };
}

function ok(actorId: ActorId, value: unknown): BroadcastResult<unknown> {
  return { actorId, ok: true, value };
}

function failed(
  actorId: ActorId,
  kind: SendErrorKind,
  info: Partial<SendErrorInfo> = {},
): BroadcastResult<unknown> {
  return {
    actorId,
    ok: false,
    error: new SendError(kind, { actorId, messageType: 'Ask', ...info }),
  };
}

describe('broadcast$', () => {
  it('emits each target’s result as it settles, then completes', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      broker.register(one, Mailbox.unbounded(answering(3)));
      broker.register(two, Mailbox.unbounded(answering(1)));
      broker.register(three, Mailbox.unbounded(answering(2)));

      expectObservable(broker.broadcast$(Ask('q'))).toBe('-bc(a|)', {
        a: ok(one, '1:q'),
        b: ok(two, '2:q'),
        c: ok(three, '3:q'),
      });
    });
  });

  it('emits the results that settle in one frame in registration order', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      broker.register(three, Mailbox.unbounded(answering(0)));
      broker.register(one, Mailbox.unbounded(answering(0)));
      broker.register(two, Mailbox.unbounded(answering(0)));

      expectObservable(broker.broadcast$(Ask('q'))).toBe('(cab|)', {
        a: ok(one, '1:q'),
        b: ok(two, '2:q'),
        c: ok(three, '3:q'),
      });
    });
  });

  it('completes at once when no actor is registered', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      expectObservable(broker.broadcast$(Ask('q'))).toBe('|');
    });
  });

  it('is cold: sends on each subscription, to the actors registered then', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const broker = createTestBroker(scheduler);
      const seen = new Subject<string>();
      broker.register(one, Mailbox.unbounded(answering(0, seen)));
      hot('---r').subscribe(() => broker.register(two, Mailbox.unbounded(answering(0, seen))));
      const results = broker.broadcast$(Ask('q'));
      const values = { a: ok(one, '1:q'), b: ok(two, '2:q') };

      expectObservable(seen).toBe('             --a--(ab)', { a: '1:q', b: '2:q' });
      expectObservable(results, '--^').toBe('   --(a|)', values);
      expectObservable(results, '-----^').toBe('-----(ab|)', values);
    });
  });

  it('reports a failing target as its own result (HandlerFailed), not affecting the others', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      const throwing: Actor = {
        receive: () => {
          throw new Error('boom');
        },
      };
      const erroring: Actor = {
        receive: () => timer(2).pipe(mergeMap(() => throwError(() => new Error('nope')))),
      };
      broker.register(one, Mailbox.unbounded(answering(3)));
      broker.register(two, Mailbox.unbounded(throwing));
      broker.register(three, Mailbox.unbounded(erroring));

      expectObservable(broker.broadcast$(Ask('q'))).toBe('b-c(a|)', {
        a: ok(one, '1:q'),
        b: failed(two, 'HandlerFailed'),
        c: failed(three, 'HandlerFailed'),
      });
    });
  });

  it('reports a target that does not answer in time as Timeout; the others still answer', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
      broker.register(one, Mailbox.unbounded({ receive: () => NEVER }));
      broker.register(two, Mailbox.unbounded(answering(1)));

      expectObservable(broker.broadcast$(Ask('q'), { timeout: 2 })).toBe('-b(a|)', {
        a: failed(one, 'Timeout', { timeout: 2 }),
        b: ok(two, '2:q'),
      });
    });
  });

  it('reports a target whose mailbox is full as MailboxFull; the others still answer', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
      broker.register(one, Mailbox.bounded(answering(4), 1));
      broker.register(two, Mailbox.unbounded(answering(1)));
      const results = broker.broadcast$(Ask('q'));
      const values = { a: failed(one, 'MailboxFull', { capacity: 1 }), b: ok(two, '2:q') };

      expectObservable(broker.send$(one, Ask('busy'))).toBe('        ----(x|)', { x: '1:busy' });
      expectObservable(broker.send$(one, Ask('queued')), '-^').toBe('--------(y|)', {
        y: '1:queued',
      });
      expectObservable(results, '--^').toBe('--a(b|)', values);
    });
  });

  it('withdraws the deliveries still queued when unsubscribed early: they never run', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
      const [seenOne, seenTwo] = [new Subject<string>(), new Subject<string>()];
      broker.register(one, Mailbox.unbounded(answering(0, seenOne)));
      broker.register(two, Mailbox.unbounded(answering(6, seenTwo)));
      const values = { b: '2:busy', n: '2:next' };

      expectObservable(broker.send$(two, Ask('busy'))).toBe('         ------(b|)', values);
      expectObservable(broker.broadcast$(Ask('q')), '-^-!').toBe('    -a', { a: ok(one, '1:q') });
      expectObservable(broker.send$(two, Ask('next')), '----^').toBe('------------(n|)', values);
      expectObservable(seenOne).toBe('                                -a', { a: '1:q' });
      expectObservable(seenTwo).toBe('                                b-----n', values);
    });
  });

  it('hands every target the same frozen message object', () => {
    const scheduler = testScheduler();
    const message = Check({ n: 1 });
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      const sameAndFrozen: Actor = {
        receive: (received) =>
          received === message && Object.isFrozen(received) && Object.isFrozen(received.payload),
      };
      broker.register(one, Mailbox.unbounded(sameAndFrozen));
      broker.register(two, Mailbox.unbounded(sameAndFrozen));

      expectObservable(broker.broadcast$(message)).toBe('(ab|)', {
        a: ok(one, true),
        b: ok(two, true),
      });
    });
  });
});

describe('broadcastFilter$', () => {
  it('sends only to the actors whose id passes the filter, in registration order', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      const seen = new Subject<string>();
      const [a, b, c, d] = [
        ActorId.from(99),
        ActorId.from(150),
        ActorId.from(120),
        ActorId.from(200),
      ];
      for (const id of [a, b, c, d]) broker.register(id, Mailbox.unbounded(answering(0, seen)));
      const inRange = (id: ActorId) => id >= 100 && id < 200;

      expectObservable(broker.broadcastFilter$(Ask('q'), inRange)).toBe('(bc|)', {
        b: ok(b, '150:q'),
        c: ok(c, '120:q'),
      });
      expectObservable(seen).toBe('(bc)', { b: '150:q', c: '120:q' });
    });
  });

  it('completes at once when the filter passes no actor', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      broker.register(one, Mailbox.unbounded(answering(0)));
      expectObservable(broker.broadcastFilter$(Ask('q'), () => false)).toBe('|');
    });
  });

  it('errors with RoutingFailed and sends nothing when the filter throws', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      const seen = new Subject<string>();
      for (const id of [one, two, three]) {
        broker.register(id, Mailbox.unbounded(answering(0, seen)));
      }
      const throwsOnTwo = (id: ActorId) => {
        if (id === two) throw new Error('bad filter');
        return true;
      };
      const reason = 'the broadcast filter threw';
      const refused = new BrokerError('RoutingFailed', { actorId: two, reason });
      const values = { a: ok(one, '1:after'), b: ok(two, '2:after'), c: ok(three, '3:after') };

      expectObservable(broker.broadcastFilter$(Ask('q'), throwsOnTwo)).toBe(
        '#',
        undefined,
        refused,
      );
      // Nothing reached a handler at frame 0; the broker still works at frame 1.
      expectObservable(seen).toBe('          -(abc)', { a: '1:after', b: '2:after', c: '3:after' });
      expectObservable(broker.broadcast$(Ask('after')), '-^').toBe('-(abc|)', values);
    });
  });
});
