import type { ActorId } from 'rxbroker';
import { describeNats, whenKnown } from '../nats/support/nats-suite.js';
import { conformanceMessages, conformanceSuite } from './message-broker-conformance.js';

describeNats(
  'MessageBroker conformance: NatsMessageBroker (actors on node a, sent from node b)',
  (nats) => {
    conformanceSuite(async () => {
      const cluster = nats.cluster();
      const home = await nats.node(cluster, { nodeId: 'a', messages: conformanceMessages });
      const client = await nats.node(cluster, { nodeId: 'b', messages: conformanceMessages });
      const known = async (...ids: ActorId[]): Promise<void> => {
        await Promise.all(ids.map((id) => whenKnown(client, id)));
      };
      return { home, client, known };
    });
  },
);
