import {
  catchError,
  EMPTY,
  map,
  mergeMap,
  of,
  Subject,
  throwError,
  timer,
  type OperatorFunction,
} from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  BrokerError,
  defineMessage,
  Mailbox,
  SendError,
  type Actor,
  type ActorContext,
  type BroadcastResult,
} from 'rxbroker';
import { createTestBroker, createTestScheduler } from 'rxbroker/testing';

const Echo = defineMessage<string, string>('Echo');

const [one, two, three] = [ActorId.from(1), ActorId.from(2), ActorId.from(3)];

function testScheduler() {
  return createTestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

type Reply = (payload: string, ctx: ActorContext) => unknown;

/**
 * An actor that reports `<its id>:<payload>` on `seen` when its handler starts, then answers with
 * `reply` (by default `<its id>:<payload>`, at once).
 */
function actor(seen: Subject<string>, reply: Reply = (p, ctx) => `${ctx.self}:${p}`): Actor {
  return {
    receive: (message, ctx) => {
      seen.next(`${ctx.self}:${String(message.payload)}`);
      return reply(String(message.payload), ctx);
    },
  };
}

/** A reply of `<id>:<payload>` after `frames`. */
function after(frames: number): Reply {
  return (p, ctx) => timer(frames).pipe(map(() => `${ctx.self}:${p}`));
}

/** Turns a failed send into a value: the `cause` its error carries (the handler's own error). */
function errorCause<T>(): OperatorFunction<T, unknown> {
  return catchError((error: unknown) => of((error as { cause?: unknown }).cause));
}

function ok(actorId: ActorId, value: unknown): BroadcastResult<unknown> {
  return { actorId, ok: true, value };
}

describe('send$ to one actor', () => {
  it('delivers to the addressed actor only and emits its result', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      const seen = new Subject<string>();
      broker.register(one, Mailbox.unbounded(actor(seen, after(2))));
      broker.register(two, Mailbox.unbounded(actor(seen)));

      expectObservable(seen).toBe('                        (xy)', { x: '1:x', y: '2:y' });
      expectObservable(broker.send$(one, Echo('x'))).toBe('--(r|)', { r: '1:x' });
      expectObservable(broker.send$(two, Echo('y'))).toBe('(r|)', { r: '2:y' });
    });
  });

  it('is cold: sends nothing before subscription, and sends again on each subscription', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      const seen = new Subject<string>();
      broker.register(one, Mailbox.unbounded(actor(seen)));
      const reply$ = broker.send$(one, Echo('x'));

      expectObservable(seen).toBe('            --x--x', { x: '1:x' });
      expectObservable(reply$, '--^').toBe('   --(r|)', { r: '1:x' });
      expectObservable(reply$, '-----^').toBe('-----(r|)', { r: '1:x' });
    });
  });

  it('emits the last value of an Observable handler that emits many', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, expectSubscriptions, cold }) => {
      const broker = createTestBroker(scheduler);
      const answer = cold('-a-b-c|');
      broker.register(one, Mailbox.unbounded({ receive: () => answer }));

      expectObservable(broker.send$(one, Echo('x'))).toBe('------(c|)');
      expectSubscriptions(answer.subscriptions).toBe('     ^-----!');
    });
  });

  it('emits undefined for an Observable handler that completes empty', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      broker.register(one, Mailbox.unbounded({ receive: () => EMPTY }));

      expectObservable(broker.send$(one, Echo('x'))).toBe('(u|)', { u: undefined });
    });
  });

  it('processes one message at a time, in the order sent', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      const seen = new Subject<string>();
      broker.register(one, Mailbox.unbounded(actor(seen, after(3))));
      const values = { a: '1:a', b: '1:b', c: '1:c' };

      expectObservable(seen).toBe('                        a--b--c', values);
      expectObservable(broker.send$(one, Echo('a'))).toBe('---(a|)', values);
      expectObservable(broker.send$(one, Echo('b'))).toBe('------(b|)', values);
      expectObservable(broker.send$(one, Echo('c'))).toBe('---------(c|)', values);
    });
  });

  it('errors with HandlerFailed, cause the error, if the handler throws; the actor goes on', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      const boom = new Error('boom');
      const throwing = (p: string) => {
        if (p === 'bad') throw boom;
        return 'fine';
      };
      broker.register(one, Mailbox.unbounded(actor(new Subject(), throwing)));
      const failed = new SendError('HandlerFailed', { actorId: one, messageType: 'Echo' });

      expectObservable(broker.send$(one, Echo('bad'))).toBe('                #', undefined, failed);
      expectObservable(broker.send$(one, Echo('bad')).pipe(errorCause())).toBe('(c|)', { c: boom });
      expectObservable(broker.send$(one, Echo('ok')), '-^').toBe('           -(r|)', { r: 'fine' });
    });
  });

  it('errors with HandlerFailed when the handler Observable errors; the actor goes on', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      const nope = new Error('nope');
      const erroring = (p: string) =>
        p === 'bad' ? timer(2).pipe(mergeMap(() => throwError(() => nope))) : 'fine';
      broker.register(one, Mailbox.unbounded(actor(new Subject(), erroring)));

      const cause = broker.send$(one, Echo('bad')).pipe(errorCause());

      expectObservable(cause).toBe('                        --(c|)', { c: nope });
      expectObservable(broker.send$(one, Echo('ok'))).toBe('--(r|)', { r: 'fine' });
    });
  });

  it('withdraws a queued message when its subscriber unsubscribes: its handler never runs', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      const seen = new Subject<string>();
      broker.register(one, Mailbox.unbounded(actor(seen, after(4))));
      const values = { a: '1:a', c: '1:c' };

      expectObservable(seen).toBe('                              a---c', values);
      expectObservable(broker.send$(one, Echo('a'))).toBe('      ----(a|)', values);
      expectObservable(broker.send$(one, Echo('b')), '^-!').toBe('');
      expectObservable(broker.send$(one, Echo('c')), '-^').toBe('--------(c|)', values);
    });
  });
});

describe('topics', () => {
  it('publish$ delivers to each subscriber whose pattern matches (* one token, > the rest)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      for (const id of [one, two, three])
        broker.register(id, Mailbox.unbounded(actor(new Subject())));
      broker.subscribe(one, 'orders.*');
      broker.subscribe(two, 'orders.>');
      broker.subscribe(three, 'orders.eu.create');

      const eu = broker.publish$('orders.eu', Echo('x'));
      const euCreate = broker.publish$('orders.eu.create', Echo('y'));
      expectObservable(eu).toBe('               (ab|)', { a: ok(one, '1:x'), b: ok(two, '2:x') });
      expectObservable(euCreate).toBe('         (bc|)', { b: ok(two, '2:y'), c: ok(three, '3:y') });
      expectObservable(broker.publish$('orders', Echo('z'))).toBe('|');
      expectObservable(broker.publish$('billing.eu', Echo('z'))).toBe('|');
    });
  });

  it('publish$ is cold: it finds the subscribers when subscribed', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const broker = createTestBroker(scheduler);
      const seen = new Subject<string>();
      broker.register(one, Mailbox.unbounded(actor(seen)));
      const published = broker.publish$('news.today', Echo('n'));
      hot('--s').subscribe(() => broker.subscribe(one, 'news.*'));

      expectObservable(seen).toBe('             ---n', { n: '1:n' });
      expectObservable(published, '-^').toBe('  -|');
      expectObservable(published, '---^').toBe('---(r|)', { r: ok(one, '1:n') });
    });
  });

  it('sendWithRouting$ takes turns among the subscribers (round-robin), skipping leavers', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const broker = createTestBroker(scheduler);
      for (const id of [one, two, three]) {
        broker.register(id, Mailbox.unbounded(actor(new Subject(), (_, ctx) => String(ctx.self))));
        broker.subscribe(id, 'jobs.*');
      }
      broker.subscribe(one, 'jobs.>'); // a second matching pattern gives no second turn

      const answers = hot('-j-j-j-u-j-j-j').pipe(
        mergeMap((event) => {
          if (event === 'j') return broker.sendWithRouting$({ topic: 'jobs.resize' }, Echo('job'));
          broker.unsubscribe(two, 'jobs.*');
          return EMPTY;
        }),
      );
      expectObservable(answers).toBe('-1-2-3---1-3-1');
    });
  });

  it('sendWithRouting$ with no subscriber errors with RoutingFailed; a dead letter remains', () => {
    const scheduler = testScheduler();
    const message = Echo('lost');
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      broker.register(one, Mailbox.unbounded(actor(new Subject())));
      broker.subscribe(one, 'orders.*');
      const reason = 'no actor subscribes to this topic';
      const error = new BrokerError('RoutingFailed', { topic: 'orders', reason });
      const letter = { actorId: undefined, topic: 'orders', message, reason: 'RoutingFailed' };
      const routed = broker.sendWithRouting$({ topic: 'orders' }, message);

      expectObservable(broker.deadLetters$).toBe('--d', { d: { ...letter, error, at: 2 } });
      expectObservable(routed, '--^').toBe('      --#', undefined, error);
    });
  });

  it('sendWithRouting and publish (the Promise forms) resolve with the same results', async () => {
    const scheduler = testScheduler();
    let routed: Promise<string> | undefined;
    let published: Promise<BroadcastResult<string>[]> | undefined;
    scheduler.run(({ expectObservable, hot }) => {
      const broker = createTestBroker(scheduler);
      const seen = new Subject<string>();
      for (const id of [one, two]) {
        broker.register(id, Mailbox.unbounded(actor(seen, after(2))));
        broker.subscribe(id, 'jobs.*');
      }
      hot('-rp').subscribe((step) => {
        if (step === 'r') routed = broker.sendWithRouting({ topic: 'jobs.x' }, Echo('r'));
        else published = broker.publish('jobs.x', Echo('p'));
      });

      // One was busy with r when p came, so it starts on p after two.
      expectObservable(seen).toBe('-abc', { a: '1:r', b: '2:p', c: '1:p' });
    });

    await expect(routed).resolves.toBe('1:r');
    await expect(published).resolves.toEqual([ok(one, '1:p'), ok(two, '2:p')]);
  });
});

describe('unknown ids', () => {
  it('send$ to an id nobody registered errors with ActorNotFound once subscribed', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler);
      const nobody = ActorId.from(99);
      const notFound = new SendError('ActorNotFound', { actorId: nobody, messageType: 'Echo' });
      const reply$ = broker.send$(nobody, Echo('x'));

      expectObservable(reply$).toBe('        #', undefined, notFound);
      expectObservable(reply$, '---^').toBe('---#', undefined, notFound);
    });
  });

  it('trySend to an id nobody registered throws ActorNotFound', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const broker = createTestBroker(scheduler);
      const nobody = ActorId.from(99);
      const Note = defineMessage<string, void>('Note');
      const notFound = new SendError('ActorNotFound', { actorId: nobody, messageType: 'Note' });
      const outcome = hot('-t').pipe(map(() => attempt(() => broker.trySend(nobody, Note('x')))));

      expectObservable(outcome).toBe('-e', { e: notFound });
    });
  });

  it('an actor registered later gets the sends made after its registration only', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const broker = createTestBroker(scheduler);
      const late = ActorId.from(7);
      const seen = new Subject<string>();
      const notFound = new SendError('ActorNotFound', { actorId: late, messageType: 'Echo' });
      hot('--r').subscribe(() => broker.register(late, Mailbox.unbounded(actor(seen))));

      expectObservable(seen).toBe('                                     ---x', { x: '7:after' });
      expectObservable(broker.send$(late, Echo('before')), '-^').toBe(' -#', undefined, notFound);
      expectObservable(broker.send$(late, Echo('after')), '---^').toBe('---(r|)', { r: '7:after' });
    });
  });
});

function attempt(action: () => void): unknown {
  try {
    action();
    return 'ok';
  } catch (error) {
    return error;
  }
}
