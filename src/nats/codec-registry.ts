import { Packr } from 'msgpackr';
import { ArgumentError } from '../errors/argument-error.js';
import type { AnyMessage, MessageDefinition } from '../message/message.js';
import { CodecError } from './codec-error.js';
import { sanitize } from './internal/sanitize.js';
import { NO_BYTES } from './internal/frame.js';

/**
 * Turns values into bytes and back. Must round-trip plain data (objects, arrays, strings, numbers).
 *
 * @example
 * ```ts
 * import { NatsMessageBroker, type Codec } from 'rxbroker/nats';
 * const utf8: Codec = {
 *   name: 'text',
 *   encode: (value) => new TextEncoder().encode(String(value)),
 *   decode: (bytes) => new TextDecoder().decode(bytes),
 * };
 * const broker = await NatsMessageBroker.connect({ codec: utf8, messages: [Log] });
 * ```
 */
export interface Codec {
  /** A short name, sent with each message so that the receiver knows how to decode it. */
  readonly name: string;
  /** The bytes for `value`; throws when it cannot be encoded. */
  encode(value: unknown): Uint8Array;
  /** The value of `bytes`; throws when they do not decode. */
  decode(bytes: Uint8Array): unknown;
}

const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

/**
 * MessagePack through msgpackr (the default): compact, and keeps Dates, Maps, Sets and bytes.
 *
 * @example
 * ```ts
 * import { msgpackCodec } from 'rxbroker/nats';
 * msgpackCodec.decode(msgpackCodec.encode({ n: 1 })); // { n: 1 }
 * ```
 */
export const msgpackCodec: Codec = Object.freeze({
  name: 'msgpack',
  // `undefined` (a message without payload, a void result) travels as no bytes at all.
  encode: (value: unknown): Uint8Array => (value === undefined ? NO_BYTES : packr.pack(value)),
  decode: (bytes: Uint8Array): unknown => (bytes.length === 0 ? undefined : packr.unpack(bytes)),
});

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON, readable on the wire with `nats sub`, for debugging. `undefined` travels as no bytes.
 *
 * @example
 * ```ts
 * import { NatsMessageBroker } from 'rxbroker/nats';
 * const broker = await NatsMessageBroker.connect({ codec: 'json', messages: [GetBalance] });
 * ```
 */
export const jsonCodec: Codec = Object.freeze({
  name: 'json',
  encode: (value: unknown): Uint8Array =>
    value === undefined ? NO_BYTES : encoder.encode(JSON.stringify(value)),
  decode: (bytes: Uint8Array): unknown =>
    bytes.length === 0 ? undefined : (JSON.parse(decoder.decode(bytes)) as unknown),
});

/**
 * Any message definition, whatever its payload and result.
 *
 * @example
 * ```ts
 * import { defineMessage } from 'rxbroker';
 * import type { AnyDefinition } from 'rxbroker/nats';
 * const definitions: AnyDefinition[] = [defineMessage<number, void>('Tick')];
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDefinition = MessageDefinition<any, any>;

/** Message types: printable ASCII without spaces (they travel in frames and dead-letter headers). */
const TYPE_NAME = /^[\x21-\x7E]{1,256}$/;

/**
 * The message types that may cross the wire, and the codecs that carry them. A message whose type
 * is not registered is refused before it is sent (CodecError `UnknownMessageType`); a receiver
 * rebuilds every message through its registered definition, so handlers get real, frozen messages,
 * and checks every decoded value (no `__proto__` or `constructor` keys, plain data only).
 *
 * @example
 * ```ts
 * import { CodecRegistry } from 'rxbroker/nats';
 * const codecs = new CodecRegistry().register(GetBalance, Deposit);
 * ```
 */
export class CodecRegistry {
  private readonly _types = new Map<string, AnyDefinition>();
  private readonly _codecs = new Map<string, Codec>([
    [msgpackCodec.name, msgpackCodec],
    [jsonCodec.name, jsonCodec],
  ]);
  private _codec: Codec;

  /** @param codec the codec used to send: `'msgpack'` (default), `'json'`, or your own */
  constructor(codec: 'msgpack' | 'json' | Codec = 'msgpack') {
    this._codec = this._resolve(codec);
  }

  /** The codec this node sends with (a receiver decodes with whichever codec the sender named). */
  get codec(): Codec {
    return this._codec;
  }

  /**
   * Allows messages of these definitions to cross the wire.
   *
   * @returns this registry, for chaining
   * @throws ArgumentError for something that is not a definition, a type name that cannot travel in a
   *   frame, or a second, different definition of a registered type
   */
  register(...definitions: AnyDefinition[]): this {
    for (const definition of definitions) {
      if (typeof definition !== 'function' || typeof definition.is !== 'function') {
        throw new ArgumentError('definition', 'a defineMessage() factory', definition);
      }
      const type = definition.type;
      if (!TYPE_NAME.test(type)) {
        throw new ArgumentError(
          'definition.type',
          'printable ASCII without spaces, 1-256 characters',
          type,
        );
      }
      const known = this._types.get(type);
      if (known !== undefined && known !== definition) {
        throw new ArgumentError(
          'definition',
          `the one definition of '${type}' registered before`,
          definition,
        );
      }
      this._types.set(type, definition);
    }
    return this;
  }

  /** True when messages of `type` may cross the wire. */
  has(type: string): boolean {
    return this._types.has(type);
  }

  /** The registered type names. */
  types(): string[] {
    return Array.from(this._types.keys());
  }

  /** @internal Encodes a message's payload; throws CodecError for an unregistered type. */
  _encodePayload(message: AnyMessage): Uint8Array {
    const type = message.type;
    if (!this._types.has(type)) throw new CodecError('UnknownMessageType', type);
    return this._encode(message.payload, type);
  }

  /** @internal Encodes any value (a result, a batch) with this node's codec. */
  _encode(value: unknown, messageType?: string): Uint8Array {
    try {
      return this._codec.encode(value);
    } catch (cause) {
      throw new CodecError('UnencodablePayload', messageType, { cause });
    }
  }

  /** @internal Decodes bytes sent with the codec named `codecName`, and checks them. */
  _decode(bytes: Uint8Array, codecName: string, messageType?: string): unknown {
    const codec = this._codecs.get(codecName);
    if (codec === undefined) throw new CodecError('InvalidPayload', messageType);
    let value: unknown;
    try {
      value = codec.decode(bytes);
    } catch (cause) {
      throw new CodecError('InvalidPayload', messageType, { cause });
    }
    return sanitize(value, messageType);
  }

  /** @internal Rebuilds a message of a registered type around a decoded payload. */
  _message(type: string, payload: unknown): AnyMessage {
    const definition = this._types.get(type);
    if (definition === undefined) throw new CodecError('UnknownMessageType', type);
    return (definition as (payload: unknown) => AnyMessage)(payload);
  }

  private _resolve(codec: 'msgpack' | 'json' | Codec): Codec {
    if (typeof codec === 'string') {
      const known = this._codecs.get(codec);
      if (known === undefined)
        throw new ArgumentError('codec', "'msgpack', 'json' or a Codec", codec);
      return known;
    }
    if (
      typeof codec !== 'object' ||
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time, for JavaScript callers
      codec === null ||
      typeof codec.name !== 'string' ||
      !/^[A-Za-z0-9_-]{1,64}$/.test(codec.name) ||
      typeof codec.encode !== 'function' ||
      typeof codec.decode !== 'function'
    ) {
      throw new ArgumentError(
        'codec',
        "'msgpack', 'json' or a Codec { name, encode, decode }",
        codec,
      );
    }
    this._codecs.set(codec.name, codec);
    return codec;
  }
}
