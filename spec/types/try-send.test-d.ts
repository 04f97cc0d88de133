import { describe, expectTypeOf, test } from 'vitest';
import {
  ActorId,
  defineMessage,
  InMemoryMessageBroker,
  Priority,
  type MessageBroker,
} from 'rxbroker';

const Shutdown = defineMessage<void, void>('Shutdown');
const LogEvent = defineMessage<{ message: string }, void>('LogEvent');
const GetBalance = defineMessage<{ accountId: number }, number>('GetBalance');
const GetName = defineMessage<void, string>('GetName');

declare const broker: InMemoryMessageBroker;
declare const anyBroker: MessageBroker;
declare const id: ActorId;

describe('trySend', () => {
  test('accepts messages whose result is void and returns nothing', () => {
    expectTypeOf(broker.trySend(id, Shutdown())).toEqualTypeOf<void>();
    expectTypeOf(broker.trySend(id, LogEvent({ message: 'User logged in' }))).toEqualTypeOf<void>();
    expectTypeOf(
      anyBroker.trySend(id, Shutdown(), { priority: Priority.High }),
    ).toEqualTypeOf<void>();
  });

  test('rejects messages whose result is not void', () => {
    // @ts-expect-error GetBalance answers a number: use send
    broker.trySend(id, GetBalance({ accountId: 1 }));
    // @ts-expect-error GetName answers a string: use send
    anyBroker.trySend(id, GetName());
  });

  test('takes no timeout: fire-and-forget messages never time out', () => {
    // @ts-expect-error TrySendOptions has no timeout
    broker.trySend(id, Shutdown(), { timeout: 10 });
  });
});
