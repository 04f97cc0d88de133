import { afterEach } from 'vitest';
import { InMemoryMessageBroker, type InMemoryMessageBrokerOptions } from 'rxbroker';

/**
 * Returns a maker of brokers that do not log dead letters (unless given a logger) and are shut down
 * after each test, so no broker outlives its test.
 */
export function brokerFactory(): (options?: InMemoryMessageBrokerOptions) => InMemoryMessageBroker {
  const made: InMemoryMessageBroker[] = [];
  afterEach(() => {
    for (const broker of made.splice(0)) broker.shutdown();
  });
  return (options = {}) => {
    const broker = new InMemoryMessageBroker({ logger: null, ...options });
    made.push(broker);
    return broker;
  };
}
