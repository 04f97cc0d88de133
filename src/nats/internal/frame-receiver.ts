import { isValidId, type ActorId } from '../../actor/actor-id.js';
import type { DeadLetterReporter } from '../../broker/internal/dead-letter-reporter.js';
import { BrokerError } from '../../errors/broker-error.js';
import { defineMessage, type AnyMessage, type Message } from '../../message/message.js';
import { Priority } from '../../message/priority.js';
import type { Msg } from '@nats-io/transport-node';
import { CodecError } from '../codec-error.js';
import type { CodecRegistry } from '../codec-registry.js';
import {
  FrameReader,
  isBatch,
  NO_BYTES,
  OP_BROADCAST,
  OP_ERROR,
  OP_OK,
  OP_POST,
  OP_SEND,
  readU32,
} from './frame.js';
import type { FrameWriter } from './frame-writer.js';
import { MAX_TIMEOUT } from '../../broker/internal/send-options.js';
import type { NodeBroker } from './node-broker.js';
import { describeError, toWireError, type WireError } from './wire.js';

/** What the receiving side needs of its node. */
export interface ReceiverHost {
  readonly nodeId: string;
  readonly codecs: CodecRegistry;
  /** The node's local routing. */
  readonly local: NodeBroker;
  readonly reporter: DeadLetterReporter;
  readonly writer: FrameWriter;
  /** For requests that carry no valid timeout. */
  readonly defaultTimeout: number;
  /** The server's max_payload, once known. */
  maxPayload(): number | undefined;
}

/**
 * The receiving side of a node: the frames that arrive on its subject are decoded through the
 * registry and delivered to its actors; requests are answered, batches of posts acknowledged.
 */
export class FrameReceiver {
  /** One reader for every frame (no object per message). */
  private readonly _reader = new FrameReader();

  constructor(private readonly _host: ReceiverHost) {}

  /**
   * A frame on this node's subject: decode it through the registry, deliver it locally, answer
   * requests. What cannot be decoded (an unknown type, a bad payload, no frame at all) or has no
   * valid target is a dead letter here, and a request's sender gets the typed error.
   */
  receive(msg: Msg): void {
    const reader = this._reader;
    if (isBatch(msg.data)) {
      this._onBatch(msg);
      return;
    }
    if (!reader.read(msg.data)) {
      this._undeliverable(msg, undefined, '', new CodecError('InvalidPayload'));
      return;
    }
    // The reader is shared: copy out what is needed after user code (a handler) may have run.
    const { op, type, codec, body } = reader;
    const priority = (reader.priority <= Priority.Critical ? reader.priority : 1) as Priority;
    const timeout =
      reader.timeout > 0 && reader.timeout <= MAX_TIMEOUT
        ? reader.timeout
        : this._host.defaultTimeout;
    if (op === OP_POST) {
      this._post(msg, reader.actorId as ActorId, type, codec, body, priority);
      this._acknowledge(msg);
      return;
    }
    if (op === OP_SEND) {
      const actorId = reader.actorId as ActorId;
      const message = this._open(msg, actorId, type, codec, body, true);
      if (message === undefined) return;
      this._host.local.send(actorId, message, { priority, timeout }).then(
        (value) => this._reply(msg, true, value, type),
        (error: unknown) => this._reply(msg, false, toWireError(error, type), type),
      );
      return;
    }
    if (op === OP_BROADCAST) {
      let message: AnyMessage;
      let wanted: ActorId[];
      try {
        // Decoded from the wire: anything at all, null included.
        const batch = this._host.codecs._decode(body, codec, type) as {
          t?: unknown;
          p?: unknown;
        } | null;
        message = this._host.codecs._message(type, batch?.p);
        wanted = Array.isArray(batch?.t) ? (batch.t as unknown[]).filter(isValidId) : [];
      } catch (error) {
        this._undeliverable(msg, undefined, type, error, body);
        return;
      }
      const members = new Set(wanted);
      this._host.local
        .broadcastFilter(message, (id) => members.has(id), { priority, timeout })
        .then(
          (results) => {
            const byId = new Map(results.map((r) => [r.actorId, r]));
            const answers = wanted.map((id) => {
              const r = byId.get(id);
              if (r === undefined)
                return [id, 0, { e: 's', kind: 'ActorNotFound', type } satisfies WireError];
              return r.ok ? [id, 1, r.value] : [id, 0, toWireError(r.error, type)];
            });
            this._reply(msg, true, answers, type);
          },
          (error: unknown) => this._reply(msg, false, toWireError(error, type), type),
        );
      return;
    }
    this._undeliverable(msg, undefined, type, new CodecError('InvalidPayload', type), body);
  }

  /** The post frames of a batch, delivered in order; a malformed rest is one dead letter. */
  private _onBatch(msg: Msg): void {
    const data = msg.data;
    const reader = this._reader;
    let at = 2;
    while (at < data.length) {
      const end = at + 4 + (at + 4 <= data.length ? readU32(data, at) : 0);
      if (end > data.length || !reader.read(data, at + 4, end) || reader.op !== OP_POST) {
        const rest = data.subarray(at);
        this._undeliverable(msg, undefined, '', new CodecError('InvalidPayload'), rest, false);
        break;
      }
      const priority = (reader.priority <= Priority.Critical ? reader.priority : 1) as Priority;
      this._post(msg, reader.actorId as ActorId, reader.type, reader.codec, reader.body, priority);
      at = end;
    }
    this._acknowledge(msg);
  }

  /**
   * Tells the sender of posts that this node has them (delivered, or dead letters here), so that
   * it does not make them dead letters of its own.
   */
  private _acknowledge(msg: Msg): void {
    if (msg.reply === undefined || msg.reply === '') return;
    try {
      msg.respond(NO_BYTES);
    } catch (error) {
      this._host.reporter._diagnose('rxbroker: could not acknowledge posts', error);
    }
  }

  /** Delivers one post frame's message to a local actor (a failure is a dead letter here). */
  private _post(
    msg: Msg,
    actorId: ActorId,
    type: string,
    codec: string,
    body: Uint8Array,
    priority: Priority,
  ): void {
    const message = this._open(msg, actorId, type, codec, body, false);
    if (message === undefined) return;
    try {
      this._host.local.trySend(
        actorId,
        message as Message<unknown, void>,
        priority === Priority.Normal ? undefined : { priority },
      );
    } catch {
      // The local broker made it a dead letter already; nobody waits for an answer.
    }
  }

  /**
   * The message of a frame for `actorId`, or undefined once it was found undeliverable (with
   * `answer`, the request is answered with the error).
   */
  private _open(
    msg: Msg,
    actorId: ActorId,
    type: string,
    codec: string,
    body: Uint8Array,
    answer: boolean,
  ): AnyMessage | undefined {
    let message: AnyMessage;
    try {
      message = this._host.codecs._message(type, this._host.codecs._decode(body, codec, type));
    } catch (error) {
      this._undeliverable(msg, actorId, type, error, body, answer);
      return undefined;
    }
    if (!isValidId(actorId)) {
      const error = new CodecError('InvalidPayload', type);
      this._undeliverable(msg, undefined, type, error, body, answer);
      return undefined;
    }
    return message;
  }

  /**
   * A frame this node cannot deliver: a dead letter (`RoutingFailed`, the error as its cause, the
   * message rebuilt around the undecoded bytes), and, with `answer`, the typed error as the answer
   * to the request (posts are acknowledged as a whole instead).
   */
  private _undeliverable(
    msg: Msg,
    actorId: ActorId | undefined,
    type: string,
    error: unknown,
    body: Uint8Array = msg.data,
    answer = true,
  ): void {
    const raw = defineMessage<Uint8Array>(type === '' ? '(not an rxbroker frame)' : type)(body);
    const reason = `node ${this._host.nodeId} could not deliver it: ${describeError(error)}`;
    this._host.reporter._report({
      actorId,
      message: raw,
      reason: 'RoutingFailed',
      error: new BrokerError(
        'RoutingFailed',
        actorId === undefined ? { reason } : { actorId, reason },
        { cause: error },
      ),
      at: Date.now(),
    });
    if (answer) this._reply(msg, false, toWireError(error, type), type);
  }

  private _reply(msg: Msg, ok: boolean, value: unknown, type: string): void {
    if (msg.reply === undefined || msg.reply === '') return;
    let body: Uint8Array;
    try {
      body = this._host.codecs._encode(value, type);
    } catch (error) {
      ok = false;
      body = this._host.codecs._encode(toWireError(error, type), type);
    }
    let frame = this._host.writer.write(ok ? OP_OK : OP_ERROR, '', Priority.Normal, 0, 0, body);
    const limit = this._host.maxPayload();
    if (limit !== undefined && frame.length > limit) {
      // The result cannot travel back: the sender gets PayloadTooLarge instead of a Timeout.
      const tooLarge = new CodecError('PayloadTooLarge', type, { size: frame.length, limit });
      body = this._host.codecs._encode(toWireError(tooLarge, type), type);
      frame = this._host.writer.write(OP_ERROR, '', Priority.Normal, 0, 0, body);
    }
    try {
      msg.respond(frame);
    } catch (error) {
      this._host.reporter._diagnose('rxbroker: could not answer a request', error);
    }
  }
}
