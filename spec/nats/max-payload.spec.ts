import { firstValueFrom, ReplaySubject, take, toArray } from 'rxjs';
import { expect, it } from 'vitest';
import { ActorId, defineMessage, isBrokerError, Mailbox, type DeadLetter } from 'rxbroker';
import { CodecError, isCodecError } from 'rxbroker/nats';
import { describeNats, whenKnown } from './support/nats-suite.js';

const Blob = defineMessage<string, number>('Blob');
const Drop = defineMessage<string, void>('Drop');
const Make = defineMessage<number, string>('Make');
const messages = [Blob, Drop, Make];
const MAX_PAYLOAD = 4096;

describeNats(
  "the server's max_payload, checked before sending",
  (nats) => {
    async function twoNodes() {
      const cluster = nats.cluster();
      const a = await nats.node(cluster, { nodeId: 'a', messages });
      const b = await nats.node(cluster, { nodeId: 'b', messages });
      const received: string[] = [];
      const id = ActorId.from(1);
      await a.register(
        id,
        Mailbox.unbounded({
          receive(msg) {
            if (Blob.is(msg) || Drop.is(msg)) {
              received.push(msg.payload);
              return msg.payload.length;
            }
            return Make.is(msg) ? 'x'.repeat(msg.payload) : undefined;
          },
        }),
      );
      await a.register(ActorId.from(2), Mailbox.unbounded({ receive: () => 0 }));
      await whenKnown(b, id);
      await whenKnown(b, ActorId.from(2));
      const letters = new ReplaySubject<DeadLetter>();
      b.deadLetters$.subscribe(letters);
      return { a, b, id, received, letters };
    }

    it('the connection reports the small max_payload the tests run with', async () => {
      const { b } = await twoNodes();
      expect(b.connection.info?.max_payload).toBe(MAX_PAYLOAD);
    });

    it('an oversized send rejects with CodecError PayloadTooLarge, is a dead letter, and is never sent', async () => {
      const { b, id, received, letters } = await twoNodes();
      const error: unknown = await b
        .send(id, Blob('x'.repeat(MAX_PAYLOAD)))
        .catch((e: unknown) => e);
      expect(isCodecError(error, 'PayloadTooLarge')).toBe(true);
      expect((error as CodecError).limit).toBe(MAX_PAYLOAD);
      expect((error as CodecError).size).toBeGreaterThan(MAX_PAYLOAD);
      expect((error as CodecError).message).toMatch(/max_payload/);
      const letter = await firstValueFrom(letters);
      expect(letter).toMatchObject({ actorId: 1, reason: 'RoutingFailed' });
      expect(isBrokerError(letter.error, 'RoutingFailed')).toBe(true);
      expect(isCodecError(letter.error.cause, 'PayloadTooLarge')).toBe(true);
      // The connection is fine, and a message that fits goes through (nothing oversized arrived).
      await expect(b.send(id, Blob('small'))).resolves.toBe(5);
      expect(received).toEqual(['small']);
      expect(b.connection.isClosed()).toBe(false);
    });

    it('the check counts headers too: a body just under the limit is refused with its headers', async () => {
      const { b, id, received } = await twoNodes();
      // msgpack adds 3 bytes to a string this long; the headers take the rest over the limit.
      const error: unknown = await b
        .send(id, Blob('x'.repeat(MAX_PAYLOAD - 10)))
        .catch((e: unknown) => e);
      expect(isCodecError(error, 'PayloadTooLarge')).toBe(true);
      expect((error as CodecError).size).toBeLessThan(MAX_PAYLOAD + 200);
      await expect(b.send(id, Blob('x'.repeat(MAX_PAYLOAD - 300)))).resolves.toBe(
        MAX_PAYLOAD - 300,
      );
      expect(received).toHaveLength(1);
    });

    it('an oversized trySend throws PayloadTooLarge and is a dead letter', async () => {
      const { b, id, received, letters } = await twoNodes();
      expect(() => b.trySend(id, Drop('y'.repeat(MAX_PAYLOAD * 2)))).toThrow(CodecError);
      const letter = await firstValueFrom(letters);
      expect(letter).toMatchObject({ actorId: 1, reason: 'RoutingFailed' });
      await expect(b.send(id, Blob('after'))).resolves.toBe(5);
      expect(received).toEqual(['after']);
    });

    it('an oversized broadcast rejects as a whole before any target gets it, one dead letter per target', async () => {
      const { b, received, letters } = await twoNodes();
      await b.register(ActorId.from(3), Mailbox.unbounded({ receive: () => 0 }));
      const error: unknown = await b
        .broadcast(Blob('z'.repeat(MAX_PAYLOAD)))
        .catch((e: unknown) => e);
      expect(isCodecError(error, 'PayloadTooLarge')).toBe(true);
      const dead = await firstValueFrom(letters.pipe(take(2), toArray()));
      expect(dead.map((l) => l.actorId)).toEqual([1, 2]);
      expect(received).toEqual([]);
      expect(b.metrics().totalSent).toBe(0); // not even the local target got it
    });

    it('a result too large to travel back rejects the sender with PayloadTooLarge, not a Timeout', async () => {
      const { b, id } = await twoNodes();
      const error: unknown = await b
        .send(id, Make(MAX_PAYLOAD * 2), { timeout: 60_000 })
        .catch((e: unknown) => e);
      expect(isCodecError(error, 'PayloadTooLarge')).toBe(true);
      await expect(b.send(id, Make(3))).resolves.toBe('xxx');
    });
  },
  { maxPayload: MAX_PAYLOAD },
);
