/**
 * The broker the dashboard shows: a small shop of six actors behind bounded mailboxes with the four
 * overflow strategies, and a producer that sends a steady mix of messages and now and then floods
 * them all at once, so that queues fill, senders wait, and refused, evicted, dropped, timed-out,
 * failed and unroutable messages turn into dead letters.
 */
import {
  BehaviorSubject,
  concat,
  filter,
  interval,
  map,
  of,
  startWith,
  Subject,
  Subscription,
  switchMap,
  timer,
  type Observable,
} from 'rxjs';
import {
  ActorId,
  DeadLetterQueue,
  defineMessage,
  InMemoryMessageBroker,
  Mailbox,
  type Actor,
  type AnyMessage,
  type OverflowStrategy,
} from 'rxbroker';

/** Request-response: checkout answers with a receipt. */
export const PlaceOrder = defineMessage<{ orderId: number }, string>('PlaceOrder');
/** Request-response, routed round-robin to whoever serves `payments.card`. */
export const Charge = defineMessage<{ orderId: number; cents: number }, boolean>('Charge');
/** Fire-and-forget. */
export const SendEmail = defineMessage<{ orderId: number }, void>('SendEmail');
/** Fire-and-forget, the most frequent message. */
export const Track = defineMessage<{ event: string }, void>('Track');
/** Fire-and-forget; inventory fails on one in twelve. */
export const Reserve = defineMessage<{ sku: number }, void>('Reserve');
/** Routed to `refunds.eu`, which nobody serves: always a dead letter (`RoutingFailed`). */
export const Refund = defineMessage<{ orderId: number }, void>('Refund');

/** One actor of the scenario, as the dashboard lists it. */
export interface ActorInfo {
  readonly id: ActorId;
  readonly name: string;
  /** What it does and what its mailbox shows, in a few words. */
  readonly role: string;
  readonly mailbox: Mailbox;
  /** The overflow strategy, or `null` for an unbounded mailbox. */
  readonly overflow: OverflowStrategy | null;
  /** Messages its handler has taken so far. */
  readonly handled: () => number;
}

export interface ScenarioOptions {
  /** Steady producer ticks per second (each sends six messages); default 10. */
  readonly ticksPerSecond?: number;
  /** Milliseconds between automatic floods; default 12 000, `null` for none (the button still works). */
  readonly floodEvery?: number | null;
  /** Seed of the pseudo-random handler times and failures, so that two runs look alike; default 1. */
  readonly seed?: number;
}

export interface Scenario {
  readonly broker: InMemoryMessageBroker;
  /** Keeps the newest dead letters for the dashboard's list. */
  readonly deadLetterQueue: DeadLetterQueue;
  readonly actors: readonly ActorInfo[];
  /** Topics the producer routes to: one served by two actors, one served by nobody. */
  readonly topics: { readonly payments: string; readonly refunds: string };
  /** True while the producer floods (and for a moment after), for the dashboard's badge. */
  readonly flooding$: Observable<boolean>;
  /** True while the steady producer is paused. */
  readonly paused$: BehaviorSubject<boolean>;
  /** Starts the producer. */
  start(): void;
  /** Sends one burst now: many more messages than the mailboxes hold. */
  flood(): void;
  /** Stops the producer and shuts the broker down. */
  stop(): void;
}

const PAYMENTS = 'payments.card';
const REFUNDS = 'refunds.eu';
/** How long the "flooding" badge stays on after a burst, in ms. */
const FLOOD_BADGE_MS = 1_500;

/** A small, seeded pseudo-random generator (mulberry32): the same seed gives the same run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * An actor whose handler takes `work()` ms of real time (an Observable that answers once a timer
 * fires) and counts what it handles.
 */
function worker(work: () => number, answer: (message: AnyMessage) => unknown) {
  let handled = 0;
  const actor: Actor = {
    receive(message) {
      handled++;
      return timer(work()).pipe(map(() => answer(message)));
    },
  };
  return { actor, handled: () => handled };
}

/** Builds the broker and its actors; nothing is sent before `start()` or `flood()`. */
export function createScenario(options: ScenarioOptions = {}): Scenario {
  const { ticksPerSecond = 10, floodEvery = 12_000, seed = 1 } = options;
  const rand = random(seed);
  const between = (min: number, max: number) => () => min + Math.floor(rand() * (max - min + 1));

  const deadLetterQueue = new DeadLetterQueue({ capacity: 8 });
  const broker = new InMemoryMessageBroker({ defaultTimeout: 1_000 }).withDeadLetterQueue(
    deadLetterQueue,
  );

  const actors: ActorInfo[] = [];
  let nextId = 1;
  function add(
    name: string,
    role: string,
    behaviour: { actor: Actor; handled: () => number },
    bound: { capacity: number; overflow: OverflowStrategy } | null,
  ): ActorId {
    const id = ActorId.from(nextId++);
    const mailbox =
      bound === null
        ? Mailbox.unbounded(behaviour.actor)
        : Mailbox.bounded(behaviour.actor, bound.capacity, { overflow: bound.overflow });
    broker.register(id, mailbox);
    actors.push({
      id,
      name,
      role,
      mailbox,
      overflow: bound?.overflow ?? null,
      handled: behaviour.handled,
    });
    return id;
  }

  const checkout = add(
    'checkout',
    'orders, 40 ms each; full: senders wait for room, up to their timeout',
    worker(
      () => 40,
      (m) => (PlaceOrder.is(m) ? `receipt-${m.payload.orderId}` : ''),
    ),
    { capacity: 12, overflow: 'backpressure' },
  );
  for (const name of ['payments-1', 'payments-2']) {
    const id = add(
      name,
      `serves ${PAYMENTS} in turn, 25-60 ms; full: new charges refused`,
      worker(between(25, 60), () => true),
      { capacity: 6, overflow: 'fail' },
    );
    broker.subscribe(id, 'payments.*');
  }
  const email = add(
    'email',
    'sends mail, 60 ms each; full: the oldest queued email is evicted',
    worker(
      () => 60,
      () => undefined,
    ),
    { capacity: 8, overflow: 'dropOldest' },
  );
  const analytics = add(
    'analytics',
    'counts events, 15 ms each; full: the newest event is dropped',
    worker(
      () => 15,
      () => undefined,
    ),
    { capacity: 10, overflow: 'dropNewest' },
  );
  const inventory = add(
    'inventory',
    'reserves stock, 5 ms; unbounded; fails one reservation in twelve',
    worker(between(2, 8), () => {
      if (rand() < 1 / 12) throw new Error('out of stock');
      return undefined;
    }),
    null,
  );

  let orderId = 0;
  const ignore = (): void => undefined;
  /** Sends without waiting: every failure also becomes a dead letter, which the dashboard shows. */
  function order(): void {
    const id = ++orderId;
    broker.send(checkout, PlaceOrder({ orderId: id })).catch(ignore);
    broker
      .sendWithRouting({ topic: PAYMENTS }, Charge({ orderId: id, cents: 100 + id }))
      .catch(ignore);
  }
  function fireAndForget(send: () => void): void {
    try {
      send();
    } catch {
      // A refused fire-and-forget message ('fail', 'backpressure') throws here; it is a dead letter too.
    }
  }

  let ticks = 0;
  function tick(): void {
    ticks++;
    order();
    fireAndForget(() => broker.trySend(email, SendEmail({ orderId })));
    fireAndForget(() => broker.trySend(analytics, Track({ event: 'view' })));
    fireAndForget(() => broker.trySend(analytics, Track({ event: 'click' })));
    fireAndForget(() => broker.trySend(inventory, Reserve({ sku: ticks % 100 })));
    if (ticks % 40 === 0) {
      broker.sendWithRouting({ topic: REFUNDS }, Refund({ orderId })).catch(ignore);
    }
  }

  const floods = new Subject<void>();
  /** 40 events, and 30 orders (each a PlaceOrder and a Charge) and 30 emails spread among them. */
  function burst(): void {
    for (let i = 0; i < 40; i++) {
      fireAndForget(() => broker.trySend(analytics, Track({ event: `burst-${i}` })));
      if (i % 4 === 3) continue;
      order();
      fireAndForget(() => broker.trySend(email, SendEmail({ orderId })));
    }
  }

  function flood(): void {
    if (broker.isShutdown) return;
    burst();
    floods.next();
  }

  const paused$ = new BehaviorSubject(false);
  const running = new Subscription();
  let started = false;

  return {
    broker,
    deadLetterQueue,
    actors,
    topics: { payments: PAYMENTS, refunds: REFUNDS },
    // On at each burst, off FLOOD_BADGE_MS after the latest one.
    flooding$: floods.pipe(
      switchMap(() => concat(of(true), timer(FLOOD_BADGE_MS).pipe(map(() => false)))),
      startWith(false),
    ),
    paused$,
    start() {
      if (started) return;
      started = true;
      running.add(
        interval(1_000 / ticksPerSecond)
          .pipe(filter(() => !paused$.value))
          .subscribe(tick),
      );
      if (floodEvery !== null) running.add(interval(floodEvery).subscribe(flood));
    },
    flood,
    stop() {
      running.unsubscribe();
      floods.complete();
      paused$.complete();
      broker.shutdown();
    },
  };
}
