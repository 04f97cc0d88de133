import { inject, Injectable, type OnDestroy } from '@angular/core';
import {
  asyncScheduler,
  distinctUntilChanged,
  map,
  ReplaySubject,
  shareReplay,
  startWith,
  takeUntil,
  timer,
  type Observable,
} from 'rxjs';
import {
  DeadLetterQueue,
  InMemoryMessageBroker,
  Mailbox,
  type BrokerMetrics,
  type DeadLetter,
} from 'rxbroker';
import { BROKER_SCHEDULER, ORDER_WORKFLOW_CONFIG } from './order-broker.config.js';
import {
  INVENTORY,
  inventoryActor,
  ORDERS,
  ordersActor,
  PAYMENTS,
  paymentsActor,
  PlaceOrder,
  Restock,
  type OrderRequest,
  type OrderResult,
} from './order-workflow.js';

/** What `metrics$` shows: the broker's counters and each actor's queue. */
export interface OrderBrokerStats extends Omit<BrokerMetrics, 'avgRoutingLatencyNs'> {
  /** Messages waiting in each actor's mailbox (the one being handled not counted). */
  readonly queued: {
    readonly orders: number;
    readonly inventory: number;
    readonly payments: number;
  };
}

/**
 * Owns the broker of the order workflow for the whole app: it registers the actors when first
 * injected, exposes what happens as Observables, and shuts the broker down with the app.
 *
 * @example
 * ```ts
 * const orders = inject(OrderBrokerService);
 * const order = { orderId: 'o-1', sku: 'widget', quantity: 2, amount: 40 };
 * orders.placeOrder$(order).subscribe((result) => console.log(result.status));
 * ```
 */
@Injectable({ providedIn: 'root' })
export class OrderBrokerService implements OnDestroy {
  private readonly config = inject(ORDER_WORKFLOW_CONFIG);
  private readonly scheduler = inject(BROKER_SCHEDULER);
  /** For the service's own timers (polling, the payment delay): the broker's scheduler, if any. */
  private readonly timers = this.scheduler ?? asyncScheduler;
  private readonly destroyed$ = new ReplaySubject<void>(1);
  private readonly history = new DeadLetterQueue({ capacity: this.config.deadLetterHistory });
  private readonly broker = new InMemoryMessageBroker({
    defaultTimeout: this.config.orderTimeoutMs,
    ...(this.scheduler === null ? {} : { scheduler: this.scheduler }),
  }).withDeadLetterQueue(this.history);

  /** Every dead letter as it happens (overflow, timeouts, shutdown). Completes on destroy. */
  readonly deadLetters$: Observable<DeadLetter> = this.broker.deadLetters$;

  /** The latest dead letters, newest first, now and after each new one. Completes on destroy. */
  readonly recentDeadLetters$: Observable<readonly DeadLetter[]> = this.deadLetters$.pipe(
    startWith(null),
    map(() => this.history.toArray().reverse()),
  );

  /**
   * The broker's counters, looked at every `metricsIntervalMs` and emitted when they change;
   * shared by every subscriber, replaying the latest. Completes on destroy.
   */
  readonly metrics$: Observable<OrderBrokerStats> = timer(
    0,
    this.config.metricsIntervalMs,
    this.timers,
  ).pipe(
    map(() => this.stats()),
    distinctUntilChanged(sameStats),
    takeUntil(this.destroyed$),
    shareReplay({ bufferSize: 1, refCount: true }),
  );

  constructor() {
    const { config, broker } = this;
    broker.register(
      ORDERS,
      Mailbox.bounded(ordersActor(config.paymentTimeoutMs), config.orderQueueCapacity),
    );
    broker.register(INVENTORY, Mailbox.unbounded(inventoryActor(config.initialStock)));
    broker.register(
      PAYMENTS,
      Mailbox.unbounded(paymentsActor(config.paymentMs, config.creditLimit, this.timers)),
    );
  }

  /**
   * Places an order when subscribed and emits how it ended. Errors with a `SendError` when the
   * broker could not handle it: `MailboxFull` (too many orders waiting), `Timeout`, `ActorStopped`.
   * Unsubscribing before the order is handled withdraws it.
   */
  placeOrder$(order: OrderRequest): Observable<OrderResult> {
    return this.broker.send$(ORDERS, PlaceOrder(order));
  }

  /**
   * Puts stock back, fire-and-forget.
   *
   * @throws SendError `ActorStopped` after destroy
   */
  restock(sku: string, quantity: number): void {
    this.broker.trySend(INVENTORY, Restock({ sku, quantity }));
  }

  /** Angular calls it when the app (its root injector) is destroyed. */
  ngOnDestroy(): void {
    // First the broker, so that the orders it stops still show up as dead letters.
    this.broker.shutdown();
    this.destroyed$.next();
    this.destroyed$.complete();
  }

  private stats(): OrderBrokerStats {
    const metrics = this.broker.metrics();
    const depth = (id: typeof ORDERS): number => this.broker.mailboxOf(id)?.size ?? 0;
    // Not the routing latency: it is sampled with performance.now(), so it would differ per run.
    return {
      registeredActors: metrics.registeredActors,
      totalSent: metrics.totalSent,
      totalDelivered: metrics.totalDelivered,
      totalFailed: metrics.totalFailed,
      inFlight: metrics.inFlight,
      totalWithdrawn: metrics.totalWithdrawn,
      deadLetters: metrics.deadLetters,
      queued: { orders: depth(ORDERS), inventory: depth(INVENTORY), payments: depth(PAYMENTS) },
    };
  }
}

function sameStats(a: OrderBrokerStats, b: OrderBrokerStats): boolean {
  return (
    a.registeredActors === b.registeredActors &&
    a.totalSent === b.totalSent &&
    a.totalDelivered === b.totalDelivered &&
    a.totalFailed === b.totalFailed &&
    a.inFlight === b.inFlight &&
    a.totalWithdrawn === b.totalWithdrawn &&
    a.deadLetters === b.deadLetters &&
    a.queued.orders === b.queued.orders &&
    a.queued.inventory === b.queued.inventory &&
    a.queued.payments === b.queued.payments
  );
}
