import { expect, it } from 'vitest';
import { ActorId, defineMessage, Mailbox } from 'rxbroker';
import { ArgumentError } from 'rxbroker';
import { jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { CodecRegistry, NatsMessageBroker, readDeadLetterRecord } from 'rxbroker/nats';
import { describeNats, whenKnown } from './support/nats-suite.js';

const Boom = defineMessage<{ n: number }, void>('Boom');
const Secret = defineMessage<string, void>('Secret');
const messages = [Boom];

/** Waits on the next record of `stream` (an ordered consumer from `start`): no sleeping. */
async function nextRecord(nc: NatsConnection, stream: string, start = 1): Promise<JsMsg> {
  const consumer = await jetstream(nc).consumers.get(stream, { opt_start_seq: start });
  const msg = await consumer.next({ expires: 30_000 });
  if (msg === null) throw new Error(`no record in ${stream}`);
  return msg;
}

describeNats('NatsMessageBroker dead-letter stream', (nats) => {
  it('a dead letter of one node is readable from the stream by another connection', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages });
    const b = await nats.node(cluster, { nodeId: 'b', messages });
    const id = ActorId.from(1);
    await a.register(
      id,
      Mailbox.unbounded({
        receive: () => {
          throw new Error('boom\r\nsplit');
        },
      }),
    );
    await whenKnown(b, id);
    b.trySend(id, Boom({ n: 7 })); // fails on node a: a's dead letter
    const reader = await connect({ servers: (nats.server as { url: string }).url });
    try {
      const stream = `${cluster.prefix.replace(/\./g, '_')}_DEAD_LETTERS`;
      const msg = await nextRecord(reader, stream);
      expect(msg.subject).toBe(`${cluster.prefix}.dead.a`);
      const codecs = new CodecRegistry().register(Boom);
      const record = readDeadLetterRecord(msg, codecs);
      expect(record).toMatchObject({
        actorId: id,
        messageType: 'Boom',
        reason: 'HandlerFailed',
        node: 'a',
        hasPayload: true,
        codec: 'msgpack',
        payload: { n: 7 },
      });
      expect(record.error).toContain('boom  split'); // one header line
      expect(record.at).toBeGreaterThan(0);
      // Without a registry: metadata only, the raw payload bytes kept.
      expect(readDeadLetterRecord(msg).payload).toBeUndefined();
      expect(readDeadLetterRecord(msg).data.length).toBeGreaterThan(0);
    } finally {
      await reader.close();
    }
  });

  it('an unregistered type is recorded without its payload; a named stream is used', async () => {
    const cluster = nats.cluster();
    const stream = `DL_${cluster.bucket}`;
    const a = await nats.node(cluster, { nodeId: 'a', messages, deadLetterStream: stream });
    expect(() => a.trySend(ActorId.from(9), Secret('x'))).toThrow(); // no such actor: dead letter
    const record = readDeadLetterRecord(await nextRecord(a.connection, stream));
    expect(record).toMatchObject({
      actorId: 9,
      messageType: 'Secret',
      reason: 'ActorNotFound',
      node: 'a',
      hasPayload: false,
      payload: undefined,
      codec: '',
    });
  });

  it('deadLetterStream: null publishes nothing and creates no stream; a bad name is refused', async () => {
    const cluster = nats.cluster();
    const a = await nats.node(cluster, { nodeId: 'a', messages, deadLetterStream: null });
    expect(() => a.trySend(ActorId.from(9), Boom({ n: 1 }))).toThrow();
    const jsm = await jetstreamManager(a.connection);
    const names: string[] = [];
    for await (const name of jsm.streams.names(`${cluster.prefix}.dead.>`)) names.push(name);
    expect(names).toEqual([]);
    await expect(
      NatsMessageBroker.connect({
        servers: (nats.server as { url: string }).url,
        ...cluster,
        deadLetterStream: 'no.dots',
      }),
    ).rejects.toBeInstanceOf(ArgumentError);
  });
});
