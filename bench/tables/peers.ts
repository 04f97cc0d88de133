/**
 * Table 5: the libraries a user would pick instead, each used the way its docs show, on the same
 * two shapes as rxbroker in the same process:
 * - fire-and-forget: a burst of N messages to one sequential handler, timed until it saw them all;
 * - request-response: K sequential roundtrips, each awaited before the next; per roundtrip.
 * Every handler is the same tiny counter (fire-and-forget) or returns 1 (request-response).
 */
import { Deferred, Effect, Fiber, Queue } from 'effect';
import { EventEmitter } from 'eventemitter3';
import { dispatch, query, spawn, start, type Ref } from 'nact';
import { getChannel } from 'postal';
import { ActorId, defineMessage, InMemoryMessageBroker, Mailbox } from 'rxbroker';
import { createActor, sendTo, setup, type AnyActorRef } from 'xstate';
import { Countdown, now, pick, since, Table } from '../lib/harness.js';

const table = new Table('peers', '5. Peers');
const N = pick(100_000, 2_000);
const K = pick(100, 10);
const SAMPLES = pick(7, 2);
const countdown = new Countdown();
const payload = Object.freeze({ n: 1 });
const burstName = `fire-and-forget, burst of ${N.toLocaleString('en-US')}`;
const rrName = `request-response, ${K} sequential roundtrips`;
// Each library gets its own loop (not a shared helper calling a callback), so that every call site
// stays monomorphic and no library pays for the ones measured before it.
const ff = (
  lib: string,
  how: string,
  run: () => Promise<number>,
  id = `${lib}-ff`,
): Promise<unknown> =>
  table.timed(id, `${lib}: ${burstName} (${how})`, run, {
    ops: N,
    per: 'message',
    samples: SAMPLES,
    rate: { unit: 'msg/s' },
    lib,
  });
const rr = (
  lib: string,
  how: string,
  run: () => Promise<unknown>,
  id = `${lib}-rr`,
): Promise<unknown> =>
  table.micro(id, `${lib}: ${rrName} (${how})`, run, {
    ops: K,
    per: 'roundtrip',
    rate: { unit: 'roundtrips/s' },
    lib,
  });

// ---- rxbroker -------------------------------------------------------------------------------
{
  const Ping = defineMessage<{ n: number }, void>('Ping');
  const Ask = defineMessage<{ n: number }, number>('Ask');
  const ping = Ping(payload);
  const ask = Ask(payload);
  const broker = new InMemoryMessageBroker();
  const sink = ActorId.create();
  const server = ActorId.create();
  broker.register(sink, Mailbox.unbounded({ receive: countdown.hit }));
  broker.register(server, Mailbox.bounded({ receive: () => 1 }, 1000));
  await ff('rxbroker', 'trySend', async () => {
    const done = countdown.arm(N);
    const start = now();
    for (let i = 0; i < N; i++) broker.trySend(sink, ping);
    await done;
    return since(start);
  });
  await rr('rxbroker', 'await send, timeout armed', async () => {
    for (let i = 0; i < K; i++) await broker.send(server, ask);
  });
  broker.shutdown();
}

// ---- nact: stateful actors (one message at a time, like an rxbroker actor) ------------------
{
  const system = start();
  const sink = spawn(
    system,
    (state: number, _msg: { n: number }) => {
      countdown.hit();
      return state;
    },
    'sink',
    { initialState: 0 },
  );
  const server = spawn(
    system,
    // eslint-disable-next-line @typescript-eslint/no-generated-empty-object-type -- nact types its Ref as an empty class
    (state: number, msg: { sender: Ref<number> }) => {
      dispatch(msg.sender, 1);
      return state;
    },
    'server',
    { initialState: 0 },
  );
  // eslint-disable-next-line @typescript-eslint/no-generated-empty-object-type -- nact types its Ref as an empty class
  const ask = (sender: Ref<number>): { sender: Ref<number> } => ({ sender });
  await ff('nact', 'dispatch', async () => {
    const done = countdown.arm(N);
    const start = now();
    for (let i = 0; i < N; i++) dispatch(sink, payload);
    await done;
    return since(start);
  });
  await rr('nact', 'query, 5 s timeout', async () => {
    for (let i = 0; i < K; i++) await query(server, ask, 5000);
  });
}

// ---- xstate v5: actor.send; request via sendTo with the requester's ref, reply via sendTo ----
{
  const sinkMachine = setup({
    types: { events: {} as { type: 'PING'; n: number } },
    actions: { count: () => countdown.hit() },
  }).createMachine({ on: { PING: { actions: 'count' } } });
  const sink = createActor(sinkMachine).start();
  const pingEvent = { type: 'PING', n: 1 } as const;

  type Request = { type: 'REQ'; n: number; replyTo: AnyActorRef };
  const serverMachine = setup({ types: { events: {} as Request } }).createMachine({
    on: { REQ: { actions: sendTo(({ event }) => event.replyTo, { type: 'RES', value: 1 }) } },
  });
  const server = createActor(serverMachine).start();

  let settle: (value: number) => void = () => undefined;
  const clientMachine = setup({
    types: {
      context: {} as { server: AnyActorRef },
      input: {} as { server: AnyActorRef },
      events: {} as { type: 'ASK'; n: number } | { type: 'RES'; value: number },
    },
    actions: {
      settle: (_, value: number) => settle(value),
    },
  }).createMachine({
    context: ({ input }) => ({ server: input.server }),
    on: {
      ASK: {
        actions: sendTo(
          ({ context }) => context.server,
          ({ event, self }) => ({ type: 'REQ', n: (event as { n: number }).n, replyTo: self }),
        ),
      },
      RES: {
        actions: { type: 'settle', params: ({ event }) => (event as { value: number }).value },
      },
    },
  });
  const client = createActor(clientMachine, { input: { server } }).start();
  const askEvent = { type: 'ASK', n: 1 } as const;
  const executor = (resolve: (value: number) => void): void => {
    settle = resolve;
    client.send(askEvent);
  };

  await ff('xstate', 'actor.send', async () => {
    const done = countdown.arm(N);
    const start = now();
    for (let i = 0; i < N; i++) sink.send(pingEvent);
    await done;
    return since(start);
  });
  await rr('xstate', 'sendTo request + sendTo reply', async () => {
    for (let i = 0; i < K; i++) await new Promise<number>(executor);
  });
  sink.stop();
  client.stop();
  server.stop();
}

// ---- effect v4: a Queue consumed by a fiber; replies through a Deferred ----------------------
{
  interface Job {
    readonly n: number;
    readonly reply: Deferred.Deferred<number> | null;
  }
  const queue = Effect.runSync(Queue.unbounded<Job>());
  const worker = Effect.forever(
    Effect.flatMap(Queue.take(queue), (job) => {
      if (job.reply === null) return Effect.sync(countdown.hit);
      return Deferred.succeed(job.reply, 1);
    }),
  );
  const fiber = Effect.runFork(worker);
  const fireJob: Job = { n: 1, reply: null };
  const offerBurst = Effect.gen(function* () {
    for (let i = 0; i < N; i++) yield* Queue.offer(queue, fireJob);
  });
  const request = Effect.gen(function* () {
    const reply = yield* Deferred.make<number>();
    yield* Queue.offer(queue, { n: 1, reply });
    return yield* Deferred.await(reply);
  });
  const requests = Effect.gen(function* () {
    for (let i = 0; i < K; i++) yield* request;
  });

  await ff('effect', 'Queue.offer in one Effect.gen', async () => {
    const done = countdown.arm(N);
    const start = now();
    await Effect.runPromise(offerBurst);
    await done;
    return since(start);
  });
  await rr('effect', 'Deferred reply, one Effect.runPromise', () => Effect.runPromise(requests));
  await rr(
    'effect',
    'Effect.runPromise per request',
    async () => {
      for (let i = 0; i < K; i++) await Effect.runPromise(request);
    },
    'effect-rr-each',
  );
  await Effect.runPromise(Fiber.interrupt(fiber));
}

// ---- postal v3: channel publish/subscribe; request/handle (correlation ids, 5 s timeout) -----
{
  type Topics = { ping: { n: number }; ask: { request: { n: number }; response: number } };
  const channel = getChannel<Topics>('bench');
  channel.subscribe('ping', countdown.hit);
  channel.handle('ask', () => 1);
  await ff('postal', 'channel.publish', async () => {
    const done = countdown.arm(N);
    const start = now();
    for (let i = 0; i < N; i++) channel.publish('ping', payload);
    await done;
    return since(start);
  });
  await rr('postal', 'channel.request, 5 s timeout', async () => {
    for (let i = 0; i < K; i++) await channel.request('ask', payload);
  });
  channel.dispose();
}

// ---- eventemitter3: emit; a hand-written request/reply with correlation ids ------------------
{
  const emitter = new EventEmitter();
  emitter.on('ping', countdown.hit);
  await ff('eventemitter3', 'emit', async () => {
    const done = countdown.arm(N);
    const start = now();
    for (let i = 0; i < N; i++) emitter.emit('ping', payload);
    await done;
    return since(start);
  });

  /** What one would write: correlation id, a pending map, the reply as another event. */
  class Rpc {
    private _next = 0;
    private readonly _pending = new Map<
      number,
      {
        resolve: (value: number) => void;
        reject: (error: Error) => void;
        timer: NodeJS.Timeout | null;
      }
    >();

    constructor(
      private readonly _bus: EventEmitter,
      handler: (payload: { n: number }) => number,
    ) {
      _bus.on('request', (id: number, body: { n: number }) =>
        _bus.emit('reply', id, handler(body)),
      );
      _bus.on('reply', (id: number, value: number) => {
        const pending = this._pending.get(id);
        if (pending === undefined) return;
        this._pending.delete(id);
        if (pending.timer !== null) clearTimeout(pending.timer);
        pending.resolve(value);
      });
    }

    request(body: { n: number }, timeout: number): Promise<number> {
      const id = ++this._next;
      return new Promise<number>((resolve, reject) => {
        const timer =
          timeout > 0
            ? setTimeout(() => {
                this._pending.delete(id);
                reject(new Error('request timed out'));
              }, timeout)
            : null;
        this._pending.set(id, { resolve, reject, timer });
        this._bus.emit('request', id, body);
      });
    }
  }
  const rpc = new Rpc(new EventEmitter(), () => 1);
  await rr('eventemitter3', 'hand-written, 5 s timer per request', async () => {
    for (let i = 0; i < K; i++) await rpc.request(payload, 5000);
  });
  await rr(
    'eventemitter3',
    'hand-written, no timeout',
    async () => {
      for (let i = 0; i < K; i++) await rpc.request(payload, 0);
    },
    'eventemitter3-rr-no-timeout',
  );
}

table.finish();
