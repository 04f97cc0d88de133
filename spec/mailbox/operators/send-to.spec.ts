import { firstValueFrom, from, map, NEVER, Subject, timer, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  defineMessage,
  isArgumentError,
  isSendError,
  Mailbox,
  sendTo,
  type AnyMessage,
  type InMemoryMessageBroker,
} from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import { rejectionOf, thrown } from '../../support/promises.js';
import { advanceBy, settle, virtualScheduler } from '../../support/virtual-time.js';

const Square = defineMessage<number, number>('Square');

const makeBroker = brokerFactory();

/** An actor squaring numbers after `delay` virtual ms, recording the broker's in-flight count. */
function squarer(
  broker: () => InMemoryMessageBroker,
  scheduler: ReturnType<typeof virtualScheduler>,
  delay = 10,
) {
  const inFlight: number[] = [];
  return {
    inFlight,
    receive: (m: AnyMessage) => {
      inFlight.push(broker().metrics().inFlight);
      return timer(delay, scheduler).pipe(map(() => (m.payload as number) ** 2));
    },
  };
}

describe('sendTo', () => {
  it('sends each message and emits the results in order with the default concurrency of 1', async () => {
    const broker = makeBroker();
    const id = ActorId.from(1);
    broker.register(
      id,
      Mailbox.unbounded({ receive: async (m: AnyMessage) => (m.payload as number) ** 2 }),
    );
    const results = await firstValueFrom(
      from([1, 2, 3, 4]).pipe(map(Square), sendTo(broker, id), toArray()),
    );
    expect(results).toEqual([1, 4, 9, 16]);
  });

  it.each([1, 3])(
    'never has more than %s messages in flight, and uses all of them',
    async (concurrency) => {
      const scheduler = virtualScheduler();
      const broker = makeBroker({ scheduler });
      const id = ActorId.from(1);
      const actor = squarer(() => broker, scheduler);
      broker.register(id, Mailbox.unbounded(actor));
      const results: number[] = [];
      let done = false;
      from([1, 2, 3, 4, 5, 6, 7, 8])
        .pipe(map(Square), sendTo(broker, id, { concurrency }))
        .subscribe({ next: (r) => results.push(r), complete: () => (done = true) });
      await advanceBy(scheduler, 100);
      expect(done).toBe(true);
      expect(results).toEqual([1, 4, 9, 16, 25, 36, 49, 64]);
      expect(Math.max(...actor.inFlight)).toBe(concurrency);
    },
  );

  it('waits for the answer before pulling the next message from a hot source', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded(squarer(() => broker, scheduler, 10)));
    const source = new Subject<number>();
    const results: number[] = [];
    source.pipe(map(Square), sendTo(broker, id)).subscribe((r) => results.push(r));
    source.next(2);
    source.next(3);
    await settle(scheduler);
    expect(broker.metrics().totalSent).toBe(1);
    await advanceBy(scheduler, 10);
    expect(results).toEqual([4]);
    expect(broker.metrics().totalSent).toBe(2);
    await advanceBy(scheduler, 10);
    expect(results).toEqual([4, 9]);
  });

  it('errors the stream with the first SendError', async () => {
    const broker = makeBroker();
    const error = await rejectionOf(
      firstValueFrom(from([1, 2]).pipe(map(Square), sendTo(broker, ActorId.from(404)), toArray())),
    );
    expect(isSendError(error, 'ActorNotFound')).toBe(true);
  });

  it('passes the send options on (here a timeout)', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler, defaultTimeout: 10_000 });
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded({ receive: () => NEVER }));
    let failure: unknown;
    from([1])
      .pipe(map(Square), sendTo(broker, id, { timeout: 25 }))
      .subscribe({ error: (e: unknown) => (failure = e) });
    await advanceBy(scheduler, 25);
    expect(isSendError(failure, 'Timeout')).toBe(true);
    expect(failure).toMatchObject({ info: { timeout: 25 } });
  });

  it('withdraws the messages not yet processed when unsubscribed', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const id = ActorId.from(1);
    const seen: number[] = [];
    broker.register(
      id,
      Mailbox.unbounded({
        receive: (m: AnyMessage) => {
          seen.push(m.payload as number);
          return NEVER;
        },
      }),
    );
    const subscription = from([1, 2, 3])
      .pipe(map(Square), sendTo(broker, id, { concurrency: 3 }))
      .subscribe();
    await settle(scheduler);
    expect(seen).toEqual([1]);
    subscription.unsubscribe();
    await advanceBy(scheduler, 100);
    expect(seen).toEqual([1]);
    expect(broker.metrics().totalWithdrawn).toBe(2);
  });

  it.each([0, -2, 2.5, NaN, Infinity])(
    'throws ArgumentError at once for the concurrency %s',
    (concurrency) => {
      const broker = makeBroker();
      const error = thrown(() => sendTo(broker, ActorId.from(1), { concurrency }));
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'concurrency' });
    },
  );
});
