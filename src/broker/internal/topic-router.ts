import type { ActorId } from '../../actor/actor-id.js';
import { ArgumentError } from '../../errors/argument-error.js';

interface Subscription {
  readonly actorId: ActorId;
  readonly pattern: string;
  readonly tokens: readonly string[];
}

interface Route {
  readonly actorIds: readonly ActorId[];
  next: number;
}

/** Topics whose subscriber lists are remembered; past this the cache starts over. */
const CACHE_LIMIT = 4096;
const TOKEN = /^[^\s.*>]+$/;

/**
 * @internal Topic subscriptions with NATS-style subjects: `.` separates tokens, `*` matches one
 * token, `>` (last) matches one or more. Lookups scan the subscriptions once per topic and cache the
 * answer until subscriptions change, so publishing to a known topic is one Map lookup.
 */
export class TopicRouter {
  private readonly _subscriptions: Subscription[] = [];
  private readonly _cache = new Map<string, Route>();

  /** Adds a subscription; false when it existed already. */
  subscribe(actorId: ActorId, pattern: string): boolean {
    const tokens = parsePattern(pattern);
    if (this._subscriptions.some((s) => s.actorId === actorId && s.pattern === pattern))
      return false;
    this._subscriptions.push({ actorId, pattern, tokens });
    this._cache.clear();
    return true;
  }

  /** Removes a subscription; false when there was none. */
  unsubscribe(actorId: ActorId, pattern: string): boolean {
    parsePattern(pattern);
    const index = this._subscriptions.findIndex(
      (s) => s.actorId === actorId && s.pattern === pattern,
    );
    if (index < 0) return false;
    this._subscriptions.splice(index, 1);
    this._cache.clear();
    return true;
  }

  /** Removes every subscription of an actor. */
  _removeActor(actorId: ActorId): void {
    const before = this._subscriptions.length;
    for (let i = before - 1; i >= 0; i--) {
      if ((this._subscriptions[i] as Subscription).actorId === actorId)
        this._subscriptions.splice(i, 1);
    }
    if (this._subscriptions.length !== before) this._cache.clear();
  }

  /** Removes every subscription. */
  clear(): void {
    this._subscriptions.length = 0;
    this._cache.clear();
  }

  /** The patterns an actor is subscribed to. */
  _patternsOf(actorId: ActorId): string[] {
    return this._subscriptions.filter((s) => s.actorId === actorId).map((s) => s.pattern);
  }

  /** Every actor subscribed to a pattern matching `topic`, once each, in order of subscription. */
  match(topic: string): readonly ActorId[] {
    return this._route(topic).actorIds;
  }

  /** One subscriber of `topic`, taking turns (round-robin); undefined when there is none. */
  pick(topic: string): ActorId | undefined {
    const route = this._route(topic);
    const count = route.actorIds.length;
    if (count === 0) return undefined;
    const actorId = route.actorIds[route.next % count];
    route.next = (route.next + 1) % count;
    return actorId;
  }

  private _route(topic: string): Route {
    const cached = this._cache.get(topic);
    if (cached !== undefined) return cached;
    const tokens = parseTopic(topic);
    const actorIds: ActorId[] = [];
    for (const subscription of this._subscriptions) {
      if (matches(subscription.tokens, tokens) && !actorIds.includes(subscription.actorId)) {
        actorIds.push(subscription.actorId);
      }
    }
    if (this._cache.size >= CACHE_LIMIT) this._cache.clear();
    const route: Route = { actorIds, next: 0 };
    this._cache.set(topic, route);
    return route;
  }
}

/** @internal Splits a topic (no wildcards) into tokens. */
export function parseTopic(topic: unknown): string[] {
  const tokens = typeof topic === 'string' ? topic.split('.') : [];
  if (tokens.length === 0 || !tokens.every((token) => TOKEN.test(token))) {
    throw new ArgumentError(
      'topic',
      "a subject like 'orders.eu.create' (no spaces, '*' or '>')",
      topic,
    );
  }
  return tokens;
}

/** @internal Splits a subscription pattern into tokens, allowing `*` and a final `>`. */
export function parsePattern(pattern: unknown): string[] {
  const tokens = typeof pattern === 'string' ? pattern.split('.') : [];
  const valid = (token: string, i: number): boolean =>
    token === '*' || (token === '>' && i === tokens.length - 1) || TOKEN.test(token);
  if (tokens.length === 0 || !tokens.every(valid)) {
    throw new ArgumentError('pattern', "a pattern like 'orders.*' or 'orders.>'", pattern);
  }
  return tokens;
}

function matches(pattern: readonly string[], topic: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const token = pattern[i];
    if (token === '>') return topic.length > i;
    if (i >= topic.length) return false;
    if (token !== '*' && token !== topic[i]) return false;
  }
  return pattern.length === topic.length;
}
