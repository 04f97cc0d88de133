import { describe, expect, it } from 'vitest';
import * as rxbroker from 'rxbroker';
import * as testing from 'rxbroker/testing';

describe('public entry points', () => {
  it("export the runtime names fixed by the API of 'rxbroker'", () => {
    for (const name of [
      'ActorId',
      'defineMessage',
      'isMessage',
      'InMemoryMessageBroker',
      'Mailbox',
      'Priority',
      'DeadLetterQueue',
      'SendError',
      'BrokerError',
      'ArgumentError',
      'isSendError',
      'isBrokerError',
      'isArgumentError',
      'sendTo',
    ]) {
      expect(rxbroker, name).toHaveProperty(name);
      expect((rxbroker as Record<string, unknown>)[name], name).toBeDefined();
    }
  });

  it("export the probe and the marble helpers from 'rxbroker/testing'", () => {
    expect(typeof testing.BrokerTestProbe).toBe('function');
    expect(typeof testing.createTestScheduler).toBe('function');
    expect(typeof testing.createTestBroker).toBe('function');
    expect(typeof testing.reduceErrors).toBe('function');
    expect(typeof testing.recordingActor).toBe('function');
  });

  it('do not leak internals', () => {
    const names = Object.keys(rxbroker);
    expect(names.filter((n) => n.startsWith('_') || n.startsWith('assert'))).toEqual([]);
    expect(names).not.toContain('Envelope');
    expect(names).not.toContain('Ring');
  });
});
