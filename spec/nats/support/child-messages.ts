import { defineMessage } from '../../../src/index.js';

/** The messages of spec/nats/support/child-node.ts, shared by the parent test and the child. */
export const Ping = defineMessage<void, string>('Child.Ping');
export const Double = defineMessage<number, number>('Child.Double');
export const childMessages = [Ping, Double];
