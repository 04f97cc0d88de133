import {
  filter,
  firstValueFrom,
  isObservable,
  lastValueFrom,
  ReplaySubject,
  take,
  toArray,
} from 'rxjs';
import { expect, it } from 'vitest';
import {
  ActorId,
  defineMessage,
  isArgumentError,
  isBrokerError,
  isSendError,
  Mailbox,
  Priority,
  type Actor,
  type DeadLetter,
  type MessageBroker,
  type RoutingKey,
} from 'rxbroker';
import { bad, deferred } from '../support/promises.js';

/**
 * Two views of one broker system: `home` is where the actors are registered, `client` where
 * messages are sent from. In memory both are the same broker; over NATS they are two nodes.
 */
export interface BrokerPair {
  readonly home: MessageBroker;
  readonly client: MessageBroker;
  /** Resolves once `client` knows the ids (at once in memory; a directory copy over NATS). */
  readonly known: (...ids: ActorId[]) => Promise<void>;
  /**
   * Resolves once both brokers know that `actorId` subscribes to `pattern` (at once in memory; over
   * NATS, once the subscription is in the directory and each node's copy has it).
   */
  readonly subscribed: (actorId: ActorId, pattern: string) => Promise<void>;
  /** Resolves once neither broker knows of `actorId` subscribing to `pattern` any more. */
  readonly unsubscribed: (actorId: ActorId, pattern: string) => Promise<void>;
}

export const Job = defineMessage<string, string>('Conformance.Job');
export const Note = defineMessage<string, void>('Conformance.Note');
export const Ping = defineMessage<void, string>('Conformance.Ping');
/** The message types of the suite (a NATS node must be told which types may cross the wire). */
export const conformanceMessages = [Job, Note, Ping];

/** The outcome of `register`/`unregister`, which may throw (in memory) or reject (NATS). */
async function failureOf(action: () => void | Promise<void>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  return undefined;
}

/**
 * How a call refused bad input: 'threw' synchronously, 'rejected' its Promise or 'errored' its
 * Observable, with `ArgumentError(<argument>)` or the error's kind; 'accepted' when it did not.
 */
async function refusalOf(call: () => unknown): Promise<string> {
  let result: unknown;
  let channel = 'threw';
  try {
    result = call();
    // Returned: anything it fails with now came through its Promise or its Observable.
    channel = result instanceof Promise ? 'rejected' : 'errored';
    if (result instanceof Promise) await result;
    else if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  } catch (error) {
    if (isArgumentError(error)) return `${channel} ArgumentError(${error.argument})`;
    return `${channel} ${(error as { kind?: string }).kind ?? String(error)}`;
  }
  return 'accepted';
}

/** The ids of a publish's results, in order. */
function idsOf(results: readonly { readonly actorId: ActorId }[]): ActorId[] {
  return results.map((r) => r.actorId);
}

/** An actor answering Ping with its name and Job with `name:payload`; failing when named 'bad'. */
function named(name: string): Actor {
  return {
    receive(msg) {
      if (name === 'bad') throw new Error(`${name} actor`);
      if (Job.is(msg)) return `${name}:${msg.payload}`;
      return name;
    },
  };
}

/**
 * Registers on `home` a worker (actor 1) that holds at a gate while it handles a Ping and records
 * the payloads of the Jobs it handles, and a pinger (actor 2) answering 'pinger'.
 */
async function gatedWorker(home: MessageBroker) {
  const gate = deferred();
  const handled: string[] = [];
  const worker = ActorId.from(1);
  const pinger = ActorId.from(2);
  await home.register(
    worker,
    Mailbox.unbounded({
      async receive(msg) {
        if (Ping.is(msg)) await gate.promise;
        if (Job.is(msg)) handled.push(msg.payload);
        return 'done';
      },
    }),
  );
  await home.register(pinger, Mailbox.unbounded(named('pinger')));
  return { gate, handled, worker, pinger };
}

/** Actors h1 and h3 on `home`, c2 on `client` (each answering its name), known to `client`. */
async function threeSubscribers({
  home,
  client,
  known,
}: Pick<BrokerPair, 'home' | 'client' | 'known'>): Promise<[ActorId, ActorId, ActorId]> {
  const [h1, c2, h3] = [ActorId.from(1), ActorId.from(2), ActorId.from(3)];
  await home.register(h1, Mailbox.unbounded(named('h1')));
  await client.register(c2, Mailbox.unbounded(named('c2')));
  await home.register(h3, Mailbox.unbounded(named('h3')));
  await known(h1, h3);
  return [h1, c2, h3];
}

/** Subscribes each on its owner, each seen by both brokers before the next: one order for both. */
async function subscribeInTurn(
  subscribed: BrokerPair['subscribed'],
  subscriptions: readonly [MessageBroker, ActorId, string][],
): Promise<void> {
  for (const [owner, id, pattern] of subscriptions) {
    owner.subscribe(id, pattern);
    await subscribed(id, pattern);
  }
}

/**
 * The behaviours every `MessageBroker` shares, written once against the interface. Call inside a
 * describe block; `pair` makes fresh brokers for each test (and the caller tears them down).
 */
export function conformanceSuite(pair: () => Promise<BrokerPair>): void {
  it('send resolves with the handler result (also sendWithPriority and send$)', async () => {
    const { home, client, known } = await pair();
    const id = ActorId.from(1);
    await home.register(id, Mailbox.unbounded(named('one')));
    await known(id);
    await expect(client.send(id, Job('x'))).resolves.toBe('one:x');
    await expect(client.sendWithPriority(id, Job('y'), Priority.High)).resolves.toBe('one:y');
    await expect(firstValueFrom(client.send$(id, Job('z')))).resolves.toBe('one:z');
  });

  it('send to an id registered nowhere rejects with ActorNotFound', async () => {
    const { client } = await pair();
    const error: unknown = await client.send(ActorId.from(404), Ping()).catch((e: unknown) => e);
    expect(isSendError(error, 'ActorNotFound')).toBe(true);
  });

  it('trySend delivers fire-and-forget messages to the actor, in order', async () => {
    const { home, client, known } = await pair();
    const notes = new ReplaySubject<string>();
    const id = ActorId.from(1);
    await home.register(
      id,
      Mailbox.unbounded({
        receive: (msg) => {
          if (Note.is(msg)) notes.next(msg.payload);
        },
      }),
    );
    await known(id);
    client.trySend(id, Note('first'));
    client.trySend(id, Note('second'));
    await expect(firstValueFrom(notes.pipe(take(2), toArray()))).resolves.toEqual([
      'first',
      'second',
    ]);
  });

  it('a throwing handler rejects its sender with HandlerFailed and the actor goes on', async () => {
    const { home, client, known } = await pair();
    const id = ActorId.from(1);
    await home.register(
      id,
      Mailbox.unbounded({
        receive: (msg) => {
          if (Job.is(msg) && msg.payload === 'boom') throw new Error('it broke');
          return 'fine';
        },
      }),
    );
    await known(id);
    const error: unknown = await client.send(id, Job('boom')).catch((e: unknown) => e);
    expect(isSendError(error, 'HandlerFailed')).toBe(true);
    expect(((error as Error).cause as Error).message).toBe('it broke');
    await expect(client.send(id, Job('again'))).resolves.toBe('fine');
    expect(client.isRegistered(id)).toBe(true);
  });

  it('an actor handles one message at a time, in arrival order', async () => {
    const { home, client, known } = await pair();
    const gate = deferred();
    const started: string[] = [];
    let active = 0;
    let most = 0;
    const worker = ActorId.from(1);
    const pinger = ActorId.from(2);
    await home.register(
      worker,
      Mailbox.unbounded({
        async receive(msg) {
          const payload = Job.is(msg) ? msg.payload : '?';
          started.push(payload);
          most = Math.max(most, ++active);
          await gate.promise;
          active--;
          return payload;
        },
      }),
    );
    await home.register(pinger, Mailbox.unbounded(named('pinger')));
    await known(worker, pinger);
    const sent = ['a', 'b', 'c'].map((p) => client.send(worker, Job(p)));
    // Messages from one sender arrive in order: once the pinger answers, all three have arrived.
    await expect(client.send(pinger, Ping())).resolves.toBe('pinger');
    expect(started).toEqual(['a']);
    gate.resolve();
    await expect(Promise.all(sent)).resolves.toEqual(['a', 'b', 'c']);
    expect(started).toEqual(['a', 'b', 'c']);
    expect(most).toBe(1);
  });

  it("priorities order a busy actor's queue: Critical, High, Normal, Low", async () => {
    const { home, client, known } = await pair();
    const { gate, handled, worker, pinger } = await gatedWorker(home);
    await known(worker, pinger);
    const busy = client.send(worker, Ping()); // keeps the worker busy until the gate opens
    const queued = [
      client.send(worker, Job('low'), { priority: Priority.Low }),
      client.send(worker, Job('normal')),
      client.send(worker, Job('high'), { priority: Priority.High }),
      client.send(worker, Job('critical'), { priority: Priority.Critical }),
    ];
    await expect(client.send(pinger, Ping())).resolves.toBe('pinger');
    gate.resolve();
    await expect(busy).resolves.toBe('done');
    await Promise.all(queued);
    expect(handled).toEqual(['critical', 'high', 'normal', 'low']);
  });

  it('broadcast returns one result per target, in registration order, with per-target errors', async () => {
    const { home, client, known } = await pair();
    await home.register(ActorId.from(3), Mailbox.unbounded(named('h3')));
    await client.register(ActorId.from(1), Mailbox.unbounded(named('c1')));
    await home.register(ActorId.from(2), Mailbox.unbounded(named('bad')));
    await client.register(ActorId.from(4), Mailbox.unbounded(named('c4')));
    await known(ActorId.from(3), ActorId.from(2));
    const results = await client.broadcast(Ping());
    expect(results.map((r) => [r.actorId, r.ok ? r.value : (r.error.kind as string)])).toEqual([
      [3, 'h3'],
      [1, 'c1'],
      [2, 'HandlerFailed'],
      [4, 'c4'],
    ]);
    const streamed = await firstValueFrom(client.broadcast$(Ping()).pipe(toArray()));
    expect(streamed.map((r) => r.actorId).sort((x, y) => x - y)).toEqual([1, 2, 3, 4]);
    expect(client.actorIds()).toEqual([3, 1, 2, 4]);
    expect(client.registeredCount()).toBe(4);
  });

  it('broadcastFilter sends only to the ids that pass the filter, in registration order', async () => {
    const { home, client, known } = await pair();
    const seen: number[] = [];
    const recorder = (n: number): Actor => ({
      receive: () => {
        seen.push(n);
        return `r${n}`;
      },
    });
    await home.register(ActorId.from(5), Mailbox.unbounded(recorder(5)));
    await client.register(ActorId.from(2), Mailbox.unbounded(recorder(2)));
    await home.register(ActorId.from(4), Mailbox.unbounded(recorder(4)));
    await known(ActorId.from(5), ActorId.from(4));
    const results = await client.broadcastFilter(Ping(), (id) => id !== 2);
    expect(results).toEqual([
      { actorId: 5, ok: true, value: 'r5' },
      { actorId: 4, ok: true, value: 'r4' },
    ]);
    const streamed = await firstValueFrom(
      client.broadcastFilter$(Ping(), (id) => id === 2).pipe(toArray()),
    );
    expect(streamed).toEqual([{ actorId: 2, ok: true, value: 'r2' }]);
    await expect(client.broadcastFilter(Ping(), () => false)).resolves.toEqual([]);
    expect(seen.sort((x, y) => x - y)).toEqual([2, 4, 5]);
  });

  it('registering an id that is taken fails with AlreadyRegistered; the first actor stays', async () => {
    const { home, client, known } = await pair();
    const id = ActorId.from(7);
    await home.register(id, Mailbox.unbounded(named('first')));
    await known(id);
    for (const broker of [client, home]) {
      const error = await failureOf(() => broker.register(id, Mailbox.unbounded(named('second'))));
      expect(isBrokerError(error, 'AlreadyRegistered')).toBe(true);
    }
    await expect(client.send(id, Ping())).resolves.toBe('first');
  });

  it('after unregister, send rejects with ActorNotFound and the id is free again', async () => {
    const { home, client, known } = await pair();
    const id = ActorId.from(1);
    await home.register(id, Mailbox.unbounded(named('one')));
    await known(id);
    await expect(client.send(id, Ping())).resolves.toBe('one');
    await home.unregister(id);
    const error: unknown = await client.send(id, Ping()).catch((e: unknown) => e);
    expect(isSendError(error, 'ActorNotFound')).toBe(true);
    expect(isBrokerError(await failureOf(() => home.unregister(id)), 'NotFound')).toBe(true);
    await client.register(id, Mailbox.unbounded(named('again')));
    await expect(client.send(id, Ping())).resolves.toBe('again');
  });

  it('messages that never reach a handler are dead letters on deadLetters$', async () => {
    const { home, client, known } = await pair();
    const atClient = new ReplaySubject<DeadLetter>();
    const atHome = new ReplaySubject<DeadLetter>();
    client.deadLetters$.subscribe(atClient);
    home.deadLetters$.subscribe(atHome);
    // Nobody has the id: the sender's broker reports it.
    const missing = Job('missing');
    const notFound: unknown = await client
      .send(ActorId.from(404), missing)
      .catch((e: unknown) => e);
    expect(isSendError(notFound, 'ActorNotFound')).toBe(true);
    const first = await firstValueFrom(atClient);
    expect(first).toMatchObject({ actorId: 404, reason: 'ActorNotFound' });
    expect(first.message.payload).toBe('missing');
    // Queued behind a busy handler when its actor leaves: the actor's broker reports it.
    const gate = deferred();
    const worker = ActorId.from(1);
    const pinger = ActorId.from(2);
    await home.register(
      worker,
      Mailbox.unbounded({
        async receive(msg) {
          if (Ping.is(msg)) await gate.promise;
          return 'done';
        },
      }),
    );
    await home.register(pinger, Mailbox.unbounded(named('pinger')));
    await known(worker, pinger);
    const busy = client.send(worker, Ping()).catch(() => 'settled');
    const queued = client.send(worker, Job('queued')).catch((e: unknown) => e);
    await expect(client.send(pinger, Ping())).resolves.toBe('pinger');
    await home.unregister(worker);
    expect(isSendError(await queued, 'ActorStopped')).toBe(true);
    const letter = await firstValueFrom(atHome.pipe(filter((l) => l.reason === 'ActorStopped')));
    expect(letter.actorId).toBe(1);
    expect(letter.message.payload).toBe('queued');
    gate.resolve();
    await busy;
  });

  // ---- topics ------------------------------------------------------------------------------

  it('publish reaches every matching subscriber once, in order of subscription', async () => {
    const { home, client, known, subscribed } = await pair();
    const [h1, c2, h3] = await threeSubscribers({ home, client, known });
    // Each seen by both brokers before the next: one order of subscription for both.
    const subscriptions: [MessageBroker, ActorId, string][] = [
      [home, h1, 'orders.*'],
      [client, c2, 'orders.>'],
      [home, h3, 'orders.eu.create'],
      [home, h1, 'orders.>'], // a second matching pattern: still one result
    ];
    await subscribeInTurn(subscribed, subscriptions);
    for (const sender of [client, home]) {
      // In order of each actor's first matching subscription: 'orders.*' is two tokens only.
      await expect(sender.publish('orders.eu.create', Job('x'))).resolves.toEqual([
        { actorId: c2, ok: true, value: 'c2:x' },
        { actorId: h3, ok: true, value: 'h3:x' },
        { actorId: h1, ok: true, value: 'h1:x' },
      ]);
      expect(idsOf(await sender.publish('orders.eu', Ping()))).toEqual([h1, c2]);
      const streamed = await firstValueFrom(sender.publish$('orders.us', Ping()).pipe(toArray()));
      expect(streamed.map((r) => (r.ok ? r.value : r.error.kind)).sort()).toEqual(['c2', 'h1']);
    }
  });

  it("'*' matches exactly one token, '>' (last) one or more, and other tokens only themselves", async () => {
    const { home, client, known, subscribed } = await pair();
    const [star, rest] = [ActorId.from(1), ActorId.from(2)];
    const [exact, middle] = [ActorId.from(3), ActorId.from(4)];
    const patterns: [ActorId, string][] = [
      [star, 'a.*'],
      [rest, 'a.>'],
      [exact, 'a.b'],
      [middle, 'a.*.c'],
    ];
    for (const [id, pattern] of patterns) {
      await home.register(id, Mailbox.unbounded(named(`n${id}`)));
      await known(id);
      home.subscribe(id, pattern);
      await subscribed(id, pattern);
    }
    const targets = async (topic: string): Promise<ActorId[]> =>
      idsOf(await client.publish(topic, Ping()));
    expect(await targets('a')).toEqual([]);
    expect(await targets('a.b')).toEqual([star, rest, exact]);
    expect(await targets('a.x')).toEqual([star, rest]);
    expect(await targets('a.b.c')).toEqual([rest, middle]);
    expect(await targets('a.x.c.d')).toEqual([rest]);
    expect(await targets('b.a')).toEqual([]);
    expect(await targets('ab')).toEqual([]);
  });

  it('publish with no matching subscriber resolves with [], delivers nothing, makes no dead letter', async () => {
    const { home, client, known, subscribed } = await pair();
    const letters = new ReplaySubject<DeadLetter>();
    client.deadLetters$.subscribe(letters);
    const seen: string[] = [];
    const id = ActorId.from(1);
    await home.register(
      id,
      Mailbox.unbounded({
        receive: (msg) => {
          seen.push(Job.is(msg) ? msg.payload : '?');
          return 'got it';
        },
      }),
    );
    await known(id);
    await expect(client.publish('nobody.listens', Job('early'))).resolves.toEqual([]);
    home.subscribe(id, 'somebody.listens');
    await subscribed(id, 'somebody.listens');
    await expect(client.publish('nobody.listens', Job('lost'))).resolves.toEqual([]);
    await expect(
      firstValueFrom(client.publish$('nobody', Job('lost$')).pipe(toArray())),
    ).resolves.toEqual([]);
    await expect(client.publish('somebody.listens', Job('heard'))).resolves.toEqual([
      { actorId: id, ok: true, value: 'got it' },
    ]);
    expect(seen).toEqual(['heard']);
    // The first dead letter is this one: the empty publishes made none.
    await client.sendWithRouting({ topic: 'marker' }, Job('marker')).catch(() => undefined);
    const first = await firstValueFrom(letters);
    expect(first).toMatchObject({ topic: 'marker', reason: 'RoutingFailed' });
  });

  it('a subscriber whose handler throws fails its own publish result only', async () => {
    const { home, client, known, subscribed } = await pair();
    const [good, bad] = [ActorId.from(1), ActorId.from(2)];
    await home.register(good, Mailbox.unbounded(named('good')));
    await home.register(bad, Mailbox.unbounded(named('bad')));
    await known(good, bad);
    for (const id of [bad, good]) {
      home.subscribe(id, 'alerts');
      await subscribed(id, 'alerts');
    }
    const results = await client.publish('alerts', Ping());
    expect(results.map((r) => [r.actorId, r.ok ? r.value : (r.error.kind as string)])).toEqual([
      [bad, 'HandlerFailed'],
      [good, 'good'],
    ]);
    await expect(client.send(bad, Job('still here'))).rejects.toMatchObject({
      kind: 'HandlerFailed',
    });
    expect(client.isRegistered(bad)).toBe(true);
  });

  it('sendWithRouting takes turns among the subscribers and resolves with the one result', async () => {
    const { home, client, known, subscribed } = await pair();
    const [h1, c2, h3] = await threeSubscribers({ home, client, known });
    const subscriptions: [MessageBroker, ActorId, string][] = [
      [home, h1, 'jobs.*'],
      [client, c2, 'jobs.>'],
      [home, h3, 'jobs.x'],
    ];
    await subscribeInTurn(subscribed, subscriptions);
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) {
      answers.push(await client.sendWithRouting({ topic: 'jobs.x' }, Job(`j${i}`)));
    }
    expect(answers).toEqual(['h1:j0', 'c2:j1', 'h3:j2', 'h1:j3', 'c2:j4', 'h3:j5']);
    // Only 'jobs.>' matches three tokens; the cold twin sends once per subscription.
    const deep$ = client.sendWithRouting$({ topic: 'jobs.x.y' }, Job('deep'));
    await expect(firstValueFrom(deep$)).resolves.toBe('c2:deep');
    await expect(firstValueFrom(deep$)).resolves.toBe('c2:deep');
  });

  it("sendWithRouting sends at the routing key's priority", async () => {
    const { home, client, known, subscribed } = await pair();
    const { gate, handled, worker, pinger } = await gatedWorker(home);
    await known(worker, pinger);
    home.subscribe(worker, 'work');
    await subscribed(worker, 'work');
    const busy = client.send(worker, Ping()); // keeps the worker busy until the gate opens
    const keys: [RoutingKey, string][] = [
      [{ topic: 'work', priority: Priority.Low }, 'low'],
      [{ topic: 'work' }, 'normal'],
      [{ topic: 'work', priority: Priority.High }, 'high'],
      [{ topic: 'work', priority: Priority.Critical }, 'critical'],
    ];
    const queued = keys.map(([key, payload]) => client.sendWithRouting(key, Job(payload)));
    await expect(client.send(pinger, Ping())).resolves.toBe('pinger');
    gate.resolve();
    await expect(busy).resolves.toBe('done');
    await expect(Promise.all(queued)).resolves.toEqual(['done', 'done', 'done', 'done']);
    expect(handled).toEqual(['critical', 'high', 'normal', 'low']);
  });

  it('sendWithRouting with no matching subscriber rejects with RoutingFailed and makes a dead letter', async () => {
    const { home, client, known, subscribed } = await pair();
    const letters = new ReplaySubject<DeadLetter>();
    client.deadLetters$.subscribe(letters);
    // No subscription anywhere.
    const nowhere: unknown = await client
      .sendWithRouting({ topic: 'orders.eu' }, Job('first'))
      .catch((e: unknown) => e);
    expect(isBrokerError(nowhere, 'RoutingFailed')).toBe(true);
    // A subscription, but to another topic.
    const id = ActorId.from(1);
    await home.register(id, Mailbox.unbounded(named('one')));
    await known(id);
    home.subscribe(id, 'orders.eu');
    await subscribed(id, 'orders.eu');
    const error: unknown = await client
      .sendWithRouting({ topic: 'orders.us' }, Job('second'))
      .catch((e: unknown) => e);
    expect(isBrokerError(error, 'RoutingFailed')).toBe(true);
    expect(error).toMatchObject({ info: { topic: 'orders.us' } });
    const twin: unknown = await firstValueFrom(
      client.sendWithRouting$({ topic: 'orders.us.west' }, Job('third')),
    ).catch((e: unknown) => e);
    expect(isBrokerError(twin, 'RoutingFailed')).toBe(true);
    const dead = await firstValueFrom(letters.pipe(take(3), toArray()));
    expect(dead.map((l) => [l.topic, l.reason, l.actorId, l.message.payload])).toEqual([
      ['orders.eu', 'RoutingFailed', undefined, 'first'],
      ['orders.us', 'RoutingFailed', undefined, 'second'],
      ['orders.us.west', 'RoutingFailed', undefined, 'third'],
    ]);
    expect(dead[1]?.error).toBe(error);
    await expect(client.sendWithRouting({ topic: 'orders.eu' }, Job('routed'))).resolves.toBe(
      'one:routed',
    );
  });

  it('unsubscribe stops delivery on that pattern only: true once, then false', async () => {
    const { home, client, known, subscribed, unsubscribed } = await pair();
    const id = ActorId.from(1);
    await home.register(id, Mailbox.unbounded(named('one')));
    await known(id);
    home.subscribe(id, 'news.*');
    home.subscribe(id, 'sports.>');
    home.subscribe(id, 'sports.>'); // twice changes nothing: one unsubscribe removes it
    await subscribed(id, 'news.*');
    await subscribed(id, 'sports.>');
    await expect(client.sendWithRouting({ topic: 'news.today' }, Job('a'))).resolves.toBe('one:a');
    expect(idsOf(await client.publish('sports.golf', Ping()))).toEqual([id]);

    expect(home.unsubscribe(id, 'news.*')).toBe(true);
    expect(home.unsubscribe(id, 'news.*')).toBe(false);
    await unsubscribed(id, 'news.*');
    await expect(client.publish('news.today', Ping())).resolves.toEqual([]);
    const error: unknown = await client
      .sendWithRouting({ topic: 'news.today' }, Job('b'))
      .catch((e: unknown) => e);
    expect(isBrokerError(error, 'RoutingFailed')).toBe(true);
    expect(idsOf(await client.publish('sports.golf', Ping()))).toEqual([id]);

    expect(home.unsubscribe(id, 'sports.>')).toBe(true);
    await unsubscribed(id, 'sports.>');
    await expect(client.publish('sports.golf', Ping())).resolves.toEqual([]);
    // Patterns never subscribed to, and ids registered nowhere, have nothing to remove.
    expect(home.unsubscribe(id, 'weather.*')).toBe(false);
    expect(home.unsubscribe(ActorId.from(404), 'news.*')).toBe(false);
    // Subscribing again delivers again.
    home.subscribe(id, 'news.*');
    await subscribed(id, 'news.*');
    await expect(client.sendWithRouting({ topic: 'news.today' }, Job('c'))).resolves.toBe('one:c');
  });

  it("unsubscribe on the sending broker stops delivery from both, not only the sender's", async () => {
    const { home, client, known, subscribed } = await pair();
    const [h1, c2] = [ActorId.from(1), ActorId.from(2)];
    await home.register(h1, Mailbox.unbounded(named('h1')));
    await client.register(c2, Mailbox.unbounded(named('c2')));
    await known(h1);
    home.subscribe(h1, 'news.*');
    await subscribed(h1, 'news.*');
    expect(client.unsubscribe(h1, 'news.*')).toBe(true);
    // A later subscription made on the same broker: once both know it, both have seen the
    // unsubscribe before it.
    client.subscribe(c2, 'sync');
    await subscribed(c2, 'sync');
    for (const sender of [client, home]) {
      await expect(sender.publish('news.today', Ping())).resolves.toEqual([]);
      const error: unknown = await sender
        .sendWithRouting({ topic: 'news.today' }, Job('x'))
        .catch((e: unknown) => e);
      expect(isBrokerError(error, 'RoutingFailed')).toBe(true);
    }
    expect(home.unsubscribe(h1, 'news.*')).toBe(false);
  });

  it("unregister drops the actor's subscriptions; registering the id again does not restore them", async () => {
    const { home, client, known, subscribed, unsubscribed } = await pair();
    const [leaver, stayer] = [ActorId.from(1), ActorId.from(2)];
    await home.register(leaver, Mailbox.unbounded(named('leaver')));
    await home.register(stayer, Mailbox.unbounded(named('stayer')));
    await known(leaver, stayer);
    const subscriptions: [ActorId, string][] = [
      [leaver, 'x.*'],
      [stayer, 'x.*'],
      [leaver, 'y.>'],
    ];
    for (const [id, pattern] of subscriptions) {
      home.subscribe(id, pattern);
      await subscribed(id, pattern);
    }
    expect(idsOf(await client.publish('x.1', Ping()))).toEqual([leaver, stayer]);

    await home.unregister(leaver);
    await unsubscribed(leaver, 'x.*');
    await unsubscribed(leaver, 'y.>');
    await expect(client.publish('x.1', Ping())).resolves.toEqual([
      { actorId: stayer, ok: true, value: 'stayer' },
    ]);
    await expect(client.publish('y.1', Ping())).resolves.toEqual([]);
    const error: unknown = await client
      .sendWithRouting({ topic: 'y.1' }, Job('gone'))
      .catch((e: unknown) => e);
    expect(isBrokerError(error, 'RoutingFailed')).toBe(true);
    expect(home.unsubscribe(leaver, 'y.>')).toBe(false);
    expect(await refusalOf(() => home.subscribe(leaver, 'y.>'))).toBe('threw NotFound');

    await home.register(leaver, Mailbox.unbounded(named('again')));
    await known(leaver);
    await expect(client.publish('y.1', Ping())).resolves.toEqual([]);
    expect(idsOf(await client.publish('x.1', Ping()))).toEqual([stayer]);
    home.subscribe(leaver, 'y.>');
    await subscribed(leaver, 'y.>');
    await expect(client.publish('y.1', Ping())).resolves.toEqual([
      { actorId: leaver, ok: true, value: 'again' },
    ]);
  });

  it('bad topics and patterns get ArgumentError (thrown by subscribe/unsubscribe, else rejected) and change nothing', async () => {
    const { home, client, known, subscribed } = await pair();
    const letters = new ReplaySubject<DeadLetter>();
    client.deadLetters$.subscribe(letters);
    const id = ActorId.from(1);
    // Subscribing an id registered nowhere: a BrokerError, thrown.
    expect(await refusalOf(() => home.subscribe(id, 'jobs'))).toBe('threw NotFound');
    await home.register(id, Mailbox.unbounded(named('one')));
    await known(id);
    const cases: [string, () => unknown, string][] = [];
    for (const pattern of ['', 'a..b', 'a.', '.a', '>.a', 'a.>.b', 'a.*b', 'a b', 42]) {
      const p: string = bad(pattern);
      const label = JSON.stringify(pattern);
      const refused = 'threw ArgumentError(pattern)';
      cases.push(
        [`home.subscribe ${label}`, () => home.subscribe(id, p), refused],
        [`home.unsubscribe ${label}`, () => home.unsubscribe(id, p), refused],
        [`client.unsubscribe ${label}`, () => client.unsubscribe(id, p), refused],
      );
    }
    for (const topic of ['', 'a..b', 'a.*', 'a.>', '*', 'a b', 7]) {
      const t: string = bad(topic);
      const label = JSON.stringify(topic);
      cases.push(
        [`publish ${label}`, () => client.publish(t, Ping()), 'rejected ArgumentError(topic)'],
        [`publish$ ${label}`, () => client.publish$(t, Ping()), 'errored ArgumentError(topic)'],
        [
          `sendWithRouting ${label}`,
          () => client.sendWithRouting({ topic: t }, Ping()),
          'rejected ArgumentError(topic)',
        ],
        [
          `sendWithRouting$ ${label}`,
          () => client.sendWithRouting$({ topic: t }, Ping()),
          'errored ArgumentError(topic)',
        ],
      );
    }
    for (const actorId of [-1, 1.5, '1']) {
      const badId: ActorId = bad(actorId);
      const refused = 'threw ArgumentError(actor id)';
      cases.push(
        [`subscribe id ${JSON.stringify(actorId)}`, () => home.subscribe(badId, 'jobs'), refused],
        [
          `unsubscribe id ${JSON.stringify(actorId)}`,
          () => client.unsubscribe(badId, 'jobs'),
          refused,
        ],
      );
    }
    for (const key of [null, 'jobs']) {
      cases.push([
        `routingKey ${String(key)}`,
        () => client.sendWithRouting(bad(key), Ping()),
        'rejected ArgumentError(routingKey)',
      ]);
    }
    const outcomes: string[] = [];
    for (const [label, call] of cases) outcomes.push(`${label}: ${await refusalOf(call)}`);
    expect(outcomes).toEqual(cases.map(([label, , outcome]) => `${label}: ${outcome}`));

    // Nothing was subscribed, routed or dead-lettered by the refused calls.
    for (const topic of ['a', 'a.b', 'a.x.b', 'x.a']) {
      await expect(home.publish(topic, Ping())).resolves.toEqual([]);
    }
    home.subscribe(id, 'ok.>');
    await subscribed(id, 'ok.>');
    await expect(client.publish('ok.go', Ping())).resolves.toEqual([
      { actorId: id, ok: true, value: 'one' },
    ]);
    await client.sendWithRouting({ topic: 'marker' }, Ping()).catch(() => undefined);
    await expect(firstValueFrom(letters)).resolves.toMatchObject({ topic: 'marker' });
  });
}
