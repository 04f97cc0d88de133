import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';

/** Microtask flushes in a row before one goes through a macrotask, so timers and I/O get a turn. */
const MAX_MICROTASK_HOPS = 1000;

type Handle = ReturnType<typeof setTimeout> & { ref?(): unknown; unref?(): unknown };

const resolved = Promise.resolve();
// setImmediate (Node) yields without the 1 ms clamp of setTimeout.
const yieldToMacrotask: (run: () => void) => void =
  typeof globalThis.setImmediate === 'function'
    ? (run) => void globalThis.setImmediate(run)
    : (run) => void globalThis.setTimeout(run, 0);

/**
 * @internal All of a broker's time: `now()`, one deadline timer for every timeout, and the
 * "run soon" flush of ready mailboxes.
 *
 * With an injected scheduler (a TestScheduler, say) every one of them goes through it, so virtual
 * time drives the whole broker. Without one, the broker runs on the platform directly, because the
 * per-message costs matter there: the flush is a promise microtask, `now()` is `Date.now()`, and the
 * one deadline timer is a `setTimeout` that stays armed while idle (re-arming it for every message
 * would cost more than the message) but is unref'd then, so an idle broker never keeps Node alive.
 */
export class Timekeeper {
  private readonly _scheduler: SchedulerLike | undefined;
  private _action: Subscription | null = null;
  private _handle: Handle | null = null;
  private _timerAt = Infinity;
  private _refed = false;
  private _flushQueued = false;
  private _hops = 0;
  /** True once a macrotask ran since the hop count started: the event loop is getting turns. */
  private _yielded = true;
  private readonly _markYield = (): void => {
    this._yielded = true;
  };
  private readonly _runFlush = (): void => {
    this._flushQueued = false;
    this._onFlush();
  };
  private readonly _runFlushFromMacrotask = (): void => {
    this._hops = 0;
    this._runFlush();
  };
  private readonly _fire = (): void => {
    this._action = null;
    this._handle = null;
    this._timerAt = Infinity;
    this._onDeadline();
  };

  constructor(
    scheduler: SchedulerLike | undefined,
    private readonly _onDeadline: () => void,
    private readonly _onFlush: () => void,
  ) {
    this._scheduler = scheduler;
  }

  now(): number {
    return this._scheduler === undefined ? Date.now() : this._scheduler.now();
  }

  /** Runs the flush callback soon (once, however often asked before it runs). */
  _requestFlush(): void {
    if (this._flushQueued) return;
    this._flushQueued = true;
    if (this._scheduler !== undefined) {
      this._scheduler.schedule(runAction, 0, this._runFlush);
    } else {
      if (this._yielded) {
        // A new event-loop turn: count hops from here, and learn when the loop gets its next turn.
        this._yielded = false;
        this._hops = 0;
        yieldToMacrotask(this._markYield);
      }
      if (++this._hops < MAX_MICROTASK_HOPS) void resolved.then(this._runFlush);
      else yieldToMacrotask(this._runFlushFromMacrotask);
    }
  }

  /** Makes sure the deadline callback runs no later than `deadline`, and keeps the process alive for it. */
  _arm(deadline: number): void {
    if (deadline < this._timerAt) {
      this.cancel();
      this._timerAt = deadline;
      const delay = Math.max(0, deadline - this.now());
      if (this._scheduler !== undefined) {
        this._action = this._scheduler.schedule(runAction, delay, this._fire);
        return;
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed where setTimeout returns a number (DOM types without Node's)
      this._handle = setTimeout(this._fire, delay) as Handle;
      this._refed = true;
    } else if (!this._refed && this._handle !== null) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a browser's timer id is a number, without ref()
      this._handle.ref?.();
      this._refed = true;
    }
  }

  /** Nothing awaits a deadline now: the timer may stay, but must not keep the process alive. */
  _idle(): void {
    if (this._refed && this._handle !== null) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a browser's timer id is a number, without unref()
      this._handle.unref?.();
      this._refed = false;
    }
  }

  cancel(): void {
    this._action?.unsubscribe();
    this._action = null;
    if (this._handle !== null) clearTimeout(this._handle);
    this._handle = null;
    this._refed = false;
    this._timerAt = Infinity;
  }
}

function runAction(this: SchedulerAction<() => void>, run?: () => void): void {
  (run as () => void)();
}
