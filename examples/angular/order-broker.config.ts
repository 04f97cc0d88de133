import { InjectionToken } from '@angular/core';
import type { SchedulerLike } from 'rxjs';

/**
 * Where the broker takes its time from. `null` (the default): the broker's own clock, microtasks
 * and one timer. Tests provide a `TestScheduler` to run everything in virtual time.
 *
 * @example
 * ```ts
 * Injector.create({ providers: [{ provide: BROKER_SCHEDULER, useValue: testScheduler }] });
 * ```
 */
export const BROKER_SCHEDULER = new InjectionToken<SchedulerLike | null>('rxbroker scheduler', {
  providedIn: 'root',
  factory: () => null,
});

/** Settings of the order workflow, in milliseconds of the broker's clock. */
export interface OrderWorkflowConfig {
  /** How long an order may take, from sending it, queueing included. */
  readonly orderTimeoutMs: number;
  /** How long the payment provider takes per charge. */
  readonly paymentMs: number;
  /** How long the workflow waits for the payment provider. */
  readonly paymentTimeoutMs: number;
  /** Orders that may wait while one is handled; more are refused with `MailboxFull`. */
  readonly orderQueueCapacity: number;
  /** Charges above this are declined. */
  readonly creditLimit: number;
  readonly initialStock: Readonly<Record<string, number>>;
  /** How often `metrics$` looks at the broker. */
  readonly metricsIntervalMs: number;
  /** How many dead letters `recentDeadLetters$` keeps. */
  readonly deadLetterHistory: number;
}

export const DEFAULT_ORDER_WORKFLOW_CONFIG: OrderWorkflowConfig = {
  orderTimeoutMs: 3_000,
  paymentMs: 400,
  paymentTimeoutMs: 1_000,
  orderQueueCapacity: 3,
  creditLimit: 500,
  initialStock: { widget: 10, gadget: 3 },
  metricsIntervalMs: 250,
  deadLetterHistory: 10,
};

/** The order workflow's settings; {@link DEFAULT_ORDER_WORKFLOW_CONFIG} unless provided. */
export const ORDER_WORKFLOW_CONFIG = new InjectionToken<OrderWorkflowConfig>(
  'order workflow config',
  { providedIn: 'root', factory: () => DEFAULT_ORDER_WORKFLOW_CONFIG },
);
