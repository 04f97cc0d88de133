/**
 * A node in its own OS process, for spec/nats/processes.spec.ts. Run as
 * `node --import tsx/esm spec/nats/support/child-node.ts <url> <bucket> <prefix> <nodeId> <ids>`:
 * it connects, registers an actor under each id (comma-separated) answering Ping with
 * `<nodeId>:<id>:<pid>` and Job with the payload doubled, prints `ready`, and lives until it is
 * killed or its stdin closes (then it closes the node and exits).
 */
import { ActorId, Mailbox } from '../../../src/index.js';
import { NatsMessageBroker } from '../../../src/nats/index.js';
import { childMessages, Double, Ping } from './child-messages.js';

const [servers, bucket, prefix, nodeId, ids] = process.argv.slice(2);
if (ids === undefined) throw new Error('usage: child-node <url> <bucket> <prefix> <nodeId> <ids>');

const broker = await NatsMessageBroker.connect({
  servers,
  bucket,
  prefix,
  nodeId,
  messages: childMessages,
  logger: null,
  heartbeat: 100,
  presenceTtl: 1000,
});
for (const n of ids.split(',').map(Number)) {
  await broker.register(
    ActorId.from(n),
    Mailbox.unbounded({
      receive(msg) {
        if (Ping.is(msg)) return `${nodeId}:${n}:${process.pid}`;
        if (Double.is(msg)) return msg.payload * 2;
        return undefined;
      },
    }),
  );
}
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.once('end', () => {
  void broker.close().then(() => process.exit(0));
});
