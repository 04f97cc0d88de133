import { describe, expect, it } from 'vitest';
import {
  ActorId,
  defineMessage,
  isArgumentError,
  isBrokerError,
  isSendError,
  Mailbox,
  type DeadLetter,
} from 'rxbroker';
import { brokerFactory } from '../../support/brokers.js';
import { bad, deferred, rejectionOf, thrown, track } from '../../support/promises.js';

const Echo = defineMessage<string, string>('Echo');
const Note = defineMessage<string, void>('Note');

const echo = { receive: (msg: { payload: unknown }) => msg.payload };

describe('InMemoryMessageBroker register', () => {
  const makeBroker = brokerFactory();

  it('makes an actor reachable and counted', async () => {
    const broker = makeBroker();
    const id = ActorId.from(1);
    expect(broker.isRegistered(id)).toBe(false);
    broker.register(id, Mailbox.unbounded(echo));
    expect(broker.isRegistered(id)).toBe(true);
    expect(broker.registeredCount()).toBe(1);
    await expect(broker.send(id, Echo('hi'))).resolves.toBe('hi');
  });

  it('lists ids in registration order, as a snapshot', () => {
    const broker = makeBroker();
    const ids = [ActorId.from(30), ActorId.from(10), ActorId.create(), ActorId.from(20)];
    for (const id of ids) broker.register(id, Mailbox.unbounded(echo));
    const snapshot = broker.actorIds();
    expect(snapshot).toEqual(ids);
    broker.unregister(ids[0] as ActorId);
    snapshot.push(ActorId.from(99));
    expect(snapshot).toHaveLength(5);
    expect(broker.actorIds()).toEqual(ids.slice(1));
  });

  it('gives access to the registered mailbox', () => {
    const broker = makeBroker();
    const id = ActorId.from(1);
    const mailbox = Mailbox.bounded(echo, 3);
    broker.register(id, mailbox);
    expect(broker.mailboxOf(id)).toBe(mailbox);
    expect(broker.mailboxOf(ActorId.from(2))).toBeUndefined();
  });

  it('throws AlreadyRegistered for a taken id and keeps the first actor', async () => {
    const broker = makeBroker();
    const id = ActorId.from(5);
    broker.register(id, Mailbox.unbounded({ receive: () => 'first' }));
    const error = thrown(() => broker.register(id, Mailbox.unbounded({ receive: () => 'second' })));
    expect(isBrokerError(error, 'AlreadyRegistered')).toBe(true);
    expect(error).toMatchObject({ name: 'BrokerError', kind: 'AlreadyRegistered', actorId: id });
    expect(broker.registeredCount()).toBe(1);
    await expect(broker.send(id, Echo('x'))).resolves.toBe('first');
  });

  it('lets a mailbox refused for a taken id be registered under another id', async () => {
    const broker = makeBroker();
    broker.register(ActorId.from(1), Mailbox.unbounded(echo));
    const mailbox = Mailbox.unbounded({ receive: () => 'spare' });
    expect(isBrokerError(thrown(() => broker.register(ActorId.from(1), mailbox)))).toBe(true);
    broker.register(ActorId.from(2), mailbox);
    await expect(broker.send(ActorId.from(2), Echo('x'))).resolves.toBe('spare');
  });

  it('refuses a mailbox that was registered before (here or with another broker)', () => {
    const broker = makeBroker();
    const other = makeBroker();
    const mailbox = Mailbox.unbounded(echo);
    broker.register(ActorId.from(1), mailbox);
    const again = thrown(() => broker.register(ActorId.from(2), mailbox));
    expect(isArgumentError(again)).toBe(true);
    expect(again).toMatchObject({ argument: 'mailbox' });
    expect(isArgumentError(thrown(() => other.register(ActorId.from(1), mailbox)))).toBe(true);
    expect(broker.registeredCount()).toBe(1);
    expect(other.registeredCount()).toBe(0);
  });

  it('refuses a mailbox even after its actor was unregistered', () => {
    const broker = makeBroker();
    const mailbox = Mailbox.unbounded(echo);
    broker.register(ActorId.from(1), mailbox);
    broker.unregister(ActorId.from(1));
    expect(isArgumentError(thrown(() => broker.register(ActorId.from(1), mailbox)))).toBe(true);
    broker.register(ActorId.from(1), Mailbox.unbounded(echo));
    expect(broker.isRegistered(ActorId.from(1))).toBe(true);
  });

  it.each([[-1], [1.5], [NaN], ['1'], [null]])('throws ArgumentError for the id %s', (id) => {
    const broker = makeBroker();
    const error = thrown(() => broker.register(bad(id), Mailbox.unbounded(echo)));
    expect(isArgumentError(error)).toBe(true);
    expect(error).toMatchObject({ argument: 'actor id' });
    expect(broker.registeredCount()).toBe(0);
  });

  it.each([[{ receive: () => 1 }], [null], [{}]])(
    'throws ArgumentError for a non-mailbox',
    (mailbox) => {
      const broker = makeBroker();
      const error = thrown(() => broker.register(ActorId.from(1), bad(mailbox)));
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'mailbox' });
      expect(broker.isRegistered(ActorId.from(1))).toBe(false);
    },
  );
});

describe('InMemoryMessageBroker unregister', () => {
  const makeBroker = brokerFactory();

  it('makes later sends fail with ActorNotFound', async () => {
    const broker = makeBroker();
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded(echo));
    broker.unregister(id);
    expect(broker.isRegistered(id)).toBe(false);
    expect(broker.registeredCount()).toBe(0);
    const error = await rejectionOf(broker.send(id, Echo('late')));
    expect(isSendError(error, 'ActorNotFound')).toBe(true);
    expect(
      isSendError(
        thrown(() => broker.trySend(id, Note('late'))),
        'ActorNotFound',
      ),
    ).toBe(true);
  });

  it('fails queued messages with ActorStopped and lets the message in progress finish', async () => {
    const broker = makeBroker();
    const letters: DeadLetter[] = [];
    broker.deadLetters$.subscribe((letter) => letters.push(letter));
    const id = ActorId.from(1);
    const started = deferred();
    const gate = deferred<string>();
    const handled: string[] = [];
    const mailbox = Mailbox.unbounded({
      receive: (msg: { payload: unknown }) => {
        handled.push(msg.payload as string);
        started.resolve();
        return gate.promise;
      },
    });
    broker.register(id, mailbox);
    const inProgress = track(broker.send(id, Echo('first')));
    await started.promise;
    const queued = [track(broker.send(id, Echo('second'))), track(broker.send(id, Echo('third')))];
    broker.trySend(id, Note('fourth'));
    expect(mailbox.size).toBe(3);

    broker.unregister(id);

    expect(mailbox.isStopped).toBe(true);
    expect(mailbox.size).toBe(0);
    for (const q of queued) {
      const error = await rejectionOf(q.promise);
      expect(isSendError(error, 'ActorStopped')).toBe(true);
      expect(error).toMatchObject({ actorId: id });
    }
    expect(inProgress.settled).toBe(false);
    gate.resolve('done');
    await expect(inProgress.promise).resolves.toBe('done');
    expect(handled).toEqual(['first']);
    expect(letters.map((l) => [l.message.payload, l.reason])).toEqual([
      ['second', 'ActorStopped'],
      ['third', 'ActorStopped'],
      ['fourth', 'ActorStopped'],
    ]);
  });

  it('throws NotFound the second time and changes nothing', async () => {
    const broker = makeBroker();
    const a = ActorId.from(1);
    const b = ActorId.from(2);
    broker.register(a, Mailbox.unbounded(echo));
    broker.register(b, Mailbox.unbounded(echo));
    broker.unregister(a);
    const error = thrown(() => broker.unregister(a));
    expect(isBrokerError(error, 'NotFound')).toBe(true);
    expect(error).toMatchObject({ kind: 'NotFound', actorId: a });
    expect(broker.actorIds()).toEqual([b]);
    await expect(broker.send(b, Echo('still here'))).resolves.toBe('still here');
  });

  it('throws NotFound for an id never registered', () => {
    const broker = makeBroker();
    expect(
      isBrokerError(
        thrown(() => broker.unregister(ActorId.from(77))),
        'NotFound',
      ),
    ).toBe(true);
  });

  it('throws ArgumentError for an invalid id', () => {
    const broker = makeBroker();
    expect(isArgumentError(thrown(() => broker.unregister(bad(-3))))).toBe(true);
    expect(isArgumentError(thrown(() => broker.isRegistered(bad('x'))))).toBe(true);
    expect(isArgumentError(thrown(() => broker.mailboxOf(bad(0.5))))).toBe(true);
  });

  it('lets the id be registered again with a new mailbox', async () => {
    const broker = makeBroker();
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded({ receive: () => 'old' }));
    broker.unregister(id);
    broker.register(id, Mailbox.unbounded({ receive: () => 'new' }));
    await expect(broker.send(id, Echo('x'))).resolves.toBe('new');
  });

  it('removes the actor from every topic it subscribed to', async () => {
    const broker = makeBroker();
    const id = ActorId.from(1);
    broker.register(id, Mailbox.unbounded(echo));
    broker.subscribe(id, 'news.>');
    broker.unregister(id);
    expect(broker.subscriptionsOf(id)).toEqual([]);
    await expect(broker.publish('news.today', Echo('x'))).resolves.toEqual([]);
  });
});
