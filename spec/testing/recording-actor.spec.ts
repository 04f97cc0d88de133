import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ActorId, defineMessage, Mailbox } from 'rxbroker';
import { recordingActor } from 'rxbroker/testing';
import { brokerFactory } from '../support/brokers.js';

const Echo = defineMessage<string, string>('Echo');
const Note = defineMessage<string, void>('Note');

const makeBroker = brokerFactory();

describe('recordingActor', () => {
  it('records every message in the order its handler was called and answers undefined', async () => {
    const broker = makeBroker();
    const actor = recordingActor();
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded(actor));
    const first = Note('a');
    broker.trySend(id, first);
    await expect(broker.send(id, Echo('b'))).resolves.toBeUndefined();
    expect(actor.received.map((m) => m.payload)).toEqual(['a', 'b']);
    expect(actor.received[0]).toBe(first);
  });

  it('answers with the reply function, given the message and the context', async () => {
    const broker = makeBroker();
    const actor = recordingActor((m, ctx) => `${ctx.self}:${m.payload as string}`);
    const id = ActorId.from(7);
    broker.register(id, Mailbox.unbounded(actor));
    await expect(broker.send(id, Echo('x'))).resolves.toBe('7:x');
  });

  it('passes on a Promise or Observable reply', async () => {
    const broker = makeBroker();
    broker.register(ActorId.from(1), Mailbox.unbounded(recordingActor(async () => 'promised')));
    broker.register(ActorId.from(2), Mailbox.unbounded(recordingActor(() => of('x', 'observed'))));
    await expect(broker.send(ActorId.from(1), Echo('p'))).resolves.toBe('promised');
    await expect(broker.send(ActorId.from(2), Echo('o'))).resolves.toBe('observed');
  });
});
