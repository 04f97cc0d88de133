import { selectActors } from '../broker/internal/select-actors.js';
import { Kvm, type KV, type KvWatchEntry } from '@nats-io/kv';
import {
  connect,
  RequestError,
  TimeoutError,
  type Msg,
  type NatsConnection,
  type QueuedIterator,
  type Subscription,
} from '@nats-io/transport-node';
import { defer, from, merge, mergeMap, Subject, type Observable } from 'rxjs';
import { assertActorId, isValidId, type ActorId } from '../actor/actor-id.js';
import type { BroadcastResult } from '../broker/broadcast-result.js';
import type { BrokerMetrics } from '../broker/broker-metrics.js';
import {
  DeadLetterReporter,
  type DeadLetterLogger,
} from '../broker/internal/dead-letter-reporter.js';
import type {
  MessageBroker,
  RoutedSendOptions,
  SendOptions,
  TrySendOptions,
} from '../broker/message-broker.js';
import type { RoutingKey } from '../broker/routing-key.js';
import type { DeadLetter } from '../dead-letter/dead-letter.js';
import type { DeadLetterQueue } from '../dead-letter/dead-letter-queue.js';
import { ArgumentError } from '../errors/argument-error.js';
import { BrokerError } from '../errors/broker-error.js';
import { isSendError, SendError, type SendErrorKind } from '../errors/send-error.js';
import { Mailbox } from '../mailbox/mailbox.js';
import { assertMessage, type AnyMessage, type Message } from '../message/message.js';
import { assertPriority, Priority } from '../message/priority.js';
import { CodecError } from './codec-error.js';
import { CodecRegistry } from './codec-registry.js';
import type { DirectoryChange } from './directory-change.js';
import type { NatsMessageBrokerOptions } from './nats-message-broker-options.js';
import type { TopicChange } from './topic-change.js';
import { NodeBroker, tapReporter } from './internal/node-broker.js';
import { deadLetterRecordOf } from './dead-letter-stream.js';
import { DiscardPolicy, jetstreamManager } from '@nats-io/jetstream';
import { encodeSubjectToken } from './internal/subject-token.js';
import { parseTopicKey, TOPIC_PREFIX, topicKey } from './internal/topic-key.js';
import { readConnectOptions } from './internal/read-connect-options.js';
import { checkTimeout, readPriority } from '../broker/internal/send-options.js';
import { parsePattern, parseTopic, TopicRouter } from '../broker/internal/topic-router.js';
import { fromWireError } from './internal/wire.js';
import {
  frameLength,
  FrameReader,
  OP_BROADCAST,
  OP_ERROR,
  OP_OK,
  OP_SEND,
} from './internal/frame.js';
import { Outbox } from './internal/outbox.js';
import { Presence } from './internal/presence.js';
import { FrameWriter } from './internal/frame-writer.js';
import { FrameReceiver } from './internal/frame-receiver.js';

interface TopicEntry {
  readonly actorId: ActorId;
  readonly pattern: string;
  /** The directory revision of its key: the cluster's subscription order (PENDING until written). */
  revision: number;
}

interface DirectoryEntry {
  readonly node: string;
  readonly revision: number;
}

/** The server's default max_payload, until the connection knows the server's. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
const KEY_PREFIX = 'a.';
/** The order of a subscription of this node whose key is not written yet: after every known one. */
const PENDING = Number.MAX_SAFE_INTEGER;
/** Topics whose round-robin turn is remembered; past this the turns start over. */
const TURNS_LIMIT = 4096;
const defaultLogger: DeadLetterLogger = (line) => console.warn(line);

/**
 * The message broker across processes and machines, on NATS. Each node (one broker, one
 * connection) listens on one subject and routes inside itself with an in-memory broker; a JetStream
 * KV bucket maps each actor id to its node, and `kv.create` makes every id unique in the cluster.
 * Each node keeps a copy of that directory through a KV watch.
 *
 * `send` is a NATS request (at most once), `trySend` a post that travels with the others of its turn
 * to the same node in one acknowledged batch, the broadcasts scatter to the nodes
 * of their targets and gather one result per target. Messages cross the wire only if their type is
 * registered with the node's {@link CodecRegistry}.
 *
 * @example
 * ```ts
 * import { NatsMessageBroker } from 'rxbroker/nats';
 * const broker = await NatsMessageBroker.connect({ servers: 'nats://127.0.0.1:4222', messages: [GetBalance] });
 * await broker.register(id, Mailbox.unbounded(account)); // unique in the whole cluster
 * const balance = await broker.send(id, GetBalance({ accountId: 123 })); // wherever the actor lives
 * await broker.close();
 * ```
 */
export class NatsMessageBroker implements MessageBroker {
  /**
   * Connects (or uses `options.connection`), opens the directory bucket (creating it if needed),
   * starts listening on this node's subject, and resolves once the directory copy has caught up.
   *
   * @throws ArgumentError for an invalid option; BrokerError `RoutingFailed` (the client's
   *   `PermissionViolationError` as `cause`) when the server does not let this node subscribe to
   *   its own subject; the client's error when it cannot connect
   */
  static async connect(options: NatsMessageBrokerOptions = {}): Promise<NatsMessageBroker> {
    const { nodeId, prefix, bucket, presenceBucket, heartbeat, ttl, deadLetterStream } =
      readConnectOptions(options);
    const codecs = new CodecRegistry(options.codec ?? 'msgpack');
    codecs.register(...(options.messages ?? []));
    const owned = options.connection === undefined;
    const nc =
      options.connection ??
      (await connect({
        ...options.connectionOptions,
        ...(options.servers === undefined ? {} : { servers: options.servers }),
      }));
    try {
      const kvm = new Kvm(nc);
      const kv = await kvm.create(bucket, { history: 1 });
      const presence = await kvm.create(presenceBucket, { history: 1, ttl });
      const broker = new NatsMessageBroker(nc, owned, kv, nodeId, prefix, codecs, options);
      broker._presence = new Presence(presence, nodeId, heartbeat, ttl, (what, error) =>
        broker._reporter._diagnose(what, error),
      );
      if (deadLetterStream !== null) await broker._startDeadLetterStream(deadLetterStream);
      await broker._start();
      return broker;
    } catch (error) {
      if (owned) await nc.close();
      throw error;
    }
  }

  /** This node's name. */
  readonly nodeId: string;
  /** The subject this node listens on. */
  readonly subject: string;
  /** The message types allowed to cross the wire, and the codec that carries them. */
  readonly codecs: CodecRegistry;
  /**
   * Every dead letter of this node, as it happens. Completes after `shutdown()`, once the
   * fire-and-forget messages this node had sent are acknowledged or dead letters (before `close()`
   * resolves).
   */
  readonly deadLetters$: Observable<DeadLetter>;

  /**
   * Every change of this node's directory copy, as it happens (hot; completes on `shutdown()`): to
   * wait until this node knows of an actor registered elsewhere.
   */
  readonly directoryChanges$: Observable<DirectoryChange>;

  /**
   * Every change of this node's copy of the cluster's topic subscriptions (hot; completes on
   * `shutdown()`): to wait until this node knows of a subscription made on another node.
   */
  readonly topicChanges$: Observable<TopicChange>;

  private readonly _changes = new Subject<DirectoryChange>();
  private readonly _topicChanges = new Subject<TopicChange>();
  /** The cluster's subscriptions as far as this node knows, by directory key. */
  private readonly _topics = new Map<string, TopicEntry>();
  /** Built from `_topics` in subscription order when needed; null once they changed. */
  private _router: TopicRouter | null = null;
  /** Whose turn it is per topic for `sendWithRouting`; starts over when the subscriptions change. */
  private readonly _turns = new Map<string, number>();
  private readonly _local: NodeBroker;
  private readonly _reporter: DeadLetterReporter;
  private readonly _directory = new Map<ActorId, DirectoryEntry>();
  /** The highest directory revision seen per id, so that a late watch event cannot undo a newer one. */
  private readonly _revisions = new Map<ActorId, number>();
  private readonly _pending = new Set<ActorId>();
  private readonly _defaultTimeout: number;
  private readonly _prefix: string;
  private _subscription: Subscription | null = null;
  private _watcher: QueuedIterator<KvWatchEntry> | null = null;
  private _presence: Presence | null = null;
  /** Ids of this node's actors being taken back into the directory (see `_reclaim`). */
  private readonly _reclaiming = new Set<ActorId>();
  private _closed: Promise<void> | null = null;
  /** Where this node publishes its dead letters; null when it does not. */
  private _deadSubject: string | null = null;
  private _isShutdown = false;
  /**
   * Fire-and-forget messages to other nodes, batched per node and microtask, each batch a request
   * that the node acknowledges on arrival; an unacknowledged batch makes dead letters here
   * (`Timeout` after the default timeout, `ActorNotFound` when nobody listens on a node taken for
   * dead, else `ActorStopped`).
   */
  private readonly _outbox = new Outbox(
    (node, data) => this._request(node, data, this._defaultTimeout),
    (ids, messages, error) => {
      for (let i = 0; i < ids.length; i++)
        this._transportFailure(
          error,
          ids[i] as ActorId,
          messages[i] as AnyMessage,
          this._defaultTimeout,
        );
    },
  );
  /** Reads the reply frames this node gets (one reader, no object per reply). */
  private readonly _reader = new FrameReader();
  /** Lays out the frames this node sends. */
  private readonly _writer: FrameWriter;
  /** Takes the frames that arrive on this node's subject. */
  private readonly _receiver: FrameReceiver;
  /** The subject of each node sent to. */
  private readonly _subjects = new Map<string, string>();

  private constructor(
    /** The NATS connection. */
    readonly connection: NatsConnection,
    private readonly _owned: boolean,
    private readonly _kv: KV,
    nodeId: string,
    prefix: string,
    codecs: CodecRegistry,
    options: NatsMessageBrokerOptions,
  ) {
    this.nodeId = nodeId;
    this._prefix = prefix;
    this.subject = `${prefix}.node.${encodeSubjectToken(nodeId)}`;
    this.codecs = codecs;
    this._writer = new FrameWriter(codecs);
    const logger = options.logger === undefined ? defaultLogger : options.logger;
    this._local = new NodeBroker(
      {
        logger,
        ...(options.defaultTimeout === undefined ? {} : { defaultTimeout: options.defaultTimeout }),
        ...(options.deadLetterLogLimit === undefined
          ? {}
          : { deadLetterLogLimit: options.deadLetterLogLimit }),
      },
      this,
    );
    this._defaultTimeout = options.defaultTimeout ?? 5000;
    this._reporter = new DeadLetterReporter(logger, {
      count: options.deadLetterLogLimit?.count ?? 10,
      interval: options.deadLetterLogLimit?.interval ?? 10_000,
    });
    this.directoryChanges$ = this._changes.asObservable();
    this.topicChanges$ = this._topicChanges.asObservable();
    this.deadLetters$ = merge(this._local.deadLetters$, this._reporter.subject.asObservable());
    const nc = this.connection;
    this._receiver = new FrameReceiver({
      nodeId,
      codecs,
      local: this._local,
      reporter: this._reporter,
      writer: this._writer,
      defaultTimeout: this._defaultTimeout,
      maxPayload: () => nc.info?.max_payload,
    });
  }

  /** The subject prefix given at `connect`. */
  get prefix(): string {
    return this._prefix;
  }

  /** Attaches a dead-letter queue, which then keeps every dead letter of this node. */
  withDeadLetterQueue(queue: DeadLetterQueue): this {
    this._local.withDeadLetterQueue(queue);
    this._reporter.queue = queue;
    return this;
  }

  // ---- registration ------------------------------------------------------------------------

  /**
   * Registers `mailbox` under `actorId` on this node, once the directory has taken the id: an id
   * registered anywhere in the cluster is refused.
   *
   * @returns a Promise that rejects with BrokerError `AlreadyRegistered` (the id is taken on any
   *   node), `RoutingFailed` (after shutdown, or the directory could not be written), or ArgumentError
   */
  async register(actorId: ActorId, mailbox: Mailbox): Promise<void> {
    assertActorId(actorId);
    if (!(mailbox instanceof Mailbox)) throw new ArgumentError('mailbox', 'a Mailbox', mailbox);
    if (this._isShutdown)
      throw new BrokerError('RoutingFailed', { actorId, reason: 'the broker is shut down' });
    if (this._local.isRegistered(actorId) || this._pending.has(actorId))
      throw new BrokerError('AlreadyRegistered', { actorId });
    this._pending.add(actorId);
    const key = KEY_PREFIX + actorId;
    let revision: number;
    try {
      revision = await this._kv.create(key, this.nodeId);
    } catch (cause) {
      this._pending.delete(actorId);
      const entry = await this._kv.get(key).catch(() => null);
      if (entry !== null && entry.operation === 'PUT')
        throw new BrokerError('AlreadyRegistered', { actorId });
      throw new BrokerError(
        'RoutingFailed',
        { actorId, reason: 'the directory could not be written' },
        { cause },
      );
    }
    this._pending.delete(actorId);
    try {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time, for JavaScript callers
      if (this._isShutdown)
        throw new BrokerError('RoutingFailed', { actorId, reason: 'the broker is shut down' });
      this._local.register(actorId, mailbox);
    } catch (error) {
      await this._kv.delete(key).catch(() => undefined);
      throw error;
    }
    this._learn(actorId, this.nodeId, revision);
  }

  /**
   * Removes an actor of this node: its queued messages fail with `ActorStopped`, and its id leaves
   * the directory (and may then be registered again, on any node).
   *
   * @returns a Promise that rejects with BrokerError `NotFound` when no actor of this node has the id
   */
  async unregister(actorId: ActorId): Promise<void> {
    assertActorId(actorId);
    if (!this._local.isRegistered(actorId)) throw new BrokerError('NotFound', { actorId });
    this._local.unregister(actorId);
    this._dropTopics(actorId, true);
    if (this._directory.delete(actorId)) this._changes.next({ actorId, node: undefined });
    try {
      await this._kv.delete(KEY_PREFIX + actorId);
    } catch (error) {
      this._reporter._diagnose(
        `rxbroker: could not remove actor ${actorId} from the directory`,
        error,
      );
    }
  }

  /** True when the directory copy (or this node) knows an actor under `actorId`. */
  isRegistered(actorId: ActorId): boolean {
    assertActorId(actorId);
    return this._directory.has(actorId) || this._local.isRegistered(actorId);
  }

  /** The number of actors in the directory copy: the whole cluster's, as far as this node knows. */
  registeredCount(): number {
    return this._directory.size;
  }

  /** A snapshot of the directory copy's ids, in cluster registration order. */
  actorIds(): ActorId[] {
    return this._sorted().map(([id]) => id);
  }

  /** The ids registered on this node, in registration order. */
  localActorIds(): ActorId[] {
    return this._local.actorIds();
  }

  /** The node an actor lives on, as far as the directory copy knows. */
  nodeOf(actorId: ActorId): string | undefined {
    assertActorId(actorId);
    return this._directory.get(actorId)?.node;
  }

  /** The mailbox of an actor of this node. */
  mailboxOf(actorId: ActorId): Mailbox | undefined {
    return this._local.mailboxOf(actorId);
  }

  /** This node's counters (its local routing), with `registeredActors` counting the whole directory copy. */
  metrics(): BrokerMetrics {
    return { ...this._local.metrics(), registeredActors: this.registeredCount() };
  }

  // ---- sending -------------------------------------------------------------------------------

  /**
   * Sends `message` to the actor wherever it lives and resolves with its handler's result. Across
   * nodes this is a NATS request: no node listening fails at once with `ActorNotFound` when that
   * node's presence has lapsed, and is asked again until the timeout while it is fresh (the node is
   * reconnecting); no answer
   * within the timeout fails with `Timeout`; a request the server's permissions refuse fails at once
   * with `ActorStopped` (the client's `PermissionViolationError` as `cause`) and is a dead letter.
   * Rejects with CodecError `UnknownMessageType` when the message must cross the wire and its type
   * is not registered.
   */
  async send<R>(actorId: ActorId, message: Message<unknown, R>, options?: SendOptions): Promise<R> {
    const { priority, timeout } = this._readOptions(options);
    if (!isValidId(actorId))
      throw new ArgumentError('actor id', 'an ActorId (a safe integer >= 0)', actorId);
    assertMessage(message);
    if (this._local.isRegistered(actorId) || this._isShutdown)
      return this._local.send(actorId, message, { priority, timeout });
    const node = this._directory.get(actorId)?.node ?? (await this._lookup(actorId));
    if (node === undefined || node === this.nodeId)
      return this._local.send(actorId, message, { priority, timeout });
    const body = this.codecs._encodePayload(message);
    const frame = this._writer.write(OP_SEND, message.type, priority, timeout, actorId, body);
    this._assertFits(frame.length, [actorId], message);
    let reply: Msg;
    try {
      this._outbox.flush(node); // earlier posts to the node go first
      reply = await this._request(node, frame, timeout);
    } catch (error) {
      throw this._transportFailure(error, actorId, message, timeout);
    }
    const { ok, value } = this._readReply(reply, message.type);
    if (!ok) throw fromWireError(value, actorId, message.type);
    return value as R;
  }

  /** `send` at `priority`. */
  sendWithPriority<R>(
    actorId: ActorId,
    message: Message<unknown, R>,
    priority: Priority,
  ): Promise<R> {
    return this.send(actorId, message, { priority });
  }

  /**
   * Fire-and-forget, for messages whose result is `void`. To an actor of another node, the message
   * joins the batch of this turn for that node, sent in the next microtask as one NATS request that
   * the node acknowledges on arrival. A failure there (no such actor, a full mailbox, a failing
   * handler) is a dead letter of that node; a batch that is not acknowledged within the default
   * timeout (the server dropped it, the node is gone) makes each of its messages a dead letter here.
   *
   * @throws SendError `ActorNotFound` when the directory copy knows no such actor, `ActorStopped`
   *   after shutdown or on a closed connection; CodecError for an unregistered type or
   *   `PayloadTooLarge`; ArgumentError for bad input
   */
  trySend(actorId: ActorId, message: Message<unknown, void>, options?: TrySendOptions): void {
    assertActorId(actorId);
    assertMessage(message);
    const priority = options === undefined ? Priority.Normal : readPriority(options);
    const node = this._directory.get(actorId)?.node;
    if (
      this._isShutdown ||
      this._local.isRegistered(actorId) ||
      node === undefined ||
      node === this.nodeId
    ) {
      this._local.trySend(actorId, message, { priority });
      return;
    }
    const body = this.codecs._encodePayload(message);
    const codec = this._writer.ascii(this.codecs.codec.name);
    const type = this._writer.ascii(message.type);
    this._assertFits(frameLength(codec, type, body), [actorId], message);
    if (this.connection.isClosed()) {
      const error = new SendError(
        'ActorStopped',
        { actorId, messageType: message.type },
        { cause: new Error('the NATS connection is closed') },
      );
      this._deadLetter(actorId, message, error);
      throw error;
    }
    const limit = this.connection.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
    this._outbox.post(node, limit, actorId, message, priority, codec, type, body);
  }

  /** Cold: sends when subscribed. Unsubscribing does not withdraw a message already sent to another node. */
  send$<R>(actorId: ActorId, message: Message<unknown, R>, options?: SendOptions): Observable<R> {
    return defer(() => this.send(actorId, message, options));
  }

  /**
   * Sends to every actor of the directory copy: one request per node holding targets, each node
   * answering for its own actors. A node that does not answer in time gives `Timeout` for each of its
   * targets, one that is gone `ActorNotFound`. Results in cluster registration order.
   */
  broadcast<R>(message: Message<unknown, R>, options?: SendOptions): Promise<BroadcastResult<R>[]> {
    return this._broadcast(message, options, () => this.actorIds());
  }

  /** `broadcast` to the ids of the directory copy that pass `filter` (run synchronously, before sending). */
  broadcastFilter<R>(
    message: Message<unknown, R>,
    filter: (actorId: ActorId) => boolean,
    options?: SendOptions,
  ): Promise<BroadcastResult<R>[]> {
    return this._broadcast(message, options, () => this._select(filter));
  }

  /** Cold twin of `broadcast`. This first version emits every result once all have settled. */
  broadcast$<R>(
    message: Message<unknown, R>,
    options?: SendOptions,
  ): Observable<BroadcastResult<R>> {
    return defer(() => this.broadcast(message, options)).pipe(mergeMap((results) => from(results)));
  }

  /** Cold twin of `broadcastFilter`. This first version emits every result once all have settled. */
  broadcastFilter$<R>(
    message: Message<unknown, R>,
    filter: (actorId: ActorId) => boolean,
    options?: SendOptions,
  ): Observable<BroadcastResult<R>> {
    return defer(() => this.broadcastFilter(message, filter, options)).pipe(
      mergeMap((results) => from(results)),
    );
  }

  // ---- topics: cluster-wide ------------------------------------------------------------------

  /**
   * Subscribes an actor of this node to a topic pattern (`.`-separated tokens, `*` for one token,
   * `>` last for one or more), for publishers on every node: this node knows it at once, the others
   * once the directory has it (see {@link topicChanges$}). Subscribing twice changes nothing.
   *
   * @throws BrokerError `NotFound` when no actor of this node has the id; ArgumentError for an
   *   invalid pattern
   */
  subscribe(actorId: ActorId, pattern: string): void {
    assertActorId(actorId);
    if (!this._local.isRegistered(actorId)) throw new BrokerError('NotFound', { actorId });
    parsePattern(pattern);
    const key = topicKey(actorId, pattern);
    if (this._topics.has(key)) return;
    const entry: TopicEntry = { actorId, pattern, revision: PENDING };
    this._setTopic(key, entry);
    this._kv.put(key, this.nodeId).then(
      (revision) => {
        if (this._topics.get(key) === entry && entry.revision > revision) {
          entry.revision = revision;
          this._router = null;
        }
      },
      (error: unknown) =>
        this._reporter._diagnose(
          `rxbroker: could not write the subscription of actor ${actorId} to '${pattern}'`,
          error,
        ),
    );
  }

  /**
   * Removes a subscription (of an actor on any node) here and from the directory; false when this
   * node knows of none.
   *
   * @throws ArgumentError for an invalid pattern
   */
  unsubscribe(actorId: ActorId, pattern: string): boolean {
    assertActorId(actorId);
    parsePattern(pattern);
    const key = topicKey(actorId, pattern);
    const entry = this._topics.get(key);
    if (entry === undefined) return false;
    this._deleteTopic(key, entry, true);
    return true;
  }

  /** The patterns an actor (of any node) is subscribed to, in the cluster's subscription order. */
  subscriptionsOf(actorId: ActorId): string[] {
    assertActorId(actorId);
    return this._sortedTopics()
      .filter((entry) => entry.actorId === actorId)
      .map((entry) => entry.pattern);
  }

  /**
   * Sends to every subscriber of `topic` on every node: one result each, in the cluster's order of
   * subscription (`[]` when none), through the same scatter-gather as `broadcast`.
   */
  publish<R>(
    topic: string,
    message: Message<unknown, R>,
    options?: SendOptions,
  ): Promise<BroadcastResult<R>[]> {
    return this._broadcast(message, options, () =>
      this._routes()
        .match(topic)
        .filter((id) => this._isLive(id)),
    );
  }

  /** Cold twin of `publish`. This first version emits every result once all have settled. */
  publish$<R>(
    topic: string,
    message: Message<unknown, R>,
    options?: SendOptions,
  ): Observable<BroadcastResult<R>> {
    return defer(() => this.publish(topic, message, options)).pipe(
      mergeMap((results) => from(results)),
    );
  }

  /**
   * Sends to one subscriber of the key's topic, on any node, taking turns among them (as `send`).
   * With no subscriber it rejects with BrokerError `RoutingFailed` and the message becomes a dead
   * letter.
   */
  async sendWithRouting<R>(
    routingKey: RoutingKey,
    message: Message<unknown, R>,
    options?: RoutedSendOptions,
  ): Promise<R> {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time, for JavaScript callers
    if (typeof routingKey !== 'object' || routingKey === null)
      throw new ArgumentError('routingKey', '{ topic, priority? }', routingKey);
    const { timeout } = this._readOptions(options);
    // Each field read once: a getter that changes its answer cannot pass one check and fail the next.
    const topic = routingKey.topic;
    const priority = routingKey.priority ?? Priority.Normal;
    parseTopic(topic);
    assertPriority(priority);
    assertMessage(message);
    const actorId = this._pick(topic);
    if (actorId === undefined) {
      const error = new BrokerError('RoutingFailed', {
        topic,
        reason: 'no actor subscribes to this topic',
      });
      this._reporter._report({
        actorId: undefined,
        topic,
        message,
        reason: 'RoutingFailed',
        error,
        at: Date.now(),
      });
      throw error;
    }
    return this.send(actorId, message, { priority, timeout });
  }

  /** Cold twin of `sendWithRouting`: picks the subscriber and sends when subscribed. */
  sendWithRouting$<R>(
    routingKey: RoutingKey,
    message: Message<unknown, R>,
    options?: RoutedSendOptions,
  ): Observable<R> {
    return defer(() => this.sendWithRouting(routingKey, message, options));
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /**
   * Stops this node: its actors stop, it stops listening, and its actors leave the directory (in
   * the background; await {@link close} to know when that is done). A second call does nothing.
   */
  shutdown(): void {
    if (this._isShutdown) return;
    this._outbox.flushAll(); // what was sent before shutdown still goes
    this._isShutdown = true;
    const mine = this._local.actorIds();
    this._local.shutdown();
    this._subscription?.unsubscribe();
    this._watcher?.stop();
    this._presence?.stop();
    for (const id of mine) this._directory.delete(id);
    const topicKeys = Array.from(this._topics)
      .filter(([, entry]) => mine.includes(entry.actorId))
      .map(([key]) => key);
    this._changes.complete();
    this._topicChanges.complete();
    this._closed = (async () => {
      await Promise.allSettled([
        ...mine.map((id) => this._kv.delete(KEY_PREFIX + id)),
        ...topicKeys.map((key) => this._kv.delete(key)),
        this._presence?.leave(),
        this._outbox.settled(), // the posts sent before shutdown are acknowledged or dead letters
      ]);
      this._reporter.subject.complete(); // after those dead letters
      if (this._owned) await this.connection.drain();
    })().catch((error: unknown) => this._reporter._diagnose('rxbroker: closing failed', error));
  }

  /** `shutdown()`, then resolves once this node's actors have left the directory and the connection (if the broker made it) is closed. */
  close(): Promise<void> {
    this.shutdown();
    return this._closed as Promise<void>;
  }

  // ---- internals -----------------------------------------------------------------------------

  /**
   * Makes sure the dead-letter stream exists (creating it when missing; a node not allowed to
   * manage streams still publishes, for a stream an operator made), then publishes every dead
   * letter of this node to `<prefix>.dead.<nodeId>`.
   */
  private async _startDeadLetterStream(name: string): Promise<void> {
    const subjects = [`${this._prefix}.dead.>`];
    try {
      const jsm = await jetstreamManager(this.connection);
      try {
        await jsm.streams.info(name);
      } catch {
        await jsm.streams.add({ name, subjects, max_msgs: 100_000, discard: DiscardPolicy.Old });
      }
    } catch (error) {
      this._reporter._diagnose(`rxbroker: the dead-letter stream ${name} is not available`, error);
    }
    this._deadSubject = `${this._prefix}.dead.${encodeSubjectToken(this.nodeId)}`;
    const tap = (letter: DeadLetter): void => this._publishDeadLetter(letter);
    tapReporter(this._reporter, tap);
    this._local._tapDeadLetters(tap);
  }

  /** Publishes one dead letter (fire and forget); never throws. */
  private _publishDeadLetter(letter: DeadLetter): void {
    const subject = this._deadSubject;
    if (subject === null || this.connection.isClosed() || this.connection.isDraining()) return;
    try {
      const { headers, body } = deadLetterRecordOf(
        letter,
        this.codecs,
        this.nodeId,
        this.connection.info?.max_payload,
      );
      this.connection.publish(subject, body, { headers });
    } catch (error) {
      this._reporter._diagnose('rxbroker: could not publish a dead letter', error);
    }
  }

  private async _start(): Promise<void> {
    const refusal: { error: Error | null } = { error: null };
    this._subscription = this.connection.subscribe(this.subject, {
      callback: (error, msg) => {
        if (error === null) this._receiver.receive(msg);
        else if (refusal.error === null) {
          refusal.error = error;
          this._reporter._diagnose(`rxbroker: lost the subscription to ${this.subject}`, error);
        }
      },
    });
    // The server answers a refused subscription (a permissions violation) before this PONG.
    await this.connection.flush();
    if (refusal.error !== null) {
      throw new BrokerError(
        'RoutingFailed',
        { reason: `this node may not subscribe to its subject ${this.subject}` },
        { cause: refusal.error },
      );
    }
    let resolveSynced!: () => void;
    const synced = new Promise<void>((resolve) => (resolveSynced = resolve));
    const status = await this._kv.status();
    if (status.values === 0) resolveSynced();
    const watcher = await this._kv.watch({ key: '>' });
    this._watcher = watcher;
    void (async () => {
      for await (const entry of watcher) {
        if (entry.key.startsWith(TOPIC_PREFIX)) this._applyTopic(entry);
        else if (entry.key.startsWith(KEY_PREFIX)) this._apply(entry);
        if (entry.delta === 0) resolveSynced();
      }
    })().catch((error: unknown) =>
      this._reporter._diagnose('rxbroker: the directory watch failed', error),
    );
    void (async () => {
      // Back from a disconnection, this node's news of the other nodes is stale (see `_expire`).
      for await (const status of this.connection.status()) {
        if (this._isShutdown) break;
        if (status.type === 'reconnect') this._presence?.resumed();
      }
    })().catch(() => undefined);
    await (this._presence as Presence).start(() => this._expire());
    await this.connection.flush();
    await synced;
  }

  /**
   * Forgets the actors of every other node silent for the presence TTL (see `Presence.isSilent`),
   * here and in the directory. Its keys are purged, not deleted: the node, if it was only paused,
   * tells that removal from an `unsubscribe` and takes its actors back (`_reclaim`).
   */
  private _expire(): void {
    const presence = this._presence as Presence;
    for (const [id, entry] of this._sorted()) {
      if (entry.node === this.nodeId || !presence.isSilent(entry.node)) continue;
      this._dropTopics(id, 'purge');
      this._directory.delete(id);
      this._changes.next({ actorId: id, node: undefined });
      // Only the entry seen (its revision), so that an id registered again meanwhile stays.
      void this._kv.purge(KEY_PREFIX + id, { previousSeq: entry.revision }).catch(() => undefined);
    }
  }

  /**
   * An actor of this node left the directory without this node unregistering it: the others took
   * this node for dead (it was paused or cut off past the presence TTL). It takes the id back, and
   * writes its subscriptions again; if another node has registered the id meanwhile, that one keeps
   * it, and the actor here is unregistered (its queued messages fail with `ActorStopped`).
   */
  private _reclaim(actorId: ActorId): void {
    if (this._reclaiming.has(actorId)) return;
    this._reclaiming.add(actorId);
    const key = KEY_PREFIX + actorId;
    const stillHere = (): boolean => this._local.isRegistered(actorId) && !this._isShutdown;
    this._kv
      .create(key, this.nodeId)
      .then(
        async (revision) => {
          if (!stillHere()) {
            await this._kv.delete(key, { previousSeq: revision }).catch(() => undefined);
            return;
          }
          this._learn(actorId, this.nodeId, revision);
          for (const [topic, entry] of this._topics) {
            if (entry.actorId !== actorId) continue;
            const written = await this._kv.put(topic, this.nodeId);
            if (this._topics.get(topic) === entry) {
              entry.revision = written;
              this._router = null;
            }
          }
        },
        async (cause: unknown) => {
          const entry = await this._kv.get(key).catch(() => null);
          if (!stillHere()) return;
          if (entry?.operation === 'PUT' && entry.string() !== this.nodeId) {
            this._local.unregister(actorId);
            this._dropTopics(actorId, false);
            this._reporter._diagnose(
              `rxbroker: actor ${actorId} was registered on node ${entry.string()} while this node was taken for dead; it is unregistered here`,
              cause,
            );
          } else throw cause;
        },
      )
      .catch((error: unknown) =>
        this._reporter._diagnose(`rxbroker: could not take actor ${actorId} back`, error),
      )
      .finally(() => this._reclaiming.delete(actorId));
  }

  /** Applies a directory change seen by the watch, unless something newer is known for the id. */
  private _apply(entry: KvWatchEntry): void {
    const id = Number(entry.key.slice(KEY_PREFIX.length));
    if (!isValidId(id) || (this._revisions.get(id) ?? 0) >= entry.revision) return;
    this._revisions.set(id, entry.revision);
    if (entry.operation === 'PUT') {
      const node = entry.string();
      this._directory.set(id, { node, revision: entry.revision });
      this._changes.next({ actorId: id, node });
    } else if (this._local.isRegistered(id) && !this._isShutdown) {
      this._reclaim(id); // still here: the others took this node for dead
    } else {
      this._dropTopics(id, false);
      if (this._directory.delete(id)) this._changes.next({ actorId: id, node: undefined });
    }
  }

  private _learn(actorId: ActorId, node: string, revision: number): void {
    if ((this._revisions.get(actorId) ?? 0) >= revision) return;
    this._revisions.set(actorId, revision);
    this._directory.set(actorId, { node, revision });
    this._changes.next({ actorId, node });
  }

  /** Applies a subscription change seen by the watch; this node's own actors' are known already. */
  private _applyTopic(entry: KvWatchEntry): void {
    const parsed = parseTopicKey(entry.key);
    if (parsed === undefined) return;
    const known = this._topics.get(entry.key);
    const node = this._directory.get(parsed.actorId)?.node;
    if (this._local.isRegistered(parsed.actorId) || node === this.nodeId) {
      // This node's actors subscribe here; the watch brings the order of their writes, and the
      // removals made by other nodes (newer than the write this node knows of; a removal while a
      // write of this node is pending is older than that write).
      if (known === undefined) return;
      if (entry.operation === 'PUT') {
        if (known.revision > entry.revision) {
          known.revision = entry.revision;
          this._router = null;
        }
      } else if (
        entry.operation === 'DEL' && // a purge is an expiry: the subscription is written again
        known.revision !== PENDING &&
        known.revision < entry.revision
      ) {
        this._deleteTopic(entry.key, known, false);
      }
      return;
    }
    if (entry.operation === 'PUT') {
      // An actor the directory copy does not know (any more) subscribes to nothing: a late write.
      if (known !== undefined || node === undefined) return;
      this._setTopic(entry.key, { ...parsed, revision: entry.revision });
    } else if (known !== undefined && known.revision < entry.revision) {
      this._deleteTopic(entry.key, known, false);
    }
  }

  private _setTopic(key: string, entry: TopicEntry): void {
    this._topics.set(key, entry);
    this._router = null;
    this._turns.clear();
    this._topicChanges.next({ actorId: entry.actorId, pattern: entry.pattern, subscribed: true });
  }

  /**
   * Forgets a subscription; with `write`, removes it from the directory too (best effort):
   * `'purge'` when its node is taken for dead, so that the node can tell.
   */
  private _deleteTopic(key: string, entry: TopicEntry, write: boolean | 'purge'): void {
    this._topics.delete(key);
    this._router = null;
    this._turns.clear();
    this._topicChanges.next({ actorId: entry.actorId, pattern: entry.pattern, subscribed: false });
    if (!write) return;
    // A known revision: only the entry seen, so that a subscription made again meanwhile stays.
    const options = entry.revision === PENDING ? undefined : { previousSeq: entry.revision };
    const removed =
      write === 'purge' ? this._kv.purge(key, options) : this._kv.delete(key, options);
    removed.catch((error: unknown) => {
      if (options === undefined)
        this._reporter._diagnose(
          `rxbroker: could not remove the subscription of actor ${entry.actorId} to '${entry.pattern}'`,
          error,
        );
    });
  }

  /** Forgets every subscription of an actor (and, with `write`, removes them from the directory). */
  private _dropTopics(actorId: ActorId, write: boolean | 'purge'): void {
    for (const [key, entry] of Array.from(this._topics)) {
      if (entry.actorId === actorId) this._deleteTopic(key, entry, write);
    }
  }

  private _sortedTopics(): TopicEntry[] {
    return Array.from(this._topics.values()).sort((a, b) => a.revision - b.revision);
  }

  /** The router of the subscriptions known now, in the cluster's subscription order. */
  private _routes(): TopicRouter {
    if (this._router === null) {
      const router = new TopicRouter();
      for (const entry of this._sortedTopics()) router.subscribe(entry.actorId, entry.pattern);
      this._router = router;
    }
    return this._router;
  }

  /** An actor that can receive: of this node, or in the directory copy. */
  private _isLive(actorId: ActorId): boolean {
    return this._local.isRegistered(actorId) || this._directory.has(actorId);
  }

  /** The live subscriber of `topic` whose turn it is (round-robin); undefined when there is none. */
  private _pick(topic: string): ActorId | undefined {
    const ids = this._routes()
      .match(topic)
      .filter((id) => this._isLive(id));
    if (ids.length === 0) return undefined;
    const turn = (this._turns.get(topic) ?? 0) % ids.length;
    if (this._turns.size >= TURNS_LIMIT) this._turns.clear();
    this._turns.set(topic, turn + 1);
    return ids[turn];
  }

  /** Asks the directory itself about an id the copy does not know (yet). */
  private async _lookup(actorId: ActorId): Promise<string | undefined> {
    const entry = await this._kv.get(KEY_PREFIX + actorId).catch(() => null);
    if (entry === null || entry.operation !== 'PUT') return undefined;
    const node = entry.string();
    this._learn(actorId, node, entry.revision);
    return node;
  }

  private _sorted(): [ActorId, DirectoryEntry][] {
    return Array.from(this._directory).sort((a, b) => a[1].revision - b[1].revision);
  }

  private _subjectOf(node: string): string {
    let subject = this._subjects.get(node);
    if (subject === undefined) {
      subject = `${this._prefix}.node.${encodeSubjectToken(node)}`;
      this._subjects.set(node, subject);
    }
    return subject;
  }

  /**
   * A NATS request to `node`, answered within `timeout` ms. When nobody listens on its subject but
   * its presence is fresh (it is reconnecting, or the server has just cut it), the request is made
   * again, after 25 ms, 50 ms... up to 1 s, until the timeout: it never reached anyone, so sending it
   * again keeps it at most once. Out of time, it fails as a timeout.
   */
  private async _request(node: string, frame: Uint8Array, timeout: number): Promise<Msg> {
    const subject = this._subjectOf(node);
    const deadline = Date.now() + timeout;
    let pause = 25;
    for (;;) {
      try {
        return await this.connection.request(subject, frame, {
          timeout: Math.max(1, deadline - Date.now()),
        });
      } catch (error) {
        const noResponders = error instanceof RequestError && error.isNoResponders();
        if (!noResponders || this._isShutdown || !this._presumedAlive(node)) throw error;
        if (deadline - Date.now() <= pause) throw new TimeoutError({ cause: error });
        await new Promise<void>((resolve) => setTimeout(resolve, pause).unref());
        pause = Math.min(pause * 2, 1000);
      }
    }
  }

  /** True when `node`'s presence key was written within the presence TTL, as far as this node saw. */
  private _presumedAlive(node: string): boolean {
    return this._presence?.isFresh(node) === true;
  }

  /**
   * A reply frame: its value, and whether it is a result (OP_OK) or a wire error (OP_ERROR).
   * CodecError `InvalidPayload` for a reply that is no frame, or not a reply.
   */
  private _readReply(reply: Msg, messageType: string): { ok: boolean; value: unknown } {
    const reader = this._reader;
    if (!reader.read(reply.data) || (reader.op !== OP_OK && reader.op !== OP_ERROR))
      throw new CodecError('InvalidPayload', messageType);
    const ok = reader.op === OP_OK;
    return { ok, value: this.codecs._decode(reader.body, reader.codec, messageType) };
  }

  /** The SendError a sender gets when NATS itself fails a request; a dead letter too. */
  private _transportFailure(
    error: unknown,
    actorId: ActorId,
    message: AnyMessage,
    timeout: number,
  ): SendError {
    const info = { actorId, messageType: message.type };
    let kind: SendErrorKind = 'ActorStopped';
    if (error instanceof RequestError && error.isNoResponders()) kind = 'ActorNotFound';
    else if (
      error instanceof TimeoutError ||
      (error instanceof Error && error.cause instanceof TimeoutError)
    )
      kind = 'Timeout';
    // A refused publish: the client's PermissionViolationError itself is the cause.
    if (
      error instanceof RequestError &&
      error.cause instanceof Error &&
      error.cause.name === 'PermissionViolationError'
    )
      error = error.cause;
    const failure =
      kind === 'Timeout'
        ? new SendError(kind, { ...info, timeout }, { cause: error })
        : new SendError(kind, info, { cause: error });
    this._deadLetter(actorId, message, failure);
    return failure;
  }

  /**
   * Refuses, before anything is sent, what the server would refuse: a message whose headers and
   * body together exceed the server's `max_payload` (from the connection's server info). Throws
   * CodecError `PayloadTooLarge`; each target gets a dead letter (`RoutingFailed`, the CodecError
   * as its error's `cause`).
   */
  private _assertFits(size: number, targets: readonly ActorId[], message: AnyMessage): void {
    const limit = this.connection.info?.max_payload;
    if (limit === undefined || size <= limit) return;
    const error = new CodecError('PayloadTooLarge', message.type, { size, limit });
    for (const actorId of targets) {
      this._reporter._report({
        actorId,
        message,
        reason: 'RoutingFailed',
        error: new BrokerError(
          'RoutingFailed',
          { actorId, reason: error.message },
          { cause: error },
        ),
        at: Date.now(),
      });
    }
    throw error;
  }

  private _deadLetter(actorId: ActorId, message: AnyMessage, error: SendError): void {
    this._reporter._report({ actorId, message, reason: error.kind, error, at: Date.now() });
  }

  private async _broadcast<R>(
    message: Message<unknown, R>,
    options: SendOptions | undefined,
    targets: () => ActorId[],
  ): Promise<BroadcastResult<R>[]> {
    const { priority, timeout } = this._readOptions(options);
    assertMessage(message);
    const ids = targets();
    const byNode = new Map<string, ActorId[]>();
    for (const id of ids) {
      const node = this._directory.get(id)?.node ?? this.nodeId;
      const group = byNode.get(node);
      if (group === undefined) byNode.set(node, [id]);
      else group.push(id);
    }
    // Every request is encoded and checked before anything is sent: an unregistered type or an
    // oversized message rejects the whole broadcast, and no target gets it.
    const local: ActorId[] = [];
    const remote: { node: string; group: ActorId[]; frame: Uint8Array }[] = [];
    for (const [node, group] of byNode) {
      if (node === this.nodeId || this._isShutdown) {
        local.push(...group);
        continue;
      }
      const body = this.codecs._encode({ t: group, p: this._payloadOf(message) }, message.type);
      const frame = this._writer.write(OP_BROADCAST, message.type, priority, timeout, 0, body);
      remote.push({ node, group, frame });
    }
    for (const { group, frame } of remote) this._assertFits(frame.length, group, message);
    const results = new Map<ActorId, BroadcastResult<R>>();
    const asked: Promise<void>[] = remote.map(({ node, group, frame }) =>
      this._askNode(node, frame, group, message, timeout, results),
    );
    if (local.length > 0) {
      const members = new Set(local);
      asked.push(
        this._local
          .broadcastFilter(message, (id) => members.has(id), { priority, timeout })
          .then((answers) => {
            for (const result of answers) results.set(result.actorId, result);
          }),
      );
    }
    await Promise.all(asked);
    return ids.map(
      (id) =>
        results.get(id) ?? {
          actorId: id,
          ok: false,
          error: new SendError('ActorNotFound', { actorId: id, messageType: message.type }),
        },
    );
  }

  /** The payload of a message that may cross the wire; CodecError for an unregistered type. */
  private _payloadOf(message: AnyMessage): unknown {
    if (!this.codecs.has(message.type)) this.codecs._encodePayload(message); // throws UnknownMessageType
    return message.payload;
  }

  private async _askNode<R>(
    node: string,
    frame: Uint8Array,
    group: ActorId[],
    message: AnyMessage,
    timeout: number,
    results: Map<ActorId, BroadcastResult<R>>,
  ): Promise<void> {
    let answers: unknown;
    try {
      this._outbox.flush(node); // earlier posts to the node go first
      const reply = await this._request(node, frame, timeout);
      const { ok, value } = this._readReply(reply, message.type);
      answers = value;
      if (!ok) {
        for (const id of group) {
          results.set(id, {
            actorId: id,
            ok: false,
            error: asSendError(fromWireError(answers, id, message.type), id, message.type),
          });
        }
        return;
      }
    } catch (error) {
      for (const id of group) {
        results.set(id, {
          actorId: id,
          ok: false,
          error: this._transportFailure(error, id, message, timeout),
        });
      }
      return;
    }
    if (!Array.isArray(answers)) return;
    const expected = new Set(group);
    for (const answer of answers as unknown[]) {
      if (!Array.isArray(answer)) continue;
      const [id, ok, value] = answer as [unknown, unknown, unknown];
      if (!isValidId(id) || !expected.has(id)) continue;
      results.set(
        id,
        ok === 1
          ? { actorId: id, ok: true, value: value as R }
          : {
              actorId: id,
              ok: false,
              error: asSendError(fromWireError(value, id, message.type), id, message.type),
            },
      );
    }
  }

  /** The ids passing `filter`, from a snapshot; a filter that throws or answers a Promise sends nothing. */
  private _select(filter: (actorId: ActorId) => boolean): ActorId[] {
    if (typeof filter !== 'function')
      throw new ArgumentError('filter', 'a function (actorId) => boolean', filter);
    return selectActors(this.actorIds(), filter);
  }

  private _readOptions(options: SendOptions | undefined): { priority: Priority; timeout: number } {
    if (options === undefined) return { priority: Priority.Normal, timeout: this._defaultTimeout };
    const priority = readPriority(options);
    const timeout =
      options.timeout === undefined
        ? this._defaultTimeout
        : checkTimeout(options.timeout, 'timeout');
    return { priority, timeout };
  }
}

/** A broadcast result carries a SendError: any other error (a CodecError) becomes its cause. */
function asSendError(error: Error, actorId: ActorId, messageType: string): SendError {
  return isSendError(error)
    ? error
    : new SendError('HandlerFailed', { actorId, messageType }, { cause: error });
}
