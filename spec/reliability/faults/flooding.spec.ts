import { describe, expect, it } from 'vitest';
import {
  ActorId,
  defineMessage,
  isSendError,
  Mailbox,
  type InMemoryMessageBroker,
  type OverflowStrategy,
} from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import { deferred, thrown, track } from '../../support/promises.js';
import { advanceBy, settle, virtualScheduler } from '../../support/virtual-time.js';
import { Echo, expectBalanced } from './fault-kit.js';

// Responsiveness is shown by order, never by time: the other actor's answer must arrive while the
// flooded actor still has messages queued (its mailbox `size` > 0 at that moment).

const Tick = defineMessage<number, void>('Tick');
const makeBroker = brokerFactory();
const FLOODED = ActorId.from(1);
const OTHER = ActorId.from(2);

/** Registers the flooded actor's mailbox, and a responsive actor answering `pong`. */
function floodScene(broker: InMemoryMessageBroker, flooded: Mailbox): void {
  broker.register(FLOODED, flooded);
  broker.register(OTHER, Mailbox.unbounded({ receive: () => 'pong' }));
}

/** Counts the ticks an actor sees and how many came out of order. */
function tickCounter(seen: { count: number; last: number; outOfOrder: number }) {
  return (payload: unknown): void => {
    const n = payload as number;
    if (n <= seen.last) seen.outOfOrder++;
    seen.last = n;
    seen.count++;
  };
}

describe('a sender that floods one actor while another stays responsive', () => {
  it('300,000 trySends to an unbounded mailbox (virtual time): the other actor answers first', async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler });
    const seen = { count: 0, last: -1, outOfOrder: 0 };
    const count = tickCounter(seen);
    const flooded = Mailbox.unbounded({ receive: (m) => count(m.payload) });
    floodScene(broker, flooded);
    const total = 300_000;
    for (let i = 0; i < total; i++) broker.trySend(FLOODED, Tick(i));
    expect(flooded.size).toBe(total);

    let queuedWhenAnswered = -1;
    let answer: unknown;
    // send$ emits synchronously when the answer arrives, so the queue depth read there is exact.
    broker.send$(OTHER, Echo('ping')).subscribe((value) => {
      answer = value;
      queuedWhenAnswered = flooded.size;
    });
    await settle(scheduler);

    expect(answer).toBe('pong');
    expect(queuedWhenAnswered).toBeGreaterThan(0);
    expect(seen).toEqual({ count: total, last: total - 1, outOfOrder: 0 });
    expect(broker.metrics()).toMatchObject({ totalSent: total + 1, totalDelivered: total + 1 });
    expectBalanced(broker);
  });

  it('200,000 trySends to an unbounded mailbox (platform scheduling): the other actor answers first', async () => {
    const broker = makeBroker();
    const total = 200_000;
    const done = deferred();
    const seen = { count: 0, last: -1, outOfOrder: 0 };
    const count = tickCounter(seen);
    const flooded = Mailbox.unbounded({
      receive: (m) => {
        count(m.payload);
        if (seen.count === total) done.resolve();
      },
    });
    floodScene(broker, flooded);
    for (let i = 0; i < total; i++) broker.trySend(FLOODED, Tick(i));

    let queuedWhenAnswered = -1;
    const answer = await broker.send(OTHER, Echo('ping')).then((value) => {
      queuedWhenAnswered = flooded.size;
      return value;
    });
    expect(answer).toBe('pong');
    expect(queuedWhenAnswered).toBeGreaterThan(0);

    await done.promise;
    expect(seen).toEqual({ count: total, last: total - 1, outOfOrder: 0 });
    expectBalanced(broker);
  });

  it('an actor with an async handler flooded by 50,000 messages does not starve 2,000 pings (platform)', async () => {
    const broker = makeBroker();
    const total = 50_000;
    const done = deferred();
    let handled = 0;
    const flooded = Mailbox.unbounded({
      receive: async () => {
        if (++handled === total) done.resolve();
      },
    });
    floodScene(broker, flooded);
    for (let i = 0; i < total; i++) broker.trySend(FLOODED, Tick(i));

    // One ping at a time, each sent after the previous answer: each must be answered while the
    // flooded actor still has work queued (50,000 messages outlast 2,000 round trips).
    const queuedAtAnswer: number[] = [];
    for (let k = 0; k < 2_000; k++) {
      await broker.send(OTHER, Echo('ping'));
      queuedAtAnswer.push(flooded.size);
      if (flooded.size === 0) break;
    }
    const starvedAt = queuedAtAnswer.indexOf(0);
    expect(starvedAt, `ping ${starvedAt} was answered only after the flood drained`).toBe(-1);
    expect(queuedAtAnswer).toHaveLength(2_000);

    await done.promise;
    // `done` resolves inside the last handler, before its own promise settles: let that land.
    await new Promise((resolve) => setImmediate(resolve));
    expect(handled).toBe(total);
    expectBalanced(broker);
  });

  // A mailbox deeper than one drain turn (512 messages), so that the other actor's turn comes
  // while the flooded one still has work queued.
  it.each<[OverflowStrategy, { handled: [number, number]; thrown: number }]>([
    ['fail', { handled: [0, 1_999], thrown: 48_000 }],
    ['dropNewest', { handled: [0, 1_999], thrown: 0 }],
    ['dropOldest', { handled: [48_000, 49_999], thrown: 0 }],
    ['backpressure', { handled: [0, 1_999], thrown: 48_000 }],
  ])(
    "50,000 trySends to a mailbox of 2,000 with '%s': refused ones are dead letters, the other actor answers",
    async (overflow, expected) => {
      const scheduler = virtualScheduler();
      const broker = makeBroker({ scheduler });
      let deadLetters = 0;
      broker.deadLetters$.subscribe((letter) => {
        if (letter.reason === 'MailboxFull' && letter.actorId === FLOODED) deadLetters++;
      });
      const seen = { count: 0, last: -1, outOfOrder: 0 };
      const count = tickCounter(seen);
      const handled: number[] = [];
      const flooded = Mailbox.bounded(
        {
          receive: (m) => {
            count(m.payload);
            handled.push(m.payload as number);
          },
        },
        2_000,
        { overflow },
      );
      floodScene(broker, flooded);
      const refusals = new Map<string, number>();
      for (let i = 0; i < 50_000; i++) {
        const error = thrown(() => broker.trySend(FLOODED, Tick(i)));
        if (error !== undefined) {
          // eslint-disable-next-line @typescript-eslint/no-base-to-string -- whatever was thrown, as text
          const kind = isSendError(error) ? error.kind : String(error);
          refusals.set(kind, (refusals.get(kind) ?? 0) + 1);
        }
      }
      let queuedWhenAnswered = -1;
      broker.send$(OTHER, Echo('ping')).subscribe(() => (queuedWhenAnswered = flooded.size));
      await settle(scheduler);

      expect(Object.fromEntries(refusals)).toEqual(
        expected.thrown === 0 ? {} : { MailboxFull: expected.thrown },
      );
      expect(deadLetters).toBe(48_000);
      expect(queuedWhenAnswered).toBeGreaterThan(0);
      expect(handled).toHaveLength(2_000);
      expect([handled[0], handled[1_999]]).toEqual(expected.handled);
      expect(seen.outOfOrder).toBe(0);
      expect(broker.metrics()).toMatchObject({ totalSent: 50_001, totalFailed: 48_000 });
      expectBalanced(broker);
    },
  );

  it("10,000 sends waiting for room ('backpressure'): the other actor answers while they wait", async () => {
    const scheduler = virtualScheduler();
    const broker = makeBroker({ scheduler, defaultTimeout: 60_000 });
    const order: string[] = [];
    const flooded = Mailbox.bounded({ receive: (m) => void order.push(m.payload as string) }, 10, {
      overflow: 'backpressure',
    });
    floodScene(broker, flooded);
    const total = 10_000;
    const sends = Array.from({ length: total }, (_, i) =>
      track(broker.send(FLOODED, Echo(String(i)))),
    );
    expect(flooded.waiting).toBe(total - 10);

    let waitingWhenAnswered = -1;
    broker.send$(OTHER, Echo('ping')).subscribe(() => (waitingWhenAnswered = flooded.waiting));
    await settle(scheduler);

    expect(waitingWhenAnswered).toBeGreaterThan(0);
    expect(sends.every((s) => s.ok === true)).toBe(true);
    expect(order).toEqual(Array.from({ length: total }, (_, i) => String(i)));
    expect(broker.metrics()).toMatchObject({ totalFailed: 0, deadLetters: 0 });
    expectBalanced(broker);
  });

  it('a flood of 99,000 dead letters reaches the logger at its bounded rate, then says how many it skipped', async () => {
    const scheduler = virtualScheduler();
    const lines: string[] = [];
    const broker = makeBroker({ scheduler, logger: (line) => lines.push(line) });
    const flooded = Mailbox.bounded({ receive: () => undefined }, 1_000);
    floodScene(broker, flooded);
    for (let i = 0; i < 100_000; i++) {
      try {
        broker.trySend(FLOODED, Tick(i));
      } catch {
        // MailboxFull for all but the first 1,000: each one a dead letter
      }
    }
    let queuedWhenAnswered = -1;
    broker.send$(OTHER, Echo('ping')).subscribe(() => (queuedWhenAnswered = flooded.size));
    await settle(scheduler);
    expect(queuedWhenAnswered).toBeGreaterThan(0);
    expect(lines).toHaveLength(10);
    expect(broker.metrics().deadLetters).toBe(99_000);

    await advanceBy(scheduler, 10_000);
    expect(thrown(() => broker.trySend(ActorId.from(404), Tick(0)))).toMatchObject({
      kind: 'ActorNotFound',
    });
    expect(lines).toHaveLength(12);
    expect(lines[10]).toContain('98990');
    expect(lines[11]).toContain('ActorNotFound');
    expectBalanced(broker);
  });
});
