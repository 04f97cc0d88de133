import { describe, expect, it } from 'vitest';
import {
  ActorId,
  defineMessage,
  isSendError,
  Mailbox,
  Priority,
  type AnyMessage,
  type DeadLetter,
} from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import { deferred, track, type Deferred } from '../../support/promises.js';
import { advanceBy, settle, virtualScheduler } from '../../support/virtual-time.js';

const Job = defineMessage<string, string>('Job');

/** An actor whose handler waits for the test to release each message. */
function gatedActor(): {
  seen: string[];
  gates: Deferred<void>[];
  receive: (m: AnyMessage) => Promise<string>;
} {
  const seen: string[] = [];
  const gates: Deferred<void>[] = [];
  return {
    seen,
    gates,
    receive: async (m) => {
      seen.push(m.payload as string);
      const gate = deferred();
      gates.push(gate);
      await gate.promise;
      return m.payload as string;
    },
  };
}

const makeBroker = brokerFactory();

function setup(overflow: 'fail' | 'dropNewest' | 'dropOldest' | 'backpressure', capacity = 2) {
  const scheduler = virtualScheduler();
  const broker = makeBroker({ scheduler, defaultTimeout: 1000 });
  const letters: DeadLetter[] = [];
  broker.deadLetters$.subscribe((l) => letters.push(l));
  const id = ActorId.from(1);
  const actor = gatedActor();
  const mailbox = Mailbox.bounded(actor, capacity, { overflow });
  broker.register(id, mailbox);
  const send = (p: string, priority: Priority = Priority.Normal) =>
    track(broker.send(id, Job(p), { priority }));
  /** Releases messages one by one until all queued are done. */
  const releaseAll = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) {
      await settle(scheduler);
      for (const gate of actor.gates.splice(0)) gate.resolve();
    }
    await settle(scheduler);
  };
  return { scheduler, broker, letters, id, actor, mailbox, send, releaseAll };
}

describe('bounded mailbox overflow', () => {
  it('does not count the message being processed against the capacity', async () => {
    const { scheduler, send, mailbox, actor, releaseAll } = setup('fail', 2);
    const first = send('busy');
    await settle(scheduler);
    expect(mailbox.isProcessing).toBe(true);
    const queued = [send('q1'), send('q2')];
    await settle(scheduler);
    expect(mailbox.size).toBe(2);
    expect(queued.some((q) => q.settled)).toBe(false);
    await releaseAll();
    expect([first, ...queued].map((t) => t.value)).toEqual(['busy', 'q1', 'q2']);
    expect(actor.seen).toEqual(['busy', 'q1', 'q2']);
  });

  describe("'fail'", () => {
    it('rejects the new message with MailboxFull and makes it a dead letter', async () => {
      const { scheduler, send, letters, id, actor, releaseAll } = setup('fail', 2);
      const a = send('a');
      const b = send('b');
      const c = send('c');
      await settle(scheduler);
      expect(isSendError(c.error, 'MailboxFull')).toBe(true);
      expect(c.error).toMatchObject({ actorId: id, info: { capacity: 2, messageType: 'Job' } });
      expect(letters.map((l) => [l.message.payload, l.reason])).toEqual([['c', 'MailboxFull']]);
      await releaseAll();
      expect([a.value, b.value]).toEqual(['a', 'b']);
      expect(actor.seen).toEqual(['a', 'b']);
    });
  });

  describe("'dropNewest'", () => {
    it('drops the new message when it is not more urgent than what is queued', async () => {
      const { scheduler, send, letters, actor, releaseAll } = setup('dropNewest', 2);
      const a = send('a');
      const b = send('b');
      const c = send('c');
      const low = send('low', Priority.Low);
      await settle(scheduler);
      expect(isSendError(c.error, 'MailboxFull')).toBe(true);
      expect(isSendError(low.error, 'MailboxFull')).toBe(true);
      expect(letters.map((l) => l.message.payload)).toEqual(['c', 'low']);
      await releaseAll();
      expect([a.value, b.value]).toEqual(['a', 'b']);
      expect(actor.seen).toEqual(['a', 'b']);
    });

    it('drops the newest message of the lowest priority to make room for a more urgent one', async () => {
      const { scheduler, send, letters, actor, releaseAll } = setup('dropNewest', 2);
      const a = send('a');
      const b = send('b');
      const urgent = send('urgent', Priority.High);
      await settle(scheduler);
      expect(isSendError(b.error, 'MailboxFull')).toBe(true);
      expect(letters.map((l) => [l.message.payload, l.reason])).toEqual([['b', 'MailboxFull']]);
      await releaseAll();
      expect(actor.seen).toEqual(['urgent', 'a']);
      expect([urgent.value, a.value]).toEqual(['urgent', 'a']);
    });
  });

  describe("'dropOldest'", () => {
    it('evicts the oldest message; its sender gets MailboxFull', async () => {
      const { scheduler, send, letters, actor, releaseAll } = setup('dropOldest', 2);
      const a = send('a');
      const b = send('b');
      const c = send('c');
      await settle(scheduler);
      expect(isSendError(a.error, 'MailboxFull')).toBe(true);
      expect(a.error).toMatchObject({ info: { capacity: 2 } });
      expect(letters.map((l) => [l.message.payload, l.reason])).toEqual([['a', 'MailboxFull']]);
      await releaseAll();
      expect([b.value, c.value]).toEqual(['b', 'c']);
      expect(actor.seen).toEqual(['b', 'c']);
    });

    it('evicts from the lowest priority and drops a new message less urgent than all queued', async () => {
      const { scheduler, send, letters, actor, releaseAll } = setup('dropOldest', 2);
      const high = send('high', Priority.High);
      const n1 = send('n1');
      const n2 = send('n2');
      const low = send('low', Priority.Low);
      await settle(scheduler);
      expect(isSendError(n1.error, 'MailboxFull')).toBe(true);
      expect(isSendError(low.error, 'MailboxFull')).toBe(true);
      expect(letters.map((l) => l.message.payload)).toEqual(['n1', 'low']);
      await releaseAll();
      expect(actor.seen).toEqual(['high', 'n2']);
      expect([high.value, n2.value]).toEqual(['high', 'n2']);
    });
  });

  describe("'backpressure'", () => {
    it('makes send wait for room, then delivers it in order', async () => {
      const { scheduler, send, mailbox, actor, letters, releaseAll } = setup('backpressure', 1);
      const a = send('a');
      const b = send('b');
      const c = send('c');
      await settle(scheduler);
      // 'a' is being processed, 'b' queued, 'c' waits for room.
      expect(mailbox.size).toBe(1);
      expect(mailbox.waiting).toBe(1);
      expect(c.settled).toBe(false);
      await releaseAll();
      expect([a.value, b.value, c.value]).toEqual(['a', 'b', 'c']);
      expect(actor.seen).toEqual(['a', 'b', 'c']);
      expect(letters).toEqual([]);
    });

    it('admits waiting senders by priority', async () => {
      const { scheduler, send, actor, releaseAll } = setup('backpressure', 1);
      send('first');
      await settle(scheduler);
      send('queued');
      send('w-low', Priority.Low);
      send('w-normal');
      send('w-critical', Priority.Critical);
      await releaseAll();
      expect(actor.seen).toEqual(['first', 'queued', 'w-critical', 'w-normal', 'w-low']);
    });

    it('fails a send that finds no room within its timeout with Timeout, as a dead letter', async () => {
      const { scheduler, send, mailbox, letters, actor, releaseAll } = setup('backpressure', 1);
      send('busy');
      await settle(scheduler);
      send('queued');
      const waiting = send('waiting');
      await advanceBy(scheduler, 999);
      expect(waiting.settled).toBe(false);
      // 'busy' and 'queued' also time out at 1000; only 'waiting' never reached the handler.
      await advanceBy(scheduler, 1);
      expect(isSendError(waiting.error, 'Timeout')).toBe(true);
      expect(mailbox.waiting).toBe(0);
      // Equal deadlines: their order is not specified.
      expect(letters.map((l) => `${l.message.payload as string}:${l.reason}`).sort()).toEqual([
        'queued:Timeout',
        'waiting:Timeout',
      ]);
      await releaseAll();
      expect(actor.seen).toEqual(['busy']);
    });

    it('admits a waiter when a queued message times out', async () => {
      const { scheduler, broker, id, mailbox, actor, releaseAll } = setup('backpressure', 1);
      const busy = track(broker.send(id, Job('busy'), { timeout: 10_000 }));
      await settle(scheduler);
      const shortLived = track(broker.send(id, Job('short'), { timeout: 10 }));
      const waiter = track(broker.send(id, Job('waiter'), { timeout: 10_000 }));
      await settle(scheduler);
      expect(mailbox.waiting).toBe(1);
      await advanceBy(scheduler, 10);
      expect(isSendError(shortLived.error, 'Timeout')).toBe(true);
      expect(mailbox.waiting).toBe(0);
      expect(mailbox.size).toBe(1);
      await releaseAll();
      expect([busy.value, waiter.value]).toEqual(['busy', 'waiter']);
      expect(actor.seen).toEqual(['busy', 'waiter']);
    });

    it('withdraws a waiting send$ when unsubscribed', async () => {
      const { scheduler, broker, id, mailbox, actor, send, releaseAll } = setup('backpressure', 1);
      send('busy');
      await settle(scheduler);
      send('queued');
      const subscription = broker.send$(id, Job('waiter')).subscribe();
      expect(mailbox.waiting).toBe(1);
      subscription.unsubscribe();
      expect(mailbox.waiting).toBe(0);
      await releaseAll();
      expect(actor.seen).toEqual(['busy', 'queued']);
      expect(broker.metrics()).toMatchObject({ totalWithdrawn: 1 });
    });
  });
});
