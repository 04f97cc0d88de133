import { describe, expectTypeOf, test } from 'vitest';
import {
  ActorId,
  defineMessage,
  InMemoryMessageBroker,
  type BroadcastResult,
  type MessageBroker,
  type SendError,
} from 'rxbroker';

const Shutdown = defineMessage<void, void>('Shutdown');
const Health = defineMessage<void, { healthy: boolean }>('Health');

declare const broker: InMemoryMessageBroker;
declare const anyBroker: MessageBroker;

describe('broadcast results', () => {
  test('are typed BroadcastResult<R>[] for every broadcast call', () => {
    expectTypeOf(broker.broadcast(Shutdown())).toEqualTypeOf<Promise<BroadcastResult<void>[]>>();
    expectTypeOf(anyBroker.broadcast(Health())).toEqualTypeOf<
      Promise<BroadcastResult<{ healthy: boolean }>[]>
    >();
    expectTypeOf(broker.broadcastFilter(Health(), (id) => id >= 100 && id < 200)).toEqualTypeOf<
      Promise<BroadcastResult<{ healthy: boolean }>[]>
    >();
    expectTypeOf(broker.publish('orders.eu', Health())).toEqualTypeOf<
      Promise<BroadcastResult<{ healthy: boolean }>[]>
    >();
  });

  test('narrow on ok to the value or the SendError', async () => {
    const results = await broker.broadcast(Health());
    for (const result of results) {
      expectTypeOf(result.actorId).toEqualTypeOf<ActorId>();
      if (result.ok) {
        expectTypeOf(result.value).toEqualTypeOf<{ healthy: boolean }>();
        // @ts-expect-error a successful result has no error
        void result.error;
      } else {
        expectTypeOf(result.error).toEqualTypeOf<SendError>();
        // @ts-expect-error a failed result has no value
        void result.value;
      }
    }
  });

  test('hand the filter an ActorId and want a boolean back', () => {
    void broker.broadcastFilter(Shutdown(), (id) => {
      expectTypeOf(id).toEqualTypeOf<ActorId>();
      return true;
    });
    // @ts-expect-error the filter must return a boolean
    void broker.broadcastFilter(Shutdown(), () => 'yes');
  });
});
