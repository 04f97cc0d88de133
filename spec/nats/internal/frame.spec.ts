import { describe, expect, it } from 'vitest';
import {
  asciiBytes,
  FRAME_HEAD,
  FrameReader,
  OP_POST,
  OP_SEND,
  writeFrame,
} from '../../../src/nats/internal/frame.js';

const msgpack = asciiBytes('msgpack');

describe('wire frame', () => {
  it('reads back what was written: op, priority, timeout, actor id, names and body', () => {
    const body = new Uint8Array([1, 2, 3]);
    const ids = [0, 1, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER];
    const reader = new FrameReader();
    for (const actorId of ids) {
      const frame = writeFrame(OP_SEND, 3, 2 ** 31 - 1, actorId, msgpack, asciiBytes('A.b'), body);
      expect(frame.length).toBe(FRAME_HEAD + 7 + 3 + 3);
      expect(reader.read(frame)).toBe(true);
      expect(reader).toMatchObject({
        op: OP_SEND,
        priority: 3,
        timeout: 2 ** 31 - 1,
        actorId,
        codec: 'msgpack',
        type: 'A.b',
      });
      expect(Array.from(reader.body)).toEqual([1, 2, 3]);
    }
  });

  it('takes a 256-character type and an empty one (replies carry none)', () => {
    const reader = new FrameReader();
    const long = 'T'.repeat(256);
    expect(
      reader.read(writeFrame(OP_POST, 1, 0, 7, msgpack, asciiBytes(long), new Uint8Array())),
    ).toBe(true);
    expect(reader.type).toBe(long);
    expect(
      reader.read(writeFrame(OP_POST, 1, 0, 7, msgpack, new Uint8Array(), new Uint8Array())),
    ).toBe(true);
    expect(reader.type).toBe('');
    expect(reader.body.length).toBe(0);
  });

  it('reuses a name seen in the previous frame, and notices one that changed', () => {
    const reader = new FrameReader();
    const body = new Uint8Array();
    reader.read(writeFrame(OP_POST, 1, 0, 1, msgpack, asciiBytes('Tick'), body));
    const first = reader.type;
    reader.read(writeFrame(OP_POST, 1, 0, 1, msgpack, asciiBytes('Tick'), body));
    expect(reader.type).toBe(first);
    reader.read(writeFrame(OP_POST, 1, 0, 1, msgpack, asciiBytes('Tock'), body));
    expect(reader.type).toBe('Tock');
  });

  it('refuses what is not a whole frame: too short, another marker, names past the end', () => {
    const reader = new FrameReader();
    const good = writeFrame(OP_SEND, 1, 10, 1, msgpack, asciiBytes('Ping'), new Uint8Array([9]));
    expect(reader.read(new Uint8Array())).toBe(false);
    expect(reader.read(good.subarray(0, FRAME_HEAD - 1))).toBe(false);
    expect(reader.read(good.subarray(0, FRAME_HEAD + 7 + 3))).toBe(false); // the type cut short
    expect(reader.read(Uint8Array.from(good, (b, i) => (i === 0 ? 0x7b : b)))).toBe(false); // '{': JSON
    expect(reader.read(Uint8Array.from(good, (b, i) => (i === 3 ? 0 : b)))).toBe(false); // no codec
    expect(reader.read(Uint8Array.from(good, (b, i) => (i === 4 ? 2 : b)))).toBe(false); // type > 256
    expect(reader.read(good)).toBe(true);
  });
});
