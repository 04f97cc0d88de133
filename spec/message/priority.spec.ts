import { afterEach, describe, expect, it } from 'vitest';
import {
  ActorId,
  defineMessage,
  InMemoryMessageBroker,
  isArgumentError,
  Mailbox,
  Priority,
  type AnyMessage,
} from 'rxbroker';
import { bad, deferred, rejectionOf } from '../support/promises.js';

const Job = defineMessage<string, string>('Job');

describe('Priority', () => {
  it('orders Low < Normal < High < Critical', () => {
    expect(Priority.Low).toBeLessThan(Priority.Normal);
    expect(Priority.Normal).toBeLessThan(Priority.High);
    expect(Priority.High).toBeLessThan(Priority.Critical);
    expect(Object.keys(Priority)).toEqual(['Low', 'Normal', 'High', 'Critical']);
  });

  it('cannot be changed', () => {
    expect(Object.isFrozen(Priority)).toBe(true);
    expect(() => {
      (Priority as { High: number }).High = 9;
    }).toThrow(TypeError);
    expect(Priority.High).toBe(2);
  });
});

describe('message priority in a mailbox', () => {
  let broker: InMemoryMessageBroker;
  afterEach(() => broker.shutdown());

  it('processes Critical > High > Normal > Low, FIFO within a priority', async () => {
    broker = new InMemoryMessageBroker({ logger: null });
    const order: string[] = [];
    const gate = deferred();
    const started = deferred();
    const id = ActorId.from(1);
    broker.register(
      id,
      Mailbox.unbounded({
        receive: async (msg: AnyMessage) => {
          if (msg.payload === 'first') {
            started.resolve();
            await gate.promise;
          }
          order.push(msg.payload as string);
          return msg.payload as string;
        },
      }),
    );
    const first = broker.send(id, Job('first'));
    await started.promise;
    const all = [
      broker.sendWithPriority(id, Job('low-1'), Priority.Low),
      broker.send(id, Job('normal-1')),
      broker.sendWithPriority(id, Job('critical-1'), Priority.Critical),
      broker.send(id, Job('high-1'), { priority: Priority.High }),
      broker.send(id, Job('normal-2'), { priority: Priority.Normal }),
      broker.sendWithPriority(id, Job('low-2'), Priority.Low),
      broker.sendWithPriority(id, Job('critical-2'), Priority.Critical),
      broker.sendWithPriority(id, Job('high-2'), Priority.High),
    ];
    gate.resolve();
    await Promise.all([first, ...all]);
    expect(order).toEqual([
      'first',
      'critical-1',
      'critical-2',
      'high-1',
      'high-2',
      'normal-1',
      'normal-2',
      'low-1',
      'low-2',
    ]);
  });

  it('rejects a priority outside 0-3 with ArgumentError and keeps working', async () => {
    broker = new InMemoryMessageBroker({ logger: null });
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded({ receive: () => 'ok' }));
    for (const priority of [4, -1, 1.5, NaN, '2', null]) {
      const error = await rejectionOf(broker.sendWithPriority(id, Job('x'), bad(priority)));
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'priority' });
    }
    expect(broker.metrics().totalSent).toBe(0);
    await expect(broker.sendWithPriority(id, Job('x'), Priority.High)).resolves.toBe('ok');
  });
});
