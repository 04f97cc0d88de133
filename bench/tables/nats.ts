/**
 * Table 7: rxbroker over NATS (issue 5) against bare NATS, in one process and one run. The table
 * starts its own `nats-server` (127.0.0.1, a free port, JetStream on a temporary store) and stops
 * it at the end; without the binary it is skipped with the reason (its targets show n/a).
 *
 * - roundtrip: a bare request/reply with @nats-io/transport-node (one connection requests, another
 *   subscribes and responds) vs rxbroker `send` from node B to an actor on node A (two brokers,
 *   two connections) whose handler returns 1.
 * - fire-and-forget: a burst of bare `publish` until the subscriber on the other connection saw
 *   every message vs a burst of `trySend` from node B until the handler on node A saw every message.
 *   rxbroker sends the trySends of one turn to one node as one acknowledged batch (a NATS request),
 *   the bare side publishes each message: the comparison is of what a user gets for a burst.
 * - context: one message at a time (a lone trySend is a batch of one), until it was handled.
 *
 * Context rows (no target): the same bare operations carrying rxbroker's wire format, a frame (an
 * 18-byte head, the codec name and the message type, then a msgpack body; see
 * src/nats/internal/frame.ts) built per message, the receiver reading the head and decoding the
 * body: how much of the gap to bare NATS is the wire format itself rather than the broker around it.
 *
 * The bare and rxbroker variants are measured alternately (repetitions interleaved), so a drift of
 * the machine or of the server during the run taxes both sides alike.
 */
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { pack, unpack } from 'msgpackr';
import { filter, firstValueFrom } from 'rxjs';
import { ActorId, defineMessage, Mailbox } from 'rxbroker';
import { NatsMessageBroker } from 'rxbroker/nats';
import {
  Countdown,
  microStats,
  now,
  pick,
  since,
  Table,
  timedStats,
  wanted,
  type Stats,
} from '../lib/harness.js';
// The same server start as the NATS tests (NATS_SERVER_BIN or nats-server on PATH).
import {
  natsBinaryAvailable,
  natsServerBin,
  startNatsServer,
} from '../../spec/nats/support/nats-server.js';

const table = new Table('nats', '7. NATS: rxbroker vs bare NATS (two connections, loopback)');

/** Measures `a` and `b` alternately, `reps` times each; returns each one's measurements. */
async function interleaved(
  reps: number,
  a: (() => Promise<Stats>) | null,
  b: (() => Promise<Stats>) | null,
): Promise<[Stats[], Stats[]]> {
  const as: Stats[] = [];
  const bs: Stats[] = [];
  for (let i = 0; i < reps; i++) {
    if (a !== null) as.push(await a());
    if (b !== null) bs.push(await b());
  }
  return [as, bs];
}

if (!natsBinaryAvailable) {
  table.skip(
    `${natsServerBin} is not runnable (not on PATH?): install nats-server, or point NATS_SERVER_BIN at it`,
  );
} else {
  const server = await startNatsServer({ own: true });
  const REPS = pick(3, 1);
  const N = pick(100_000, 2_000);
  const SAMPLES = pick(5, 2);
  const countdown = new Countdown();

  // ---- bare NATS: two connections, a responder and a counter ---------------------------------
  const serverSide: NatsConnection = await connect({ servers: server.url });
  const clientSide: NatsConnection = await connect({ servers: server.url });
  const empty = new Uint8Array(0);
  const one = new Uint8Array([1]);
  serverSide.subscribe('bare.rr', {
    callback: (_error, msg) => {
      msg.respond(one);
    },
  });
  serverSide.subscribe('bare.ff', { callback: countdown.hit });
  // The same, carrying rxbroker's wire format: a frame built per message, read on receipt.
  const codecName = new TextEncoder().encode('msgpack');
  const frame = (op: number, type: Uint8Array, timeout: number, body: Uint8Array): Uint8Array => {
    const head = 18 + codecName.length + type.length;
    const bytes = new Uint8Array(head + body.length);
    bytes[0] = 0xb1;
    bytes[1] = op;
    bytes[2] = 1;
    bytes[3] = codecName.length;
    bytes[5] = type.length;
    new DataView(bytes.buffer).setUint32(6, timeout);
    bytes[17] = 2; // actor id 2
    bytes.set(codecName, 18);
    bytes.set(type, 18 + codecName.length);
    bytes.set(body, head);
    return bytes;
  };
  const readWire = (msg: Msg): unknown => {
    const data = msg.data;
    if (data[0] !== 0xb1) throw new Error('not a frame');
    return unpack(data.subarray(18 + (data[3] as number) + (data[5] as number)));
  };
  const tickType = new TextEncoder().encode('Tick');
  const noType = new Uint8Array(0);
  serverSide.subscribe('wire.rr', {
    callback: (_error, msg) => {
      readWire(msg);
      msg.respond(frame(4, noType, 0, pack(1)));
    },
  });
  serverSide.subscribe('wire.ff', {
    callback: (_error, msg) => {
      readWire(msg);
      countdown.hit();
    },
  });
  const wireRequest = async (): Promise<unknown> => {
    const reply = await clientSide.request('wire.rr', frame(1, tickType, 5000, pack(undefined)), {
      timeout: 5000,
    });
    return readWire(reply);
  };
  await serverSide.flush(); // the subscriptions are on the server before anything is sent
  await clientSide.flush();

  // ---- rxbroker: two nodes, two connections; the actor lives on A, B sends -------------------
  const Ask = defineMessage<void, number>('Ask');
  const Tick = defineMessage('Tick');
  const messages = [Ask, Tick];
  const options = {
    servers: server.url,
    logger: null,
    messages,
    bucket: 'rxb_bench',
    prefix: 'rxbench',
  };
  const a = await NatsMessageBroker.connect({ ...options, nodeId: 'a' });
  const b = await NatsMessageBroker.connect({ ...options, nodeId: 'b' });
  const asker = ActorId.from(1);
  const sink = ActorId.from(2);
  await a.register(asker, Mailbox.unbounded({ receive: () => 1 }));
  await a.register(sink, Mailbox.unbounded({ receive: countdown.hit }));
  for (const id of [asker, sink]) {
    if (!b.isRegistered(id)) {
      await firstValueFrom(
        b.directoryChanges$.pipe(filter((c) => c.actorId === id && c.node !== undefined)),
      );
    }
  }
  if (b.nodeOf(asker) !== 'a' || b.nodeOf(sink) !== 'a')
    throw new Error('node B does not see the actors on node A');
  const ask = Ask();
  const tick = Tick();
  if ((await b.send(asker, ask)) !== 1) throw new Error('send across nodes did not answer 1');

  // ---- roundtrip ------------------------------------------------------------------------------
  const [bareRr, rxRr] = await interleaved(
    REPS,
    wanted('bare-rr')
      ? () => microStats(() => clientSide.request('bare.rr', empty, { timeout: 5000 }))
      : null,
    wanted('send') ? () => microStats(() => b.send(asker, ask)) : null,
  );
  if (bareRr.length > 0) {
    table.record('bare-rr', 'bare NATS request/reply (5 s timeout), two connections', bareRr, {
      per: 'roundtrip',
      rate: { unit: 'req/s' },
      lib: 'nats',
      note: 'empty request, 1-byte reply, no headers',
    });
  }
  if (rxRr.length > 0) {
    table.record('send', 'rxbroker send, node B → actor on node A (5 s timeout)', rxRr, {
      per: 'roundtrip',
      rate: { unit: 'req/s' },
      lib: 'rxbroker',
      note: 'frame + msgpack both ways; handler returns 1',
    });
  }

  const [wireRr] = await interleaved(
    wanted('bare-rr-wire') ? REPS : 0,
    () => microStats(wireRequest),
    null,
  );
  if (wireRr.length > 0) {
    table.record(
      'bare-rr-wire',
      "context: bare request/reply with rxbroker's frame and msgpack",
      wireRr,
      {
        per: 'roundtrip',
        rate: { unit: 'req/s' },
        lib: 'nats',
        note: 'frame built, read and a body decoded on both sides',
      },
    );
  }

  // ---- fire-and-forget ------------------------------------------------------------------------
  const n = N.toLocaleString('en-US');
  const [barePub, rxFf] = await interleaved(
    REPS,
    wanted('bare-publish')
      ? () =>
          timedStats(async () => {
            const done = countdown.arm(N);
            const start = now();
            for (let i = 0; i < N; i++) clientSide.publish('bare.ff', empty);
            await done;
            return since(start);
          }, SAMPLES)
      : null,
    wanted('trySend')
      ? () =>
          timedStats(async () => {
            const done = countdown.arm(N);
            const start = now();
            for (let i = 0; i < N; i++) b.trySend(sink, tick);
            await done;
            return since(start);
          }, SAMPLES)
      : null,
  );
  if (barePub.length > 0) {
    table.record(
      'bare-publish',
      `bare NATS publish burst of ${n}, until the subscriber saw all`,
      barePub,
      {
        ops: N,
        per: 'message',
        rate: { unit: 'msg/s' },
        lib: 'nats',
        note: 'empty payload, no headers',
      },
    );
  }
  if (rxFf.length > 0) {
    table.record(
      'trySend',
      `rxbroker trySend burst of ${n}, node B → actor on node A, until the handler saw all`,
      rxFf,
      {
        ops: N,
        per: 'message',
        rate: { unit: 'msg/s' },
        lib: 'rxbroker',
        note: 'frame + msgpack body; mailbox on A',
      },
    );
  }

  const [wirePub] = await interleaved(
    wanted('bare-publish-wire') ? REPS : 0,
    () =>
      timedStats(async () => {
        const done = countdown.arm(N);
        const start = now();
        for (let i = 0; i < N; i++)
          clientSide.publish('wire.ff', frame(2, tickType, 0, pack(undefined)));
        await done;
        return since(start);
      }, SAMPLES),
    null,
  );
  if (wirePub.length > 0) {
    table.record(
      'bare-publish-wire',
      `context: bare publish burst of ${n} with rxbroker's frame and msgpack`,
      wirePub,
      {
        ops: N,
        per: 'message',
        rate: { unit: 'msg/s' },
        lib: 'nats',
        note: 'frame built per message, read and body decoded on receipt',
      },
    );
  }

  // ---- one post at a time: the latency of a lone trySend (its batch of one, acknowledged) -----
  const [bareOne, rxOne] = await interleaved(
    REPS,
    wanted('bare-publish-one')
      ? () =>
          microStats(() => {
            const done = countdown.arm(1);
            clientSide.publish('bare.ff', empty);
            return done;
          })
      : null,
    wanted('trySend-one')
      ? () =>
          microStats(() => {
            const done = countdown.arm(1);
            b.trySend(sink, tick);
            return done;
          })
      : null,
  );
  if (bareOne.length > 0) {
    table.record(
      'bare-publish-one',
      'context: one bare publish, until the subscriber has it',
      bareOne,
      {
        per: 'message',
        rate: { unit: 'msg/s' },
        lib: 'nats',
        note: 'empty payload, no headers',
      },
    );
  }
  if (rxOne.length > 0) {
    table.record(
      'trySend-one',
      'context: one trySend, node B → actor on node A, until the handler has it',
      rxOne,
      {
        per: 'message',
        rate: { unit: 'msg/s' },
        lib: 'rxbroker',
        note: 'a batch of one: a request, acknowledged by A (the acknowledgement is not waited for)',
      },
    );
  }

  await b.close();
  await a.close();
  await clientSide.close();
  await serverSide.close();
  await server.stop();
  table.finish();
}
