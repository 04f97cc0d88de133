import { from, map, type Observable, type OperatorFunction } from 'rxjs';
import { describe, expectTypeOf, test } from 'vitest';
import { ActorId, defineMessage, InMemoryMessageBroker, sendTo, type Message } from 'rxbroker';

const GetBalance = defineMessage<{ accountId: number }, number>('GetBalance');
const GetName = defineMessage<void, string>('GetName');

declare const broker: InMemoryMessageBroker;
declare const id: ActorId;

describe('sendTo', () => {
  test('is an operator from messages of result R to R', () => {
    expectTypeOf(sendTo<number>(broker, id)).toEqualTypeOf<
      OperatorFunction<Message<unknown, number>, number>
    >();
  });

  test('infers the result type from the piped messages', () => {
    const balances = from([1, 2, 3]).pipe(
      map((accountId) => GetBalance({ accountId })),
      sendTo(broker, id, { concurrency: 4 }),
    );
    expectTypeOf(balances).toEqualTypeOf<Observable<number>>();
  });

  test('takes the send options and a concurrency', () => {
    void sendTo(broker, id, { concurrency: 2, timeout: 100 });
    // @ts-expect-error concurrency is a number
    void sendTo(broker, id, { concurrency: 'many' });
  });

  test('refuses an explicit result type that the messages do not have', () => {
    // @ts-expect-error GetName answers a string, not a number
    void from([GetName()]).pipe(sendTo<number>(broker, id));
  });
});
