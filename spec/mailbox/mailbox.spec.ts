import { defer, finalize, map, of, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  defineMessage,
  isArgumentError,
  Mailbox,
  type Actor,
  type AnyMessage,
  type OverflowStrategy,
} from 'rxbroker';
import { brokerFactory } from '../support/brokers.js';
import { bad, deferred, thrown, track } from '../support/promises.js';
import { advanceBy, settle, virtualScheduler } from '../support/virtual-time.js';

const Note = defineMessage<string, void>('Note');
const Job = defineMessage<string, string>('Job');

const makeBroker = brokerFactory();
const actor: Actor = { receive: () => undefined };

describe('Mailbox.bounded', () => {
  it('keeps the actor, the capacity and the default strategy fail', () => {
    const mailbox = Mailbox.bounded(actor, 1000);
    expect(mailbox.actor).toBe(actor);
    expect(mailbox.capacity).toBe(1000);
    expect(mailbox.overflow).toBe('fail');
  });

  it.each<OverflowStrategy>(['fail', 'dropNewest', 'dropOldest', 'backpressure'])(
    "accepts the strategy '%s'",
    (overflow) => {
      expect(Mailbox.bounded(actor, 1, { overflow }).overflow).toBe(overflow);
    },
  );

  it.each([0, -1, NaN, 1.5, Infinity, '3', null])(
    'throws ArgumentError for the capacity %s',
    (capacity) => {
      const error = thrown(() => Mailbox.bounded(actor, bad(capacity)));
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'capacity' });
    },
  );

  it.each(['drop', 'DropOldest', 'block', ''])(
    "throws ArgumentError for the unknown strategy '%s'",
    (overflow) => {
      const error = thrown(() => Mailbox.bounded(actor, 1, { overflow: bad(overflow) }));
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'overflow' });
    },
  );

  it.each([null, 'fail', 3])(
    'throws ArgumentError for options that are not an object (%s)',
    (options) => {
      const error = thrown(() => Mailbox.bounded(actor, 1, bad(options)));
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'options' });
    },
  );
});

describe('Mailbox.unbounded', () => {
  it('has no bound and never refuses a message for being full', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const mailbox = Mailbox.unbounded(actor);
    expect(mailbox.capacity).toBe(Infinity);
    broker.register(ActorId.from(1), mailbox);
    for (let i = 0; i < 10_000; i++) broker.trySend(ActorId.from(1), Note('x'));
    expect(mailbox.size).toBe(10_000);
    await settle(scheduler);
    expect(mailbox.size).toBe(0);
    expect(broker.metrics().totalDelivered).toBe(10_000);
  });
});

describe.each([
  ['bounded', (a: Actor) => Mailbox.bounded(a, 5)],
  ['unbounded', (a: Actor) => Mailbox.unbounded(a)],
])('Mailbox.%s with a bad actor', (_, make) => {
  it.each([null, undefined, {}, { receive: 'not a function' }, () => 1])(
    'throws ArgumentError for %s',
    (bogus) => {
      const error = thrown(() => make(bad(bogus)));
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'actor' });
    },
  );
});

describe('Mailbox state', () => {
  it('reports size, waiting senders, processing and stopped as messages come and go', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const id = ActorId.from(1);
    const gate = deferred<string>();
    const mailbox = Mailbox.bounded({ receive: () => gate.promise }, 1, {
      overflow: 'backpressure',
    });
    expect([mailbox.size, mailbox.waiting, mailbox.isProcessing, mailbox.isStopped]).toEqual([
      0,
      0,
      false,
      false,
    ]);
    broker.register(id, mailbox);
    track(broker.send(id, Job('a')));
    expect([mailbox.size, mailbox.isProcessing]).toEqual([1, false]);
    await settle(scheduler);
    expect([mailbox.size, mailbox.isProcessing]).toEqual([0, true]);
    track(broker.send(id, Job('b')));
    track(broker.send(id, Job('c')));
    expect([mailbox.size, mailbox.waiting]).toEqual([1, 1]);
    gate.resolve('done');
    await settle(scheduler);
    expect([mailbox.size, mailbox.waiting, mailbox.isProcessing]).toEqual([0, 0, false]);
    broker.unregister(id);
    expect(mailbox.isStopped).toBe(true);
  });
});

describe('Mailbox processing', () => {
  it('does not let one busy actor starve the others', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const log: string[] = [];
    const busy = ActorId.from(1);
    const other = ActorId.from(2);
    broker.register(busy, Mailbox.unbounded({ receive: () => void log.push('busy') }));
    broker.register(other, Mailbox.unbounded({ receive: () => void log.push('other') }));
    for (let i = 0; i < 5000; i++) broker.trySend(busy, Note('x'));
    broker.trySend(other, Note('y'));
    await settle(scheduler);
    expect(log).toHaveLength(5001);
    expect(log.indexOf('other')).toBeLessThan(5000);
  });

  it('starts the next message after an async Observable handler has been torn down', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const id = ActorId.from(1);
    const log: string[] = [];
    broker.register(
      id,
      Mailbox.unbounded({
        receive: (m: AnyMessage) =>
          defer(() => {
            log.push(`start ${m.payload as string}`);
            return timer(5, scheduler).pipe(
              map(() => m.payload as string),
              finalize(() => log.push(`teardown ${m.payload as string}`)),
            );
          }),
      }),
    );
    const a = track(broker.send(id, Job('a')));
    const b = track(broker.send(id, Job('b')));
    await advanceBy(scheduler, 10);
    expect([a.value, b.value]).toEqual(['a', 'b']);
    expect(log).toEqual(['start a', 'teardown a', 'start b', 'teardown b']);
  });

  it('goes straight on after an Observable handler that completes synchronously', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded({ receive: (m: AnyMessage) => of(1, 2, m.payload) }));
    const calls = ['a', 'b', 'c'].map((p) => track(broker.send(id, Job(p))));
    await settle(scheduler);
    expect(calls.map((c) => c.value)).toEqual(['a', 'b', 'c']);
  });

  it('calls the handler with the actor as `this`', async () => {
    const broker = makeBroker();
    const id = ActorId.from(1);
    const account = {
      balance: 100,
      receive(this: { balance: number }) {
        return this.balance;
      },
    };
    broker.register(id, Mailbox.unbounded(account));
    await expect(broker.send(id, defineMessage<void, number>('Balance')())).resolves.toBe(100);
  });
});
