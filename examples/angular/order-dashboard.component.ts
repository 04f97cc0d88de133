import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { isSendError } from 'rxbroker';
import { OrderBrokerService } from './order-broker.service.js';

/** One line of the order log. */
interface OrderLine {
  readonly orderId: string;
  readonly ok: boolean;
  readonly text: string;
}

/**
 * Places orders through {@link OrderBrokerService} and shows the broker at work: the results, the
 * live counters and queues, and the dead letters. Streams become signals with `toSignal`, so it
 * works with or without zone.js.
 */
@Component({
  selector: 'app-order-dashboard',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section>
      <button type="button" (click)="order('widget', 1, 20)">Order a widget</button>
      <button type="button" (click)="order('gadget', 2, 300)">Order 2 gadgets</button>
      <button type="button" (click)="order('gadget', 1, 900)">Order over the credit limit</button>
      <button type="button" (click)="burst(6)">Order 6 widgets at once</button>
      <button type="button" (click)="restock('gadget', 3)">Restock 3 gadgets</button>
    </section>

    @if (metrics(); as m) {
      <table aria-label="broker metrics">
        <tr>
          <th>actors</th>
          <td>{{ m.registeredActors }}</td>
        </tr>
        <tr>
          <th>sent</th>
          <td>{{ m.totalSent }}</td>
        </tr>
        <tr>
          <th>delivered</th>
          <td>{{ m.totalDelivered }}</td>
        </tr>
        <tr>
          <th>failed</th>
          <td>{{ m.totalFailed }}</td>
        </tr>
        <tr>
          <th>in flight</th>
          <td>{{ m.inFlight }}</td>
        </tr>
        <tr>
          <th>dead letters</th>
          <td>{{ m.deadLetters }}</td>
        </tr>
        <tr>
          <th>queued</th>
          <td>
            orders {{ m.queued.orders }}, inventory {{ m.queued.inventory }}, payments
            {{ m.queued.payments }}
          </td>
        </tr>
      </table>
    }

    <h3>Orders</h3>
    <ul>
      @for (line of lines(); track $index) {
        <li [class.failed]="!line.ok">{{ line.orderId }}: {{ line.text }}</li>
      } @empty {
        <li>none yet</li>
      }
    </ul>

    <h3>Dead letters</h3>
    <ul>
      @for (letter of deadLetters(); track $index) {
        <li>
          {{ letter.at }} ms: {{ letter.message.type }} to actor {{ letter.actorId }}:
          {{ letter.reason }}
        </li>
      } @empty {
        <li>none</li>
      }
    </ul>
  `,
})
export class OrderDashboardComponent {
  private readonly orders = inject(OrderBrokerService);
  private readonly destroyRef = inject(DestroyRef);
  private placed = 0;

  protected readonly metrics = toSignal(this.orders.metrics$);
  protected readonly deadLetters = toSignal(this.orders.recentDeadLetters$, { initialValue: [] });
  protected readonly lines = signal<readonly OrderLine[]>([]);

  protected order(sku: string, quantity: number, amount: number): void {
    const orderId = `order-${++this.placed}`;
    this.orders
      .placeOrder$({ orderId, sku, quantity, amount })
      // Leaving the page withdraws the orders still waiting in the queue.
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (result) =>
          this.log(
            result.status === 'confirmed'
              ? { orderId, ok: true, text: `confirmed, ${result.receipt}` }
              : { orderId, ok: false, text: `rejected: ${result.reason}` },
          ),
        error: (error: unknown) =>
          this.log({
            orderId,
            ok: false,
            text: isSendError(error) ? `not handled: ${error.kind}` : String(error),
          }),
      });
  }

  protected burst(count: number): void {
    for (let i = 0; i < count; i++) this.order('widget', 1, 20);
  }

  protected restock(sku: string, quantity: number): void {
    this.orders.restock(sku, quantity);
  }

  private log(line: OrderLine): void {
    this.lines.update((lines) => [line, ...lines].slice(0, 20));
  }
}
