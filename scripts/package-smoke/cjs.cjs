// The CommonJS consumer: run by scripts/check-package.mjs in a fresh project that installed the
// packed tarball, as a user's `require` would load it. RXBROKER_ENTRIES lists the entry points.
'use strict';
const assert = require('node:assert/strict');

const entries = JSON.parse(process.env.RXBROKER_ENTRIES ?? '["."]');

// Every entry point loads with require() and exports something.
for (const entry of entries) {
  const specifier = entry === '.' ? 'rxbroker' : `rxbroker/${entry.slice(2)}`;
  const names = Object.keys(require(specifier));
  assert.ok(names.length > 0, `${specifier} exports nothing`);
  console.log(`  require('${specifier}'): ${names.length} exports`);
}
assert.equal(require('rxbroker/package.json').name, 'rxbroker');

const { ActorId, defineMessage, InMemoryMessageBroker, isSendError, Mailbox } = require('rxbroker');
const { recordingActor } = require('rxbroker/testing');

async function main() {
  const Greet = defineMessage('Greet');
  const broker = new InMemoryMessageBroker({ logger: null, defaultTimeout: 1_000 });
  const id = ActorId.create();
  const actor = recordingActor((message) => `hello, ${message.payload}`);
  broker.register(id, Mailbox.unbounded(actor));
  assert.equal(await broker.send(id, Greet('cjs')), 'hello, cjs');
  assert.equal(actor.received.length, 1);
  const results = await broker.broadcast(Greet('all'));
  assert.deepEqual(results, [{ actorId: id, ok: true, value: 'hello, all' }]);
  broker.unregister(id);
  const gone = await broker.send(id, Greet('nobody')).catch((error) => error);
  assert.ok(isSendError(gone, 'ActorNotFound'), String(gone));
  broker.shutdown();
  console.log('  the core: send, broadcast, unregister, SendError');
  console.log('CJS consumer: ok');
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
