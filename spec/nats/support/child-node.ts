/**
 * A node in its own OS process, for the specs that need one (spec/nats/processes.spec.ts,
 * spec/nats/slow-consumer.spec.ts). Run as
 * `node --import tsx/esm spec/nats/support/child-node.ts <url> <bucket> <prefix> <nodeId> <ids> [settings]`
 * (`spawnChildNode` in ./child-process.ts does): it connects, registers an actor under each id
 * (comma-separated) answering Ping with `<nodeId>:<id>:<pid>`, Double with the payload doubled and
 * NotesSeen with the numbers of the Notes it has had, prints `ready`, and lives until it is killed or
 * its stdin closes (then it closes the node and exits). `settings`, optional, is a JSON
 * {@link ChildNodeSettings}. It prints `disconnect` when its connection drops and `reconnect` once
 * it is back and the server has its subscriptions again.
 */
import { ActorId, Mailbox } from '../../../src/index.js';
import { NatsMessageBroker } from '../../../src/nats/index.js';
import { childMessages, Double, Note, NotesSeen, Ping } from './child-messages.js';
import type { ChildNodeSettings } from './child-process.js';

const [servers, bucket, prefix, nodeId, ids, json] = process.argv.slice(2);
if (ids === undefined)
  throw new Error('usage: child-node <url> <bucket> <prefix> <nodeId> <ids> [settings]');
const settings = (json === undefined ? {} : JSON.parse(json)) as ChildNodeSettings;

const broker = await NatsMessageBroker.connect({
  servers,
  bucket,
  prefix,
  nodeId,
  messages: childMessages,
  logger: null,
  heartbeat: settings.heartbeat ?? 100,
  presenceTtl: settings.presenceTtl ?? 1000,
  ...(settings.connectionOptions === undefined
    ? {}
    : { connectionOptions: settings.connectionOptions }),
});
for (const n of ids.split(',').map(Number)) {
  const notes: number[] = [];
  await broker.register(
    ActorId.from(n),
    Mailbox.unbounded({
      receive(msg) {
        if (Ping.is(msg)) return `${nodeId}:${n}:${process.pid}`;
        if (Double.is(msg)) return msg.payload * 2;
        if (Note.is(msg)) notes.push(Number(msg.payload.split(':')[0]));
        if (NotesSeen.is(msg)) return notes;
        return undefined;
      },
    }),
  );
}
void (async () => {
  for await (const status of broker.connection.status()) {
    if (status.type === 'disconnect') process.stdout.write('disconnect\n');
    else if (status.type === 'reconnect') {
      // The client resubscribes as it reconnects; after this PONG the server has those SUBs.
      broker.connection.flush().then(
        () => process.stdout.write('reconnect\n'),
        () => undefined, // dropped again: a later 'reconnect' will tell
      );
    }
  }
})();
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.once('end', () => {
  void broker.close().then(() => process.exit(0));
});
