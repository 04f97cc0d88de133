import { filter, firstValueFrom, ReplaySubject, take, toArray } from 'rxjs';
import { expect, it } from 'vitest';
import {
  ActorId,
  defineMessage,
  isBrokerError,
  isSendError,
  Mailbox,
  Priority,
  type Actor,
  type DeadLetter,
  type MessageBroker,
} from 'rxbroker';
import { deferred } from '../support/promises.js';

/**
 * Two views of one broker system: `home` is where the actors are registered, `client` where
 * messages are sent from. In memory both are the same broker; over NATS they are two nodes.
 */
export interface BrokerPair {
  readonly home: MessageBroker;
  readonly client: MessageBroker;
  /** Resolves once `client` knows the ids (at once in memory; a directory copy over NATS). */
  readonly known: (...ids: ActorId[]) => Promise<void>;
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
}
