import { describe, expect, it } from 'vitest';
import { ActorId, isArgumentError } from 'rxbroker';
import {
  parsePattern,
  parseTopic,
  TopicRouter,
} from '../../../src/broker/internal/topic-router.js';

const a = ActorId.from(1);
const b = ActorId.from(2);
const c = ActorId.from(3);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('parseTopic', () => {
  it('splits a subject into tokens', () => {
    expect(parseTopic('orders.eu.create')).toEqual(['orders', 'eu', 'create']);
    expect(parseTopic('single')).toEqual(['single']);
    expect(parseTopic('v1-x_y.Z9')).toEqual(['v1-x_y', 'Z9']);
  });

  it.each(['', 'a..b', '.a', 'a.', 'a.*', 'a.>', 'a b', 'a.b*', 'x>', ' ', 'a.\tb'])(
    'rejects the topic %j with ArgumentError',
    (topic) => {
      const error = thrown(() => parseTopic(topic));
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'topic' });
    },
  );

  it.each([undefined, null, 42, {}])('rejects the non-string topic %s', (topic) => {
    expect(isArgumentError(thrown(() => parseTopic(topic)))).toBe(true);
  });
});

describe('parsePattern', () => {
  it('accepts names, * anywhere and > as the last token', () => {
    expect(parsePattern('orders.*.create')).toEqual(['orders', '*', 'create']);
    expect(parsePattern('orders.>')).toEqual(['orders', '>']);
    expect(parsePattern('>')).toEqual(['>']);
    expect(parsePattern('*')).toEqual(['*']);
    expect(parsePattern('*.*.>')).toEqual(['*', '*', '>']);
  });

  it.each(['', 'a..b', '>.a', 'a.>.b', 'a.*b', 'a.b>', 'a b', '.', 'a.', '**', undefined, 7])(
    'rejects the pattern %j with ArgumentError',
    (pattern) => {
      const error = thrown(() => parsePattern(pattern));
      expect(isArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'pattern' });
    },
  );
});

describe('TopicRouter', () => {
  it('matches exact subjects, * for one token and > for one or more', () => {
    const router = new TopicRouter();
    router.subscribe(a, 'orders.eu.create');
    router.subscribe(b, 'orders.*.create');
    router.subscribe(c, 'orders.>');
    expect(router.match('orders.eu.create')).toEqual([a, b, c]);
    expect(router.match('orders.us.create')).toEqual([b, c]);
    expect(router.match('orders.us')).toEqual([c]);
    expect(router.match('orders.us.create.now')).toEqual([c]);
    expect(router.match('orders')).toEqual([]);
    expect(router.match('billing.eu.create')).toEqual([]);
  });

  it('does not let * match zero or several tokens', () => {
    const router = new TopicRouter();
    router.subscribe(a, 'a.*');
    expect(router.match('a')).toEqual([]);
    expect(router.match('a.b')).toEqual([a]);
    expect(router.match('a.b.c')).toEqual([]);
  });

  it('lists each actor once, in the order of its first matching subscription', () => {
    const router = new TopicRouter();
    router.subscribe(b, 'x.>');
    router.subscribe(a, 'x.y');
    router.subscribe(b, 'x.*');
    expect(router.match('x.y')).toEqual([b, a]);
  });

  it('ignores a repeated subscription', () => {
    const router = new TopicRouter();
    expect(router.subscribe(a, 'x')).toBe(true);
    expect(router.subscribe(a, 'x')).toBe(false);
    expect(router._patternsOf(a)).toEqual(['x']);
  });

  it('picks subscribers in turn (round-robin), undefined when none', () => {
    const router = new TopicRouter();
    expect(router.pick('jobs')).toBeUndefined();
    router.subscribe(a, 'jobs');
    router.subscribe(b, 'jobs');
    router.subscribe(c, 'jobs');
    expect([1, 2, 3, 4, 5, 6, 7].map(() => router.pick('jobs'))).toEqual([a, b, c, a, b, c, a]);
  });

  it('sees changes of subscriptions at once (the cache is dropped)', () => {
    const router = new TopicRouter();
    router.subscribe(a, 't');
    expect(router.match('t')).toEqual([a]);
    router.subscribe(b, 't');
    expect(router.match('t')).toEqual([a, b]);
    expect(router.unsubscribe(a, 't')).toBe(true);
    expect(router.match('t')).toEqual([b]);
    expect(router.unsubscribe(a, 't')).toBe(false);
    router._removeActor(b);
    expect(router.match('t')).toEqual([]);
  });

  it('removeActor drops every subscription of that actor only', () => {
    const router = new TopicRouter();
    router.subscribe(a, 'x');
    router.subscribe(a, 'y.>');
    router.subscribe(b, 'x');
    router._removeActor(a);
    router._removeActor(c); // nothing to remove
    expect(router._patternsOf(a)).toEqual([]);
    expect(router._patternsOf(b)).toEqual(['x']);
    expect(router.match('x')).toEqual([b]);
  });

  it('clear drops every subscription', () => {
    const router = new TopicRouter();
    router.subscribe(a, 'x');
    router.subscribe(b, '>');
    expect(router.match('x')).toEqual([a, b]);
    router.clear();
    expect(router.match('x')).toEqual([]);
    expect(router._patternsOf(b)).toEqual([]);
  });

  it('validates patterns on unsubscribe and topics on match', () => {
    const router = new TopicRouter();
    expect(isArgumentError(thrown(() => router.unsubscribe(a, 'a..b')))).toBe(true);
    expect(isArgumentError(thrown(() => router.subscribe(a, '>.x')))).toBe(true);
    expect(isArgumentError(thrown(() => router.match('a.*')))).toBe(true);
    expect(router._patternsOf(a)).toEqual([]);
  });

  it('keeps answering correctly for more distinct topics than its cache holds', () => {
    const router = new TopicRouter();
    router.subscribe(a, 'load.*');
    for (let i = 0; i < 5000; i++) expect(router.match(`load.t${i}`)).toEqual([a]);
    expect(router.match('load.t0')).toEqual([a]);
    expect(router.match('other.t0')).toEqual([]);
  });
});
