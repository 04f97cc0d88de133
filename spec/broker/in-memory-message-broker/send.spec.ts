import {
  defer,
  EMPTY,
  finalize,
  firstValueFrom,
  from,
  map,
  NEVER,
  of,
  throwError,
  timer,
} from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  defineMessage,
  isSendError,
  Mailbox,
  Priority,
  SendError,
  type ActorContext,
  type AnyMessage,
  type DeadLetter,
} from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import { deferred, rejectionOf, track } from '../../support/promises.js';
import { advanceBy, settle, virtualScheduler } from '../../support/virtual-time.js';

const Echo = defineMessage<string, string>('Echo');
const Add = defineMessage<{ a: number; b: number }, number>('Add');
const Ask = defineMessage<void, string>('Ask');

describe('InMemoryMessageBroker send', () => {
  const makeBroker = brokerFactory();

  describe('results', () => {
    it('resolves with the value a synchronous handler returns', async () => {
      const broker = makeBroker();
      const id = ActorId.from(1);
      broker.register(
        id,
        Mailbox.unbounded({
          receive: (m: AnyMessage) =>
            (m.payload as { a: number; b: number }).a + (m.payload as { a: number; b: number }).b,
        }),
      );
      await expect(broker.send(id, Add({ a: 2, b: 3 }))).resolves.toBe(5);
    });

    it('resolves with what a returned Promise resolves to', async () => {
      const broker = makeBroker();
      const id = ActorId.from(1);
      broker.register(id, Mailbox.unbounded({ receive: async () => 'later' }));
      await expect(broker.send(id, Ask())).resolves.toBe('later');
    });

    it('resolves with what any returned thenable resolves to', async () => {
      const broker = makeBroker();
      const id = ActorId.from(1);
      const thenable = { then: (resolve: (v: string) => void) => resolve('thenable') };
      broker.register(id, Mailbox.unbounded({ receive: () => thenable }));
      await expect(broker.send(id, Ask())).resolves.toBe('thenable');
    });

    it('resolves with the last value of a returned Observable once it completes', async () => {
      const broker = makeBroker();
      const id = ActorId.from(1);
      broker.register(id, Mailbox.unbounded({ receive: () => of('a', 'b', 'c') }));
      await expect(broker.send(id, Ask())).resolves.toBe('c');
    });

    it('resolves with undefined when a returned Observable completes empty', async () => {
      const broker = makeBroker();
      const id = ActorId.from(1);
      broker.register(id, Mailbox.unbounded({ receive: () => EMPTY }));
      await expect(broker.send(id, Ask())).resolves.toBeUndefined();
    });

    it('hands the handler the very message sent, frozen, and a frozen context', async () => {
      const broker = makeBroker();
      const id = ActorId.from(9);
      const seen: [AnyMessage, ActorContext][] = [];
      broker.register(id, Mailbox.unbounded({ receive: (m, ctx) => void seen.push([m, ctx]) }));
      const msg = Echo('x');
      await broker.send(id, msg);
      const [received, ctx] = seen[0] as [AnyMessage, ActorContext];
      expect(received).toBe(msg);
      expect(Object.isFrozen(received)).toBe(true);
      expect(ctx.self).toBe(id);
      expect(ctx.broker).toBe(broker);
      expect(Object.isFrozen(ctx)).toBe(true);
    });

    it('lets a handler message other actors through ctx.broker', async () => {
      const broker = makeBroker();
      const front = ActorId.from(1);
      const back = ActorId.from(2);
      broker.register(
        back,
        Mailbox.unbounded({ receive: (m: AnyMessage) => `back:${m.payload as string}` }),
      );
      broker.register(
        front,
        Mailbox.unbounded({
          receive: (m: AnyMessage, ctx) => ctx.broker.send(back, Echo(`via ${ctx.self}`)),
        }),
      );
      await expect(broker.send(front, Echo('x'))).resolves.toBe('back:via 1');
    });
  });

  describe('errors', () => {
    it('rejects with ActorNotFound for an unknown id, naming the actor and message type', async () => {
      const broker = makeBroker();
      const id = ActorId.from(404);
      const error = await rejectionOf(broker.send(id, Echo('x')));
      expect(isSendError(error, 'ActorNotFound')).toBe(true);
      expect(error).toBeInstanceOf(SendError);
      expect(error).toMatchObject({
        name: 'SendError',
        kind: 'ActorNotFound',
        actorId: id,
        info: { actorId: id, messageType: 'Echo' },
      });
    });

    it.each([
      [
        'throws',
        () => {
          throw new RangeError('sync boom');
        },
      ],
      ['rejects', () => Promise.reject(new RangeError('async boom'))],
      ['returns an Observable that errors', () => throwError(() => new RangeError('rx boom'))],
      [
        'returns an Observable that errors later',
        () =>
          from(Promise.resolve()).pipe(
            map(() => {
              throw new RangeError('late boom');
            }),
          ),
      ],
    ])('rejects with HandlerFailed carrying the cause when the handler %s', async (_, receive) => {
      const broker = makeBroker();
      const id = ActorId.from(1);
      broker.register(id, Mailbox.unbounded({ receive }));
      const error = await rejectionOf(broker.send(id, Ask()));
      expect(isSendError(error, 'HandlerFailed')).toBe(true);
      expect(error).toMatchObject({ actorId: id, info: { messageType: 'Ask' } });
      expect((error as SendError).cause).toBeInstanceOf(RangeError);
    });

    it('fails only the message whose handler failed; the actor goes on', async () => {
      const broker = makeBroker();
      const id = ActorId.from(1);
      broker.register(
        id,
        Mailbox.unbounded({
          receive: async (m: AnyMessage) => {
            if (m.payload === 'bad') throw new Error('bad input');
            return `ok:${m.payload as string}`;
          },
        }),
      );
      const results = await Promise.allSettled([
        broker.send(id, Echo('a')),
        broker.send(id, Echo('bad')),
        broker.send(id, Echo('b')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(results[0]).toMatchObject({ value: 'ok:a' });
      expect(results[2]).toMatchObject({ value: 'ok:b' });
      const cause = ((results[1] as PromiseRejectedResult).reason as SendError).cause as Error;
      expect(cause.message).toBe('bad input');
    });

    it('does not make a dead letter of a failed send: its sender hears of it', async () => {
      const broker = makeBroker();
      const letters: DeadLetter[] = [];
      broker.deadLetters$.subscribe((l) => letters.push(l));
      const id = ActorId.from(1);
      broker.register(id, Mailbox.unbounded({ receive: () => Promise.reject(new Error('x')) }));
      await rejectionOf(broker.send(id, Ask()));
      expect(letters).toEqual([]);
    });
  });

  describe('one message at a time', () => {
    it('never runs an async handler twice at once, and keeps the order of a sender', async () => {
      const broker = makeBroker();
      const id = ActorId.from(1);
      let active = 0;
      let maxActive = 0;
      const order: string[] = [];
      broker.register(
        id,
        Mailbox.unbounded({
          receive: async (m: AnyMessage) => {
            active++;
            maxActive = Math.max(maxActive, active);
            order.push(`start ${m.payload as string}`);
            for (let i = 0; i < 5; i++) await Promise.resolve();
            order.push(`end ${m.payload as string}`);
            active--;
            return m.payload as string;
          },
        }),
      );
      const results = await Promise.all(['a', 'b', 'c', 'd'].map((p) => broker.send(id, Echo(p))));
      expect(results).toEqual(['a', 'b', 'c', 'd']);
      expect(maxActive).toBe(1);
      expect(order).toEqual([
        'start a',
        'end a',
        'start b',
        'end b',
        'start c',
        'end c',
        'start d',
        'end d',
      ]);
    });

    it('does not start the next message before an Observable handler completes', async () => {
      const scheduler = virtualScheduler();
      const broker = makeBroker({ scheduler });
      const id = ActorId.from(1);
      const log: string[] = [];
      broker.register(
        id,
        Mailbox.unbounded({
          receive: (m: AnyMessage) =>
            defer(() => {
              log.push(`start ${m.payload as string} @${scheduler.now()}`);
              return timer(10, scheduler).pipe(map(() => m.payload as string));
            }),
        }),
      );
      const a = track(broker.send(id, Echo('a')));
      const b = track(broker.send(id, Echo('b')));
      await advanceBy(scheduler, 10);
      expect(a.value).toBe('a');
      expect(b.settled).toBe(false);
      await advanceBy(scheduler, 10);
      expect(b.value).toBe('b');
      expect(log).toEqual(['start a @0', 'start b @10']);
    });

    it('processes messages other actors send while it is busy only after it is free', async () => {
      const broker = makeBroker();
      const id = ActorId.from(1);
      const gate = deferred();
      const started = deferred();
      const log: string[] = [];
      broker.register(
        id,
        Mailbox.unbounded({
          receive: async (m: AnyMessage) => {
            log.push(m.payload as string);
            if (m.payload === 'slow') {
              started.resolve();
              await gate.promise;
            }
            return m.payload as string;
          },
        }),
      );
      const slow = broker.send(id, Echo('slow'));
      await started.promise;
      const quick = track(broker.send(id, Echo('quick')));
      for (let i = 0; i < 10; i++) await Promise.resolve();
      expect(log).toEqual(['slow']);
      expect(quick.settled).toBe(false);
      gate.resolve();
      await expect(slow).resolves.toBe('slow');
      await expect(quick.promise).resolves.toBe('quick');
      expect(log).toEqual(['slow', 'quick']);
    });
  });

  describe('timeouts (virtual time)', () => {
    it('rejects with Timeout exactly when the per-call timeout elapses and ignores a later result', async () => {
      const scheduler = virtualScheduler();
      const broker = makeBroker({ scheduler, defaultTimeout: 1000 });
      const id = ActorId.from(1);
      const gate = deferred<string>();
      broker.register(id, Mailbox.unbounded({ receive: () => gate.promise }));
      const call = track(broker.send(id, Ask(), { timeout: 100 }));
      await advanceBy(scheduler, 99);
      expect(call.settled).toBe(false);
      await advanceBy(scheduler, 1);
      expect(isSendError(call.error, 'Timeout')).toBe(true);
      expect(call.error).toMatchObject({ actorId: id, info: { timeout: 100, messageType: 'Ask' } });
      gate.resolve('too late');
      await settle(scheduler);
      expect(broker.metrics()).toMatchObject({ totalSent: 1, totalDelivered: 0, totalFailed: 1 });
    });

    it('uses the broker default timeout when the call gives none', async () => {
      const scheduler = virtualScheduler();
      const broker = makeBroker({ scheduler, defaultTimeout: 250 });
      const id = ActorId.from(1);
      broker.register(id, Mailbox.unbounded({ receive: () => NEVER }));
      const call = track(broker.send(id, Ask()));
      const prioritised = track(broker.sendWithPriority(id, Ask(), Priority.High));
      const withPriorityOnly = track(broker.send(id, Ask(), { priority: Priority.Low }));
      await advanceBy(scheduler, 249);
      expect(call.settled).toBe(false);
      await advanceBy(scheduler, 1);
      for (const c of [call, prioritised, withPriorityOnly]) {
        expect(isSendError(c.error, 'Timeout')).toBe(true);
        expect(c.error).toMatchObject({ info: { timeout: 250 } });
      }
    });

    it('withdraws a message that times out while queued: its handler never sees it', async () => {
      const scheduler = virtualScheduler();
      const broker = makeBroker({ scheduler });
      const letters: DeadLetter[] = [];
      broker.deadLetters$.subscribe((l) => letters.push(l));
      const id = ActorId.from(1);
      const seen: string[] = [];
      const gate = deferred<string>();
      broker.register(
        id,
        Mailbox.unbounded({
          receive: (m: AnyMessage) => {
            seen.push(m.payload as string);
            return m.payload === 'busy' ? gate.promise : (m.payload as string);
          },
        }),
      );
      const busy = track(broker.send(id, Echo('busy'), { timeout: 1000 }));
      const queued = track(broker.send(id, Echo('queued'), { timeout: 50 }));
      const after = track(broker.send(id, Echo('after'), { timeout: 1000 }));
      await advanceBy(scheduler, 50);
      expect(isSendError(queued.error, 'Timeout')).toBe(true);
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({ actorId: id, reason: 'Timeout', at: 50 });
      expect(letters[0]?.message.payload).toBe('queued');
      expect(broker.mailboxOf(id)?.size).toBe(1);
      gate.resolve('busy done');
      await settle(scheduler);
      expect(busy.value).toBe('busy done');
      expect(after.value).toBe('after');
      expect(seen).toEqual(['busy', 'after']);
    });

    it('unsubscribes an Observable handler that timed out and goes on with the next message', async () => {
      const scheduler = virtualScheduler();
      const broker = makeBroker({ scheduler });
      const id = ActorId.from(1);
      let finalized = 0;
      broker.register(
        id,
        Mailbox.unbounded({
          receive: (m: AnyMessage) =>
            m.payload === 'stuck'
              ? NEVER.pipe(finalize(() => finalized++))
              : of(`ok:${m.payload as string}`),
        }),
      );
      const stuck = track(broker.send(id, Echo('stuck'), { timeout: 30 }));
      const next = track(broker.send(id, Echo('next'), { timeout: 1000 }));
      await advanceBy(scheduler, 30);
      expect(isSendError(stuck.error, 'Timeout')).toBe(true);
      expect(finalized).toBe(1);
      expect(next.value).toBe('ok:next');
    });

    it('never hands a handler a message that timed out while queued, even when the actor frees up at that instant', async () => {
      const scheduler = virtualScheduler();
      const broker = makeBroker({ scheduler, defaultTimeout: 100 });
      const letters: DeadLetter[] = [];
      broker.deadLetters$.subscribe((l) => letters.push(l));
      const id = ActorId.from(1);
      const seen: string[] = [];
      broker.register(
        id,
        Mailbox.unbounded({
          receive: (m: AnyMessage) => {
            seen.push(m.payload as string);
            return NEVER;
          },
        }),
      );
      // Same send time, same default timeout: both deadlines fall on frame 100.
      const first = track(broker.send(id, Echo('first')));
      const second = track(broker.send(id, Echo('second')));
      await advanceBy(scheduler, 100);
      expect(isSendError(first.error, 'Timeout')).toBe(true);
      expect(isSendError(second.error, 'Timeout')).toBe(true);
      expect(seen).toEqual(['first']);
      expect(letters.map((l) => [l.message.payload, l.reason])).toEqual([['second', 'Timeout']]);
    });

    it('keeps timing out other messages when an abandoned handler throws in its teardown', async () => {
      const scheduler = virtualScheduler();
      const broker = makeBroker({ scheduler, defaultTimeout: 100 });
      broker.register(
        ActorId.from(1),
        Mailbox.unbounded({
          receive: () =>
            NEVER.pipe(
              finalize(() => {
                throw new Error('teardown failed');
              }),
            ),
        }),
      );
      broker.register(ActorId.from(2), Mailbox.unbounded({ receive: () => NEVER }));
      const a = track(broker.send(ActorId.from(1), Ask()));
      const b = track(broker.send(ActorId.from(2), Ask()));
      const c = track(broker.send(ActorId.from(2), Ask(), { timeout: 200 }));
      await settle(scheduler);
      for (let i = 0; i < 3; i++) {
        try {
          await advanceBy(scheduler, 100);
        } catch {
          // The teardown error may surface; the deadlines must keep firing.
        }
      }
      expect(isSendError(a.error, 'Timeout')).toBe(true);
      expect(isSendError(b.error, 'Timeout')).toBe(true);
      expect(isSendError(c.error, 'Timeout')).toBe(true);
    });

    it('does not hang forever when a handler sends to its own actor and awaits the reply', async () => {
      const scheduler = virtualScheduler();
      const broker = makeBroker({ scheduler, defaultTimeout: 100 });
      const id = ActorId.from(1);
      broker.register(
        id,
        Mailbox.unbounded({
          receive: (m: AnyMessage, ctx) =>
            m.type === 'Ask'
              ? ctx.broker.send(ctx.self, Echo('inner'))
              : `echo:${m.payload as string}`,
        }),
      );
      const outer = track(broker.send(id, Ask()));
      await advanceBy(scheduler, 99);
      expect(outer.settled).toBe(false);
      await advanceBy(scheduler, 1);
      expect(isSendError(outer.error, 'Timeout')).toBe(true);
      // The actor is free again afterwards.
      const later = track(broker.send(id, Echo('later')));
      await settle(scheduler);
      expect(later.value).toBe('echo:later');
    });

    it('lets a handler that awaits its own actor with a shorter timeout recover and answer', async () => {
      const scheduler = virtualScheduler();
      const broker = makeBroker({ scheduler, defaultTimeout: 1000 });
      const id = ActorId.from(1);
      broker.register(
        id,
        Mailbox.unbounded({
          receive: async (m: AnyMessage, ctx) => {
            if (m.type !== 'Ask') return 'inner';
            try {
              return await ctx.broker.send(ctx.self, Echo('inner'), { timeout: 50 });
            } catch (error) {
              return `gave up: ${(error as SendError).kind}`;
            }
          },
        }),
      );
      const outer = track(broker.send(id, Ask()));
      await advanceBy(scheduler, 50);
      expect(outer.value).toBe('gave up: Timeout');
    });
  });

  describe('sendWithPriority', () => {
    it('resolves like send', async () => {
      const broker = makeBroker();
      const id = ActorId.from(1);
      broker.register(id, Mailbox.unbounded({ receive: (m: AnyMessage) => m.payload }));
      await expect(broker.sendWithPriority(id, Echo('p'), Priority.Critical)).resolves.toBe('p');
      const error = await rejectionOf(
        broker.sendWithPriority(ActorId.from(2), Echo('p'), Priority.Low),
      );
      expect(isSendError(error, 'ActorNotFound')).toBe(true);
    });
  });
});

describe('InMemoryMessageBroker send$', () => {
  const makeBroker = brokerFactory();

  it('is cold: nothing is sent until it is subscribed, and each subscription sends once', async () => {
    const broker = makeBroker();
    const id = ActorId.from(1);
    let calls = 0;
    broker.register(
      id,
      Mailbox.unbounded({ receive: (m: AnyMessage) => `${m.payload as string}${++calls}` }),
    );
    const reply$ = broker.send$(id, Echo('r'));
    expect(broker.metrics().totalSent).toBe(0);
    expect(await firstValueFrom(reply$)).toBe('r1');
    expect(await firstValueFrom(reply$)).toBe('r2');
    expect(broker.metrics().totalSent).toBe(2);
  });

  it('emits the result then completes', async () => {
    const broker = makeBroker();
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded({ receive: () => 'value' }));
    const events: string[] = [];
    await new Promise<void>((resolve) => {
      broker.send$(id, Ask()).subscribe({
        next: (v) => events.push(`next ${v}`),
        complete: () => {
          events.push('complete');
          resolve();
        },
      });
    });
    expect(events).toEqual(['next value', 'complete']);
  });

  it('errors with the SendError', async () => {
    const broker = makeBroker();
    const error = await rejectionOf(firstValueFrom(broker.send$(ActorId.from(5), Ask())));
    expect(isSendError(error, 'ActorNotFound')).toBe(true);
  });

  it('withdraws the message when unsubscribed before processing: no handler, no dead letter', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const letters: DeadLetter[] = [];
    broker.deadLetters$.subscribe((l) => letters.push(l));
    const id = ActorId.from(1);
    const seen: unknown[] = [];
    broker.register(id, Mailbox.unbounded({ receive: (m: AnyMessage) => seen.push(m.payload) }));
    const values: unknown[] = [];
    const subscription = broker.send$(id, Echo('gone')).subscribe((v) => values.push(v));
    expect(broker.mailboxOf(id)?.size).toBe(1);
    subscription.unsubscribe();
    expect(broker.mailboxOf(id)?.size).toBe(0);
    await advanceBy(scheduler, 10_000);
    expect(seen).toEqual([]);
    expect(values).toEqual([]);
    expect(letters).toEqual([]);
    expect(broker.metrics()).toMatchObject({
      totalSent: 1,
      totalFailed: 1,
      totalWithdrawn: 1,
      inFlight: 0,
    });
  });

  it('does not withdraw a message whose handler already started', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const id = ActorId.from(1);
    const gate = deferred<string>();
    const seen: unknown[] = [];
    broker.register(
      id,
      Mailbox.unbounded({
        receive: (m: AnyMessage) => {
          seen.push(m.payload);
          return gate.promise;
        },
      }),
    );
    const values: unknown[] = [];
    const subscription = broker.send$(id, Echo('started')).subscribe((v) => values.push(v));
    await settle(scheduler);
    subscription.unsubscribe();
    gate.resolve('finished');
    await settle(scheduler);
    expect(seen).toEqual(['started']);
    expect(values).toEqual([]);
    expect(broker.metrics()).toMatchObject({ totalWithdrawn: 0, totalDelivered: 1 });
  });

  it('times out in virtual time inside TestScheduler.run', () => {
    const scheduler = virtualScheduler();
    scheduler.run(({ expectObservable }) => {
      const broker = makeBroker({ scheduler, defaultTimeout: 10 });
      const id = ActorId.from(1);
      broker.register(
        id,
        Mailbox.unbounded({ receive: () => timer(5, scheduler).pipe(map(() => 'x')) }),
      );
      expectObservable(broker.send$(id, Ask())).toBe('-----(a|)', { a: 'x' });
      expectObservable(broker.send$(id, Ask(), { timeout: 3 })).toBe(
        '---#',
        undefined,
        new SendError('Timeout', { actorId: id, messageType: 'Ask', timeout: 3 }),
      );
    });
  });
});
