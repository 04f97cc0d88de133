import { concat, Observable, of, throwError, timer, mergeMap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  defineMessage,
  isSendError,
  Mailbox,
  type Actor,
  type AnyMessage,
  type DeadLetter,
  type InMemoryMessageBroker,
} from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import { deferred, rejectionOf, track, type Deferred } from '../../support/promises.js';
import { advanceBy, settle, virtualScheduler } from '../../support/virtual-time.js';
import {
  addHealthyActor,
  Echo,
  expectBalanced,
  HOSTILE,
  Note,
  throwingProxy,
} from './fault-kit.js';

const Box = defineMessage<{ n: number }, string>('Box');

const makeBroker = brokerFactory();

function setup() {
  const scheduler = virtualScheduler();
  const broker = makeBroker({ scheduler, defaultTimeout: 1_000 });
  const letters: DeadLetter[] = [];
  broker.deadLetters$.subscribe((letter) => letters.push(letter));
  const healthy = addHealthyActor(broker);
  return { scheduler, broker, letters, healthy };
}

/** The healthy actor still answers, and every message so far is accounted for. */
async function expectStillServing(
  broker: InMemoryMessageBroker,
  scheduler: ReturnType<typeof virtualScheduler>,
  healthy: ActorId,
): Promise<void> {
  const answer = track(broker.send(healthy, Echo('still')));
  await settle(scheduler);
  expect(answer.value).toBe('ok:still');
  expectBalanced(broker);
}

/**
 * Settles like `settle`, but returns an error that escaped the broker into the scheduler instead
 * of throwing it.
 */
async function settleCatching(scheduler: ReturnType<typeof virtualScheduler>): Promise<unknown> {
  try {
    await settle(scheduler);
    return undefined;
  } catch (error) {
    // Run what the escape left behind, so later assertions see the broker's real state.
    await settle(scheduler).catch(() => undefined);
    return error;
  }
}

// Values a handler might throw or reject with: not all of them are Errors.
const oddFailures: [string, () => unknown][] = [
  ['an Error', () => new Error('plain')],
  ['undefined', () => undefined],
  ['null', () => null],
  ['a string', () => 'just a string'],
  ['a frozen object', () => Object.freeze({ code: 7 })],
  ['a symbol', () => Symbol('odd')],
  ['a bigint', () => 10n],
  ['a Proxy whose every trap throws', () => throwingProxy()],
];

describe('a handler that fails fails only its own message', () => {
  it.each(oddFailures)(
    'throwing %s: HandlerFailed with it as cause; the actor goes on',
    async (_, make) => {
      const { scheduler, broker, letters, healthy } = setup();
      const id = ActorId.from(1);
      const failure = make();
      broker.register(
        id,
        Mailbox.unbounded({
          receive: (m) => {
            if (m.payload === 'bad') throw failure;
            return `fine:${String(m.payload)}`;
          },
        }),
      );
      const failed = track(broker.send(id, Echo('bad')));
      broker.trySend(id, Note('bad'));
      const next = track(broker.send(id, Echo('next')));
      await settle(scheduler);

      expect(isSendError(failed.error, 'HandlerFailed')).toBe(true);
      expect((failed.error as Error).cause).toBe(failure);
      expect(next.value).toBe('fine:next');
      // Only the fire-and-forget failure is a dead letter: the sender of the send heard of its own.
      expect(letters.map((l) => [l.reason, l.error.cause === failure])).toEqual([
        ['HandlerFailed', true],
      ]);
      await expectStillServing(broker, scheduler, healthy);
    },
  );

  it.each(oddFailures)('rejecting with %s: HandlerFailed with it as cause', async (_, make) => {
    const { scheduler, broker, letters, healthy } = setup();
    const id = ActorId.from(1);
    const failure = make();
    broker.register(
      id,
      Mailbox.unbounded({
        receive: (m) =>
          m.payload === 'bad'
            ? Promise.reject(failure)
            : Promise.resolve(`fine:${String(m.payload)}`),
      }),
    );
    const failed = track(broker.send(id, Echo('bad')));
    broker.trySend(id, Note('bad'));
    const next = track(broker.send(id, Echo('next')));
    await settle(scheduler);

    expect(isSendError(failed.error, 'HandlerFailed')).toBe(true);
    expect((failed.error as Error).cause).toBe(failure);
    expect(next.value).toBe('fine:next');
    expect(letters.map((l) => l.reason)).toEqual(['HandlerFailed']);
    await expectStillServing(broker, scheduler, healthy);
  });

  it('an Observable that errors at once, later, after values, or in its subscribe function', async () => {
    const { scheduler, broker, healthy } = setup();
    const id = ActorId.from(1);
    const sources: Record<string, Observable<string>> = {
      atOnce: throwError(() => new Error('at once')),
      later: timer(5, scheduler).pipe(mergeMap(() => throwError(() => new Error('later')))),
      afterValues: concat(
        of('a', 'b'),
        throwError(() => new Error('after values')),
      ),
      inSubscribe: new Observable<string>(() => {
        throw new Error('in subscribe');
      }),
      fine: of('x', 'fine'),
    };
    broker.register(id, Mailbox.unbounded({ receive: (m) => sources[m.payload as string] }));
    const results = Object.keys(sources).map((key) => track(broker.send(id, Echo(key))));
    await advanceBy(scheduler, 10);

    const causes = results.slice(0, 4).map((r) => {
      expect(isSendError(r.error, 'HandlerFailed')).toBe(true);
      return ((r.error as Error).cause as Error).message;
    });
    expect(causes).toEqual(['at once', 'later', 'after values', 'in subscribe']);
    expect(results[4]?.value).toBe('fine');
    await expectStillServing(broker, scheduler, healthy);
  });

  it('an actor whose receive getter throws: each message fails with HandlerFailed', async () => {
    const { scheduler, broker, healthy } = setup();
    const id = ActorId.from(1);
    let reads = 0;
    const actor = {
      get receive(): Actor['receive'] {
        // The first read (by Mailbox, to check it) works; later ones throw.
        if (reads++ > 0) throw HOSTILE;
        return () => 'unused';
      },
    };
    broker.register(id, Mailbox.unbounded(actor));
    const first = track(broker.send(id, Echo('a')));
    const second = track(broker.send(id, Echo('b')));
    await settle(scheduler);
    for (const result of [first, second]) {
      expect(isSendError(result.error, 'HandlerFailed')).toBe(true);
      expect((result.error as Error).cause).toBe(HOSTILE);
    }
    await expectStillServing(broker, scheduler, healthy);
  });

  it('a handler that mutates the shared frozen message fails alone; other targets see it intact', async () => {
    const { scheduler, broker, healthy } = setup();
    const seen: unknown[] = [];
    const mutator: Actor = {
      receive: (m) => {
        (m.payload as { n: number }).n = 2;
        return 'mutated';
      },
    };
    const reader: Actor = {
      receive: (m) => {
        seen.push((m.payload as { n: number }).n);
        return 'read';
      },
    };
    broker.register(ActorId.from(1), Mailbox.unbounded(mutator));
    broker.register(ActorId.from(2), Mailbox.unbounded(reader));
    const results = track(broker.broadcast(Box({ n: 1 })));
    await settle(scheduler);
    const [healthyResult, mutated, read] = results.value ?? [];
    expect(healthyResult).toMatchObject({ actorId: healthy, ok: true });
    expect(mutated).toMatchObject({ actorId: 1, ok: false });
    expect(isSendError((mutated as { error?: unknown }).error, 'HandlerFailed')).toBe(true);
    expect(((mutated as { error: Error }).error.cause as Error).name).toBe('TypeError');
    expect(read).toMatchObject({ actorId: 2, ok: true, value: 'read' });
    expect(seen).toEqual([1]);
    await expectStillServing(broker, scheduler, healthy);
  });
});

describe('thenables that misbehave', () => {
  /** A thenable whose callbacks the test holds, to call them as often and late as it likes. */
  function heldThenable() {
    const calls: { resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
    const thenable = {
      then(resolve: (v: unknown) => void, reject: (e: unknown) => void) {
        calls.push({ resolve, reject });
      },
    };
    return { thenable, calls };
  }

  it('counts only the first call back; a late second call does not touch the next message', async () => {
    const { scheduler, broker, healthy } = setup();
    const id = ActorId.from(1);
    const held = heldThenable();
    const gate = deferred<string>();
    broker.register(
      id,
      Mailbox.unbounded({ receive: (m) => (m.payload === 'first' ? held.thenable : gate.promise) }),
    );
    const first = track(broker.send(id, Echo('first')));
    const second = track(broker.send(id, Echo('second')));
    await settle(scheduler);
    const callbacks = held.calls[0];
    expect(callbacks).toBeDefined();
    callbacks?.resolve('one');
    callbacks?.resolve('two');
    callbacks?.reject(new Error('three'));
    await settle(scheduler);
    expect(first.value).toBe('one');
    expect(second.settled).toBe(false); // its own handler has not answered yet
    callbacks?.resolve('stale');
    callbacks?.reject(new Error('stale'));
    await settle(scheduler);
    expect(second.settled).toBe(false);
    gate.resolve('second answer');
    await settle(scheduler);
    expect(second.value).toBe('second answer');
    await expectStillServing(broker, scheduler, healthy);
  });

  it('a thenable that rejects first and resolves after fails its message with that rejection', async () => {
    const { scheduler, broker, healthy } = setup();
    const id = ActorId.from(1);
    broker.register(
      id,
      Mailbox.unbounded({
        receive: () => ({
          then(resolve: (v: unknown) => void, reject: (e: unknown) => void) {
            reject(HOSTILE);
            resolve('too late');
          },
        }),
      }),
    );
    const result = track(broker.send(id, Echo('x')));
    await settle(scheduler);
    expect(isSendError(result.error, 'HandlerFailed')).toBe(true);
    expect((result.error as Error).cause).toBe(HOSTILE);
    await expectStillServing(broker, scheduler, healthy);
  });

  it('a thenable whose then getter or then call throws fails its message with HandlerFailed', async () => {
    const { scheduler, broker, healthy } = setup();
    const id = ActorId.from(1);
    const results: Record<string, unknown> = {
      getter: {
        get then() {
          throw HOSTILE;
        },
      },
      call: {
        then() {
          throw HOSTILE;
        },
      },
    };
    broker.register(id, Mailbox.unbounded({ receive: (m) => results[m.payload as string] }));
    const getter = track(broker.send(id, Echo('getter')));
    const call = track(broker.send(id, Echo('call')));
    await settle(scheduler);
    for (const r of [getter, call]) {
      expect(isSendError(r.error, 'HandlerFailed')).toBe(true);
      expect((r.error as Error).cause).toBe(HOSTILE);
    }
    await expectStillServing(broker, scheduler, healthy);
  });

  it('a thenable that answers synchronously and then throws keeps one message at a time', async () => {
    const { scheduler, broker, healthy } = setup();
    const id = ActorId.from(1);
    const gates = new Map<string, Deferred<string>>();
    let active = 0;
    let maxActive = 0;
    const order: string[] = [];
    broker.register(
      id,
      Mailbox.unbounded({
        receive: (m) => {
          const name = m.payload as string;
          order.push(name);
          if (name === 'sync-then-throw') {
            return {
              then(resolve: (v: unknown) => void) {
                resolve('answered');
                throw new Error('thrown after answering');
              },
            };
          }
          active++;
          maxActive = Math.max(maxActive, active);
          const gate = deferred<string>();
          gates.set(name, gate);
          return gate.promise.finally(() => active--);
        },
      }),
    );
    const first = track(broker.send(id, Echo('sync-then-throw')));
    const second = track(broker.send(id, Echo('second')));
    const third = track(broker.send(id, Echo('third')));
    await settle(scheduler);
    expect(first.value).toBe('answered');
    expect(order).toEqual(['sync-then-throw', 'second']); // third waits for second
    gates.get('second')?.resolve('two');
    await settle(scheduler);
    gates.get('third')?.resolve('three');
    await settle(scheduler);
    expect(maxActive).toBe(1);
    expect([second.value, third.value]).toEqual(['two', 'three']);
    await expectStillServing(broker, scheduler, healthy);
  });

  it('thenables that answer synchronously do not deepen the stack message after message', async () => {
    const { scheduler, broker, healthy } = setup();
    const id = ActorId.from(1);
    const depthAt = new Map<number, number>();
    broker.register(
      id,
      Mailbox.unbounded({
        receive: (m) => {
          const n = Number(m.payload);
          if (n === 1 || n === 1_000) {
            const limit = Error.stackTraceLimit;
            Error.stackTraceLimit = Infinity;
            depthAt.set(n, (new Error().stack ?? '').split('\n').length);
            Error.stackTraceLimit = limit;
          }
          return { then: (resolve: (v: unknown) => void) => resolve(n) };
        },
      }),
    );
    const answers = Array.from({ length: 1_000 }, (_, i) =>
      track(broker.send(id, Echo(String(i + 1)))),
    );
    await settle(scheduler);
    expect(answers.every((a) => a.ok === true)).toBe(true);
    // The 1,000th handler runs on a stack no deeper than the first's (give or take a few frames),
    // or a long enough queue of such handlers exhausts the stack (next test).
    expect((depthAt.get(1_000) ?? 0) - (depthAt.get(1) ?? 0)).toBeLessThan(20);
    await expectStillServing(broker, scheduler, healthy);
  });

  it('many thenables that answer synchronously are all handled and answered, one at a time', async () => {
    const { scheduler, broker, letters, healthy } = setup();
    const id = ActorId.from(1);
    const count = 400_000;
    let handled = 0;
    let active = 0;
    let maxActive = 0;
    broker.register(
      id,
      Mailbox.unbounded({
        receive: (m) => {
          handled++;
          active++;
          maxActive = Math.max(maxActive, active);
          return {
            then(resolve: (v: unknown) => void) {
              active--;
              resolve(m.payload);
            },
          };
        },
      }),
    );
    let answered = 0;
    let lastAnswer: unknown;
    const failures: unknown[] = [];
    for (let i = 0; i < count; i++) {
      broker.send(id, Echo(String(i))).then(
        (value) => {
          answered++;
          lastAnswer = value;
        },
        (error: unknown) => failures.push(error),
      );
    }
    await settle(scheduler); // no virtual time passes: nothing may be left to a timeout
    expect(failures).toEqual([]);
    expect(letters).toEqual([]);
    expect({ handled, answered, lastAnswer, maxActive }).toEqual({
      handled: count,
      answered: count,
      lastAnswer: String(count - 1),
      maxActive: 1,
    });
    await expectStillServing(broker, scheduler, healthy);
  });
});

describe('handler results that are hostile values', () => {
  it('a result whose then getter throws: HandlerFailed', async () => {
    const { scheduler, broker, healthy } = setup();
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded({ receive: () => throwingProxy() }));
    const result = track(broker.send(id, Echo('x')));
    await settle(scheduler);
    expect(isSendError(result.error, 'HandlerFailed')).toBe(true);
    expect((result.error as Error).cause).toBe(HOSTILE);
    await expectStillServing(broker, scheduler, healthy);
  });

  it('a result that is no thenable but throws when probed further settles its message; others are served', async () => {
    const { scheduler, broker, healthy } = setup();
    const id = ActorId.from(1);
    // `then` reads as undefined, so it is not a thenable; any other probe (its prototype, lift,
    // subscribe) throws.
    const slippery = new Proxy(
      {},
      {
        get: (_, key) => {
          if (key === 'then') return undefined;
          throw HOSTILE;
        },
        getPrototypeOf: () => {
          throw HOSTILE;
        },
      },
    );
    broker.register(
      id,
      Mailbox.unbounded({ receive: (m) => (m.payload === 'slippery' ? slippery : 'plain') }),
    );
    const result = track(broker.send(id, Echo('slippery')));
    const after = track(broker.send(id, Echo('after')));
    const other = track(broker.send(healthy, Echo('other')));
    const escaped = await settleCatching(scheduler);
    expect(other.value).toBe('ok:other');
    expect(after.value).toBe('plain');
    expect(result.settled).toBe(true);
    // Either it is the handler's value, or the handler's result could not be read: HandlerFailed.
    if (result.ok === false) expect(isSendError(result.error, 'HandlerFailed')).toBe(true);
    else expect(result.value).toBe(slippery);
    expect(escaped).toBeUndefined();
    await expectStillServing(broker, scheduler, healthy);
  });

  it('an Observable result whose teardown throws after it completed synchronously', async () => {
    const { scheduler, broker, healthy } = setup();
    const id = ActorId.from(1);
    const other = ActorId.from(2);
    const source = new Observable<string>((subscriber) => {
      subscriber.next('value');
      subscriber.complete();
      return () => {
        throw HOSTILE;
      };
    });
    broker.register(
      id,
      Mailbox.unbounded({ receive: (m) => (m.payload === 'tear' ? source : 'plain') }),
    );
    broker.register(other, Mailbox.unbounded({ receive: () => 'other' }));
    const torn = track(broker.send(id, Echo('tear')));
    const after = track(broker.send(id, Echo('after')));
    const otherAnswer = track(broker.send(other, Echo('x')));
    const escaped = await settleCatching(scheduler);
    expect(torn.value).toBe('value');
    expect(otherAnswer.value).toBe('other');
    expect(after.value).toBe('plain');
    expect(escaped).toBeUndefined();
    await expectStillServing(broker, scheduler, healthy);
  });
});

describe('filters that throw', () => {
  it.each(oddFailures)(
    'a broadcast filter throwing %s after selecting some ids sends to none',
    async (_, make) => {
      const { scheduler, broker, healthy } = setup();
      const handled: AnyMessage[] = [];
      for (const n of [1, 2, 3]) {
        broker.register(
          ActorId.from(n),
          Mailbox.unbounded({ receive: (m) => void handled.push(m) }),
        );
      }
      const failure = make();
      const error = await rejectionOf(
        broker.broadcastFilter(Echo('x'), (id) => {
          if (id === 3) throw failure;
          return true;
        }),
      );
      await settle(scheduler);
      expect(error).toMatchObject({ name: 'BrokerError', kind: 'RoutingFailed' });
      expect((error as Error).cause).toBe(failure);
      expect(handled).toEqual([]);
      expect(broker.metrics().totalSent).toBe(0);
      const after = track(broker.broadcastFilter(Echo('y'), (id) => id === healthy));
      await settle(scheduler);
      expect(after.value).toEqual([{ actorId: healthy, ok: true, value: 'ok:y' }]);
      await expectStillServing(broker, scheduler, healthy);
    },
  );
});
