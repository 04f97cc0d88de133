import { defineMessage } from '../../../src/index.js';

/** The messages of spec/nats/support/child-node.ts, shared by the parent test and the child. */
export const Ping = defineMessage<void, string>('Child.Ping');
export const Double = defineMessage<number, number>('Child.Double');
/** Fire-and-forget: the child's actors keep the number before the first `:` of its text. */
export const Note = defineMessage<string, void>('Child.Note');
/** The numbers of the Notes the actor has handled, in the order it handled them. */
export const NotesSeen = defineMessage<void, number[]>('Child.NotesSeen');
export const childMessages = [Ping, Double, Note, NotesSeen];
