import type { CodecRegistry } from '../codec-registry.js';
import { asciiBytes, writeFrame } from './frame.js';

/** Lays out the frames of one node, with its codec; the bytes of each name are made once. */
export class FrameWriter {
  private readonly _names = new Map<string, Uint8Array>();

  constructor(private readonly _codecs: CodecRegistry) {}

  /** The ASCII bytes of a codec name or message type. */
  ascii(name: string): Uint8Array {
    let bytes = this._names.get(name);
    if (bytes === undefined) {
      bytes = asciiBytes(name);
      this._names.set(name, bytes);
    }
    return bytes;
  }

  /** A frame (see ./frame.ts) of the node's codec around `body`. */
  write(
    op: number,
    type: string,
    priority: number,
    timeout: number,
    actorId: number,
    body: Uint8Array,
  ): Uint8Array {
    const codec = this.ascii(this._codecs.codec.name);
    return writeFrame(op, priority, timeout, actorId, codec, this.ascii(type), body);
  }
}
