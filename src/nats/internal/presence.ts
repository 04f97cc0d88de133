import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/transport-node';
import { encodeSubjectToken } from './subject-token.js';

/** The first characters of every key of the presence bucket. */
const NODE_PREFIX = 'n.';

/**
 * The presence of the nodes of a cluster, as one node sees it: it writes its own key now and every
 * heartbeat, and watches the others' (a KV bucket whose `max_age` is the TTL). KV expiry on
 * nats-server 2.9 emits no watch event, so the silence of a node is measured here, by this node's
 * clock, from when it last saw that node's key written.
 */
export class Presence {
  /** When this node last saw each other node's key written, by presence key. */
  private readonly _seen = new Map<string, number>();
  private _startedAt = 0;
  /**
   * When this node was last back from a pause or a reconnect: until then its news of the other
   * nodes may be stale, so their silence counts from here.
   */
  private _resumedAt = 0;
  /** When the heartbeat last ran: a gap over twice the period means this node was paused. */
  private _lastBeat = 0;
  private _watcher: QueuedIterator<KvWatchEntry> | null = null;
  private _timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly _kv: KV,
    private readonly _node: string,
    /** Milliseconds between two writes of this node's key. */
    readonly heartbeat: number,
    /** Milliseconds of silence after which a node counts as dead. */
    readonly ttl: number,
    private readonly _diagnose: (what: string, error: unknown) => void,
  ) {}

  /** Writes this node's key, starts watching the others', then calls `onBeat` every heartbeat. */
  async start(onBeat: () => void): Promise<void> {
    this._startedAt = Date.now();
    this._lastBeat = this._startedAt;
    await this._kv.put(keyOf(this._node), String(this._startedAt));
    const watcher = await this._kv.watch({ key: `${NODE_PREFIX}>` });
    this._watcher = watcher;
    void (async () => {
      for await (const entry of watcher) {
        if (entry.operation === 'PUT') this._seen.set(entry.key, Date.now());
        else this._seen.delete(entry.key);
      }
    })().catch((error: unknown) => this._diagnose('rxbroker: the presence watch failed', error));
    const timer = setInterval(() => {
      const now = Date.now();
      if (now - this._lastBeat > 2 * this.heartbeat) this._resumedAt = now; // it was paused
      this._lastBeat = now;
      this._kv
        .put(keyOf(this._node), String(now))
        .catch((error: unknown) =>
          this._diagnose("rxbroker: could not refresh this node's presence", error),
        );
      onBeat();
    }, this.heartbeat);
    timer.unref();
    this._timer = timer;
  }

  /** This node is back from a disconnection: the others' silence counts from now. */
  resumed(): void {
    this._resumedAt = Date.now();
  }

  /**
   * True when `node` has not been heard of for the TTL, counting from this node's start and its
   * last return from a pause or a reconnect at the earliest (a node that was itself paused has not
   * read the others' heartbeats yet, and must not take them all for dead).
   */
  isSilent(node: string): boolean {
    const heard = this._seen.get(keyOf(node)) ?? this._startedAt;
    return Date.now() - Math.max(heard, this._resumedAt) > this.ttl;
  }

  /** True when `node`'s key was written within the TTL, as far as this node saw. */
  isFresh(node: string): boolean {
    const seen = this._seen.get(keyOf(node));
    return seen !== undefined && Date.now() - seen <= this.ttl;
  }

  /** Stops the heartbeat and the watch. */
  stop(): void {
    this._watcher?.stop();
    if (this._timer !== null) clearInterval(this._timer);
  }

  /** Removes this node's key: the others forget it at once rather than after the TTL. */
  leave(): Promise<void> {
    return this._kv.delete(keyOf(this._node));
  }
}

function keyOf(node: string): string {
  return NODE_PREFIX + encodeSubjectToken(node);
}
