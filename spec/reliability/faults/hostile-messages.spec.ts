import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  defineMessage,
  isMessage,
  Mailbox,
  sendTo,
  type AnyMessage,
  type InMemoryMessageBroker,
} from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import { bad, track } from '../../support/promises.js';
import { settle } from '../../support/virtual-time.js';
import {
  cyclic,
  Echo,
  expectBalanced,
  expectPrototypeClean,
  misrefusals,
  throwingGetters,
  throwingProxy,
  type Channel,
  workingBrokerOf,
  expectUnharmed,
} from './fault-kit.js';

const makeBroker = brokerFactory();
const ID = ActorId.from(1);

/** A broker whose actor 1 answers `ok:<payload>` and subscribes to `jobs`; it records its calls. */
const workingBroker = () => workingBrokerOf(makeBroker, ID);

/** Every call that sends a message, with the channel its refusal must come through. */
function sendingCalls(
  broker: InMemoryMessageBroker,
  message: unknown,
): [string, Channel, () => unknown][] {
  const m = bad(message);
  return [
    ['send', 'rejected', () => broker.send(ID, m)],
    ['sendWithPriority', 'rejected', () => broker.sendWithPriority(ID, m, 2)],
    ['trySend', 'threw', () => broker.trySend(ID, m)],
    ['send$', 'errored', () => broker.send$(ID, m)],
    ['broadcast', 'rejected', () => broker.broadcast(m)],
    ['broadcastFilter', 'rejected', () => broker.broadcastFilter(m, () => true)],
    ['broadcast$', 'errored', () => broker.broadcast$(m)],
    ['broadcastFilter$', 'errored', () => broker.broadcastFilter$(m, () => true)],
    ['publish', 'rejected', () => broker.publish('jobs', m)],
    ['publish$', 'errored', () => broker.publish$('jobs', m)],
    ['sendWithRouting', 'rejected', () => broker.sendWithRouting({ topic: 'jobs' }, m)],
    ['sendWithRouting$', 'errored', () => broker.sendWithRouting$({ topic: 'jobs' }, m)],
    ['sendTo', 'errored', () => from([m]).pipe(sendTo(broker, ID))],
  ];
}

const realMessage = Echo('real');
const forgedAdmin = { __proto__: realMessage, type: 'Admin', payload: { grant: 'all' } };

const hostileMessages: [string, () => unknown][] = [
  [
    'parsed from JSON with a "__proto__" key',
    () => JSON.parse('{"__proto__": {"polluted": true}, "type": "Echo", "payload": 1}') as unknown,
  ],
  ['a frozen look-alike', () => Object.freeze({ type: 'Echo', payload: 'x' })],
  ['a cyclic look-alike', () => cyclic({ type: 'Echo', payload: 'x' })],
  ['a function', () => Object.assign(() => 'Echo', { type: 'Echo', payload: 'x' })],
  ['a symbol', () => Symbol('Echo')],
  ['a bigint', () => 1n],
  ['a Proxy whose every trap throws', () => throwingProxy()],
  ['an object inheriting from a real message', () => Object.create(realMessage) as unknown],
  ['a forgery inheriting the brand with its own type and payload', () => forgedAdmin],
];

describe('hostile values as messages', () => {
  it.each(hostileMessages)(
    '%s: refused at every entry point, through its channel',
    async (_, make) => {
      const { scheduler, broker, handled } = workingBroker();
      const value = make();
      expect(await misrefusals(sendingCalls(broker, value), 'message')).toEqual([]);
      await expectUnharmed(broker, scheduler, handled, ID);
    },
  );

  it('isMessage and Factory.is do not take a value that only inherits from a message', () => {
    const Admin = defineMessage<{ grant: string }, void>('Admin');
    expect(isMessage(Object.create(realMessage))).toBe(false);
    expect(isMessage(forgedAdmin)).toBe(false);
    expect(Admin.is(forgedAdmin)).toBe(false);
    expect(isMessage(realMessage)).toBe(true);
  });

  it('a transparent Proxy cannot lie about a frozen message: reading a changed payload throws', () => {
    const liar = new Proxy(realMessage, {
      get: (target, key, receiver) =>
        key === 'payload' ? { mutable: true } : (Reflect.get(target, key, receiver) as unknown),
    });
    expect(() => (liar as AnyMessage).payload).toThrow(TypeError);
  });

  it('a Proxy of a real message whose type getter throws: every call settles and metrics balance', async () => {
    const { scheduler, broker } = workingBroker();
    // The brand is read through the proxy, so this passes as a message; its `type` cannot be read.
    const sly = throwingGetters(Echo('sly'), ['type']);
    const missing = ActorId.from(404);
    const calls: [string, () => Promise<unknown>][] = [
      ['send to a missing actor', () => broker.send(missing, sly)],
      ['send to a working actor', () => broker.send(ID, sly)],
      ['broadcast', () => broker.broadcast(sly)],
      ['publish to nobody', () => broker.publish('nobody.here', sly)],
      ['sendWithRouting to nobody', () => broker.sendWithRouting({ topic: 'nobody.here' }, sly)],
    ];
    const threw: string[] = [];
    const pending: ReturnType<typeof track>[] = [];
    for (const [name, call] of calls) {
      try {
        pending.push(track(call()));
      } catch {
        threw.push(name);
      }
    }
    await settle(scheduler);
    expect(threw).toEqual([]); // a Promise method reports through its Promise
    expect(pending.every((p) => p.settled)).toBe(true);
    expectBalanced(broker);
    const answer = track(broker.send(ID, Echo('still')));
    await settle(scheduler);
    expect(answer.value).toBe('ok:still');
  });
});

describe('message types and payloads that are hostile values', () => {
  it.each([
    ['a symbol', Symbol('T')],
    ['a bigint', 1n],
    ['a String object', Object('Echo')],
    ['a function', () => 'Echo'],
    ['a frozen object', Object.freeze({ type: 'Echo' })],
  ])('defineMessage refuses %s as a type name', (_, type) => {
    expect(() => defineMessage(bad(type))).toThrow(
      expect.objectContaining({ kind: 'InvalidArgument' }),
    );
  });

  it('type names like __proto__ and constructor are plain names', async () => {
    const { scheduler, broker } = workingBroker();
    const names = ['__proto__', 'constructor', 'hasOwnProperty', 'toString'];
    const answers = names.map((name) => {
      const Def = defineMessage<string, string>(name);
      const message = Def('p');
      expect(message.type).toBe(name);
      expect(Def.is(message)).toBe(true);
      return track(broker.send(ID, message));
    });
    await settle(scheduler);
    expect(answers.map((a) => a.value)).toEqual(names.map(() => 'ok:p'));
    expectPrototypeClean();
  });

  it('a cyclic payload is frozen without hanging and delivered as the same object', async () => {
    const { scheduler, broker } = workingBroker();
    const Graph = defineMessage<{ name: string; self?: unknown; list: unknown[] }, string>('Graph');
    const payload: { name: string; self?: unknown; list: unknown[] } = { name: 'g', list: [] };
    payload.self = payload;
    payload.list.push(payload, payload.list);
    const message = Graph(payload);
    expect(message.payload).toBe(payload);
    expect(Object.isFrozen(payload)).toBe(true);
    expect(Object.isFrozen(payload.list)).toBe(true);

    let received: unknown;
    broker.register(
      ActorId.from(2),
      Mailbox.unbounded({ receive: (m) => ((received = m.payload), 'got') }),
    );
    const answer = track(broker.send(ActorId.from(2), message));
    const all = track(broker.broadcast(message));
    await settle(scheduler);
    expect(answer.value).toBe('got');
    expect(received).toBe(payload);
    expect(all.value?.map((r) => r.ok)).toEqual([true, true]);
  });

  it('a payload frozen by its owner is still frozen deeply', () => {
    const Config = defineMessage<{ inner: { n: number }; list: number[] }, void>('Config');
    const payload = Object.freeze({ inner: { n: 1 }, list: [1, 2] });
    const message = Config(payload);
    expect(Object.isFrozen(message.payload)).toBe(true);
    // The README promises deep freezing, so a broadcast can share the message safely.
    expect(Object.isFrozen(message.payload.inner)).toBe(true);
    expect(Object.isFrozen(message.payload.list)).toBe(true);
  });

  it('a payload parsed from JSON with a "__proto__" key keeps it as plain data', async () => {
    const { scheduler, broker } = workingBroker();
    const Data = defineMessage<Record<string, unknown>, string>('Data');
    const payload = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<
      string,
      unknown
    >;
    const message = Data(payload);
    expect(Object.getPrototypeOf(message.payload)).toBe(Object.prototype);
    expect(Object.keys(message.payload)).toEqual(['__proto__', 'x']);
    expect(
      Object.isFrozen(Object.getOwnPropertyDescriptor(message.payload, '__proto__')?.value),
    ).toBe(true);
    let seen: unknown;
    broker.register(
      ActorId.from(2),
      Mailbox.unbounded({ receive: (m) => ((seen = m.payload), 'ok') }),
    );
    const answer = track(broker.send(ActorId.from(2), message));
    await settle(scheduler);
    expect(answer.value).toBe('ok');
    expect(seen).toBe(payload);
    expect((seen as { polluted?: unknown }).polluted).toBeUndefined();
    expectPrototypeClean();
  });

  it('payloads holding functions, symbols and bigints are delivered as they are', async () => {
    const { scheduler, broker } = workingBroker();
    const Odd = defineMessage<unknown, string>('Odd');
    const fn = (): number => 1;
    const sym = Symbol('s');
    const values = [fn, sym, 2n ** 64n, { fn, sym, big: 1n }];
    const received: unknown[] = [];
    broker.register(
      ActorId.from(2),
      Mailbox.unbounded({ receive: (m) => (received.push(m.payload), 'ok') }),
    );
    const answers = values.map((v) => track(broker.send(ActorId.from(2), Odd(v))));
    await settle(scheduler);
    expect(answers.map((a) => a.value)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(received).toEqual(values);
  });

  it('a payload Proxy whose traps throw: the factory throws, nothing else is touched', () => {
    const Risky = defineMessage<unknown, void>('Risky');
    expect(() => Risky(throwingProxy())).toThrow();
    expectPrototypeClean();
  });
});
