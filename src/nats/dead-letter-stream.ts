import { headers as makeHeaders, type MsgHdrs } from '@nats-io/transport-node';
import type { ActorId } from '../actor/actor-id.js';
import type { DeadLetter, DeadLetterReason } from '../dead-letter/dead-letter.js';
import type { CodecRegistry } from './codec-registry.js';
import { NO_BYTES } from './internal/frame.js';

/** @internal Headers of a dead-letter record (its body is the payload, through the codec). */
export const H_CODEC = 'Rxb-Codec';
/** @internal */
export const H_DL_ACTOR = 'Rxb-Dl-Actor';
/** @internal */
export const H_DL_TYPE = 'Rxb-Dl-Type';
/** @internal */
export const H_DL_REASON = 'Rxb-Dl-Reason';
/** @internal */
export const H_DL_ERROR = 'Rxb-Dl-Error';
/** @internal */
export const H_DL_NODE = 'Rxb-Dl-Node';
/** @internal */
export const H_DL_AT = 'Rxb-Dl-At';
/** @internal */
export const H_DL_TOPIC = 'Rxb-Dl-Topic';
/** @internal Why the payload is missing: `unencodable` or `too-large`. */
export const H_DL_NO_PAYLOAD = 'Rxb-Dl-No-Payload';

/**
 * A dead letter as one node published it to the dead-letter stream, read back with
 * {@link readDeadLetterRecord}: metadata travels in headers, the payload in the body, encoded by the
 * sending node's codec when it could be (`hasPayload` false otherwise).
 *
 * @example
 * ```ts
 * import { readDeadLetterRecord, type DeadLetterRecord } from 'rxbroker/nats';
 * const record: DeadLetterRecord = readDeadLetterRecord(msg, broker.codecs);
 * console.log(record.node, record.actorId, record.messageType, record.reason, record.error);
 * ```
 */
export interface DeadLetterRecord {
  /** The target actor; `undefined` for a routed message that found no subscriber. */
  readonly actorId: ActorId | undefined;
  /** The topic, for routed messages. */
  readonly topic: string | undefined;
  /** The message's type. */
  readonly messageType: string;
  /** Why it reached no handler (`Timeout`, `ActorNotFound`, `RoutingFailed`...). */
  readonly reason: DeadLetterReason;
  /** The message of the error its sender got (or would have got), then `: ` and its cause's, if any. */
  readonly error: string;
  /** The node that recorded it. */
  readonly node: string;
  /** When, in ms since the epoch, by the recording node's clock. */
  readonly at: number;
  /** True when the body carries the payload (it could be encoded and fit). */
  readonly hasPayload: boolean;
  /**
   * The payload, decoded with `codecs` when it was given and knows the type (and the codec);
   * otherwise `undefined`.
   */
  readonly payload: unknown;
  /** The raw body: the payload as the sending node's codec encoded it (empty without payload). */
  readonly data: Uint8Array;
  /** The name of the codec that encoded `data` (`'msgpack'`, `'json'`...), `''` without payload. */
  readonly codec: string;
}

/**
 * Reads one record of the dead-letter stream (a JetStream message, or any message with its
 * `headers` and `data`). Pass a node's {@link CodecRegistry} to decode the payload too; a payload
 * it cannot decode leaves `payload` undefined rather than throwing.
 *
 * @example
 * ```ts
 * import { jetstream } from '@nats-io/jetstream';
 * import { readDeadLetterRecord } from 'rxbroker/nats';
 * const consumer = await jetstream(broker.connection).consumers.get('rxbroker_DEAD_LETTERS');
 * const msg = await consumer.next();
 * if (msg !== null) console.log(readDeadLetterRecord(msg, broker.codecs));
 * ```
 */
export function readDeadLetterRecord(
  msg: { readonly headers?: MsgHdrs | undefined; readonly data: Uint8Array },
  codecs?: CodecRegistry,
): DeadLetterRecord {
  const h = msg.headers;
  const get = (key: string): string => h?.get(key) ?? '';
  const actor = get(H_DL_ACTOR);
  const topic = get(H_DL_TOPIC);
  const codec = get(H_CODEC);
  const messageType = get(H_DL_TYPE);
  const hasPayload = codec !== '';
  let payload: unknown = undefined;
  if (hasPayload && codecs?.has(messageType) === true) {
    try {
      payload = codecs._decode(msg.data, codec, messageType);
    } catch {
      payload = undefined;
    }
  }
  return {
    actorId: actor === '' ? undefined : (Number(actor) as ActorId),
    topic: topic === '' ? undefined : topic,
    messageType,
    reason: get(H_DL_REASON) as DeadLetterReason,
    error: get(H_DL_ERROR),
    node: get(H_DL_NODE),
    at: Number(get(H_DL_AT)),
    hasPayload,
    payload,
    data: msg.data,
    codec,
  };
}

/** Longest error message a record keeps (header values stay small). */
const MAX_ERROR = 1024;

/**
 * @internal The record of one dead letter of node `node`, as {@link readDeadLetterRecord} reads
 * it: metadata in headers, the payload through `codecs` when it can be encoded and fits within
 * `limit` (the server's max_payload) with its headers, else no payload and the reason why.
 */
export function deadLetterRecordOf(
  letter: DeadLetter,
  codecs: CodecRegistry,
  node: string,
  limit: number | undefined,
): { headers: MsgHdrs; body: Uint8Array } {
  const h = makeHeaders();
  if (letter.actorId !== undefined) h.set(H_DL_ACTOR, String(letter.actorId));
  if (letter.topic !== undefined) h.set(H_DL_TOPIC, headerValue(letter.topic));
  h.set(H_DL_TYPE, headerValue(letter.message.type));
  h.set(H_DL_REASON, letter.reason);
  const cause = letter.error.cause;
  const detail =
    cause instanceof Error ? `${letter.error.message}: ${cause.message}` : letter.error.message;
  h.set(H_DL_ERROR, headerValue(detail).slice(0, MAX_ERROR));
  h.set(H_DL_NODE, node);
  h.set(H_DL_AT, String(Date.now()));
  let body: Uint8Array = NO_BYTES;
  try {
    body = codecs._encodePayload(letter.message);
    h.set(H_CODEC, codecs.codec.name);
  } catch {
    h.set(H_DL_NO_PAYLOAD, 'unencodable');
  }
  if (limit !== undefined && body.length + encodedSize(h) > limit) {
    h.delete(H_CODEC);
    h.set(H_DL_NO_PAYLOAD, 'too-large');
    body = NO_BYTES;
  }
  return { headers: h, body };
}

/** The size of `h` on the wire, as the client encodes it (`NATS/1.0` line and `key: value` lines). */
function encodedSize(h: MsgHdrs): number {
  return (h as MsgHdrs & { encode(): Uint8Array }).encode().length;
}

/** A header value: one line, no control characters. */
function headerValue(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it removes
  return value.replace(/[\u0000-\u001f\u007f]/g, ' ');
}
