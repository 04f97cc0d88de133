/**
 * A live view of a running broker, built from Observable streams: `samples$` reads
 * `broker.metrics()` and every mailbox on an `interval`, `deadLetterStats$` folds `deadLetters$`,
 * and the page updates the numbers that changed. Plain DOM, no framework.
 */
import './dashboard.css';
import {
  combineLatest,
  fromEvent,
  interval,
  map,
  scan,
  startWith,
  Subscription,
  timestamp,
  withLatestFrom,
  type Observable,
} from 'rxjs';
import type {
  ActorId,
  BrokerMetrics,
  DeadLetter,
  DeadLetterReason,
  InMemoryMessageBroker,
} from 'rxbroker';
import { createScenario, type Scenario, type ScenarioOptions } from './scenario.js';

/** One actor's mailbox at a sample. */
export interface ActorSample {
  readonly queued: number;
  readonly waiting: number;
  readonly busy: boolean;
  readonly handled: number;
}

/** The broker at one moment. */
export interface Sample {
  /** `Date.now()` when it was read. */
  readonly at: number;
  readonly metrics: BrokerMetrics;
  /** In the order of `scenario.actors`. */
  readonly actors: readonly ActorSample[];
  /** Messages handled per second over about the last second. */
  readonly deliveredPerSecond: number;
}

/** Dead letters so far, counted by reason and by actor. */
export interface DeadLetterStats {
  readonly total: number;
  readonly byReason: Readonly<Partial<Record<DeadLetterReason, number>>>;
  readonly byActor: ReadonlyMap<ActorId | undefined, number>;
}

/**
 * The broker's state every `period` ms (and once at once), with the delivery rate computed over a
 * sliding window of about one second.
 */
export function samples$(scenario: Scenario, period = 250): Observable<Sample> {
  const { broker, actors } = scenario;
  const windowSize = Math.max(2, Math.round(1_000 / period) + 1);
  return interval(period).pipe(
    startWith(-1),
    map(() => ({
      metrics: broker.metrics(),
      actors: actors.map(({ mailbox, handled }): ActorSample => ({
        queued: mailbox.size,
        waiting: mailbox.waiting,
        busy: mailbox.isProcessing,
        handled: handled(),
      })),
    })),
    timestamp(),
    scan<{ value: Omit<Sample, 'at' | 'deliveredPerSecond'>; timestamp: number }, Sample[]>(
      (recent, { value, timestamp: at }) => {
        const first = recent.length === windowSize ? recent[1] : recent[0];
        const seconds = first === undefined ? 0 : (at - first.at) / 1_000;
        const delivered =
          first === undefined ? 0 : value.metrics.totalDelivered - first.metrics.totalDelivered;
        const sample: Sample = {
          ...value,
          at,
          deliveredPerSecond: seconds > 0 ? delivered / seconds : 0,
        };
        return [...recent.slice(recent.length === windowSize ? 1 : 0), sample];
      },
      [],
    ),
    map((recent) => recent[recent.length - 1] as Sample),
  );
}

const noDeadLetters: DeadLetterStats = { total: 0, byReason: {}, byActor: new Map() };

/** Every dead letter of `broker`, folded into counts; starts with none. */
export function deadLetterStats$(broker: InMemoryMessageBroker): Observable<DeadLetterStats> {
  return broker.deadLetters$.pipe(
    scan(
      (stats: DeadLetterStats, letter: DeadLetter): DeadLetterStats => ({
        total: stats.total + 1,
        byReason: { ...stats.byReason, [letter.reason]: (stats.byReason[letter.reason] ?? 0) + 1 },
        byActor: new Map(stats.byActor).set(
          letter.actorId,
          (stats.byActor.get(letter.actorId) ?? 0) + 1,
        ),
      }),
      noDeadLetters,
    ),
    startWith(noDeadLetters),
  );
}

/** A running dashboard. */
export interface Dashboard {
  readonly scenario: Scenario;
  /** Stops the producer, shuts the broker down and empties `root`. */
  stop(): void;
}

/** Dead-letter reasons in the order the page lists them, with what each means here. */
const REASONS: readonly [DeadLetterReason, string][] = [
  ['MailboxFull', 'refused, evicted or dropped by a full mailbox'],
  ['Timeout', 'no answer in time (waited for room too long)'],
  ['HandlerFailed', 'a fire-and-forget handler threw'],
  ['RoutingFailed', 'routed to a topic nobody serves'],
  ['ActorStopped', 'pending when an actor stopped'],
  ['ActorNotFound', 'sent to an id nobody has'],
];

/** Samples kept for the charts: 30 seconds at the default period. */
const HISTORY = 120;

type Children = (Node | string)[];

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { class?: string; text?: string; data?: Record<string, string> } = {},
  children: Children = [],
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class !== undefined) element.className = props.class;
  if (props.text !== undefined) element.textContent = props.text;
  for (const [key, value] of Object.entries(props.data ?? {})) element.dataset[key] = value;
  element.append(...children);
  return element;
}

const SVG = 'http://www.w3.org/2000/svg';
const count = new Intl.NumberFormat('en-US');

/**
 * A number on the page. It changes the DOM only when the value changes, and keeps the raw value
 * in `data-value` for tests and tools.
 */
function numberField(
  element: HTMLElement,
  format: (value: number) => string = (n) => count.format(n),
) {
  let shown: number | undefined;
  return (value: number): void => {
    if (value === shown) return;
    shown = value;
    element.dataset.value = String(value);
    element.textContent = format(value);
  };
}

/** A line chart of the latest values, scaled to its highest one. */
function sparkline(label: string, unit: string) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${HISTORY - 1} 100`);
  svg.setAttribute('preserveAspectRatio', 'none');
  const line = document.createElementNS(SVG, 'polyline');
  svg.append(line);
  const peak = h('span', { class: 'peak' });
  const element = h('figure', { class: 'chart' }, [
    svg,
    h('figcaption', {}, [h('span', { text: label }), peak]),
  ]);
  const values: number[] = [];
  return {
    element,
    push(value: number): void {
      values.push(value);
      if (values.length > HISTORY) values.shift();
      const top = Math.max(1, ...values);
      const offset = HISTORY - values.length;
      line.setAttribute(
        'points',
        values.map((v, i) => `${offset + i},${(100 - (v / top) * 92).toFixed(1)}`).join(' '),
      );
      peak.textContent = `peak ${count.format(Math.round(top))} ${unit}`;
    },
  };
}

/** Builds the page in `root` and returns what updates it. */
function render(root: HTMLElement, scenario: Scenario) {
  const { actors, broker } = scenario;
  const tile = (key: string, label: string, hint: string) => {
    const value = h('span', { class: 'value', text: '0', data: { metric: key, value: '0' } });
    return {
      element: h('div', { class: 'tile' }, [
        h('span', { class: 'label', text: label }),
        value,
        h('span', { class: 'hint', text: hint }),
      ]),
      set: numberField(value),
    };
  };
  const tiles = {
    registeredActors: tile('registeredActors', 'Actors', 'registered'),
    totalSent: tile('totalSent', 'Sent', 'one per target'),
    totalDelivered: tile('totalDelivered', 'Delivered', 'handler gave a result'),
    totalFailed: tile('totalFailed', 'Failed', 'error to the sender'),
    inFlight: tile('inFlight', 'In flight', 'queued, waiting or handled now'),
    deliveredPerSecond: tile('deliveredPerSecond', 'Messages / s', 'delivered, last second'),
    deadLetters: tile('deadLetters', 'Dead letters', 'reached no handler'),
  };

  const rows = actors.map((actor) => {
    const depth = h('span', { class: 'depth', data: { field: 'queued', value: '0' } });
    const bar = h('span', { class: 'fill' });
    const waiting = h('td', { class: 'num', text: '0', data: { field: 'waiting', value: '0' } });
    const busy = h('span', { class: 'busy' });
    const handled = h('td', { class: 'num', text: '0', data: { field: 'handled', value: '0' } });
    const dead = h('td', {
      class: 'num dead',
      text: '0',
      data: { field: 'deadLetters', value: '0' },
    });
    const capacity = actor.mailbox.capacity;
    const bounded = Number.isFinite(capacity);
    const topics = broker.subscriptionsOf(actor.id);
    const element = h('tr', { data: { actor: actor.name } }, [
      h('td', {}, [
        h('span', { class: 'name' }, [busy, actor.name]),
        h('span', { class: 'role', text: actor.role }),
      ]),
      h('td', {}, [
        h('span', { class: 'strategy', text: actor.overflow ?? 'unbounded' }),
        h('span', { class: 'role', text: topics.length > 0 ? `topic ${topics.join(', ')}` : '' }),
      ]),
      h('td', { class: 'queue' }, [h('span', { class: 'bar' }, [bar]), depth]),
      waiting,
      handled,
      dead,
    ]);
    const setDepth = numberField(depth, (n) =>
      bounded ? `${count.format(n)} / ${count.format(capacity)}` : count.format(n),
    );
    const setWaiting = numberField(waiting);
    const setHandled = numberField(handled);
    const setDead = numberField(dead);
    return {
      element,
      update(sample: ActorSample, deadLetters: number): void {
        setDepth(sample.queued);
        // An unbounded mailbox's bar is scaled to 20 messages, just to show that it moves.
        const full = Math.min(1, sample.queued / (bounded ? capacity : 20));
        bar.style.width = `${(full * 100).toFixed(0)}%`;
        bar.classList.toggle('full', bounded && sample.queued >= capacity);
        setWaiting(sample.waiting);
        busy.classList.toggle('on', sample.busy);
        setHandled(sample.handled);
        setDead(deadLetters);
      },
    };
  });

  const reasons = REASONS.map(([reason, meaning]) => {
    const value = h('span', { class: 'num', data: { reason, value: '0' }, text: '0' });
    return {
      reason,
      element: h('li', { class: `reason ${reason}` }, [
        h('span', { class: 'tag', text: reason }),
        h('span', { class: 'role', text: meaning }),
        value,
      ]),
      set: numberField(value),
    };
  });
  const latest = h('ol', { class: 'latest' });

  const producer = h('span', { class: 'badge', text: 'steady', data: { field: 'producer' } });
  const floodButton = h('button', { text: 'Flood now', data: { action: 'flood' } });
  const pauseButton = h('button', { text: 'Pause producer', data: { action: 'pause' } });

  const throughput = sparkline('Messages delivered per second', 'msg/s');
  const queued = sparkline('Messages queued or waiting, all actors', 'messages');
  const deadRate = sparkline('Dead letters per second', '/s');

  root.replaceChildren(
    h('div', { class: 'rxb-dashboard' }, [
      h('header', {}, [
        h('div', {}, [
          h('h1', {}, ['rxbroker ', h('span', { class: 'live', text: 'live' })]),
          h('p', {
            class: 'sub',
            text:
              `An InMemoryMessageBroker running in this page: ${actors.length} actors behind ` +
              'bounded mailboxes, a producer sending about 60 messages a second, and now and ' +
              'then a flood of 160 at once.',
          }),
        ]),
        h('div', { class: 'controls' }, [producer, floodButton, pauseButton]),
      ]),
      h(
        'section',
        { class: 'tiles' },
        Object.values(tiles).map((t) => t.element),
      ),
      h('div', { class: 'columns' }, [
        h('section', { class: 'panel' }, [
          h('h2', { text: 'Actors' }),
          h('table', { class: 'actors' }, [
            h('thead', {}, [
              h('tr', {}, [
                h('th', { text: 'actor' }),
                h('th', { text: 'mailbox' }),
                h('th', { text: 'queue' }),
                h('th', { class: 'num', text: 'waiting' }),
                h('th', { class: 'num', text: 'handled' }),
                h('th', { class: 'num', text: 'dead letters' }),
              ]),
            ]),
            h(
              'tbody',
              {},
              rows.map((r) => r.element),
            ),
          ]),
        ]),
        h('section', { class: 'panel' }, [
          h('h2', { text: 'Dead letters' }),
          h(
            'ul',
            { class: 'reasons' },
            reasons.map((r) => r.element),
          ),
          h('h3', { text: 'Latest' }),
          latest,
        ]),
      ]),
      h('section', { class: 'charts' }, [throughput.element, queued.element, deadRate.element]),
    ]),
  );

  const startedAt = Date.now();
  const targetOf = (letter: DeadLetter): string =>
    letter.actorId === undefined
      ? (letter.topic ?? '?')
      : (actors.find((a) => a.id === letter.actorId)?.name ?? `actor ${letter.actorId}`);
  let latestShown: readonly DeadLetter[] = [];
  let previousDeadLetters = 0;
  let previousAt = startedAt;

  return {
    floodButton,
    pauseButton,
    setProducer(flooding: boolean, paused: boolean): void {
      const state = flooding ? 'flooding' : paused ? 'paused' : 'steady';
      producer.textContent = state;
      producer.dataset.state = state;
      pauseButton.textContent = paused ? 'Resume producer' : 'Pause producer';
    },
    update(sample: Sample, stats: DeadLetterStats): void {
      const { metrics } = sample;
      tiles.registeredActors.set(metrics.registeredActors);
      tiles.totalSent.set(metrics.totalSent);
      tiles.totalDelivered.set(metrics.totalDelivered);
      tiles.totalFailed.set(metrics.totalFailed);
      tiles.inFlight.set(metrics.inFlight);
      tiles.deliveredPerSecond.set(Math.round(sample.deliveredPerSecond));
      tiles.deadLetters.set(metrics.deadLetters);
      rows.forEach((row, i) => {
        const actor = actors[i];
        const actorSample = sample.actors[i];
        if (actor !== undefined && actorSample !== undefined) {
          row.update(actorSample, stats.byActor.get(actor.id) ?? 0);
        }
      });
      for (const r of reasons) r.set(stats.byReason[r.reason] ?? 0);

      // The dead-letter queue keeps the newest 8; list them newest first when they change.
      const kept = scenario.deadLetterQueue.toArray();
      if (kept.length !== latestShown.length || kept.some((l, i) => l !== latestShown[i])) {
        latestShown = kept;
        latest.replaceChildren(
          ...kept
            .slice()
            .reverse()
            .map((letter) =>
              h('li', {}, [
                h('span', {
                  class: 'when',
                  text: `+${((letter.at - startedAt) / 1_000).toFixed(1)} s`,
                }),
                h('span', { class: 'name', text: targetOf(letter) }),
                h('span', { class: 'type', text: letter.message.type }),
                h('span', { class: `tag ${letter.reason}`, text: letter.reason }),
              ]),
            ),
        );
      }

      throughput.push(sample.deliveredPerSecond);
      queued.push(sample.actors.reduce((sum, a) => sum + a.queued + a.waiting, 0));
      const seconds = (sample.at - previousAt) / 1_000;
      deadRate.push(seconds > 0 ? (metrics.deadLetters - previousDeadLetters) / seconds : 0);
      previousDeadLetters = metrics.deadLetters;
      previousAt = sample.at;
    },
  };
}

/**
 * Creates the scenario's broker, renders it into `root` and starts the producer.
 *
 * @example
 * ```ts
 * import { startDashboard } from './dashboard.js';
 * const dashboard = startDashboard(document.querySelector('#app')!);
 * // later: dashboard.stop();
 * ```
 */
export function startDashboard(root: HTMLElement, options: ScenarioOptions = {}): Dashboard {
  const scenario = createScenario(options);
  const view = render(root, scenario);
  const subscription = new Subscription();
  subscription.add(
    samples$(scenario)
      .pipe(withLatestFrom(deadLetterStats$(scenario.broker)))
      .subscribe(([sample, stats]) => view.update(sample, stats)),
  );
  subscription.add(
    combineLatest([scenario.flooding$, scenario.paused$]).subscribe(([flooding, paused]) =>
      view.setProducer(flooding, paused),
    ),
  );
  subscription.add(fromEvent(view.floodButton, 'click').subscribe(() => scenario.flood()));
  subscription.add(
    fromEvent(view.pauseButton, 'click').subscribe(() =>
      scenario.paused$.next(!scenario.paused$.value),
    ),
  );
  scenario.start();
  return {
    scenario,
    stop() {
      subscription.unsubscribe();
      scenario.stop();
      root.replaceChildren();
    },
  };
}
