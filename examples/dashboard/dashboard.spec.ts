// The dashboard in real Chromium (`npm run test:browser`): it renders a running broker, its numbers
// move, and a flood fills the mailboxes and ends in dead letters. Every wait is on a change of the
// page (a MutationObserver), never a sleep; the timeout of a wait only bounds a failing test.
import { afterEach, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { startDashboard, type Dashboard } from './dashboard.js';

interface ActorReading {
  readonly queued: number;
  readonly waiting: number;
  readonly handled: number;
  readonly deadLetters: number;
}

/** What the page shows, read from the DOM (the raw values are in `data-value`). */
interface Reading {
  readonly sent: number;
  readonly delivered: number;
  readonly perSecond: number;
  readonly deadLetters: number;
  readonly mailboxFull: number;
  readonly timeouts: number;
  readonly handlerFailed: number;
  readonly routingFailed: number;
  readonly latestListed: number;
  readonly producer: string | undefined;
  readonly actors: ReadonlyMap<string, ActorReading>;
}

function valueOf(element: Element | null): number {
  const raw = element instanceof HTMLElement ? element.dataset.value : undefined;
  if (raw === undefined) throw new Error('no such number on the page');
  return Number(raw);
}

function read(root: HTMLElement): Reading {
  const metric = (key: string) => valueOf(root.querySelector(`[data-metric="${key}"]`));
  const actors = new Map<string, ActorReading>();
  for (const row of Array.from(root.querySelectorAll<HTMLElement>('tr[data-actor]'))) {
    actors.set(row.dataset.actor ?? '', {
      queued: valueOf(row.querySelector('[data-field="queued"]')),
      waiting: valueOf(row.querySelector('[data-field="waiting"]')),
      handled: valueOf(row.querySelector('[data-field="handled"]')),
      deadLetters: valueOf(row.querySelector('[data-field="deadLetters"]')),
    });
  }
  return {
    sent: metric('totalSent'),
    delivered: metric('totalDelivered'),
    perSecond: metric('deliveredPerSecond'),
    deadLetters: metric('deadLetters'),
    mailboxFull: valueOf(root.querySelector('[data-reason="MailboxFull"]')),
    timeouts: valueOf(root.querySelector('[data-reason="Timeout"]')),
    handlerFailed: valueOf(root.querySelector('[data-reason="HandlerFailed"]')),
    routingFailed: valueOf(root.querySelector('[data-reason="RoutingFailed"]')),
    latestListed: root.querySelectorAll('ol.latest li').length,
    producer: root.querySelector<HTMLElement>('[data-field="producer"]')?.dataset.state,
    actors,
  };
}

/**
 * Resolves with the page's reading once `done` holds for it: checked now and again after every
 * change of the DOM under `root`. Fails after `timeout` ms with the last reading.
 */
function when(
  root: HTMLElement,
  what: string,
  done: (reading: Reading) => boolean,
  timeout = 20_000,
): Promise<Reading> {
  return new Promise((resolve, reject) => {
    let last = read(root);
    if (done(last)) {
      resolve(last);
      return;
    }
    const observer = new MutationObserver(() => {
      last = read(root);
      if (!done(last)) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve(last);
    });
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`the page never showed ${what}; last: ${JSON.stringify(last, replacer)}`));
    }, timeout);
    observer.observe(root, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
  });
}

const replacer = (_: string, value: unknown): unknown =>
  value instanceof Map ? Object.fromEntries(value) : value;

const queuedOf = (reading: Reading, actor: string): number =>
  reading.actors.get(actor)?.queued ?? 0;

let dashboard: Dashboard | undefined;
afterEach(() => {
  dashboard?.stop();
  dashboard = undefined;
  document.body.replaceChildren();
});

it('shows the broker running, then a flood filling mailboxes and ending in dead letters', async () => {
  const root = document.createElement('div');
  document.body.append(root);
  // No automatic flood: the test floods with the button, when it has seen the steady state.
  dashboard = startDashboard(root, { floodEvery: null });

  expect([...read(root).actors.keys()]).toEqual([
    'checkout',
    'payments-1',
    'payments-2',
    'email',
    'analytics',
    'inventory',
  ]);

  // The numbers move: two readings, each after the page changed, further along each time.
  const first = await when(root, 'delivered messages', (r) => r.delivered > 0);
  const second = await when(
    root,
    'more messages sent and delivered, at a rate',
    (r) => r.sent > first.sent && r.delivered > first.delivered && r.perSecond > 0,
  );
  expect(second.sent).toBeGreaterThanOrEqual(second.delivered);
  // Round-robin routing: both payment actors get charges.
  const routed = await when(
    root,
    'both payment actors handling charges',
    (r) =>
      (r.actors.get('payments-1')?.handled ?? 0) > 0 &&
      (r.actors.get('payments-2')?.handled ?? 0) > 0,
  );
  expect(queuedOf(routed, 'checkout')).toBeLessThan(12);
  // Steady traffic has its own dead letters: a failing fire-and-forget handler (inventory) and a
  // routed message for a topic nobody serves (one every 4 s; waiting for two also gives the charts
  // some history before the flood).
  const steady = await when(
    root,
    'HandlerFailed and two RoutingFailed dead letters',
    (r) => r.handlerFailed > 0 && r.routingFailed >= 2,
  );
  expect(steady.actors.get('inventory')?.deadLetters).toBe(steady.handlerFailed);

  // A flood: checkout's mailbox fills (its senders wait for room), and the messages that do not
  // fit become dead letters that the page counts, by reason and by actor, and lists.
  await userEvent.click(page.getByRole('button', { name: 'Flood now' }));
  await when(root, 'the flooding badge', (r) => r.producer === 'flooding');
  const flooded = await when(
    root,
    'a full checkout mailbox and MailboxFull dead letters',
    (r) =>
      queuedOf(r, 'checkout') === 12 &&
      (r.actors.get('checkout')?.waiting ?? 0) > 0 &&
      r.mailboxFull > steady.mailboxFull &&
      r.latestListed > 0,
  );
  expect(flooded.deadLetters).toBeGreaterThan(steady.deadLetters);
  expect(flooded.actors.get('analytics')?.deadLetters).toBeGreaterThan(0); // dropNewest
  expect(flooded.actors.get('email')?.deadLetters).toBeGreaterThan(0); // dropOldest
  expect(flooded.actors.get('payments-1')?.deadLetters).toBeGreaterThan(0); // fail
  expect(flooded.actors.get('payments-2')?.deadLetters).toBeGreaterThan(0);
  // Into .out/ (git-ignored): the README's screenshot.png is refreshed by hand, not by every run.
  await page.screenshot({ path: '.out/screenshot.png', element: root });

  // Senders that waited too long for room time out; then the queues drain and the producer calms.
  const after = await when(
    root,
    'timeouts, then room in checkout and a steady producer',
    (r) => r.timeouts > 0 && queuedOf(r, 'checkout') < 12 && r.producer === 'steady',
  );
  expect(after.delivered).toBeGreaterThan(flooded.delivered);
}, 60_000);

it('stops: the producer stops, the broker shuts down and the page is emptied', async () => {
  const root = document.createElement('div');
  document.body.append(root);
  dashboard = startDashboard(root, { floodEvery: null });
  await when(root, 'delivered messages', (r) => r.delivered > 0);
  const { broker } = dashboard.scenario;
  dashboard.stop();
  dashboard = undefined;
  expect(broker.isShutdown).toBe(true);
  expect(root.childElementCount).toBe(0);
});
