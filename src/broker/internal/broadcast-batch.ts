import type { Subscriber } from 'rxjs';
import type { ActorId } from '../../actor/actor-id.js';
import type { SendError } from '../../errors/send-error.js';
import type { BatchSink, Envelope } from '../../message/internal/envelope.js';
import type { BroadcastResult } from '../broadcast-result.js';

/**
 * @internal Gathers the outcomes of one broadcast: into an array in target order (`broadcast`),
 * or out to a subscriber as each settles (`broadcast$`). One object per broadcast, not per target.
 */
export class BroadcastBatch implements BatchSink {
  /** The envelopes, kept only when an unsubscribe can withdraw them (`broadcast$`). */
  readonly _envelopes: Envelope[] = [];
  private readonly _results: BroadcastResult<unknown>[];
  private _pending: number;

  constructor(
    count: number,
    private readonly _resolve: ((results: BroadcastResult<unknown>[]) => void) | null,
    private readonly _subscriber: Subscriber<BroadcastResult<unknown>> | null,
  ) {
    this._pending = count;
    this._results = _resolve === null ? [] : new Array<BroadcastResult<unknown>>(count);
  }

  /** True for `broadcast$`, whose subscriber can unsubscribe and withdraw what is still queued. */
  get _withdrawable(): boolean {
    return this._subscriber !== null;
  }

  /** Called once all envelopes were handed out: settles a broadcast that had no target. */
  start(): void {
    if (this._pending === 0) this._finish();
  }

  _settled(slot: number, actorId: ActorId, ok: boolean, value: unknown): void {
    const result: BroadcastResult<unknown> = ok
      ? { actorId, ok: true, value }
      : { actorId, ok: false, error: value as SendError };
    if (this._subscriber !== null) this._subscriber.next(result);
    else this._results[slot] = result;
    if (--this._pending === 0) this._finish();
  }

  private _finish(): void {
    if (this._subscriber !== null) this._subscriber.complete();
    else (this._resolve as (results: BroadcastResult<unknown>[]) => void)(this._results);
  }
}
