export { ActorId } from './actor/actor-id.js';
export type { Actor } from './actor/actor.js';
export type { ActorContext } from './actor/actor-context.js';
export {
  defineMessage,
  isMessage,
  type AnyMessage,
  type Message,
  type MessageDefinition,
  type PayloadOf,
  type ResultOf,
} from './message/message.js';
export { Priority } from './message/priority.js';
export { Mailbox, type BoundedMailboxOptions } from './mailbox/mailbox.js';
export type { OverflowStrategy } from './mailbox/overflow-strategy.js';
export { sendTo, type SendToOptions } from './mailbox/operators/send-to.js';
export type {
  MessageBroker,
  RoutedSendOptions,
  SendOptions,
  TrySendOptions,
} from './broker/message-broker.js';
export {
  InMemoryMessageBroker,
  type InMemoryMessageBrokerOptions,
} from './broker/in-memory-message-broker.js';
export type {
  DeadLetterLogger,
  DeadLetterLogLimit,
} from './broker/internal/dead-letter-reporter.js';
export type { BroadcastResult } from './broker/broadcast-result.js';
export type { BrokerMetrics } from './broker/broker-metrics.js';
export type { RoutingKey } from './broker/routing-key.js';
export { DeadLetterQueue, type DeadLetterQueueOptions } from './dead-letter/dead-letter-queue.js';
export type { DeadLetter, DeadLetterReason } from './dead-letter/dead-letter.js';
export {
  SendError,
  isSendError,
  type SendErrorKind,
  type SendErrorInfo,
} from './errors/send-error.js';
export {
  BrokerError,
  isBrokerError,
  type BrokerErrorKind,
  type BrokerErrorInfo,
} from './errors/broker-error.js';
export { ArgumentError, isArgumentError } from './errors/argument-error.js';
