// Marble tests of the Angular service. The service is made the way Angular makes it, by an
// injector, with the TestScheduler provided as BROKER_SCHEDULER: the broker, the payment delay and
// the metrics polling then all run in virtual time. No TestBed and no JIT compiler are needed:
// `Injector.create` runs the factory in an injection context, so `inject()` works, and
// `injector.destroy()` calls `ngOnDestroy` as the app's root injector does.
import { Injector } from '@angular/core';
import type { TestScheduler } from 'rxjs/testing';
import { concatMap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { SendError, type DeadLetter, type SendErrorKind } from 'rxbroker';
import { createTestScheduler } from 'rxbroker/testing';
import {
  BROKER_SCHEDULER,
  ORDER_WORKFLOW_CONFIG,
  type OrderWorkflowConfig,
} from './order-broker.config.js';
import { OrderBrokerService, type OrderBrokerStats } from './order-broker.service.js';
import { ORDERS, PlaceOrder, type OrderRequest, type OrderResult } from './order-workflow.js';

const TEST_CONFIG: OrderWorkflowConfig = {
  orderTimeoutMs: 20,
  paymentMs: 3,
  paymentTimeoutMs: 5,
  orderQueueCapacity: 3,
  creditLimit: 100,
  initialStock: { widget: 5, gadget: 1 },
  metricsIntervalMs: 1,
  deadLetterHistory: 2,
};

function testScheduler(): TestScheduler {
  return createTestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** Call inside `scheduler.run`, so that the broker starts at virtual time 0. */
function createService(scheduler: TestScheduler, config: Partial<OrderWorkflowConfig> = {}) {
  const injector = Injector.create({
    providers: [
      { provide: BROKER_SCHEDULER, useValue: scheduler },
      { provide: ORDER_WORKFLOW_CONFIG, useValue: { ...TEST_CONFIG, ...config } },
      { provide: OrderBrokerService, useFactory: () => new OrderBrokerService() },
    ],
  });
  return { service: injector.get(OrderBrokerService), injector };
}

function order(orderId: string, sku: string, quantity: number, amount: number): OrderRequest {
  return { orderId, sku, quantity, amount };
}

function confirmed(orderId: string): OrderResult {
  return { status: 'confirmed', orderId, receipt: `receipt-${orderId}` };
}

function rejected(orderId: string, reason: string): OrderResult {
  return { status: 'rejected', orderId, reason };
}

/** The SendError of an order the orders actor did not answer. */
function orderError(kind: SendErrorKind, info: { capacity?: number; timeout?: number } = {}) {
  return new SendError(kind, { actorId: ORDERS, messageType: 'PlaceOrder', ...info });
}

/** What the broker reports about an order that never reached the orders actor. */
function deadOrder(request: OrderRequest, error: SendError, at: number): DeadLetter {
  return { actorId: ORDERS, message: PlaceOrder(request), reason: error.kind, error, at };
}

function stats(counters: Partial<OrderBrokerStats>): OrderBrokerStats {
  return {
    registeredActors: 3,
    totalSent: 0,
    totalDelivered: 0,
    totalFailed: 0,
    inFlight: 0,
    totalWithdrawn: 0,
    deadLetters: 0,
    queued: { orders: 0, inventory: 0, payments: 0 },
    ...counters,
  };
}

describe('OrderBrokerService', () => {
  it('confirms an order once the payment went through', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { service } = createService(scheduler);
      expectObservable(service.placeOrder$(order('a', 'widget', 2, 40))).toBe('---(r|)', {
        r: confirmed('a'),
      });
    });
  });

  it('rejects an order for more than the stock at once', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { service } = createService(scheduler);
      expectObservable(service.placeOrder$(order('a', 'gadget', 2, 40))).toBe('(r|)', {
        r: rejected('a', 'out of stock: gadget (1 left)'),
      });
    });
  });

  it('puts the stock back when the payment is declined', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const { service } = createService(scheduler);
      // One gadget in stock: a (over the credit limit) is declined after reserving it, and b,
      // sent at 2, still gets it: charged by 5.
      const requests = cold('a-b|', {
        a: order('a', 'gadget', 1, 500),
        b: order('b', 'gadget', 1, 50),
      });
      expectObservable(requests.pipe(concatMap((r) => service.placeOrder$(r)))).toBe('a----(b|)', {
        a: rejected('a', 'declined: 500 is over the limit'),
        b: confirmed('b'),
      });
    });
  });

  it('rejects an order when the payment provider does not answer in time', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { service } = createService(scheduler, { paymentMs: 8, paymentTimeoutMs: 5 });
      expectObservable(service.placeOrder$(order('a', 'widget', 1, 10))).toBe('-----(r|)', {
        r: rejected('a', 'Timeout: no result within the timeout (actor 3) [Charge]'),
      });
    });
  });

  it('refuses orders beyond the queue with MailboxFull and reports them as dead letters', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { service } = createService(scheduler, { orderQueueCapacity: 2 });
      const a = order('a', 'widget', 1, 10);
      const b = order('b', 'widget', 1, 10);
      const c = order('c', 'widget', 1, 10);
      const d = order('d', 'widget', 1, 10);
      const e = order('e', 'widget', 1, 10);
      const full = orderError('MailboxFull', { capacity: 2 });
      expectObservable(service.deadLetters$).toBe('(cde)', {
        c: deadOrder(c, full, 0),
        d: deadOrder(d, full, 0),
        e: deadOrder(e, full, 0),
      });
      expectObservable(service.recentDeadLetters$).toBe('(wxyz)', {
        w: [],
        x: [deadOrder(c, full, 0)],
        y: [deadOrder(d, full, 0), deadOrder(c, full, 0)],
        z: [deadOrder(e, full, 0), deadOrder(d, full, 0)],
      });
      // The orders actor takes one order at a time: a, then b; c, d and e found no room.
      expectObservable(service.placeOrder$(a)).toBe('---(r|)', { r: confirmed('a') });
      expectObservable(service.placeOrder$(b)).toBe('------(r|)', { r: confirmed('b') });
      expectObservable(service.placeOrder$(c)).toBe('#', undefined, full);
      expectObservable(service.placeOrder$(d)).toBe('#', undefined, full);
      expectObservable(service.placeOrder$(e)).toBe('#', undefined, full);
    });
  });

  it('fails orders that wait too long with Timeout; one never handled is a dead letter', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const { service } = createService(scheduler, { orderTimeoutMs: 5 });
      const a = order('a', 'widget', 1, 10);
      const b = order('b', 'widget', 1, 10);
      const c = order('c', 'widget', 1, 10);
      const timeout = orderError('Timeout', { timeout: 5 });
      expectObservable(service.deadLetters$).toBe('-----c', { c: deadOrder(c, timeout, 5) });
      expectObservable(service.placeOrder$(a)).toBe('---(r|)', { r: confirmed('a') });
      // b is being handled (its payment started at 3) when its time is up; c never got a turn.
      expectObservable(service.placeOrder$(b)).toBe('-----#', undefined, timeout);
      expectObservable(service.placeOrder$(c)).toBe('-----#', undefined, timeout);
    });
  });

  it('withdraws an order whose subscriber leaves before it is handled', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const { service } = createService(scheduler);
      // a keeps the orders actor busy until 3; b (the only gadget) is withdrawn at 1, so c gets it.
      expectObservable(service.placeOrder$(order('a', 'widget', 1, 10))).toBe('---(r|)', {
        r: confirmed('a'),
      });
      expectObservable(service.placeOrder$(order('b', 'gadget', 1, 10)), '-!').toBe('-');
      const later = cold('--x|').pipe(
        concatMap(() => service.placeOrder$(order('c', 'gadget', 1, 10))),
      );
      expectObservable(later).toBe('------(r|)', { r: confirmed('c') });
    });
  });

  it('emits the metrics when they change and completes when the service is destroyed', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const { service, injector } = createService(scheduler);
      expectObservable(service.metrics$).toBe('ab-c-|', {
        // Polled after the order was sent, before the orders actor took it.
        a: stats({ totalSent: 1, inFlight: 1, queued: { orders: 1, inventory: 0, payments: 0 } }),
        // The stock is reserved (Reserve delivered) and the charge is running.
        b: stats({ totalSent: 3, totalDelivered: 1, inFlight: 2 }),
        // Charged, and the order confirmed.
        c: stats({ totalSent: 3, totalDelivered: 3 }),
      });
      expectObservable(service.placeOrder$(order('a', 'widget', 1, 10))).toBe('---(r|)', {
        r: confirmed('a'),
      });
      cold('-----x').subscribe(() => injector.destroy());
    });
  });

  it('completes metrics$ at once for a subscriber that comes after destroy', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const { service, injector } = createService(scheduler);
      cold('-x').subscribe(() => injector.destroy());
      const late = cold('--(x|)').pipe(concatMap(() => service.metrics$));
      // Bounded by the subscription marble: were it to poll on, it would emit, not hang.
      expectObservable(late, '^----!').toBe('--|');
    });
  });

  it('shuts the broker down on destroy: orders under way end with ActorStopped', () => {
    const scheduler = testScheduler();
    const { service } = scheduler.run(({ cold, expectObservable }) => {
      const created = createService(scheduler);
      const { service, injector } = created;
      const a = order('a', 'widget', 1, 10);
      const b = order('b', 'widget', 1, 10);
      const stopped = orderError('ActorStopped');
      // Only b, which never reached the actor, is a dead letter; then the stream completes.
      expectObservable(service.deadLetters$).toBe('-(b|)', { b: deadOrder(b, stopped, 1) });
      expectObservable(service.placeOrder$(a)).toBe('-#', undefined, stopped);
      expectObservable(service.placeOrder$(b)).toBe('-#', undefined, stopped);
      cold('-x').subscribe(() => injector.destroy());
      return created;
    });
    // And it takes no more work.
    expect(() => service.restock('widget', 1)).toThrow(/ActorStopped/);
  });
});
