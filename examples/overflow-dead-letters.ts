/**
 * Bounded mailboxes under each overflow strategy ('fail', 'dropNewest', 'dropOldest',
 * 'backpressure'), where the messages that reach no handler go (a DeadLetterQueue, `deadLetters$`,
 * or, with nobody listening, a rate-limited logger), and every SendError kind matched
 * exhaustively with ts-pattern.
 *
 * Run: npm run build && npx tsx --tsconfig examples/tsconfig.json examples/overflow-dead-letters.ts
 */
import assert from 'node:assert/strict';
import { finalize, NEVER } from 'rxjs';
import { match } from 'ts-pattern';
import {
  ActorId,
  DeadLetterQueue,
  defineMessage,
  InMemoryMessageBroker,
  isSendError,
  Mailbox,
  Priority,
  type Actor,
  type DeadLetter,
  type OverflowStrategy,
  type SendError,
} from 'rxbroker';

const Job = defineMessage<number, number>('Job'); // answers with its own number
const Note = defineMessage<number, void>('Note'); // fire-and-forget
const Hang = defineMessage<void, void>('Hang'); // never answers
const Crash = defineMessage<string, void>('Crash'); // the handler throws

/** What a SendError means, one line per kind. `exhaustive()` fails to compile if a kind is missed. */
function explain(error: SendError): string {
  return match(error.kind)
    .with('ActorNotFound', () => `no actor is registered as ${error.actorId}`)
    .with('ActorStopped', () => `actor ${error.actorId} stopped before handling it`)
    .with(
      'MailboxFull',
      () => `mailbox of actor ${error.actorId} is full (capacity ${error.info.capacity})`,
    )
    .with('Timeout', () => `no answer within ${error.info.timeout} ms`)
    .with('HandlerFailed', () => `the handler failed: ${(error.cause as Error).message}`)
    .exhaustive();
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: SendError };

/** Turns a send's promise into a value at once, so a rejection is handled as soon as it happens. */
function outcome<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => {
      if (isSendError(error)) return { ok: false, error };
      throw error;
    },
  );
}

const show = (o: Outcome<unknown>): string => (o.ok ? `ok ${String(o.value)}` : o.error.kind);

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * A worker that records what it handles. Job 0 holds the actor busy until `release()`, so the
 * example can fill the mailbox behind it without any timing games.
 */
function gatedWorker() {
  const handled: number[] = [];
  const started = deferred();
  const gate = deferred();
  const actor: Actor = {
    receive(msg) {
      if (Job.is(msg)) {
        handled.push(msg.payload);
        if (msg.payload !== 0) return msg.payload;
        started.resolve();
        return gate.promise.then(() => 0);
      }
      if (Note.is(msg)) {
        handled.push(msg.payload);
        return;
      }
      throw new Error(`unexpected ${msg.type}`);
    },
  };
  return { actor, handled, started: started.promise, release: gate.resolve };
}

const dlq = new DeadLetterQueue({ capacity: 100 });
const broker = new InMemoryMessageBroker({ defaultTimeout: 1_000 }).withDeadLetterQueue(dlq);
const seen: DeadLetter[] = [];
broker.deadLetters$.subscribe((letter) => seen.push(letter));

/** Registers a gated worker with a mailbox of capacity 2, makes it busy and queues Jobs 1 and 2. */
async function fullMailbox(overflow: OverflowStrategy) {
  const id = ActorId.create();
  const worker = gatedWorker();
  broker.register(id, Mailbox.bounded(worker.actor, 2, { overflow }));
  const busy = outcome(broker.send(id, Job(0)));
  await worker.started; // Job 0 is being handled; the queue is empty
  const queued = [outcome(broker.send(id, Job(1))), outcome(broker.send(id, Job(2)))];
  assert.equal(broker.mailboxOf(id)?.size, 2);
  return { id, worker, busy, queued };
}

function trySendNote(id: ActorId, n: number): string {
  try {
    broker.trySend(id, Note(n));
    return 'queued or dropped without an error';
  } catch (error) {
    if (!isSendError(error)) throw error;
    return `threw ${error.kind}`;
  }
}

const lettersFor = (id: ActorId) =>
  dlq
    .toArray()
    .filter((letter) => letter.actorId === id)
    .map((letter) => `${letter.message.type} ${String(letter.message.payload)}: ${letter.reason}`);

// --- 'fail': the new message is refused ----------------------------------------------------------
{
  const { id, worker, busy, queued } = await fullMailbox('fail');
  const job3 = await outcome(broker.send(id, Job(3)));
  const note4 = trySendNote(id, 4);
  worker.release();
  const results = await Promise.all([busy, ...queued]);
  console.log(`fail:         send Job 3 -> ${show(job3)}; trySend Note 4 -> ${note4}`);
  console.log(
    `              handled ${worker.handled.join(', ')}; dead letters: ${lettersFor(id).join('; ')}`,
  );
  assert.equal(show(job3), 'MailboxFull');
  assert.equal(note4, 'threw MailboxFull');
  assert.deepEqual(results.map(show), ['ok 0', 'ok 1', 'ok 2']);
  assert.deepEqual(worker.handled, [0, 1, 2]);
  assert.deepEqual(lettersFor(id), ['Job 3: MailboxFull', 'Note 4: MailboxFull']);
}

// --- 'dropNewest': the newest message of the lowest priority queued goes --------------------------
{
  const { id, worker, busy, queued } = await fullMailbox('dropNewest');
  const job3 = await outcome(broker.send(id, Job(3))); // same priority as the queue: it is the newest
  const note4 = trySendNote(id, 4); // dropped too, but trySend does not throw
  const job5 = outcome(broker.sendWithPriority(id, Job(5), Priority.High)); // evicts Job 2, the newest Normal
  worker.release();
  const results = await Promise.all([busy, ...queued, job5]);
  console.log(
    `dropNewest:   send Job 3 -> ${show(job3)}; trySend Note 4 -> ${note4}; High Job 5 evicts Job 2`,
  );
  console.log(
    `              handled ${worker.handled.join(', ')}; dead letters: ${lettersFor(id).join('; ')}`,
  );
  assert.equal(show(job3), 'MailboxFull');
  assert.equal(note4, 'queued or dropped without an error');
  assert.deepEqual(results.map(show), ['ok 0', 'ok 1', 'MailboxFull', 'ok 5']);
  assert.deepEqual(worker.handled, [0, 5, 1]);
  assert.deepEqual(lettersFor(id), [
    'Job 3: MailboxFull',
    'Note 4: MailboxFull',
    'Job 2: MailboxFull',
  ]);
}

// --- 'dropOldest': the oldest message of the lowest priority queued makes room --------------------
{
  const { id, worker, busy, queued } = await fullMailbox('dropOldest');
  const job3 = outcome(broker.send(id, Job(3))); // evicts Job 1, whose sender gets MailboxFull
  const job4 = await outcome(broker.send(id, Job(4), { priority: Priority.Low })); // lower than all queued: dropped
  worker.release();
  const results = await Promise.all([busy, ...queued, job3]);
  console.log(`dropOldest:   Job 3 evicts Job 1; Low Job 4 -> ${show(job4)}`);
  console.log(
    `              handled ${worker.handled.join(', ')}; dead letters: ${lettersFor(id).join('; ')}`,
  );
  assert.deepEqual(results.map(show), ['ok 0', 'MailboxFull', 'ok 2', 'ok 3']);
  assert.equal(show(job4), 'MailboxFull');
  assert.deepEqual(worker.handled, [0, 2, 3]);
  assert.deepEqual(lettersFor(id), ['Job 1: MailboxFull', 'Job 4: MailboxFull']);
}

// --- 'backpressure': send waits for room (within its timeout); trySend fails ----------------------
{
  const { id, worker, busy, queued } = await fullMailbox('backpressure');
  const job3 = outcome(broker.send(id, Job(3))); // waits for room
  const note4 = trySendNote(id, 4);
  const job5 = await outcome(broker.send(id, Job(5), { timeout: 20 })); // waits, then gives up
  const waiting = broker.mailboxOf(id)?.waiting;
  worker.release();
  const results = await Promise.all([busy, ...queued, job3]);
  console.log(
    `backpressure: trySend Note 4 -> ${note4}; Job 5 with a 20 ms timeout -> ${show(job5)}`,
  );
  console.log(
    `              handled ${worker.handled.join(', ')}; dead letters: ${lettersFor(id).join('; ')}`,
  );
  assert.equal(note4, 'threw MailboxFull');
  assert.equal(show(job5), 'Timeout');
  assert.equal(waiting, 1); // Job 3 still waiting for room when Job 5 timed out
  assert.deepEqual(results.map(show), ['ok 0', 'ok 1', 'ok 2', 'ok 3']);
  assert.deepEqual(worker.handled, [0, 1, 2, 3]);
  assert.deepEqual(lettersFor(id), ['Note 4: MailboxFull', 'Job 5: Timeout']);
}

// --- every SendError kind, explained by one exhaustive match ------------------------------------
console.log('every SendError kind:');
const errors: SendError[] = [];
const record = async (promise: Promise<unknown>): Promise<void> => {
  const o = await outcome(promise);
  assert.equal(o.ok, false); // narrows o to a failure
  errors.push(o.error);
};

// ActorNotFound: nobody is registered under this id.
await record(broker.send(ActorId.from(999), Job(1)));

// MailboxFull: a full mailbox with the 'fail' strategy.
{
  const { id, worker, busy, queued } = await fullMailbox('fail');
  await record(broker.send(id, Job(3)));
  worker.release();
  await Promise.all([busy, ...queued]);
}

// ActorStopped: unregistering fails what is queued; the message being handled still finishes.
{
  const { id, worker, busy, queued } = await fullMailbox('fail');
  broker.unregister(id);
  worker.release();
  const [first, ...rest] = await Promise.all([busy, ...queued]);
  assert.equal(show(first), 'ok 0');
  for (const o of rest) if (!o.ok) errors.push(o.error);
  assert.equal(errors.length, 4);
  assert.equal(broker.isRegistered(id), false);
}

// Timeout: an Observable handler that never completes is unsubscribed when the send times out.
{
  const id = ActorId.create();
  let tornDown = false;
  broker.register(
    id,
    Mailbox.unbounded({ receive: () => NEVER.pipe(finalize(() => (tornDown = true))) }),
  );
  await record(broker.send(id, Hang(), { timeout: 20 }));
  assert.equal(tornDown, true);
}

// HandlerFailed: the handler threw; `cause` is its own error. For fire-and-forget, a dead letter.
{
  const id = ActorId.create();
  const crasher: Actor = {
    receive(msg) {
      throw new Error(Crash.is(msg) ? msg.payload : 'unexpected');
    },
  };
  broker.register(id, Mailbox.unbounded(crasher));
  await record(broker.send(id, Crash('disk on fire')));
  broker.trySend(id, Crash('nobody waits for this one'));
  // Messages are handled in order, so once this one is answered the trySend was handled too.
  assert.equal(show(await outcome(broker.send(id, Crash('again')))), 'HandlerFailed');
  assert.deepEqual(lettersFor(id), ['Crash nobody waits for this one: HandlerFailed']);
}

for (const error of errors) console.log(`  ${error.kind.padEnd(13)} ${explain(error)}`);
assert.deepEqual(
  errors.map((e) => e.kind),
  ['ActorNotFound', 'MailboxFull', 'ActorStopped', 'ActorStopped', 'Timeout', 'HandlerFailed'],
);

// --- where the dead letters went -----------------------------------------------------------------
// Each went to the queue and to every deadLetters$ subscriber.
console.log(`dead letters: ${seen.length} seen on deadLetters$, ${dlq.size} kept in the queue`);
const byReason = new Map<string, number>();
for (const letter of dlq.drain())
  byReason.set(letter.reason, (byReason.get(letter.reason) ?? 0) + 1);
console.log(`  by reason: ${[...byReason].map(([reason, n]) => `${reason} ${n}`).join(', ')}`);
// 9 overflows, 1 wait that timed out, 1 unknown actor, 2 stopped, 1 failed fire-and-forget. The
// sends that timed out or failed in their handler were answered with the error instead.
assert.equal(seen.length, 14);
assert.deepEqual(Object.fromEntries(byReason), {
  MailboxFull: 9,
  Timeout: 1,
  ActorNotFound: 1,
  ActorStopped: 2,
  HandlerFailed: 1,
});
assert.equal(dlq.size, 0); // drained
assert.equal(broker.metrics().deadLetters, 14);

// Nothing is lost: once everything settled, every message sent was delivered or failed.
const metrics = broker.metrics();
console.log(
  `metrics: sent ${metrics.totalSent} = delivered ${metrics.totalDelivered} + failed ${metrics.totalFailed}`,
);
assert.equal(metrics.totalSent, metrics.totalDelivered + metrics.totalFailed);
assert.equal(metrics.inFlight, 0);
broker.shutdown();

// --- nobody listening: the broker logs dead letters, at a bounded rate -----------------------------
const logged: string[] = [];
const quiet = new InMemoryMessageBroker({
  logger: (line) => logged.push(line), // default: console.warn
  deadLetterLogLimit: { count: 3, interval: 60_000 }, // default: 10 lines per 10 s
});
const missing = ActorId.from(12345);
let refused = 0;
for (let n = 0; n < 10; n++) {
  try {
    quiet.trySend(missing, Note(n));
  } catch (error) {
    if (isSendError(error, 'ActorNotFound')) refused++;
  }
}
console.log(`no listener: ${refused} dead letters, ${logged.length} logged, the rest counted:`);
for (const line of logged) console.log(`  ${line}`);
assert.equal(refused, 10);
assert.equal(logged.length, 3);
assert.equal(quiet.metrics().deadLetters, 10);
quiet.shutdown();

console.log('overflow-dead-letters: ok');
