/**
 * Table 4: what the broker is measured against, in the same kind of process: a plain call, an
 * awaited async function, `Subject.next` to a subscriber (alone and as a burst timed like the
 * broker's bursts), `Map.get` on keys like generated actor ids, and `Promise.all` over 10 calls.
 */
import { Subject } from 'rxjs';
import { Countdown, do_not_optimize, now, pick, since, Table } from '../lib/harness.js';

const table = new Table('baselines', '4. Baselines');
const message = Object.freeze({ type: 'Ping', payload: undefined });
const ctx = Object.freeze({ self: 2 ** 32 });

const handler = {
  receive(msg: { type: string }, context: { self: number }): number {
    return msg.type.length + context.self;
  },
};
await table.micro('call', 'plain call: handler.receive(msg, ctx)', () =>
  do_not_optimize(handler.receive(message, ctx)),
);

// eslint-disable-next-line @typescript-eslint/require-await -- the cost of an async call is what it measures
async function trivial(): Promise<number> {
  return 1;
}
await table.micro('await', 'await of an async function', () => trivial(), { per: 'await' });

let seen = 0;
const subject = new Subject<unknown>();
subject.subscribe(() => {
  seen++;
});
await table.micro('subject', 'Subject.next to one subscriber', () => subject.next(message), {
  per: 'message',
});
do_not_optimize(seen);

const N = pick(1_000_000, 20_000);
const countdown = new Countdown();
const bursty = new Subject<unknown>();
bursty.subscribe(countdown.hit);
await table.timed(
  'subject-burst',
  `Subject.next burst of ${N.toLocaleString('en-US')}, until the subscriber saw all`,
  async () => {
    const done = countdown.arm(N);
    const start = now();
    for (let i = 0; i < N; i++) bursty.next(message);
    await done;
    return since(start);
  },
  { ops: N, per: 'message', samples: pick(7, 2), rate: { unit: 'msg/s' } },
);

// The floor of any broker that queues a message and handles it later: a bare ring buffer, drained
// in one microtask, calling the handler. No validation, no priorities, no bookkeeping.
class BareQueue<T> {
  private _items: (T | undefined)[] = new Array<T | undefined>(1024);
  private _head = 0;
  private _length = 0;
  private _scheduled = false;
  private readonly _drain = (): void => {
    this._scheduled = false;
    const handler = this._handler;
    while (this._length > 0) {
      const items = this._items;
      const item = items[this._head] as T;
      items[this._head] = undefined;
      this._head = (this._head + 1) & (items.length - 1);
      this._length--;
      handler(item);
    }
  };

  constructor(private readonly _handler: (item: T) => void) {}

  push(item: T): void {
    let items = this._items;
    if (this._length === items.length) {
      const grown = new Array<T | undefined>(items.length * 2);
      for (let i = 0; i < this._length; i++)
        grown[i] = items[(this._head + i) & (items.length - 1)];
      this._items = items = grown;
      this._head = 0;
    }
    items[(this._head + this._length) & (items.length - 1)] = item;
    this._length++;
    if (!this._scheduled) {
      this._scheduled = true;
      void resolved.then(this._drain);
    }
  }
}
const resolved = Promise.resolve();
const bare = new BareQueue<unknown>(countdown.hit);
await table.timed(
  'queue-floor',
  `floor: bare ring-buffer queue drained in a microtask, burst of ${N.toLocaleString('en-US')}`,
  async () => {
    const done = countdown.arm(N);
    const start = now();
    for (let i = 0; i < N; i++) bare.push(message);
    await done;
    return since(start);
  },
  { ops: N, per: 'message', samples: pick(7, 2), rate: { unit: 'msg/s' } },
);

// The floor of an awaited request to a deferred handler: one Promise per request, one microtask
// that runs the handler and resolves it.
let pending: ((value: number) => void)[] = [];
let flushQueued = false;
let settle: (value: number) => void = () => undefined;
const capture = (resolve: (value: number) => void): void => {
  settle = resolve;
};
const flushPending = (): void => {
  flushQueued = false;
  const list = pending;
  pending = [];
  for (let i = 0; i < list.length; i++)
    (list[i] as (value: number) => void)(handler.receive(message, ctx));
};
function deferredRequest(): Promise<number> {
  const promise = new Promise<number>(capture);
  pending.push(settle);
  if (!flushQueued) {
    flushQueued = true;
    void resolved.then(flushPending);
  }
  return promise;
}
await table.micro(
  'request-floor',
  'floor: awaited request to a handler run in a microtask',
  () => deferredRequest(),
  {
    per: 'roundtrip',
  },
);

// Keys shaped like ActorId.create() ids (>= 2^32: heap numbers, not small integers).
const map = new Map<number, object>();
const keys: number[] = [];
for (let i = 0; i < 1024; i++) {
  const key = 2 ** 32 + i;
  map.set(key, { key });
  keys.push(key);
}
let k = 0;
await table.micro(
  'map-get',
  'Map.get(id), 1024 keys like generated ids',
  () => do_not_optimize(map.get(keys[(k = (k + 1) & 1023)] as number)),
  { per: 'lookup' },
);

await table.micro(
  'promise-all-10',
  'Promise.all over 10 async calls',
  () => {
    const calls = new Array<Promise<number>>(10);
    for (let i = 0; i < 10; i++) calls[i] = trivial();
    return Promise.all(calls);
  },
  { per: 'Promise.all' },
);

table.finish();
