// The order workflow the Angular service runs: three actors and their messages. Nothing in this
// file knows about Angular; it is plain rxbroker, so it can be tested and reused without it.
import { asyncScheduler, catchError, concatMap, map, of, timer, type SchedulerLike } from 'rxjs';
import { ActorId, defineMessage, isSendError, type Actor, type MessageBroker } from 'rxbroker';

/** What a customer orders. */
export interface OrderRequest {
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly amount: number;
}

/** How an order ended, when it was handled: business failures are results, not errors. */
export type OrderResult =
  | { readonly status: 'confirmed'; readonly orderId: string; readonly receipt: string }
  | { readonly status: 'rejected'; readonly orderId: string; readonly reason: string };

/** Places an order: reserves the stock, then charges the customer. */
export const PlaceOrder = defineMessage<OrderRequest, OrderResult>('PlaceOrder');
/** Takes `quantity` of `sku` out of stock; answers with what is left, fails when short. */
export const Reserve = defineMessage<{ sku: string; quantity: number }, number>('Reserve');
/** Puts `quantity` of `sku` back into stock (fire-and-forget). */
export const Restock = defineMessage<{ sku: string; quantity: number }, void>('Restock');
/** Charges `amount`; answers with a receipt, fails when the amount is over the credit limit. */
export const Charge = defineMessage<{ orderId: string; amount: number }, string>('Charge');

/** The actors' ids. Ids are per broker, so small chosen ones are fine. */
export const ORDERS = ActorId.from(1);
export const INVENTORY = ActorId.from(2);
export const PAYMENTS = ActorId.from(3);

/** Keeps the stock. Answers at once. */
export function inventoryActor(initialStock: Readonly<Record<string, number>>): Actor {
  const stock = new Map(Object.entries(initialStock));
  return {
    receive(msg) {
      if (Reserve.is(msg)) {
        const { sku, quantity } = msg.payload;
        const left = stock.get(sku) ?? 0;
        if (left < quantity) throw new Error(`out of stock: ${sku} (${left} left)`);
        stock.set(sku, left - quantity);
        return left - quantity;
      }
      if (Restock.is(msg)) {
        const { sku, quantity } = msg.payload;
        stock.set(sku, (stock.get(sku) ?? 0) + quantity);
        return undefined;
      }
      throw new Error(`inventory: unexpected ${msg.type}`);
    },
  };
}

/**
 * A payment provider that takes `delayMs` per charge. The delay is an Observable on `scheduler`, so
 * it runs in virtual time under a TestScheduler; unsubscribing (a timeout) cancels it.
 */
export function paymentsActor(
  delayMs: number,
  creditLimit: number,
  scheduler: SchedulerLike = asyncScheduler,
): Actor {
  return {
    receive(msg) {
      if (!Charge.is(msg)) throw new Error(`payments: unexpected ${msg.type}`);
      const { orderId, amount } = msg.payload;
      if (amount > creditLimit) throw new Error(`declined: ${amount} is over the limit`);
      return timer(delayMs, scheduler).pipe(map(() => `receipt-${orderId}`));
    },
  };
}

/**
 * The workflow: reserve the stock, then charge; when the charge fails, put the stock back. It
 * returns an Observable built from `send$`, so it runs in virtual time too (a Promise would not).
 * The broker hands the orders actor one order at a time, so orders never race for the same stock.
 *
 * An order abandoned half-way (its own timeout while the charge runs, or shutdown) keeps its
 * reservation: a real workflow would record it and compensate; this example does not.
 */
export function ordersActor(paymentTimeoutMs: number): Actor {
  return {
    receive(msg, ctx) {
      if (!PlaceOrder.is(msg)) throw new Error(`orders: unexpected ${msg.type}`);
      const { orderId, sku, quantity, amount } = msg.payload;
      const broker: MessageBroker = ctx.broker;
      const charge$ = broker.send$(PAYMENTS, Charge({ orderId, amount }), {
        timeout: paymentTimeoutMs,
      });
      return broker.send$(INVENTORY, Reserve({ sku, quantity })).pipe(
        concatMap(() =>
          charge$.pipe(
            catchError((error: unknown) => {
              broker.trySend(INVENTORY, Restock({ sku, quantity }));
              throw error;
            }),
          ),
        ),
        map((receipt): OrderResult => ({ status: 'confirmed', orderId, receipt })),
        catchError((error: unknown) =>
          of<OrderResult>({ status: 'rejected', orderId, reason: reasonOf(error) }),
        ),
      );
    },
  };
}

/** A line for the user: a failed handler's own message, or the broker's (`Timeout: ...`). */
function reasonOf(error: unknown): string {
  const cause = isSendError(error, 'HandlerFailed') ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
