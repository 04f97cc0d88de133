import type { ActorId } from 'rxbroker';
import { describeNats, whenKnown, whenTopic } from '../nats/support/nats-suite.js';
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
      // Both nodes: the owner knows a subscription at once, the other once the directory has it.
      // Waiting for the other node also means the subscription has its place in the cluster's
      // order before the next one is made.
      const topic =
        (subscribed: boolean) =>
        async (actorId: ActorId, pattern: string): Promise<void> => {
          await Promise.all(
            [home, client].map((node) => whenTopic(node, actorId, pattern, subscribed)),
          );
        };
      return { home, client, known, subscribed: topic(true), unsubscribed: topic(false) };
    });
  },
);
