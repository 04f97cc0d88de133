export {
  NatsMessageBroker,
  type DirectoryChange,
  type TopicChange,
  type NatsMessageBrokerOptions,
} from './nats-message-broker.js';
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
