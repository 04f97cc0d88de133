import fc from 'fast-check';
import type { OverflowStrategy } from 'rxbroker';

/** How an actor answers. */
export type Behaviour =
  | 'value'
  | 'throw'
  | 'late'
  | 'lateError'
  | 'never'
  | 'promise'
  | 'promiseReject'
  | 'forward';

export interface MailboxSpec {
  readonly capacity: number | null; // null: unbounded
  readonly overflow: OverflowStrategy;
  readonly behaviour: Behaviour;
  readonly delay: number;
}

export type Command =
  | { readonly op: 'register'; readonly actor: number; readonly mailbox: MailboxSpec }
  | { readonly op: 'unregister'; readonly actor: number }
  | { readonly op: 'send'; readonly actor: number; readonly priority: number; readonly timeout: number | null }
  | { readonly op: 'trySend'; readonly actor: number; readonly priority: number }
  | { readonly op: 'send$'; readonly actor: number; readonly priority: number; readonly cancelAfter: number }
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

const mailbox: fc.Arbitrary<MailboxSpec> = fc.record({
  capacity: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
  overflow: fc.constantFrom<OverflowStrategy>('fail', 'dropNewest', 'dropOldest', 'backpressure'),
  behaviour: fc.constantFrom<Behaviour>(
    'value',
    'throw',
    'late',
    'lateError',
    'never',
    'promise',
    'promiseReject',
    'forward',
  ),
  delay: fc.integer({ min: 1, max: 20 }),
});

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('register' as const), actor, mailbox }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unregister' as const), actor }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('send' as const), actor, priority, timeout }) },
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
  { weight: 1, arbitrary: fc.record({ op: fc.constant('broadcastFilter' as const), parity: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('subscribe' as const), actor, pattern }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('publish' as const), topic }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('sendWithRouting' as const), topic, priority }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('advance' as const), frames: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'shutdown' as const }) },
);

/** A random program: a list of broker operations under virtual time. */
export const program: fc.Arbitrary<Command[]> = fc.array(command, { minLength: 1, maxLength: 40 });
