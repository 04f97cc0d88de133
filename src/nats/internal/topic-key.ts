import { isValidId, type ActorId } from '../../actor/actor-id.js';
import { parsePattern } from '../../broker/internal/topic-router.js';
import { decodeSubjectToken, encodeSubjectToken } from './subject-token.js';

/** The first characters of every subscription key of the directory bucket. */
export const TOPIC_PREFIX = 't.';

/**
 * The directory key of a subscription: `t.<actor id>.<pattern>`, the pattern as one subject token
 * with `=` for its escape character (KV keys allow no `~`; the token never holds a `=`).
 */
export function topicKey(actorId: ActorId, pattern: string): string {
  return `${TOPIC_PREFIX}${actorId}.${encodeSubjectToken(pattern).replace(/~/g, '=')}`;
}

/** The actor and pattern of a subscription key; undefined for a key that is not one. */
export function parseTopicKey(key: string): { actorId: ActorId; pattern: string } | undefined {
  const rest = key.slice(TOPIC_PREFIX.length);
  const dot = rest.indexOf('.');
  const actorId = Number(rest.slice(0, dot));
  if (dot < 0 || !isValidId(actorId)) return undefined;
  try {
    const pattern = decodeSubjectToken(rest.slice(dot + 1).replace(/=/g, '~'));
    parsePattern(pattern);
    return { actorId, pattern };
  } catch {
    return undefined;
  }
}
