import { describe, expect, it } from 'vitest';
import { defineMessage, isArgumentError } from 'rxbroker';
import {
  CodecRegistry,
  decodeSubjectToken,
  encodeSubjectToken,
  isCodecError,
  jsonCodec,
  msgpackCodec,
  type Codec,
} from 'rxbroker/nats';

const Data = defineMessage<unknown, void>('Data');

function decodeError(registry: CodecRegistry, bytes: Uint8Array, codec: string): unknown {
  try {
    registry._decode(bytes, codec, 'Data');
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('CodecRegistry', () => {
  it('round-trips a registered message through msgpack and JSON, rebuilt by its definition', () => {
    for (const codec of ['msgpack', 'json'] as const) {
      const registry = new CodecRegistry(codec).register(Data);
      const bytes = registry._encodePayload(Data({ a: [1, 'two', { b: null }] }));
      const message = registry._message('Data', registry._decode(bytes, codec, 'Data'));
      expect(Data.is(message)).toBe(true);
      expect(message.payload).toEqual({ a: [1, 'two', { b: null }] });
      expect(Object.isFrozen(message.payload)).toBe(true);
    }
    expect(new CodecRegistry('json')._decode(jsonCodec.encode(undefined), 'json')).toBeUndefined();
    expect(new CodecRegistry()._decode(msgpackCodec.encode(undefined), 'msgpack')).toBeUndefined();
  });

  it('refuses an unregistered type with UnknownMessageType', () => {
    const registry = new CodecRegistry();
    expect(() => registry._encodePayload(Data(1))).toThrow(/UnknownMessageType/);
    let error: unknown;
    try {
      registry._message('Data', 1);
    } catch (e) {
      error = e;
    }
    expect(isCodecError(error, 'UnknownMessageType')).toBe(true);
    expect(registry.register(Data).has('Data')).toBe(true);
    expect(registry.types()).toEqual(['Data']);
  });

  it('never lets __proto__, constructor or prototype keys through, nor odd prototypes', () => {
    const registry = new CodecRegistry();
    const json = (text: string): Uint8Array => new TextEncoder().encode(text);
    for (const text of [
      '{"__proto__":{"polluted":true}}',
      '{"a":{"constructor":{"prototype":{}}}}',
      '[{"prototype":1}]',
    ]) {
      expect(isCodecError(decodeError(registry, json(text), 'json'), 'InvalidPayload')).toBe(true);
    }
    const packed = msgpackCodec.encode({ a: { constructor: 1 } });
    expect(isCodecError(decodeError(registry, packed, 'msgpack'), 'InvalidPayload')).toBe(true);
    const map = msgpackCodec.encode(new Map([['constructor', 1]]));
    const decodedMap = decodeError(registry, map, 'msgpack');
    expect(isCodecError(decodedMap, 'InvalidPayload')).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('refuses bytes that do not decode, an unknown codec name, and values too deep', () => {
    const registry = new CodecRegistry();
    const bad = new TextEncoder().encode('{not json');
    expect(isCodecError(decodeError(registry, bad, 'json'), 'InvalidPayload')).toBe(true);
    expect(isCodecError(decodeError(registry, bad, 'yaml'), 'InvalidPayload')).toBe(true);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(
      isCodecError(decodeError(registry, jsonCodec.encode(deep), 'json'), 'InvalidPayload'),
    ).toBe(true);
    const sets = msgpackCodec.encode({
      when: new Date(0),
      bytes: new Uint8Array([1]),
      list: [new Set([1])],
    });
    expect(decodeError(registry, sets, 'msgpack')).toBeUndefined();
  });

  it('reports a value the codec cannot encode as UnencodablePayload', () => {
    const registry = new CodecRegistry('json').register(Data);
    expect(() => registry._encodePayload(Data({ n: 1n }))).toThrow(/UnencodablePayload/);
  });

  it('takes a custom codec, and checks codecs and definitions', () => {
    const reversed: Codec = {
      name: 'reversed',
      encode: (value) => jsonCodec.encode(value).reverse(),
      decode: (bytes) => jsonCodec.decode(Uint8Array.from(bytes).reverse()),
    };
    const registry = new CodecRegistry(reversed).register(Data);
    expect(registry.codec).toBe(reversed);
    expect(registry._decode(registry._encodePayload(Data([1])), 'reversed')).toEqual([1]);
    expect(() => new CodecRegistry('yaml' as never)).toThrow(/codec/);
    expect(() => new CodecRegistry({ name: 'bad name' } as never)).toThrow(/codec/);
    expect(isArgumentError(catchError(() => registry.register({} as never)))).toBe(true);
    expect(isArgumentError(catchError(() => registry.register(defineMessage('has space'))))).toBe(
      true,
    );
    expect(isArgumentError(catchError(() => registry.register(defineMessage('Data'))))).toBe(true);
    expect(registry.register(Data)).toBe(registry); // the same definition again is fine
  });
});

describe('encodeSubjectToken', () => {
  it('leaves safe tokens alone and escapes every separator, wildcard and $', () => {
    expect(encodeSubjectToken('node-1_a')).toBe('node-1_a');
    for (const hostile of ['a.b', '*', '>', '$SYS', 'a b', '~', '', 'é']) {
      const token = encodeSubjectToken(hostile);
      expect(token).toMatch(/^[A-Za-z0-9_~-]+$/);
      expect(decodeSubjectToken(token)).toBe(hostile);
    }
    expect(encodeSubjectToken('a.b')).not.toBe(encodeSubjectToken('a~2Eb'));
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
