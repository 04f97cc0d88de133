import { nuid } from '@nats-io/transport-node';
import { MAX_TIMEOUT } from '../../broker/internal/send-options.js';
import { ArgumentError } from '../../errors/argument-error.js';
import type { NatsMessageBrokerOptions } from '../nats-message-broker-options.js';

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const STREAM = /^[A-Za-z0-9_-]{1,255}$/;
const PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** The checked names and timings of `NatsMessageBroker.connect`'s options, defaults filled in. */
export interface ConnectSettings {
  readonly nodeId: string;
  readonly prefix: string;
  readonly bucket: string;
  readonly presenceBucket: string;
  readonly heartbeat: number;
  readonly ttl: number;
  readonly deadLetterStream: string | null;
}

/** Checks `options` and fills in the defaults; ArgumentError for the first invalid one. */
export function readConnectOptions(options: NatsMessageBrokerOptions): ConnectSettings {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- checked at run time, for JavaScript callers
  if (typeof options !== 'object' || options === null)
    throw new ArgumentError('options', 'an object', options);
  const nodeId = options.nodeId ?? nuid.next();
  if (!NAME.test(nodeId))
    throw new ArgumentError('nodeId', 'letters, digits, - and _ (1-64)', nodeId);
  const prefix = options.prefix ?? 'rxbroker';
  if (!PREFIX.test(prefix))
    throw new ArgumentError('prefix', 'dot-separated tokens of letters, digits, - and _', prefix);
  const bucket = options.bucket ?? 'rxbroker_actors';
  if (!NAME.test(bucket))
    throw new ArgumentError('bucket', 'letters, digits, - and _ (1-64)', bucket);
  const presenceBucket = options.presenceBucket ?? `${bucket}_nodes`;
  if (!NAME.test(presenceBucket))
    throw new ArgumentError('presenceBucket', 'letters, digits, - and _ (1-64)', presenceBucket);
  const heartbeat = options.heartbeat ?? 5000;
  if (typeof heartbeat !== 'number' || !(heartbeat > 0) || heartbeat > MAX_TIMEOUT)
    throw new ArgumentError('heartbeat', `milliseconds > 0 and <= ${MAX_TIMEOUT}`, heartbeat);
  const ttl = options.presenceTtl ?? Math.max(15_000, heartbeat * 3);
  if (typeof ttl !== 'number' || !(ttl > heartbeat) || ttl > MAX_TIMEOUT)
    throw new ArgumentError('presenceTtl', `milliseconds > heartbeat and <= ${MAX_TIMEOUT}`, ttl);
  const deadLetterStream =
    options.deadLetterStream === undefined
      ? `${prefix.replace(/\./g, '_')}_DEAD_LETTERS`
      : options.deadLetterStream;
  if (deadLetterStream !== null && !STREAM.test(deadLetterStream))
    throw new ArgumentError(
      'deadLetterStream',
      'null, or letters, digits, - and _ (1-255)',
      deadLetterStream,
    );
  return { nodeId, prefix, bucket, presenceBucket, heartbeat, ttl, deadLetterStream };
}
