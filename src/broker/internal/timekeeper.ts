import { asyncScheduler, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';

/** Microtask flushes in a row before one goes through a macrotask, so timers and I/O get a turn. */
const MAX_MICROTASK_HOPS = 1000;

/**
 * @internal All of a broker's time: `now()`, one deadline timer for every timeout, and the
 * "run soon" flush of ready mailboxes. With an injected scheduler (a TestScheduler, say) every one
 * of them goes through it, so virtual time drives the whole broker; by default the flush is a
 * microtask and timers use RxJS's asyncScheduler.
 */
export class Timekeeper {
  private readonly _scheduler: SchedulerLike;
  private readonly _injected: boolean;
  private _timer: Subscription | null = null;
  private _timerAt = Infinity;
  private _flushQueued = false;
  private _hops = 0;
  private _idleCheckQueued = false;
  private readonly _runFlush = (): void => {
    this._flushQueued = false;
    this._onFlush();
  };
  private readonly _runFlushFromMacrotask = (): void => {
    this._hops = 0;
    this._runFlush();
  };
  private readonly _checkIdle = (): void => {
    this._idleCheckQueued = false;
    if (this._isIdle()) this.cancel();
  };

  constructor(
    scheduler: SchedulerLike | undefined,
    private readonly _onDeadline: () => void,
    private readonly _onFlush: () => void,
    private readonly _isIdle: () => boolean,
  ) {
    this._injected = scheduler !== undefined;
    this._scheduler = scheduler ?? asyncScheduler;
  }

  now(): number {
    return this._scheduler.now();
  }

  /** Runs the flush callback soon (once, however often asked before it runs). */
  requestFlush(): void {
    if (this._flushQueued) return;
    this._flushQueued = true;
    if (this._injected) {
      this._scheduler.schedule(runFlushAction, 0, this._runFlush);
    } else if (++this._hops < MAX_MICROTASK_HOPS) {
      queueMicrotask(this._runFlush);
    } else {
      this._scheduler.schedule(runFlushAction, 0, this._runFlushFromMacrotask);
    }
  }

  /** Makes sure the deadline callback runs no later than `deadline`. */
  arm(deadline: number): void {
    if (deadline >= this._timerAt) return;
    this._timer?.unsubscribe();
    this._timerAt = deadline;
    this._timer = this._scheduler.schedule(fireAction, Math.max(0, deadline - this.now()), this);
  }

  /**
   * Nothing awaits a deadline now. The timer is kept until the next microtask, so that a loop of
   * `await send()` does not cancel and re-arm it for every message, and is cancelled then if still
   * idle, so that an idle broker holds no timer and does not keep a process alive.
   */
  idle(): void {
    if (this._timer === null || this._idleCheckQueued || this._injected) return;
    this._idleCheckQueued = true;
    queueMicrotask(this._checkIdle);
  }

  cancel(): void {
    this._timer?.unsubscribe();
    this._timer = null;
    this._timerAt = Infinity;
  }

  /** @internal */
  _fire(): void {
    this._timer = null;
    this._timerAt = Infinity;
    this._onDeadline();
  }
}

function runFlushAction(this: SchedulerAction<() => void>, run?: () => void): void {
  (run as () => void)();
}

function fireAction(this: SchedulerAction<Timekeeper>, keeper?: Timekeeper): void {
  (keeper as Timekeeper)._fire();
}
