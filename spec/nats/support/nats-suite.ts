import { firstValueFrom, filter } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import type { ActorId } from 'rxbroker';
import { NatsMessageBroker, type NatsMessageBrokerOptions } from 'rxbroker/nats';
import {
  binarySkipReason,
  natsAvailable,
  natsBinaryAvailable,
  natsRequired,
  skipReason,
  startNatsServer,
  type NatsServer,
  type NatsServerOptions,
} from './nats-server.js';

let suiteCount = 0;

/**
 * A describe block run against a real NATS server: started before its tests (or NATS_URL), stopped
 * after. Without a server the block is skipped with the reason in its name, or, with
 * REQUIRE_NATS=1, replaced by one failing test.
 */
export function describeNats(
  name: string,
  body: (nats: NatsHarness) => void,
  server?: NatsServerOptions,
): void {
  // A suite with its own server (a small max_payload, or one it kills) needs the binary.
  const own =
    server?.own === true ||
    server?.maxPayload !== undefined ||
    server?.config !== undefined ||
    server?.monitor === true;
  const available = own ? natsBinaryAvailable : natsAvailable;
  const reason = own ? binarySkipReason : skipReason;
  if (!available) {
    if (natsRequired) {
      describe(name, () => {
        it('needs a NATS server (REQUIRE_NATS=1)', () => {
          throw new Error(`REQUIRE_NATS=1 but ${reason}`);
        });
      });
    } else describe.skip(`${name} (skipped: ${reason})`, () => body(new NatsHarness()));
    return;
  }
  describe(name, () => {
    const harness = new NatsHarness();
    beforeAll(async () => {
      harness.server = await startNatsServer(server);
    });
    afterEach(async () => {
      await Promise.all(harness.made.splice(0).map((broker) => broker.close()));
    });
    afterAll(async () => {
      await harness.server?.stop();
    });
    body(harness);
  });
}

export class NatsHarness {
  server: NatsServer | undefined;
  readonly made: NatsMessageBroker[] = [];
  private _cluster = 0;

  /**
   * A fresh cluster namespace (bucket and subject prefix) per test, so tests never see each
   * other's actors, even against a shared NATS_URL server.
   */
  cluster(): { bucket: string; prefix: string } {
    const tag = `${process.pid}_${++suiteCount}_${++this._cluster}`;
    return { bucket: `rxb_${tag}`, prefix: `rxbtest.${tag}` };
  }

  /** A node of `cluster`, closed after the test. Dead letters are not logged unless asked. */
  async node(
    cluster: { bucket: string; prefix: string },
    options: NatsMessageBrokerOptions = {},
  ): Promise<NatsMessageBroker> {
    const broker = await NatsMessageBroker.connect({
      servers: (this.server as NatsServer).url,
      logger: null,
      ...cluster,
      ...options,
    });
    this.made.push(broker);
    return broker;
  }
}

/** Resolves once `broker`'s directory copy knows `actorId` (at once if it does already). */
export function whenKnown(broker: NatsMessageBroker, actorId: ActorId): Promise<unknown> {
  if (broker.isRegistered(actorId)) return Promise.resolve();
  return firstValueFrom(
    broker.directoryChanges$.pipe(filter((c) => c.actorId === actorId && c.node !== undefined)),
  );
}

/** Resolves once `broker`'s directory copy no longer knows `actorId`. */
export function whenGone(broker: NatsMessageBroker, actorId: ActorId): Promise<unknown> {
  if (!broker.isRegistered(actorId)) return Promise.resolve();
  return firstValueFrom(
    broker.directoryChanges$.pipe(filter((c) => c.actorId === actorId && c.node === undefined)),
  );
}

/**
 * Resolves once `broker`'s copy of the topic subscriptions says whether `actorId` subscribes to
 * `pattern` as `subscribed` does (at once if it does already).
 */
export function whenTopic(
  broker: NatsMessageBroker,
  actorId: ActorId,
  pattern: string,
  subscribed: boolean,
): Promise<unknown> {
  if (broker.subscriptionsOf(actorId).includes(pattern) === subscribed) return Promise.resolve();
  return firstValueFrom(
    broker.topicChanges$.pipe(
      filter((c) => c.actorId === actorId && c.pattern === pattern && c.subscribed === subscribed),
    ),
  );
}
