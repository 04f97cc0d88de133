import { describe } from 'vitest';
import { brokerFactory } from '../support/brokers.js';
import { conformanceSuite } from './message-broker-conformance.js';

const makeBroker = brokerFactory();

describe('MessageBroker conformance: InMemoryMessageBroker', () => {
  conformanceSuite(async () => {
    const broker = makeBroker();
    const atOnce = async (): Promise<void> => undefined;
    return {
      home: broker,
      client: broker,
      known: atOnce,
      subscribed: atOnce,
      unsubscribed: atOnce,
    };
  });
});
