import type { NatsConnection, NodeConnectionOptions } from '@nats-io/transport-node';
import type {
  DeadLetterLogger,
  DeadLetterLogLimit,
} from '../broker/internal/dead-letter-reporter.js';
import type { MessageDefinition } from '../message/message.js';
import type { Codec } from './codec-registry.js';

/**
 * Options of {@link NatsMessageBroker.connect}.
 *
 * @example
 * ```ts
 * import { NatsMessageBroker, type NatsMessageBrokerOptions } from 'rxbroker/nats';
 * const options: NatsMessageBrokerOptions = { servers: 'nats://127.0.0.1:4222', nodeId: 'billing-1', messages: [GetBalance] };
 * const broker = await NatsMessageBroker.connect(options);
 * ```
 */
export interface NatsMessageBrokerOptions {
  /** NATS server URLs (default: the client's default, `127.0.0.1:4222`). Ignored with `connection`. */
  readonly servers?: string | string[];
  /**
   * Passed to the client's `connect`: `user`/`pass`, `token`, `authenticator` (nkeys, JWT), `tls`,
   * reconnect settings... Ignored with `connection`.
   */
  readonly connectionOptions?: Partial<NodeConnectionOptions>;
  /** An open connection to use instead of making one; the broker then leaves it open on `close()`. */
  readonly connection?: NatsConnection;
  /** This node's name, unique in the cluster: letters, digits, `-`, `_` (default: a random NUID). */
  readonly nodeId?: string;
  /** The first tokens of every subject this broker uses (default `'rxbroker'`). */
  readonly prefix?: string;
  /** The JetStream KV bucket of the actor directory (default `'rxbroker_actors'`). */
  readonly bucket?: string;
  /**
   * The JetStream KV bucket of node presence (default: the directory bucket's name + `'_nodes'`).
   * Its `max_age` is `presenceTtl`; each node refreshes its key every `heartbeat`.
   */
  readonly presenceBucket?: string;
  /** Milliseconds between two presence refreshes of this node (default 5000). */
  readonly heartbeat?: number;
  /**
   * Milliseconds without a refresh after which a node counts as dead: its actors leave every
   * directory copy (and the directory), and become `ActorNotFound` (default 15 000; more than
   * `heartbeat`, and the same on every node of a cluster).
   */
  readonly presenceTtl?: number;
  /** The codec this node sends with: `'msgpack'` (default), `'json'`, or your own. */
  readonly codec?: 'msgpack' | 'json' | Codec;
  /** Message types allowed to cross the wire (more with `broker.codecs.register`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly messages?: readonly MessageDefinition<any, any>[];
  /** Milliseconds a `send` or broadcast waits unless told otherwise; default 5000. */
  readonly defaultTimeout?: number;
  /** Where dead letters go when nobody listens; default `console.warn`, `null` for nowhere. */
  readonly logger?: DeadLetterLogger | null;
  /** Rate limit of that logging; default 10 lines per 10 000 ms. */
  readonly deadLetterLogLimit?: Partial<DeadLetterLogLimit>;
  /**
   * The JetStream stream that keeps the dead letters of every node, capturing
   * `<prefix>.dead.>` (each node publishes its own on `<prefix>.dead.<nodeId>`; read them back
   * with {@link readDeadLetterRecord}). Default: the prefix with `.` as `_`, then
   * `'_DEAD_LETTERS'` (`'rxbroker_DEAD_LETTERS'`); created when missing (file storage, the newest
   * 100 000 records); `null` publishes no dead letters at all. Best effort: a stream that cannot
   * be created or a publish that fails is logged, never thrown into a send.
   */
  readonly deadLetterStream?: string | null;
}
