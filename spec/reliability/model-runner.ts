import { defer, finalize, map, NEVER, timer, type Observable } from 'rxjs';
import { VirtualTimeScheduler } from 'rxjs';
import {
  ActorId,
  DeadLetterQueue,
  defineMessage,
  InMemoryMessageBroker,
  isBrokerError,
  isSendError,
  Mailbox,
  type Actor,
  type BroadcastResult,
  type DeadLetter,
} from 'rxbroker';
import { ACTORS, type Command, type MailboxSpec } from './model-program.js';

export const Work = defineMessage<{ seq: number }, number>('Work');
export const Note = defineMessage<{ seq: number }, void>('Note');

/** What the sender of one message to one target saw. */
export interface Delivery {
  /**
   * 'send': awaits an answer (send, send$, broadcast, routing); 'fire': trySend; 'cancelled': a
   * send$ unsubscribed before its handler ran; 'detached': one unsubscribed while it ran.
   */
  kind: 'send' | 'fire' | 'cancelled' | 'detached';
  /** Outcomes reported to the sender. */
  readonly outcomes: string[];
  /** trySend threw this kind. */
  thrown?: string;
}

export interface Registration {
  readonly id: ActorId;
  active: number;
  maxActive: number;
  /** (priority, seq) in handler-call order. */
  readonly calls: { priority: number; seq: number }[];
}

/** Runs a program against a broker in virtual time, recording everything a user could observe. */
export class ModelRun {
  readonly scheduler = new VirtualTimeScheduler();
  readonly broker: InMemoryMessageBroker;
  /** Sender-side records, by `seq@target`. */
  readonly deliveries = new Map<string, Delivery>();
  /** Handler calls, by `seq@target`. */
  readonly handled = new Map<string, number>();
  /** Dead-letter reasons, by `seq@target`. */
  readonly dead = new Map<string, string[]>();
  readonly registrations: Registration[] = [];
  /** What deadLetters$ emitted (until shutdown). */
  readonly deadLetters: DeadLetter[] = [];
  readonly queue = new DeadLetterQueue({ capacity: 1_000_000 });
  readonly unexpected: string[] = [];
  private _seq = 0;
  private readonly _priorities = new Map<number, number>();
  private readonly _openHandlers = new Set<object>();

  constructor() {
    this.broker = new InMemoryMessageBroker({
      scheduler: this.scheduler,
      defaultTimeout: 25,
      logger: null,
    });
    // deadLetters$ completes on shutdown; the queue keeps what comes after too.
    this.broker.withDeadLetterQueue(this.queue);
    this.broker.deadLetters$.subscribe((letter) => this.deadLetters.push(letter));
  }

  /** Handler Observables still subscribed. */
  get openHandlers(): number {
    return this._openHandlers.size;
  }

  async execute(commands: readonly Command[]): Promise<void> {
    for (const command of commands) {
      this._apply(command);
      await settleMicrotasks();
    }
    this.broker.shutdown();
    await settleMicrotasks();
    this.advance(1000);
    await settleMicrotasks();
    for (const letter of this.queue.toArray()) {
      const key = this.key((letter.message.payload as { seq: number }).seq, letter.actorId);
      this.dead.set(key, [...(this.dead.get(key) ?? []), letter.reason]);
    }
  }

  advance(frames: number): void {
    this.scheduler.maxFrames = this.scheduler.frame + frames;
    this.scheduler.flush();
  }

  key(seq: number, target: ActorId | undefined): string {
    return `${seq}@${target ?? '-'}`;
  }

  /** The priority a message was sent at. */
  priorityOf(seq: number): number {
    return this._priorities.get(seq) ?? 1;
  }

  private _delivery(seq: number, target: ActorId | undefined, kind: Delivery['kind']): Delivery {
    const key = this.key(seq, target);
    let delivery = this.deliveries.get(key);
    if (delivery === undefined) {
      delivery = { kind, outcomes: [] };
      this.deliveries.set(key, delivery);
    }
    return delivery;
  }

  private _next(priority: number): number {
    const seq = ++this._seq;
    this._priorities.set(seq, priority);
    return seq;
  }

  private _apply(command: Command): void {
    const broker = this.broker;
    const id = (actor: number): ActorId => ActorId.from(actor + 1);
    switch (command.op) {
      case 'register': {
        if (broker.isShutdown || broker.isRegistered(id(command.actor))) return;
        const registration: Registration = {
          id: id(command.actor),
          active: 0,
          maxActive: 0,
          calls: [],
        };
        this.registrations.push(registration);
        const actor = this._actor(registration, command.mailbox);
        const { capacity, overflow } = command.mailbox;
        broker.register(
          registration.id,
          capacity === null
            ? Mailbox.unbounded(actor)
            : Mailbox.bounded(actor, capacity, { overflow }),
        );
        return;
      }
      case 'unregister': {
        try {
          broker.unregister(id(command.actor));
        } catch (error) {
          if (!isBrokerError(error, 'NotFound'))
            this.unexpected.push(`unregister threw ${String(error)}`);
        }
        return;
      }
      case 'send': {
        const seq = this._next(command.priority);
        const delivery = this._delivery(seq, id(command.actor), 'send');
        const options =
          command.timeout === null
            ? { priority: command.priority as 0 }
            : { priority: command.priority as 0, timeout: command.timeout };
        this._track(delivery, broker.send(id(command.actor), Work({ seq }), options));
        return;
      }
      case 'trySend': {
        this._fire(id(command.actor), command.priority);
        return;
      }
      case 'send$': {
        const seq = this._next(command.priority);
        const target = id(command.actor);
        const delivery = this._delivery(seq, target, 'send');
        const subscription = broker
          .send$(id(command.actor), Work({ seq }), { priority: command.priority as 0 })
          .subscribe({
            next: (value) => delivery.outcomes.push(`ok:${value}`),
            error: (error: unknown) => delivery.outcomes.push(kindOf(error)),
          });
        this.scheduler.schedule(() => {
          if (subscription.closed) return;
          subscription.unsubscribe();
          delivery.kind = this.handled.has(this.key(seq, target)) ? 'detached' : 'cancelled';
        }, command.cancelAfter);
        return;
      }
      case 'broadcast':
      case 'broadcastFilter':
      case 'publish': {
        const seq = this._next(1);
        const message = Work({ seq });
        const results =
          command.op === 'broadcast'
            ? broker.broadcast(
                message,
                command.timeout === null ? undefined : { timeout: command.timeout },
              )
            : command.op === 'broadcastFilter'
              ? broker.broadcastFilter(message, (actorId) => actorId % 2 === command.parity)
              : broker.publish(command.topic, message);
        this._trackBroadcast(seq, results);
        return;
      }
      case 'subscribe': {
        if (broker.isRegistered(id(command.actor)))
          broker.subscribe(id(command.actor), command.pattern);
        return;
      }
      case 'sendWithRouting': {
        const seq = this._next(command.priority);
        broker
          .sendWithRouting({ topic: command.topic, priority: command.priority as 0 }, Work({ seq }))
          .then(
            (value) => {
              const targets = [...this.handled.keys()].filter((key) => key.startsWith(`${seq}@`));
              if (targets.length !== 1)
                this.unexpected.push(
                  `routed ${seq} answered, handled at ${targets.length} targets`,
                );
              for (const key of targets) this._deliveryByKey(key).outcomes.push(`ok:${value}`);
            },
            (error: unknown) => {
              const target = isSendError(error) ? error.actorId : undefined;
              this._delivery(seq, target, 'send').outcomes.push(kindOf(error));
            },
          );
        return;
      }
      case 'advance':
        this.advance(command.frames);
        return;
      case 'shutdown':
        broker.shutdown();
        return;
    }
  }

  private _deliveryByKey(key: string): Delivery {
    let delivery = this.deliveries.get(key);
    if (delivery === undefined) {
      delivery = { kind: 'send', outcomes: [] };
      this.deliveries.set(key, delivery);
    }
    return delivery;
  }

  private readonly _forwarded = new Set<number>();

  private _fire(target: ActorId, priority: number): number {
    const seq = this._next(priority);
    const delivery = this._delivery(seq, target, 'fire');
    try {
      this.broker.trySend(target, Note({ seq }), { priority: priority as 0 });
    } catch (error) {
      delivery.thrown = kindOf(error);
    }
    return seq;
  }

  private _track(delivery: Delivery, promise: Promise<unknown>): void {
    promise.then(
      (value) => delivery.outcomes.push(`ok:${String(value)}`),
      (error: unknown) => delivery.outcomes.push(kindOf(error)),
    );
  }

  private _trackBroadcast(seq: number, results: Promise<BroadcastResult<number>[]>): void {
    results.then(
      (list) => {
        for (const result of list) {
          const delivery = this._delivery(seq, result.actorId, 'send');
          delivery.outcomes.push(result.ok ? `ok:${result.value}` : result.error.kind);
        }
      },
      (error: unknown) => this.unexpected.push(`broadcast rejected: ${String(error)}`),
    );
  }

  private _actor(registration: Registration, spec: MailboxSpec): Actor {
    const scheduler = this.scheduler;
    const enter = (seq: number, priority: number): void => {
      registration.active++;
      registration.maxActive = Math.max(registration.maxActive, registration.active);
      registration.calls.push({ priority, seq });
    };
    const leave = (): void => {
      registration.active--;
    };
    return {
      receive: (message, ctx) => {
        const seq = (message.payload as { seq: number }).seq;
        const target = ctx.self;
        const key = this.key(seq, target);
        this.handled.set(key, (this.handled.get(key) ?? 0) + 1);
        enter(seq, this.priorityOf(seq));
        switch (spec.behaviour) {
          case 'value':
            leave();
            return seq;
          case 'throw':
            leave();
            throw new Error(`boom ${seq}`);
          case 'forward':
            leave();
            // One hop only: forwarded messages are not forwarded again, or a ring never ends.
            if (!this._forwarded.has(seq)) {
              this._forwarded.add(
                this._fire(ActorId.from((target % ACTORS) + 1), this.priorityOf(seq)),
              );
            }
            return seq;
          case 'promise':
            return Promise.resolve(seq).finally(leave);
          case 'promiseReject':
            return Promise.reject(new Error(`no ${seq}`)).finally(leave);
          case 'late':
          case 'lateError':
          case 'never': {
            const token = {};
            const source: Observable<number> =
              spec.behaviour === 'never'
                ? NEVER
                : spec.behaviour === 'late'
                  ? timer(spec.delay, scheduler).pipe(map(() => seq))
                  : timer(spec.delay, scheduler).pipe(
                      map(() => {
                        throw new Error(`late ${seq}`);
                      }),
                    );
            return defer(() => {
              this._openHandlers.add(token);
              return source;
            }).pipe(
              finalize(() => {
                this._openHandlers.delete(token);
                leave();
              }),
            );
          }
        }
      },
    };
  }
}

function kindOf(error: unknown): string {
  if (isSendError(error) || isBrokerError(error)) return error.kind;
  return `unexpected:${String(error)}`;
}

/** Lets every pending promise callback run: a macrotask turn comes only after all microtasks. */
export function settleMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
