import type { Observable } from 'rxjs';
import { describe, expectTypeOf, test } from 'vitest';
import {
  ActorId,
  defineMessage,
  InMemoryMessageBroker,
  type BroadcastResult,
  type DeadLetter,
  type MessageBroker,
} from 'rxbroker';

const GetBalance = defineMessage<{ accountId: number }, number>('GetBalance');
const Shutdown = defineMessage<void, void>('Shutdown');

declare const broker: InMemoryMessageBroker;
declare const anyBroker: MessageBroker;
declare const id: ActorId;

describe('Observable twins', () => {
  test('send$ is Observable<R>', () => {
    expectTypeOf(broker.send$(id, GetBalance({ accountId: 1 }))).toEqualTypeOf<
      Observable<number>
    >();
    expectTypeOf(anyBroker.send$(id, Shutdown(), { timeout: 5 })).toEqualTypeOf<Observable<void>>();
    expectTypeOf(
      broker.sendWithRouting$({ topic: 'a' }, GetBalance({ accountId: 1 })),
    ).toEqualTypeOf<Observable<number>>();
  });

  test('broadcast$ and its siblings emit BroadcastResult<R>', () => {
    expectTypeOf(broker.broadcast$(GetBalance({ accountId: 1 }))).toEqualTypeOf<
      Observable<BroadcastResult<number>>
    >();
    expectTypeOf(broker.broadcastFilter$(Shutdown(), () => true)).toEqualTypeOf<
      Observable<BroadcastResult<void>>
    >();
    expectTypeOf(anyBroker.publish$('t', Shutdown())).toEqualTypeOf<
      Observable<BroadcastResult<void>>
    >();
  });

  test('deadLetters$ is Observable<DeadLetter>', () => {
    expectTypeOf(broker.deadLetters$).toEqualTypeOf<Observable<DeadLetter>>();
  });
});
