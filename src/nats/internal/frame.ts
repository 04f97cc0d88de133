/**
 * The wire frame: every message between nodes is one NATS payload, a fixed 18-byte head, the codec
 * name, the message type, then the codec's bytes. No NATS headers: building and parsing five
 * headers per message cost ~40 % of a node's CPU in a trySend burst (bench/findings.md), a byte
 * head costs next to nothing, and its size is known before anything is sent (the max_payload check).
 *
 * ```
 * 0      marker (0xB1: rxbroker frame, version 1)
 * 1      operation (OP_*)
 * 2      priority (0-3)
 * 3      length of the codec name (1-64, ASCII)
 * 4-5    length of the message type (0-256, ASCII), big-endian
 * 6-9    timeout in ms (requests; 0 otherwise), big-endian
 * 10-17  target actor id (send and post; 0 otherwise): high 21 bits, then low 32, big-endian
 * 18...  codec name, message type, body
 * ```
 */
export const FRAME_MARKER = 0xb1;
export const FRAME_HEAD = 18;

/** A request: the sender waits for an OP_OK or OP_ERROR frame. */
export const OP_SEND = 1;
/** Fire-and-forget to one actor. */
export const OP_POST = 2;
/** A request for several actors of the node; the body is `{ t: ids, p: payload }`. */
export const OP_BROADCAST = 3;
/** A reply carrying the result. */
export const OP_OK = 4;
/** A reply carrying a WireError. */
export const OP_ERROR = 5;
/**
 * Several post frames in one NATS message: the marker, OP_BATCH, then for each frame its length
 * (4 bytes, big-endian) and the frame. (No frame head of its own.)
 */
export const OP_BATCH = 6;

const TWO_32 = 2 ** 32;
/** Zero bytes, shared: an empty array has nothing anyone could change. */
export const NO_BYTES = new Uint8Array(0);

/** The bytes of an ASCII name (codec names and message types are checked to be ASCII). */
export function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The length of a frame carrying these names and body. */
export function frameLength(codec: Uint8Array, type: Uint8Array, body: Uint8Array): number {
  return FRAME_HEAD + codec.length + type.length + body.length;
}

/** Lays out one frame. `actorId` is a safe integer >= 0, `timeout` at most 2³¹ - 1. */
export function writeFrame(
  op: number,
  priority: number,
  timeout: number,
  actorId: number,
  codec: Uint8Array,
  type: Uint8Array,
  body: Uint8Array,
): Uint8Array {
  const frame = new Uint8Array(frameLength(codec, type, body));
  writeFrameAt(frame, 0, op, priority, timeout, actorId, codec, type, body);
  return frame;
}

/** Lays out one frame in `target` from `at` (which has room); returns where it ends. */
export function writeFrameAt(
  target: Uint8Array,
  at: number,
  op: number,
  priority: number,
  timeout: number,
  actorId: number,
  codec: Uint8Array,
  type: Uint8Array,
  body: Uint8Array,
): number {
  target[at] = FRAME_MARKER;
  target[at + 1] = op;
  target[at + 2] = priority;
  target[at + 3] = codec.length;
  target[at + 4] = type.length >>> 8;
  target[at + 5] = type.length & 0xff;
  writeU32(target, at + 6, timeout);
  writeU32(target, at + 10, Math.floor(actorId / TWO_32));
  writeU32(target, at + 14, actorId >>> 0);
  target.set(codec, at + FRAME_HEAD);
  target.set(type, at + FRAME_HEAD + codec.length);
  const start = at + FRAME_HEAD + codec.length + type.length;
  target.set(body, start);
  return start + body.length;
}

/** True when `data` is a batch of post frames (see {@link OP_BATCH}). */
export function isBatch(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === FRAME_MARKER && data[1] === OP_BATCH;
}

export function writeU32(frame: Uint8Array, at: number, value: number): void {
  frame[at] = value >>> 24;
  frame[at + 1] = (value >>> 16) & 0xff;
  frame[at + 2] = (value >>> 8) & 0xff;
  frame[at + 3] = value & 0xff;
}

export function readU32(data: Uint8Array, at: number): number {
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the caller checked the length
  return data[at]! * 0x1000000 + ((data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!);
}

/**
 * Reads frames into its own fields (one reader per node, reused for every message: the receiving
 * path allocates no object per frame). Names seen in the previous frame are reused rather than
 * decoded again, as a burst usually repeats them.
 */
export class FrameReader {
  op = 0;
  priority = 0;
  timeout = 0;
  actorId = 0;
  codec = '';
  type = '';
  body: Uint8Array = NO_BYTES;

  /**
   * Reads the frame in `data` from `at` to `end` (default: all of it); false (fields unspecified)
   * when it is not a well-formed frame.
   */
  read(data: Uint8Array, at = 0, end = data.length): boolean {
    if (end - at < FRAME_HEAD || data[at] !== FRAME_MARKER) return false;
    const codecLength = data[at + 3] as number;
    const typeLength = ((data[at + 4] as number) << 8) | (data[at + 5] as number);
    const start = at + FRAME_HEAD + codecLength + typeLength;
    if (codecLength === 0 || typeLength > 256 || end < start) return false;
    this.op = data[at + 1] as number;
    this.priority = data[at + 2] as number;
    this.timeout = readU32(data, at + 6);
    this.actorId = readU32(data, at + 10) * TWO_32 + readU32(data, at + 14);
    this.codec = sameAscii(this.codec, data, at + FRAME_HEAD, codecLength);
    this.type = sameAscii(this.type, data, at + FRAME_HEAD + codecLength, typeLength);
    // A plain view, not `subarray`: on a Node Buffer that makes another Buffer, several times dearer.
    this.body =
      start === end ? NO_BYTES : new Uint8Array(data.buffer, data.byteOffset + start, end - start);
    return true;
  }
}

/** `previous` when the bytes spell it, else the bytes as a string (each byte one character). */
function sameAscii(previous: string, data: Uint8Array, at: number, length: number): string {
  if (previous.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (previous.charCodeAt(i) !== data[at + i]) {
        same = false;
        break;
      }
    }
    if (same) return previous;
  }
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(data[at + i] as number);
  return text;
}
