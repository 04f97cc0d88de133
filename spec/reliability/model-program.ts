import fc from 'fast-check';
import type { OverflowStrategy } from 'rxbroker';

/** How an actor answers. */
export type Behaviour =
  'value' | 'throw' | 'late' | 'lateError' | 'never' | 'promise' | 'promiseReject' | 'forward';

export interface MailboxSpec {
  readonly capacity: number | null; // null: unbounded
  readonly overflow: OverflowStrategy;
  readonly behaviour: Behaviour;
  readonly delay: number;
}

export type Command =
  | { readonly op: 'register'; readonly actor: number; readonly mailbox: MailboxSpec }
  | { readonly op: 'unregister'; readonly actor: number }
  | {
      readonly op: 'send';
      readonly actor: number;
      readonly priority: number;
      readonly timeout: number | null;
    }
  | { readonly op: 'trySend'; readonly actor: number; readonly priority: number }
  | {
      readonly op: 'send$';
      readonly actor: number;
      readonly priority: number;
      readonly cancelAfter: number;
    }
  | { readonly op: 'broadcast'; readonly timeout: number | null }
  | { readonly op: 'broadcastFilter'; readonly parity: number }
  | { readonly op: 'subscribe'; readonly actor: number; readonly pattern: string }
  | { readonly op: 'publish'; readonly topic: string }
  | { readonly op: 'sendWithRouting'; readonly topic: string; readonly priority: number }
  | { readonly op: 'advance'; readonly frames: number }
  | { readonly op: 'shutdown' };

export const ACTORS = 4;
const actor = fc.integer({ min: 0, max: ACTORS - 1 });
const priority = fc.integer({ min: 0, max: 3 });
const timeout = fc.option(fc.integer({ min: 1, max: 40 }), { nil: null });
const topic = fc.constantFrom('a.x', 'a.y', 'b.x');
const pattern = fc.constantFrom('a.x', 'a.*', '>', 'b.>', '*.x');

const behaviour = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Behaviour>('value') },
  { weight: 2, arbitrary: fc.constant<Behaviour>('promise') },
  { weight: 2, arbitrary: fc.constant<Behaviour>('late') },
  { weight: 2, arbitrary: fc.constant<Behaviour>('forward') },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Behaviour>('throw', 'lateError', 'promiseReject', 'never'),
  },
);

const mailbox: fc.Arbitrary<MailboxSpec> = fc.record({
  capacity: fc.option(fc.integer({ min: 1, max: 8 }), { nil: null }),
  overflow: fc.constantFrom<OverflowStrategy>('fail', 'dropNewest', 'dropOldest', 'backpressure'),
  behaviour,
  delay: fc.integer({ min: 1, max: 8 }),
});

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('register' as const), actor, mailbox }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unregister' as const), actor }) },
  {
    weight: 5,
    arbitrary: fc.record({ op: fc.constant('send' as const), actor, priority, timeout }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('trySend' as const), actor, priority }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('send$' as const),
      actor,
      priority,
      cancelAfter: fc.integer({ min: 0, max: 30 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('broadcast' as const), timeout }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('broadcastFilter' as const),
      parity: fc.integer({ min: 0, max: 1 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('subscribe' as const), actor, pattern }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('publish' as const), topic }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('sendWithRouting' as const), topic, priority }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('advance' as const),
      frames: fc.integer({ min: 1, max: 30 }),
    }),
  },
);

const register = fc.record({ op: fc.constant('register' as const), actor, mailbox });

/** A random program: a few registrations, then broker operations under virtual time. */
export const program: fc.Arbitrary<Command[]> = fc
  .tuple(
    fc.array(register, { minLength: 1, maxLength: ACTORS }),
    fc.array(command, { minLength: 1, maxLength: 60, size: 'medium' }),
    // Sometimes a shutdown in the middle (there is always one at the end).
    fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }),
  )
  .map(([registrations, commands, at]) => {
    const all: Command[] = [...registrations, ...commands];
    if (at !== null) all.splice(at % all.length, 0, { op: 'shutdown' });
    return all;
  });
