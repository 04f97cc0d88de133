import { describe, expectTypeOf, test } from 'vitest';
import {
  ActorId,
  defineMessage,
  InMemoryMessageBroker,
  Priority,
  type Message,
  type MessageBroker,
  type ResultOf,
} from 'rxbroker';

const GetBalance = defineMessage<{ accountId: number }, number>('GetBalance');
const GetName = defineMessage<void, string>('GetName');
const Shutdown = defineMessage<void, void>('Shutdown');
const Lookup = defineMessage<string, { id: number; tags: string[] } | null>('Lookup');

declare const broker: InMemoryMessageBroker;
declare const anyBroker: MessageBroker;
declare const id: ActorId;

describe('send', () => {
  test('infers the result type from the message definition', () => {
    expectTypeOf(broker.send(id, GetBalance({ accountId: 123 }))).toEqualTypeOf<Promise<number>>();
    expectTypeOf(broker.send(id, GetName())).toEqualTypeOf<Promise<string>>();
    expectTypeOf(broker.send(id, Shutdown())).toEqualTypeOf<Promise<void>>();
    expectTypeOf(broker.send(id, Lookup('a'))).toEqualTypeOf<
      Promise<{ id: number; tags: string[] } | null>
    >();
  });

  test('infers the same through the MessageBroker interface and every send variant', () => {
    expectTypeOf(anyBroker.send(id, GetBalance({ accountId: 1 }))).toEqualTypeOf<Promise<number>>();
    expectTypeOf(
      broker.sendWithPriority(id, GetBalance({ accountId: 1 }), Priority.High),
    ).toEqualTypeOf<Promise<number>>();
    expectTypeOf(
      broker.send(id, GetBalance({ accountId: 1 }), { timeout: 100, priority: Priority.Low }),
    ).toEqualTypeOf<Promise<number>>();
    expectTypeOf(
      broker.sendWithRouting({ topic: 'accounts' }, GetBalance({ accountId: 1 })),
    ).toEqualTypeOf<Promise<number>>();
  });

  test('lets an awaited result be used as its type', async () => {
    const balance: number = await broker.send(id, GetBalance({ accountId: 123 }));
    expectTypeOf(balance).toBeNumber();
    // @ts-expect-error the result of GetBalance is a number, not a string
    const wrong: string = await broker.send(id, GetBalance({ accountId: 123 }));
    void wrong;
  });

  test('ResultOf names the result type of a message', () => {
    expectTypeOf<ResultOf<ReturnType<typeof GetBalance>>>().toEqualTypeOf<number>();
    expectTypeOf<ResultOf<Message<unknown, 'x'>>>().toEqualTypeOf<'x'>();
  });

  test('rejects what is not a message, a bad priority or a bad option at compile time', () => {
    // @ts-expect-error a plain object is not a Message
    void broker.send(id, { accountId: 1 });
    // @ts-expect-error an id must be an ActorId, not a bare number
    void broker.send(42, GetName());
    // @ts-expect-error 7 is not a Priority
    void broker.sendWithPriority(id, GetName(), 7);
    // @ts-expect-error timeout is a number
    void broker.send(id, GetName(), { timeout: '100' });
    // @ts-expect-error a routed send takes its priority from the routing key, not the options
    void broker.sendWithRouting({ topic: 'a' }, GetName(), { priority: Priority.High });
  });
});
