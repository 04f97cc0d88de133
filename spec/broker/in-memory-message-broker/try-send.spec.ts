import { throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ActorId,
  defineMessage,
  isArgumentError,
  isSendError,
  Mailbox,
  Priority,
  type AnyMessage,
  type DeadLetter,
  type OverflowStrategy,
} from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import { bad, deferred, thrown } from '../../support/promises.js';
import { settle, virtualScheduler } from '../../support/virtual-time.js';

const Note = defineMessage<string, void>('Note');

function recorder(): { seen: string[]; receive: (m: AnyMessage) => void } {
  const seen: string[] = [];
  return { seen, receive: (m) => void seen.push(m.payload as string) };
}

describe('InMemoryMessageBroker trySend', () => {
  const makeBroker = brokerFactory();

  it('returns at once, before the handler runs, and the handler gets the message soon after', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const id = ActorId.from(1);
    const actor = recorder();
    broker.register(id, Mailbox.unbounded(actor));
    // eslint-disable-next-line @typescript-eslint/no-confusing-void-expression -- that it returns nothing is the point
    expect(broker.trySend(id, Note('a'))).toBeUndefined();
    broker.trySend(id, Note('b'));
    expect(actor.seen).toEqual([]);
    expect(broker.mailboxOf(id)?.size).toBe(2);
    await settle(scheduler);
    expect(actor.seen).toEqual(['a', 'b']);
    expect(broker.metrics()).toMatchObject({ totalSent: 2, totalDelivered: 2, totalFailed: 0 });
  });

  it('honours the priority option', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const id = ActorId.from(1);
    const actor = recorder();
    broker.register(id, Mailbox.unbounded(actor));
    broker.trySend(id, Note('low'), { priority: Priority.Low });
    broker.trySend(id, Note('normal'));
    broker.trySend(id, Note('critical'), { priority: Priority.Critical });
    broker.trySend(id, Note('default'), {});
    await settle(scheduler);
    expect(actor.seen).toEqual(['critical', 'normal', 'default', 'low']);
  });

  it('processes fire-and-forget messages with async handlers one at a time', async () => {
    const broker = makeBroker();
    const id = ActorId.from(1);
    let active = 0;
    let maxActive = 0;
    const done = deferred();
    const seen: string[] = [];
    broker.register(
      id,
      Mailbox.unbounded({
        receive: async (m: AnyMessage) => {
          active++;
          maxActive = Math.max(maxActive, active);
          await Promise.resolve();
          await Promise.resolve();
          seen.push(m.payload as string);
          active--;
          if (seen.length === 3) done.resolve();
        },
      }),
    );
    for (const p of ['x', 'y', 'z']) broker.trySend(id, Note(p));
    await done.promise;
    expect(seen).toEqual(['x', 'y', 'z']);
    expect(maxActive).toBe(1);
  });

  it('throws ActorNotFound for an unknown actor, and the message is a dead letter', () => {
    const broker = makeBroker();
    const letters: DeadLetter[] = [];
    broker.deadLetters$.subscribe((l) => letters.push(l));
    const id = ActorId.from(3);
    const error = thrown(() => broker.trySend(id, Note('lost')));
    expect(isSendError(error, 'ActorNotFound')).toBe(true);
    expect(error).toMatchObject({ actorId: id, info: { messageType: 'Note' } });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ actorId: id, reason: 'ActorNotFound' });
  });

  it('throws ActorStopped after shutdown', () => {
    const broker = makeBroker();
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded(recorder()));
    broker.shutdown();
    expect(
      isSendError(
        thrown(() => broker.trySend(id, Note('late'))),
        'ActorStopped',
      ),
    ).toBe(true);
  });

  it.each<OverflowStrategy>(['fail', 'backpressure'])(
    "throws MailboxFull when a bounded mailbox with '%s' is full",
    async (overflow) => {
      const scheduler = virtualScheduler();
      const broker = makeBroker({ scheduler });
      const id = ActorId.from(1);
      const actor = recorder();
      broker.register(id, Mailbox.bounded(actor, 2, { overflow }));
      broker.trySend(id, Note('1'));
      broker.trySend(id, Note('2'));
      const error = thrown(() => broker.trySend(id, Note('3')));
      expect(isSendError(error, 'MailboxFull')).toBe(true);
      expect(error).toMatchObject({ actorId: id, info: { capacity: 2 } });
      expect(broker.mailboxOf(id)?.waiting).toBe(0);
      await settle(scheduler);
      expect(actor.seen).toEqual(['1', '2']);
    },
  );

  it.each<[OverflowStrategy, string[], string]>([
    ['dropNewest', ['1', '2'], '3'],
    ['dropOldest', ['2', '3'], '1'],
  ])(
    "does not throw when full under '%s'; the dropped message is a dead letter",
    async (overflow, kept, dropped) => {
      const scheduler = virtualScheduler();
      const broker = makeBroker({ scheduler });
      const letters: DeadLetter[] = [];
      broker.deadLetters$.subscribe((l) => letters.push(l));
      const id = ActorId.from(1);
      const actor = recorder();
      broker.register(id, Mailbox.bounded(actor, 2, { overflow }));
      for (const p of ['1', '2', '3']) expect(() => broker.trySend(id, Note(p))).not.toThrow();
      await settle(scheduler);
      expect(actor.seen).toEqual(kept);
      expect(letters.map((l) => [l.message.payload, l.reason])).toEqual([[dropped, 'MailboxFull']]);
      expect(isSendError(letters[0]?.error, 'MailboxFull')).toBe(true);
      expect(letters[0]?.error).toMatchObject({
        actorId: id,
        info: { capacity: 2, messageType: 'Note' },
      });
    },
  );

  it.each([
    [
      'throws',
      () => {
        throw new Error('sync');
      },
    ],
    ['rejects', () => Promise.reject(new Error('async'))],
    ['returns an erroring Observable', () => throwError(() => new Error('rx'))],
  ])(
    'turns a handler failure into a HandlerFailed dead letter when the handler %s',
    async (_, fail) => {
      const scheduler = virtualScheduler();
      const broker = makeBroker({ scheduler });
      const letters: DeadLetter[] = [];
      broker.deadLetters$.subscribe((l) => letters.push(l));
      const id = ActorId.from(1);
      const seen: string[] = [];
      broker.register(
        id,
        Mailbox.unbounded({
          receive: (m: AnyMessage) => {
            seen.push(m.payload as string);
            return m.payload === 'bad' ? fail() : undefined;
          },
        }),
      );
      broker.trySend(id, Note('bad'));
      broker.trySend(id, Note('good'));
      await settle(scheduler);
      expect(seen).toEqual(['bad', 'good']);
      expect(letters).toHaveLength(1);
      const letter = letters[0] as DeadLetter;
      expect(letter).toMatchObject({ actorId: id, reason: 'HandlerFailed' });
      expect(letter.message.payload).toBe('bad');
      expect(isSendError(letter.error, 'HandlerFailed')).toBe(true);
      expect((letter.error.cause as Error).message).toMatch(/sync|async|rx/);
      expect(broker.metrics()).toMatchObject({ totalSent: 2, totalDelivered: 1, totalFailed: 1 });
    },
  );

  it('throws ArgumentError synchronously for bad input and sends nothing', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const id = ActorId.from(1);
    const actor = recorder();
    broker.register(id, Mailbox.unbounded(actor));
    const cases: [() => void, string][] = [
      [() => broker.trySend(bad(-1), Note('x')), 'actor id'],
      [() => broker.trySend(bad(NaN), Note('x')), 'actor id'],
      [() => broker.trySend(id, bad({ type: 'Note', payload: 'x' })), 'message'],
      [() => broker.trySend(id, bad(undefined)), 'message'],
      [() => broker.trySend(id, Note('x'), bad(null)), 'options'],
      [() => broker.trySend(id, Note('x'), { priority: bad(9) }), 'priority'],
    ];
    for (const [call, argument] of cases) {
      const error = thrown(call);
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument });
    }
    expect(broker.metrics().totalSent).toBe(0);
    broker.trySend(id, Note('fine'));
    await settle(scheduler);
    expect(actor.seen).toEqual(['fine']);
  });
});
