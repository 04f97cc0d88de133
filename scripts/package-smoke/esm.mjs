// The ESM consumer: run by scripts/check-package.mjs in a fresh project that installed the packed
// tarball, as a user's code would import it. RXBROKER_ENTRIES lists the entry points to load.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { catchError, map, NEVER, of, timer } from 'rxjs';
import {
  ActorId,
  defineMessage,
  InMemoryMessageBroker,
  isSendError,
  Mailbox,
  Priority,
} from 'rxbroker';
import { BrokerTestProbe, createTestBroker, createTestScheduler } from 'rxbroker/testing';

const entries = JSON.parse(process.env.RXBROKER_ENTRIES ?? '["."]');
const require = createRequire(import.meta.url);

// Every entry point loads as ESM, and its CJS build exports the same names.
for (const entry of entries) {
  const specifier = entry === '.' ? 'rxbroker' : `rxbroker/${entry.slice(2)}`;
  const esm = Object.keys(await import(specifier)).sort();
  const cjs = Object.keys(require(specifier)).sort();
  assert.ok(esm.length > 0, `${specifier} exports nothing`);
  assert.deepEqual(esm, cjs, `${specifier}: the ESM and CJS builds export different names`);
  console.log(`  import '${specifier}': ${esm.length} exports, the same as require()`);
}

// The core, end to end: request-response, fire-and-forget, priorities, errors.
const Add = defineMessage('Add');
const Note = defineMessage('Note');
const notes = [];
const broker = new InMemoryMessageBroker({ logger: null });
const calculator = ActorId.create();
broker.register(
  calculator,
  Mailbox.bounded(
    {
      receive(message) {
        if (Add.is(message)) return message.payload.a + message.payload.b;
        if (Note.is(message)) notes.push(message.payload);
        return undefined;
      },
    },
    10,
  ),
);
assert.equal(await broker.send(calculator, Add({ a: 2, b: 3 })), 5);
broker.trySend(calculator, Note('low'), { priority: Priority.Low });
assert.equal(await broker.sendWithPriority(calculator, Add({ a: 1, b: 1 }), Priority.High), 2);
assert.deepEqual(notes, ['low']);
const missing = await broker.send(ActorId.from(404), Add({ a: 0, b: 0 })).catch((error) => error);
assert.ok(isSendError(missing, 'ActorNotFound'), String(missing));

// Two copies of the package in one process (this ESM build and the CJS one) work together: the
// guards and the message brand do not depend on `instanceof`.
const cjs = require('rxbroker');
assert.notEqual(cjs.InMemoryMessageBroker, InMemoryMessageBroker);
assert.equal(await broker.send(calculator, cjs.defineMessage('Add')({ a: 20, b: 1 })), 21);
assert.ok(cjs.isSendError(missing, 'ActorNotFound'));
broker.shutdown();
console.log('  the core: send, trySend, priorities, SendError, ESM and CJS copies together');

// rxbroker/testing: a marble test in virtual time.
const scheduler = createTestScheduler((actual, expected) => assert.deepEqual(actual, expected));
scheduler.run(({ expectObservable }) => {
  const test = createTestBroker(scheduler, { defaultTimeout: 5 });
  const probe = new BrokerTestProbe(test);
  const slow = ActorId.from(1);
  const stuck = ActorId.from(2);
  test.register(slow, Mailbox.unbounded({ receive: () => timer(3).pipe(map(() => 'done')) }));
  test.register(stuck, Mailbox.unbounded({ receive: () => NEVER }));
  expectObservable(test.send$(slow, Add({ a: 0, b: 0 }))).toBe('---(a|)', { a: 'done' });
  expectObservable(
    test.send$(stuck, Add({ a: 0, b: 0 })).pipe(catchError((error) => of(error.kind))),
  ).toBe('-----(t|)', { t: 'Timeout' });
  scheduler.schedule(() => assert.ok(probe.assertSent(slow, 1) && probe.assertSent(stuck, 1)), 6);
});
console.log('  rxbroker/testing: a marble test in virtual time');
console.log('ESM consumer: ok');
