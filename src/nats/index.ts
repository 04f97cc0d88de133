export { NatsMessageBroker } from './nats-message-broker.js';
export type { NatsMessageBrokerOptions } from './nats-message-broker-options.js';
export type { DirectoryChange } from './directory-change.js';
export type { TopicChange } from './topic-change.js';
export {
  CodecRegistry,
  jsonCodec,
  msgpackCodec,
  type AnyDefinition,
  type Codec,
} from './codec-registry.js';
export { CodecError, isCodecError, type CodecErrorKind } from './codec-error.js';
export { encodeSubjectToken, decodeSubjectToken } from './internal/subject-token.js';
export { readDeadLetterRecord, type DeadLetterRecord } from './dead-letter-stream.js';
