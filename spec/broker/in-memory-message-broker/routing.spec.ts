import { firstValueFrom, toArray } from 'rxjs';
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
  type DeadLetter,
} from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import { bad, deferred, rejectionOf, thrown } from '../../support/promises.js';

const Order = defineMessage<string, string>('Order');

const makeBroker = brokerFactory();

/** A broker with actors 1..n, each answering `<id>:<payload>`. */
function withActors(n: number) {
  const broker = makeBroker();
  const ids = Array.from({ length: n }, (_, i) => ActorId.from(i + 1));
  for (const id of ids) {
    broker.register(
      id,
      Mailbox.unbounded({ receive: (m: AnyMessage, ctx) => `${ctx.self}:${m.payload as string}` }),
    );
  }
  return { broker, ids };
}

describe('InMemoryMessageBroker subscribe / unsubscribe', () => {
  it('records the patterns of each actor', () => {
    const { broker, ids } = withActors(2);
    const [a, b] = ids as [ActorId, ActorId];
    broker.subscribe(a, 'orders.*.create');
    broker.subscribe(a, 'orders.>');
    broker.subscribe(a, 'orders.>'); // twice: no change
    broker.subscribe(b, 'billing');
    expect(broker.subscriptionsOf(a)).toEqual(['orders.*.create', 'orders.>']);
    expect(broker.subscriptionsOf(b)).toEqual(['billing']);
    expect(broker.unsubscribe(a, 'orders.>')).toBe(true);
    expect(broker.unsubscribe(a, 'orders.>')).toBe(false);
    expect(broker.unsubscribe(ActorId.from(99), 'billing')).toBe(false);
    expect(broker.subscriptionsOf(a)).toEqual(['orders.*.create']);
  });

  it('throws NotFound when subscribing an actor that is not registered', () => {
    const { broker } = withActors(0);
    const error = thrown(() => broker.subscribe(ActorId.from(5), 'orders'));
    expect(isBrokerError(error, 'NotFound')).toBe(true);
    expect(error).toMatchObject({ actorId: 5 });
  });

  it.each(['', 'a..b', '>.a', 'a.>.b', 'a.*b', 'a b', 'a.', '.a'])(
    'throws ArgumentError for the invalid pattern %j and keeps working',
    async (pattern) => {
      const { broker, ids } = withActors(1);
      const id = ids[0] as ActorId;
      const error = thrown(() => broker.subscribe(id, pattern));
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'pattern' });
      expect(isArgumentError(thrown(() => broker.unsubscribe(id, pattern)))).toBe(true);
      expect(broker.subscriptionsOf(id)).toEqual([]);
      broker.subscribe(id, 'ok.>');
      await expect(broker.sendWithRouting({ topic: 'ok.go' }, Order('x'))).resolves.toBe('1:x');
    },
  );

  it('throws ArgumentError for a non-string pattern or an invalid id', () => {
    const { broker, ids } = withActors(1);
    expect(isArgumentError(thrown(() => broker.subscribe(ids[0] as ActorId, bad(42))))).toBe(true);
    expect(isArgumentError(thrown(() => broker.subscribe(bad(-1), 'a')))).toBe(true);
    expect(isArgumentError(thrown(() => broker.unsubscribe(bad(1.5), 'a')))).toBe(true);
    expect(isArgumentError(thrown(() => broker.subscriptionsOf(bad('1'))))).toBe(true);
  });
});

describe('InMemoryMessageBroker publish', () => {
  it('delivers to every matching subscriber once, in order of subscription', async () => {
    const { broker, ids } = withActors(4);
    const [a, b, c, d] = ids as [ActorId, ActorId, ActorId, ActorId];
    broker.subscribe(c, 'orders.>');
    broker.subscribe(a, 'orders.eu.create');
    broker.subscribe(b, 'orders.*.create');
    broker.subscribe(c, 'orders.eu.*'); // c matches twice: once only
    broker.subscribe(d, 'billing.>');
    const results = await broker.publish('orders.eu.create', Order('o1'));
    expect(results).toEqual([
      { actorId: c, ok: true, value: '3:o1' },
      { actorId: a, ok: true, value: '1:o1' },
      { actorId: b, ok: true, value: '2:o1' },
    ]);
  });

  it('matches * to exactly one token and > to one or more', async () => {
    const { broker, ids } = withActors(2);
    const [star, rest] = ids as [ActorId, ActorId];
    broker.subscribe(star, 'a.*');
    broker.subscribe(rest, 'a.>');
    const targets = async (topic: string) =>
      (await broker.publish(topic, Order('x'))).map((r) => r.actorId);
    expect(await targets('a')).toEqual([]);
    expect(await targets('a.b')).toEqual([star, rest]);
    expect(await targets('a.b.c')).toEqual([rest]);
    expect(await targets('b.a')).toEqual([]);
  });

  it('resolves with [] when nobody subscribes', async () => {
    const { broker } = withActors(1);
    await expect(broker.publish('nobody.listens', Order('x'))).resolves.toEqual([]);
  });

  it.each(['', 'a.*', 'a.>', 'a..b', 'a b'])(
    'rejects the invalid topic %j with ArgumentError',
    async (topic) => {
      const { broker } = withActors(1);
      const error = await rejectionOf(broker.publish(topic, Order('x')));
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'topic' });
    },
  );

  it('reports a failing subscriber in its own result only', async () => {
    const broker = makeBroker();
    broker.register(ActorId.from(1), Mailbox.unbounded({ receive: () => 'fine' }));
    broker.register(
      ActorId.from(2),
      Mailbox.unbounded({ receive: () => Promise.reject(new Error('no')) }),
    );
    broker.subscribe(ActorId.from(1), 't');
    broker.subscribe(ActorId.from(2), 't');
    const results = await broker.publish('t', Order('x'));
    expect(results.map((r) => r.ok)).toEqual([true, false]);
    const failed = results[1];
    expect(failed !== undefined && !failed.ok && isSendError(failed.error, 'HandlerFailed')).toBe(
      true,
    );
  });

  it('has a cold twin publish$ that emits each result', async () => {
    const { broker, ids } = withActors(2);
    for (const id of ids) broker.subscribe(id, 'news');
    const results$ = broker.publish$('news', Order('n'));
    expect(broker.metrics().totalSent).toBe(0);
    const results = await firstValueFrom(results$.pipe(toArray()));
    expect(results.map((r) => (r.ok ? r.value : null)).sort()).toEqual(['1:n', '2:n']);
    const error = await rejectionOf(firstValueFrom(broker.publish$('bad..topic', Order('n'))));
    expect(isArgumentError(error)).toBe(true);
  });
});

describe('InMemoryMessageBroker sendWithRouting', () => {
  it('sends to one subscriber at a time, taking turns, and resolves with its result', async () => {
    const { broker, ids } = withActors(3);
    for (const id of ids) broker.subscribe(id, 'work.*');
    const results: string[] = [];
    for (let i = 0; i < 6; i++)
      results.push(await broker.sendWithRouting({ topic: 'work.item' }, Order(`j${i}`)));
    expect(results).toEqual(['1:j0', '2:j1', '3:j2', '1:j3', '2:j4', '3:j5']);
  });

  it('rejects with RoutingFailed when nobody subscribes, and makes a dead letter of the message', async () => {
    const { broker } = withActors(1);
    const letters: DeadLetter[] = [];
    broker.deadLetters$.subscribe((l) => letters.push(l));
    const msg = Order('lost');
    const error = await rejectionOf(broker.sendWithRouting({ topic: 'no.route' }, msg));
    expect(isBrokerError(error, 'RoutingFailed')).toBe(true);
    expect(error).toMatchObject({ info: { topic: 'no.route' } });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      actorId: undefined,
      topic: 'no.route',
      reason: 'RoutingFailed',
    });
    expect(letters[0]?.message).toBe(msg);
    expect(letters[0]?.error).toBe(error);
    expect(broker.metrics()).toMatchObject({ totalSent: 1, totalFailed: 1, deadLetters: 1 });
  });

  it('sends at the priority of the routing key', async () => {
    const broker = makeBroker();
    const id = ActorId.from(1);
    const order: string[] = [];
    const gate = deferred();
    const started = deferred();
    broker.register(
      id,
      Mailbox.unbounded({
        receive: async (m: AnyMessage) => {
          order.push(m.payload as string);
          if (m.payload === 'first') {
            started.resolve();
            await gate.promise;
          }
          return m.payload as string;
        },
      }),
    );
    broker.subscribe(id, 'jobs');
    const first = broker.sendWithRouting({ topic: 'jobs' }, Order('first'));
    await started.promise;
    const low = broker.sendWithRouting({ topic: 'jobs', priority: Priority.Low }, Order('low'));
    const critical = broker.sendWithRouting(
      { topic: 'jobs', priority: Priority.Critical },
      Order('critical'),
    );
    gate.resolve();
    await Promise.all([first, low, critical]);
    expect(order).toEqual(['first', 'critical', 'low']);
  });

  it('rejects bad input with ArgumentError and routes nothing', async () => {
    const { broker, ids } = withActors(1);
    broker.subscribe(ids[0] as ActorId, 'jobs');
    const cases: [Promise<unknown>, string][] = [
      [broker.sendWithRouting(bad(null), Order('x')), 'routingKey'],
      [broker.sendWithRouting(bad('jobs'), Order('x')), 'routingKey'],
      [broker.sendWithRouting({ topic: 'jobs.*' }, Order('x')), 'topic'],
      [broker.sendWithRouting({ topic: bad(undefined) }, Order('x')), 'topic'],
      [broker.sendWithRouting({ topic: 'jobs' }, bad({ type: 'Order' })), 'message'],
      [broker.sendWithRouting({ topic: 'jobs', priority: bad(5) }, Order('x')), 'priority'],
      [broker.sendWithRouting({ topic: 'jobs' }, Order('x'), { timeout: 0 }), 'timeout'],
      [broker.sendWithRouting({ topic: 'jobs' }, Order('x'), bad(7)), 'options'],
    ];
    for (const [call, argument] of cases) {
      const error = await rejectionOf(call);
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument });
    }
    expect(broker.metrics().totalSent).toBe(0);
    await expect(broker.sendWithRouting({ topic: 'jobs' }, Order('x'))).resolves.toBe('1:x');
  });

  it('refuses a priority in the options: the routing key carries it', async () => {
    const { broker, ids } = withActors(1);
    broker.subscribe(ids[0] as ActorId, 'jobs');
    const options = bad({ priority: Priority.High });
    const error = await rejectionOf(broker.sendWithRouting({ topic: 'jobs' }, Order('x'), options));
    expect(isArgumentError(error)).toBe(true);
    expect(error).toMatchObject({ argument: 'options.priority' });
    const error$ = await rejectionOf(
      firstValueFrom(broker.sendWithRouting$({ topic: 'jobs' }, Order('x'), options)),
    );
    expect(error$).toMatchObject({ argument: 'options.priority' });
    expect(broker.metrics().totalSent).toBe(0);
    await expect(
      broker.sendWithRouting({ topic: 'jobs' }, Order('y'), { timeout: 100 }),
    ).resolves.toBe('1:y');
  });

  it('has a cold twin sendWithRouting$', async () => {
    const { broker, ids } = withActors(2);
    for (const id of ids) broker.subscribe(id, 'q');
    const reply$ = broker.sendWithRouting$({ topic: 'q' }, Order('a'));
    expect(broker.metrics().totalSent).toBe(0);
    expect(await firstValueFrom(reply$)).toBe('1:a');
    expect(await firstValueFrom(reply$)).toBe('2:a');
    const noRoute = await rejectionOf(
      firstValueFrom(broker.sendWithRouting$({ topic: 'none' }, Order('a'))),
    );
    expect(isBrokerError(noRoute, 'RoutingFailed')).toBe(true);
    const badTopic = await rejectionOf(
      firstValueFrom(broker.sendWithRouting$({ topic: '*' }, Order('a'))),
    );
    expect(isArgumentError(badTopic)).toBe(true);
  });
});
