import { describe, expect, it } from 'vitest';
import { ActorId, defineMessage, type AnyMessage } from 'rxbroker';
import {
  asciiBytes,
  FrameReader,
  isBatch,
  OP_POST,
  readU32,
} from '../../../src/nats/internal/frame.js';
import { Outbox } from '../../../src/nats/internal/outbox.js';

const Note = defineMessage<string, void>('Note');
const codec = asciiBytes('json');
const type = asciiBytes('Note');
const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The [actor id, body text] of every post frame in a published message, batch or single. */
function unpack(data: Uint8Array): [number, string][] {
  const reader = new FrameReader();
  const read = (at: number, end: number): [number, string] => {
    if (!reader.read(data, at, end) || reader.op !== OP_POST) throw new Error('not a post frame');
    return [reader.actorId, new TextDecoder().decode(reader.body)];
  };
  if (!isBatch(data)) return [read(0, data.length)];
  const frames: [number, string][] = [];
  for (let at = 2; at < data.length;) {
    const end = at + 4 + readU32(data, at);
    frames.push(read(at + 4, end));
    at = end;
  }
  return frames;
}

/** An outbox whose publishes are copied (as the client would send them) into `sent`. */
function recording(fail?: () => Error | undefined) {
  const sent: { subject: string; frames: [number, string][] }[] = [];
  const failed: { ids: ActorId[]; messages: AnyMessage[]; error: unknown }[] = [];
  const outbox = new Outbox(
    (subject, data) => {
      const error = fail?.();
      if (error !== undefined) throw error;
      sent.push({ subject, frames: unpack(data) });
      return Promise.resolve();
    },
    (ids, messages, error) => failed.push({ ids, messages, error }),
  );
  const post = (subject: string, id: number, text: string, limit = 1 << 20): void =>
    outbox.post(subject, limit, ActorId.from(id), Note(text), 1, codec, type, bytesOf(text));
  return { outbox, sent, failed, post };
}

const tick = (): Promise<void> => new Promise((resolve) => queueMicrotask(resolve));

describe('Outbox', () => {
  it('gathers the posts of one turn per subject into one publish, in order', async () => {
    const { sent, post } = recording();
    post('a', 1, 'one');
    post('b', 7, 'x');
    post('a', 2, 'two');
    post('a', 1, 'three');
    expect(sent).toEqual([]); // nothing before the microtask
    await tick();
    expect(sent).toEqual([
      {
        subject: 'a',
        frames: [
          [1, 'one'],
          [2, 'two'],
          [1, 'three'],
        ],
      },
      { subject: 'b', frames: [[7, 'x']] }, // one post alone travels as a plain frame
    ]);
  });

  it('flush(subject) publishes at once, so that a request made next cannot overtake', async () => {
    const { outbox, sent, post } = recording();
    post('a', 1, 'before');
    post('b', 2, 'other');
    outbox.flush('a');
    expect(sent).toEqual([{ subject: 'a', frames: [[1, 'before']] }]);
    post('a', 1, 'after');
    await tick();
    expect(sent.slice(1)).toEqual([
      { subject: 'a', frames: [[1, 'after']] },
      { subject: 'b', frames: [[2, 'other']] },
    ]);
  });

  it('never publishes more than the limit: a full batch goes and the next one starts', async () => {
    const { sent, post } = recording();
    const frame = 18 + 4 + 4 + 3; // head, 'json', 'Note', a 3-byte body
    const limit = 2 + 3 * (4 + frame); // room for three frames in a batch
    for (let i = 0; i < 7; i++) post('a', i, `n-${i}`, limit);
    await tick();
    expect(sent.map((s) => s.frames.map(([id]) => id))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('keeps what was published intact while its buffer is reused and outgrown', async () => {
    const views: Uint8Array[] = [];
    const outbox = new Outbox(
      (_subject, data) => {
        views.push(data); // kept by reference, as the NATS client does
        return Promise.resolve();
      },
      () => undefined,
    );
    const texts = Array.from({ length: 3000 }, (_, i) => `message ${i} `.repeat(1 + (i % 5)));
    for (let round = 0; round < 3; round++) {
      for (let i = round * 1000; i < (round + 1) * 1000; i++) {
        outbox.post(
          'a',
          1 << 20,
          ActorId.from(i),
          Note(''),
          1,
          codec,
          type,
          bytesOf(texts[i] as string),
        );
      }
      if (round === 1) outbox.flush('a');
      await tick();
    }
    expect(views.flatMap(unpack)).toEqual(texts.map((text, i) => [i, text]));
  });

  it('a batch that is not acknowledged hands its messages to the failure callback; settled() waits', async () => {
    const failed: unknown[][] = [];
    let refuse!: (error: Error) => void;
    const outbox = new Outbox(
      () => new Promise((_resolve, reject) => (refuse = reject)),
      (ids, messages, error) => failed.push([ids, messages.map((m) => m.payload), error]),
    );
    outbox.post('a', 1 << 20, ActorId.from(1), Note('one'), 1, codec, type, bytesOf('one'));
    outbox.post('a', 1 << 20, ActorId.from(2), Note('two'), 1, codec, type, bytesOf('two'));
    outbox.flush('a');
    let settled = false;
    const waiting = outbox.settled().then(() => (settled = true));
    await tick();
    expect(settled).toBe(false); // the acknowledgement is still awaited
    const timeout = new Error('no answer');
    refuse(timeout);
    await waiting;
    expect(failed).toEqual([[[1, 2], ['one', 'two'], timeout]]);
  });

  it('a send that throws hands every message of the batch to the failure callback', async () => {
    const closed = new Error('connection closed');
    const { failed, post } = recording(() => closed);
    post('a', 1, 'one');
    post('a', 2, 'two');
    await tick();
    expect(failed).toHaveLength(1);
    expect(failed[0]?.ids).toEqual([1, 2]);
    expect(failed[0]?.messages.map((m) => m.payload)).toEqual(['one', 'two']);
    expect(failed[0]?.error).toBe(closed);
  });
});
