import { firstValueFrom, NEVER, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  defineMessage,
  isArgumentError,
  isBrokerError,
  isSendError,
  Mailbox,
  Priority,
  type AnyMessage,
  type BroadcastResult,
  type DeadLetter,
} from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import { bad, deferred, rejectionOf, track, type Deferred } from '../../support/promises.js';
import { advanceBy, settle, virtualScheduler } from '../../support/virtual-time.js';

const Ping = defineMessage<string, string>('Ping');
const Shutdown = defineMessage<void, void>('Shutdown');

const makeBroker = brokerFactory();

function summary<R>(results: BroadcastResult<R>[]): unknown[] {
  return results.map((r) => (r.ok ? [r.actorId, 'ok', r.value] : [r.actorId, r.error.kind]));
}

describe('InMemoryMessageBroker broadcast', () => {
  it('returns one result per actor in registration order, whatever order they settle in', async () => {
    const broker = makeBroker();
    const ids = [ActorId.from(3), ActorId.from(1), ActorId.from(2)];
    const gates = new Map<ActorId, Deferred<string>>();
    const allStarted = deferred();
    let started = 0;
    for (const id of ids) {
      const gate = deferred<string>();
      gates.set(id, gate);
      broker.register(
        id,
        Mailbox.unbounded({
          receive: () => {
            if (++started === ids.length) allStarted.resolve();
            return gate.promise;
          },
        }),
      );
    }
    const call = track(broker.broadcast(Ping('hello')));
    await allStarted.promise;
    for (const id of [...ids].reverse()) {
      gates.get(id)?.resolve(`from ${id}`);
      await Promise.resolve();
    }
    const results = await call.promise;
    expect(results).toEqual([
      { actorId: 3, ok: true, value: 'from 3' },
      { actorId: 1, ok: true, value: 'from 1' },
      { actorId: 2, ok: true, value: 'from 2' },
    ]);
  });

  it('shares one frozen message object among all targets', async () => {
    const broker = makeBroker();
    const received: AnyMessage[] = [];
    for (let n = 0; n < 4; n++) {
      broker.register(
        ActorId.from(n),
        Mailbox.unbounded({ receive: (m) => void received.push(m) }),
      );
    }
    const msg = Shutdown();
    const results = await broker.broadcast(msg);
    expect(results).toHaveLength(4);
    expect(received).toHaveLength(4);
    for (const m of received) expect(m).toBe(msg);
    expect(Object.isFrozen(msg)).toBe(true);
  });

  it("keeps one target's failure from affecting the others", async () => {
    const broker = makeBroker();
    broker.register(ActorId.from(1), Mailbox.unbounded({ receive: () => 'one' }));
    broker.register(
      ActorId.from(2),
      Mailbox.unbounded({
        receive: () => {
          throw new Error('two broke');
        },
      }),
    );
    broker.register(ActorId.from(3), Mailbox.unbounded({ receive: async () => 'three' }));
    const results = await broker.broadcast(Ping('x'));
    expect(summary(results)).toEqual([
      [1, 'ok', 'one'],
      [2, 'HandlerFailed'],
      [3, 'ok', 'three'],
    ]);
    const failed = results[1] as Extract<BroadcastResult<string>, { ok: false }>;
    expect((failed.error.cause as Error).message).toBe('two broke');
  });

  it('resolves with [] when no actor is registered', async () => {
    const broker = makeBroker();
    await expect(broker.broadcast(Ping('nobody'))).resolves.toEqual([]);
  });

  it('reports a full mailbox as MailboxFull for that target only, and as a dead letter', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const letters: DeadLetter[] = [];
    broker.deadLetters$.subscribe((l) => letters.push(l));
    broker.register(ActorId.from(1), Mailbox.unbounded({ receive: (m: AnyMessage) => m.payload }));
    broker.register(ActorId.from(2), Mailbox.bounded({ receive: (m: AnyMessage) => m.payload }, 1));
    const filler = track(broker.send(ActorId.from(2), Ping('filler')));
    const call = track(broker.broadcast(Ping('b')));
    await settle(scheduler);
    expect(summary(call.value as BroadcastResult<string>[])).toEqual([
      [1, 'ok', 'b'],
      [2, 'MailboxFull'],
    ]);
    expect(filler.value).toBe('filler');
    expect(letters.map((l) => [l.actorId, l.reason])).toEqual([[2, 'MailboxFull']]);
  });

  it('reports a target that does not answer in time as Timeout, with the per-call timeout', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler, defaultTimeout: 10_000 });
    broker.register(ActorId.from(1), Mailbox.unbounded({ receive: () => 'fast' }));
    broker.register(ActorId.from(2), Mailbox.unbounded({ receive: () => NEVER }));
    const call = track(broker.broadcast(Ping('t'), { timeout: 40, priority: Priority.High }));
    await advanceBy(scheduler, 39);
    expect(call.settled).toBe(false);
    await advanceBy(scheduler, 1);
    const results = call.value as BroadcastResult<string>[];
    expect(summary(results)).toEqual([
      [1, 'ok', 'fast'],
      [2, 'Timeout'],
    ]);
    expect((results[1] as { error: unknown }).error).toMatchObject({ info: { timeout: 40 } });
  });

  it('rejects with ArgumentError for a value that is not a defined message or bad options', async () => {
    const broker = makeBroker();
    broker.register(ActorId.from(1), Mailbox.unbounded({ receive: () => 'ok' }));
    for (const [call, argument] of [
      [() => broker.broadcast(bad({ type: 'Ping', payload: 'x' })), 'message'],
      [() => broker.broadcast(Ping('x'), bad(null)), 'options'],
      [() => broker.broadcast(Ping('x'), { timeout: -5 }), 'timeout'],
      [() => broker.broadcast(Ping('x'), { priority: bad(7) }), 'priority'],
    ] as const) {
      const error = await rejectionOf(call());
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument });
    }
    expect(broker.metrics().totalSent).toBe(0);
    expect(summary(await broker.broadcast(Ping('x')))).toEqual([[1, 'ok', 'ok']]);
  });
});

describe('InMemoryMessageBroker broadcastFilter', () => {
  it('sends only to the ids the filter selects, in registration order', async () => {
    const broker = makeBroker();
    const ids = [250, 150, 50, 199, 100, 200].map((n) => ActorId.from(n));
    const seenBy: number[] = [];
    for (const id of ids) {
      broker.register(id, Mailbox.unbounded({ receive: (_m, ctx) => void seenBy.push(ctx.self) }));
    }
    const asked: ActorId[] = [];
    const results = await broker.broadcastFilter(Shutdown(), (id) => {
      asked.push(id);
      return id >= 100 && id < 200;
    });
    expect(asked).toEqual(ids);
    expect(results.map((r) => r.actorId)).toEqual([150, 199, 100]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect([...seenBy].sort()).toEqual([100, 150, 199]);
  });

  it('resolves with [] when the filter selects nobody', async () => {
    const broker = makeBroker();
    broker.register(ActorId.from(1), Mailbox.unbounded({ receive: () => 'x' }));
    await expect(broker.broadcastFilter(Ping('x'), () => false)).resolves.toEqual([]);
  });

  it('rejects with RoutingFailed, carrying the cause, when the filter throws, and sends nothing', async () => {
    const broker = makeBroker();
    const seen: number[] = [];
    for (const n of [1, 2, 3]) {
      broker.register(
        ActorId.from(n),
        Mailbox.unbounded({ receive: (_m, ctx) => void seen.push(ctx.self) }),
      );
    }
    const cause = new Error('filter broke');
    const error = await rejectionOf(
      broker.broadcastFilter(Shutdown(), (id) => {
        if (id === 2) throw cause;
        return true;
      }),
    );
    expect(isBrokerError(error, 'RoutingFailed')).toBe(true);
    expect(error).toMatchObject({ name: 'BrokerError', kind: 'RoutingFailed', actorId: 2 });
    expect((error as Error).cause).toBe(cause);
    expect(broker.metrics().totalSent).toBe(0);
    // The broker still works.
    const results = await broker.broadcastFilter(Shutdown(), () => true);
    expect(results).toHaveLength(3);
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });

  it('rejects with ArgumentError when the filter is not a function', async () => {
    const broker = makeBroker();
    broker.register(ActorId.from(1), Mailbox.unbounded({ receive: () => 'x' }));
    const error = await rejectionOf(broker.broadcastFilter(Ping('x'), bad('id > 1')));
    expect(isArgumentError(error)).toBe(true);
    expect(error).toMatchObject({ argument: 'filter' });
  });
});

describe('InMemoryMessageBroker broadcast$', () => {
  it('is cold, emits each result as it settles and completes', async () => {
    const broker = makeBroker();
    const gates = [deferred<string>(), deferred<string>()];
    const secondStarted = deferred();
    broker.register(ActorId.from(1), Mailbox.unbounded({ receive: () => gates[0]?.promise }));
    broker.register(
      ActorId.from(2),
      Mailbox.unbounded({
        receive: () => {
          secondStarted.resolve();
          return gates[1]?.promise;
        },
      }),
    );
    const results$ = broker.broadcast$(Ping('x'));
    expect(broker.metrics().totalSent).toBe(0);
    const emitted: unknown[] = [];
    let completed = false;
    const done = deferred();
    results$.subscribe({
      next: (r) => emitted.push(r.actorId),
      complete: () => {
        completed = true;
        done.resolve();
      },
    });
    await secondStarted.promise;
    gates[1]?.resolve('second first');
    await gates[1]?.promise;
    await Promise.resolve();
    expect(emitted).toEqual([2]);
    expect(completed).toBe(false);
    gates[0]?.resolve('then first');
    await done.promise;
    expect(emitted).toEqual([2, 1]);
  });

  it('completes at once with no actors', async () => {
    const broker = makeBroker();
    await expect(firstValueFrom(broker.broadcast$(Ping('x')).pipe(toArray()))).resolves.toEqual([]);
  });

  it('withdraws the messages not yet processed when unsubscribed', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const seen: number[] = [];
    for (const n of [1, 2]) {
      broker.register(
        ActorId.from(n),
        Mailbox.unbounded({ receive: (_m, ctx) => void seen.push(ctx.self) }),
      );
    }
    const subscription = broker.broadcast$(Ping('x')).subscribe();
    subscription.unsubscribe();
    await settle(scheduler);
    expect(seen).toEqual([]);
    expect(broker.metrics()).toMatchObject({ totalSent: 2, totalWithdrawn: 2, totalFailed: 2 });
  });

  it('errors with ArgumentError for bad input', async () => {
    const broker = makeBroker();
    for (const [obs, argument] of [
      [broker.broadcast$(bad('Ping')), 'message'],
      [broker.broadcast$(Ping('x'), bad(42)), 'options'],
      [broker.broadcast$(Ping('x'), { timeout: NaN }), 'timeout'],
    ] as const) {
      const error = await rejectionOf(firstValueFrom(obs));
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument });
    }
  });
});

describe('InMemoryMessageBroker broadcastFilter$', () => {
  it('emits the results of the selected actors', async () => {
    const broker = makeBroker();
    for (const n of [1, 2, 3])
      broker.register(ActorId.from(n), Mailbox.unbounded({ receive: (_m, ctx) => ctx.self * 10 }));
    const results = await firstValueFrom(
      broker.broadcastFilter$(Ping('x'), (id) => id !== 2).pipe(toArray()),
    );
    expect(results.map((r) => (r.ok ? r.value : null)).sort()).toEqual([10, 30]);
  });

  it('errors with RoutingFailed when the filter throws and with ArgumentError for a non-function', async () => {
    const broker = makeBroker();
    broker.register(ActorId.from(1), Mailbox.unbounded({ receive: () => 1 }));
    const thrownByFilter = await rejectionOf(
      firstValueFrom(
        broker.broadcastFilter$(Ping('x'), () => {
          throw new Error('nope');
        }),
      ),
    );
    expect(isBrokerError(thrownByFilter, 'RoutingFailed')).toBe(true);
    const notAFunction = await rejectionOf(
      firstValueFrom(broker.broadcastFilter$(Ping('x'), bad(null))),
    );
    expect(isArgumentError(notAFunction)).toBe(true);
    expect(broker.metrics().totalSent).toBe(0);
  });

  it('lets isSendError narrow a failed result', async () => {
    const broker = makeBroker();
    broker.register(
      ActorId.from(1),
      Mailbox.unbounded({ receive: () => Promise.reject(new Error('x')) }),
    );
    const [result] = await firstValueFrom(
      broker.broadcastFilter$(Ping('x'), () => true).pipe(toArray()),
    );
    expect(result?.ok).toBe(false);
    expect(isSendError(result?.ok === false ? result.error : null, 'HandlerFailed')).toBe(true);
  });
});
