import { map, timer } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ActorId, defineMessage, InMemoryMessageBroker, Mailbox, SendError } from 'rxbroker';
import { createTestBroker, createTestScheduler } from 'rxbroker/testing';
import { thrown } from '../support/promises.js';

const Echo = defineMessage<string, string>('Echo');
const Note = defineMessage<string, void>('Note');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createTestBroker', () => {
  it('makes a broker that runs in the virtual time of the given scheduler', () => {
    const scheduler = createTestScheduler((a, e) => expect(a).toEqual(e));
    scheduler.run(({ expectObservable }) => {
      const broker = createTestBroker(scheduler, { defaultTimeout: 10 });
      expect(broker).toBeInstanceOf(InMemoryMessageBroker);
      const id = ActorId.from(1);
      broker.register(
        id,
        Mailbox.unbounded({
          receive: (m) => timer(4).pipe(map(() => (m.payload as string).toUpperCase())),
        }),
      );
      expectObservable(broker.send$(id, Echo('a'))).toBe('----(a|)', { a: 'A' });
      expectObservable(broker.send$(id, Echo('b'), { timeout: 6 })).toBe(
        '------#',
        undefined,
        new SendError('Timeout', { actorId: id, messageType: 'Echo', timeout: 6 }),
      );
    });
  });

  it('does not log dead letters', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const scheduler = createTestScheduler((a, e) => expect(a).toEqual(e));
    const broker = createTestBroker(scheduler);
    thrown(() => broker.trySend(ActorId.from(1), Note('lost')));
    expect(broker.metrics().deadLetters).toBe(1);
    expect(warn).not.toHaveBeenCalled();
    broker.shutdown();
  });

  it('still takes a logger when asked to', () => {
    const lines: string[] = [];
    const scheduler = createTestScheduler((a, e) => expect(a).toEqual(e));
    const broker = createTestBroker(scheduler, { logger: (line) => lines.push(line) });
    thrown(() => broker.trySend(ActorId.from(1), Note('lost')));
    expect(lines).toHaveLength(1);
    broker.shutdown();
  });
});
