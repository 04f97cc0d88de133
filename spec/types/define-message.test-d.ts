import { describe, expectTypeOf, test } from 'vitest';
import {
  defineMessage,
  type Actor,
  type AnyMessage,
  type Message,
  type MessageDefinition,
  type PayloadOf,
  type ResultOf,
} from 'rxbroker';

const GetBalance = defineMessage<{ accountId: number }, number>('GetBalance');
const Shutdown = defineMessage<void, void>('Shutdown');
const Named = defineMessage<string, boolean, 'Named'>('Named');

describe('defineMessage', () => {
  test('makes a factory whose messages carry payload and result types', () => {
    expectTypeOf(GetBalance).toEqualTypeOf<
      MessageDefinition<{ accountId: number }, number, string>
    >();
    const msg = GetBalance({ accountId: 123 });
    expectTypeOf(msg).toEqualTypeOf<Message<{ accountId: number }, number, string>>();
    expectTypeOf(msg.payload).toEqualTypeOf<{ accountId: number }>();
    expectTypeOf<PayloadOf<typeof msg>>().toEqualTypeOf<{ accountId: number }>();
    expectTypeOf<ResultOf<typeof msg>>().toEqualTypeOf<number>();
  });

  test('factories of void payloads take no argument', () => {
    expectTypeOf(Shutdown).parameters.toEqualTypeOf<[]>();
    expectTypeOf(Shutdown()).toEqualTypeOf<Message<void, void, string>>();
    // @ts-expect-error a void message takes no payload
    Shutdown(1);
    // @ts-expect-error not even undefined
    Shutdown(undefined);
  });

  test('factories of other payloads require exactly that payload', () => {
    expectTypeOf(GetBalance).parameters.toEqualTypeOf<[payload: { accountId: number }]>();
    // @ts-expect-error the payload is required
    GetBalance();
    // @ts-expect-error the payload has the wrong shape
    GetBalance({ account: 1 });
  });

  test('keeps a literal type name when given one', () => {
    expectTypeOf(Named.type).toEqualTypeOf<'Named'>();
    expectTypeOf(Named('x').type).toEqualTypeOf<'Named'>();
  });

  test('is() narrows an unknown value to the message type', () => {
    const value: unknown = null;
    if (GetBalance.is(value)) expectTypeOf(value.payload.accountId).toBeNumber();
  });

  test('messages are read-only', () => {
    const msg = GetBalance({ accountId: 1 });
    // @ts-expect-error type is readonly
    msg.type = 'Other';
  });

  test('any message fits an Actor handler', () => {
    const actor: Actor = { receive: (m) => expectTypeOf(m).toEqualTypeOf<AnyMessage>() };
    void actor;
  });
});
