import { describe, expect, it } from 'vitest';
import { ActorId, defineMessage, isArgumentError, Mailbox } from 'rxbroker';
import { BrokerTestProbe } from 'rxbroker/testing';
import { brokerFactory } from '../support/brokers.js';
import { bad, thrown, track } from '../support/promises.js';
import { settle, virtualScheduler } from '../support/virtual-time.js';

const Tick = defineMessage<number, void>('Tick');
const Ask = defineMessage<string, string>('Ask');

const makeBroker = brokerFactory();

describe('BrokerTestProbe', () => {
  it('assertSent is true for exactly the number of messages an actor took', async () => {
    const broker = makeBroker();
    const probe = new BrokerTestProbe(broker);
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded({ receive: (m) => m.payload }));
    for (let i = 0; i < 5; i++) broker.trySend(id, Tick(i));
    await broker.send(id, Ask('a'));
    broker.send$(id, Ask('b')).subscribe();
    expect(probe.assertSent(id, 7)).toBe(true);
    expect(probe.assertSent(id, 6)).toBe(false);
    expect(probe.assertSent(id, 8)).toBe(false);
    expect(probe.sentCount(id)).toBe(7);
    expect(probe.assertSent(ActorId.from(2), 0)).toBe(true);
  });

  it('records the messages taken, in order, and only those', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const probe = new BrokerTestProbe(broker);
    const id = ActorId.from(1);
    broker.register(id, Mailbox.bounded({ receive: () => undefined }, 2));
    const messages = [Tick(1), Tick(2), Tick(3)];
    for (const m of messages) thrown(() => broker.trySend(id, m)); // the third is refused
    thrown(() => broker.trySend(ActorId.from(9), Tick(4))); // no such actor
    await settle(scheduler);
    expect(probe.sentMessages(id)).toEqual(messages.slice(0, 2));
    expect(probe.sentMessages(id)[0]).toBe(messages[0]);
    expect(probe.sentMessages(ActorId.from(9))).toEqual([]);
    expect(probe.assertSent(id, 2)).toBe(true);
  });

  it('sees only what happened after it was made', async () => {
    const broker = makeBroker();
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded({ receive: () => undefined }));
    broker.trySend(id, Tick(0));
    await broker.broadcast(Tick(0));
    const probe = new BrokerTestProbe(broker);
    expect(probe.assertSent(id, 0)).toBe(true);
    expect(probe.broadcasts).toEqual([]);
    expect(probe.assertBroadcast(1)).toBe(false);
  });

  it('assertBroadcast checks how many actors the latest broadcast reached', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const probe = new BrokerTestProbe(broker);
    for (const n of [1, 2, 3])
      broker.register(ActorId.from(n), Mailbox.unbounded({ receive: () => 'ok' }));
    broker.register(ActorId.from(4), Mailbox.bounded({ receive: () => 'ok' }, 1));
    track(broker.send(ActorId.from(4), Ask('fill')));
    const all = track(broker.broadcast(Ask('all')));
    await settle(scheduler);
    expect(all.value).toHaveLength(4);
    // Actor 4 was full: the broadcast reached 3 of its 4 targets.
    expect(probe.assertBroadcast(3)).toBe(true);
    expect(probe.assertBroadcast(4)).toBe(false);
    const some = track(broker.broadcastFilter(Ask('some'), (id) => id <= 2));
    await settle(scheduler);
    expect(some.value).toHaveLength(2);
    expect(probe.assertBroadcast(2)).toBe(true);
    expect(probe.broadcasts).toEqual([
      { reached: 3, targets: 4 },
      { reached: 2, targets: 2 },
    ]);
    expect(probe.assertSent(ActorId.from(1), 2)).toBe(true);
  });

  it('counts publish and broadcast$ as broadcasts', async () => {
    const broker = makeBroker();
    const probe = new BrokerTestProbe(broker);
    broker.register(ActorId.from(1), Mailbox.unbounded({ receive: () => 'ok' }));
    broker.subscribe(ActorId.from(1), 'news');
    await broker.publish('news', Ask('p'));
    expect(probe.assertBroadcast(1)).toBe(true);
    await broker.publish('nobody', Ask('p'));
    expect(probe.assertBroadcast(0)).toBe(true);
    broker.broadcast$(Ask('b')).subscribe();
    expect(probe.broadcasts).toHaveLength(3);
    expect(probe.assertBroadcast(1)).toBe(true);
  });

  it('assertBroadcast is false before any broadcast', () => {
    const probe = new BrokerTestProbe(makeBroker());
    expect(probe.assertBroadcast(0)).toBe(false);
  });

  it('reset forgets everything seen so far', async () => {
    const broker = makeBroker();
    const probe = new BrokerTestProbe(broker);
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded({ receive: () => undefined }));
    broker.trySend(id, Tick(1));
    await broker.broadcast(Tick(2));
    probe.reset();
    expect(probe.sentCount(id)).toBe(0);
    expect(probe.broadcasts).toEqual([]);
    broker.trySend(id, Tick(3));
    expect(probe.assertSent(id, 1)).toBe(true);
  });

  it('lets several probes watch one broker', () => {
    const broker = makeBroker();
    const first = new BrokerTestProbe(broker);
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded({ receive: () => undefined }));
    broker.trySend(id, Tick(1));
    const second = new BrokerTestProbe(broker);
    broker.trySend(id, Tick(2));
    expect(first.assertSent(id, 2)).toBe(true);
    expect(second.assertSent(id, 1)).toBe(true);
    expect(first.broker).toBe(broker);
  });

  it.each([null, {}, 'broker'])(
    'throws ArgumentError for something that is not a broker (%s)',
    (value) => {
      const error = thrown(() => new BrokerTestProbe(bad(value)));
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'broker' });
    },
  );
});
