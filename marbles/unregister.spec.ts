import { map, Subject, timer, type Observable, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  BrokerError,
  defineMessage,
  Mailbox,
  SendError,
  type Actor,
  type OverflowStrategy,
} from 'rxbroker';
import { createTestBroker, createTestScheduler } from 'rxbroker/testing';

const Job = defineMessage<string, string>('Job');
const Note = defineMessage<string, void>('Note');

const id = ActorId.from(1);
const stopped = new SendError('ActorStopped', { actorId: id, messageType: 'Job' });
const notFound = new SendError('ActorNotFound', { actorId: id, messageType: 'Job' });

function testScheduler() {
  return createTestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

interface SetUp {
  /** Handler results by payload; any other payload is answered in upper case 4 frames later. */
  answers?: Record<string, Observable<unknown>>;
  /** A bounded mailbox of capacity 1 with this strategy; unbounded when absent. */
  overflow?: OverflowStrategy;
}

/** A broker in virtual time with one actor under `id` that reports each payload on `seen`. */
function setUp(scheduler: SchedulerLike, { answers = {}, overflow }: SetUp = {}) {
  const broker = createTestBroker(scheduler, { defaultTimeout: 100 });
  const seen = new Subject<string>();
  const worker: Actor = {
    receive: (message) => {
      const payload = String(message.payload);
      seen.next(payload);
      return answers[payload] ?? timer(4).pipe(map(() => payload.toUpperCase()));
    },
  };
  const mailbox =
    overflow === undefined ? Mailbox.unbounded(worker) : Mailbox.bounded(worker, 1, { overflow });
  broker.register(id, mailbox);
  return { broker, seen, send: (payload: string) => broker.send$(id, Job(payload)) };
}

function attempt(action: () => void): unknown {
  try {
    action();
    return 'ok';
  } catch (error) {
    return error;
  }
}

describe('unregister', () => {
  it('fails queued messages (ActorStopped), lets the running one finish, refuses the rest', () => {
    const scheduler = testScheduler();
    let metrics: (() => unknown) | undefined;
    scheduler.run(({ expectObservable, expectSubscriptions, cold, hot }) => {
      const processing = cold('----(a|)');
      const { broker, seen, send } = setUp(scheduler, { answers: { a: processing } });
      metrics = () => broker.metrics();
      hot('--u').subscribe(() => broker.unregister(id));

      expectObservable(seen).toBe('                       a');
      expectObservable(send('a')).toBe('                  ----(a|)');
      expectSubscriptions(processing.subscriptions).toBe('^---!');
      expectObservable(send('b'), '-^').toBe('            --#', undefined, stopped);
      expectObservable(send('c'), '-^').toBe('            --#', undefined, stopped);
      expectObservable(send('d'), '---^').toBe('          ---#', undefined, notFound);
    });
    expect(metrics?.()).toMatchObject({
      totalSent: 4,
      totalDelivered: 1,
      totalFailed: 3,
      inFlight: 0,
    });
  });

  it('fails a queued fire-and-forget message too; a later trySend throws ActorNotFound', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const { broker, seen } = setUp(scheduler);
      const step = (name: string) =>
        attempt(() => (name === 'u' ? broker.unregister(id) : broker.trySend(id, Note(name))));
      const steps = hot('a-bu-c').pipe(map(step));
      const letters = broker.deadLetters$.pipe(map((dead) => [dead.message.payload, dead.reason]));
      const noteNotFound = new SendError('ActorNotFound', { actorId: id, messageType: 'Note' });
      const outcomes = { a: 'ok', b: 'ok', u: 'ok', c: noteNotFound };
      const reasons = { s: ['b', 'ActorStopped'], n: ['c', 'ActorNotFound'] };

      expectObservable(steps).toBe('  a-bu-c', outcomes);
      expectObservable(letters).toBe('---s-n', reasons);
      expectObservable(seen).toBe('   a');
    });
  });

  it('fails senders waiting for room (backpressure) with ActorStopped', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const { broker, seen, send } = setUp(scheduler, { overflow: 'backpressure' });
      hot('---u').subscribe(() => broker.unregister(id));

      expectObservable(seen).toBe('            a');
      expectObservable(send('a')).toBe('       ----(A|)');
      expectObservable(send('b'), '-^').toBe(' ---#', undefined, stopped);
      expectObservable(send('c'), '--^').toBe('---#', undefined, stopped);
    });
  });

  it('throws NotFound when called again, and changes nothing', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const { broker, seen, send } = setUp(scheduler);
      const calls = hot('-uu').pipe(map(() => attempt(() => broker.unregister(id))));
      const again = new BrokerError('NotFound', { actorId: id });

      expectObservable(calls).toBe('    -ok', { o: 'ok', k: again });
      expectObservable(send('a')).toBe('----(A|)');
      expectObservable(seen).toBe('     a');
    });
  });

  it('removes the actor’s topic subscriptions', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const { broker } = setUp(scheduler);
      broker.subscribe(id, 'jobs.*');
      hot('-u').subscribe(() => broker.unregister(id));
      const reason = 'no actor subscribes to this topic';
      const unrouted = new BrokerError('RoutingFailed', { topic: 'jobs.x', reason });
      const routed = broker.sendWithRouting$({ topic: 'jobs.x' }, Job('x'));

      expectObservable(routed, '--^').toBe('                             --#', undefined, unrouted);
      expectObservable(broker.publish$('jobs.x', Job('x')), '--^').toBe('--|');
    });
  });

  it('frees the id: a new actor under it gets the later sends while the old one finishes', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const { broker, seen, send } = setUp(scheduler);
      const newSeen = new Subject<string>();
      const newcomer: Actor = { receive: (m) => (newSeen.next(String(m.payload)), 'new') };
      hot('-u').subscribe(() => {
        broker.unregister(id);
        broker.register(id, Mailbox.unbounded(newcomer));
      });

      expectObservable(send('a')).toBe('       ----(A|)');
      expectObservable(send('b'), '--^').toBe('--(n|)', { n: 'new' });
      expectObservable(seen).toBe('            a');
      expectObservable(newSeen).toBe('         --b');
    });
  });
});
