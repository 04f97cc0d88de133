import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the NATS tests get a server: NATS_URL when set, else a `nats-server` on PATH started by the
 * tests on a random loopback port with JetStream and a temporary store. `reason` says why they are
 * skipped when there is neither; with REQUIRE_NATS=1 they fail instead (see `natsDescribe`).
 */
export const natsUrl = process.env.NATS_URL;
/** The server binary: `NATS_SERVER_BIN`, else `nats-server` on PATH. */
export const natsServerBin = process.env.NATS_SERVER_BIN ?? 'nats-server';
const hasBinary = spawnSync(natsServerBin, ['--version'], { stdio: 'ignore' }).status === 0;
export const natsAvailable = natsUrl !== undefined || hasBinary;
/** Fault tests start, kill and restart their own server: they need the binary, not NATS_URL. */
export const natsBinaryAvailable = hasBinary;
export const natsRequired = process.env.REQUIRE_NATS === '1';
export const skipReason = 'nats-server is not on PATH and NATS_URL is not set';
export const binarySkipReason = 'nats-server is not on PATH (fault tests start their own)';

export interface NatsServerOptions {
  /** Start a server even when NATS_URL is set (the test kills or restarts it). */
  readonly own?: boolean;
  /** The server's `max_payload` in bytes (default: the server's, 1 MB). */
  readonly maxPayload?: number;
  /** The port (default: a free one). */
  readonly port?: number;
  /** More lines of server configuration (users, permissions...). */
  readonly config?: string;
  /** The JetStream store directory (default: a new temporary one, removed on `stop`). */
  readonly store?: string;
  /** Serve the monitoring endpoints (`/varz`...) on a free loopback port: see `monitorUrl`. */
  readonly monitor?: boolean;
}

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly store: string;
  /** `http://127.0.0.1:<port>` of the monitoring endpoints, with the `monitor` option. */
  readonly monitorUrl: string | undefined;
  /** SIGTERM, then removes the store unless it was given. */
  stop(): Promise<void>;
  /** SIGKILL: the server dies without saying goodbye; the store stays (for a restart). */
  kill(): Promise<void>;
  /** A new server on the same port and store, as after a crash and a restart. */
  restart(): Promise<NatsServer>;
}

/** Starts `nats-server -js` on 127.0.0.1 (a random port unless given), resolving once it is ready. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const own =
    options.own === true ||
    options.port !== undefined ||
    options.maxPayload !== undefined ||
    options.config !== undefined ||
    options.monitor === true;
  if (natsUrl !== undefined && !own) {
    const port = Number(new URL(natsUrl).port);
    const server: NatsServer = {
      url: natsUrl,
      port,
      store: '',
      monitorUrl: undefined,
      stop: async () => undefined,
      kill: () => Promise.reject(new Error('cannot kill the NATS_URL server')),
      restart: () => Promise.resolve(server),
    };
    return server;
  }
  const ownStore = options.store === undefined;
  const store = options.store ?? mkdtempSync(join(tmpdir(), 'rxbroker-nats-'));
  const config = join(store, 'server.conf');
  const lines = [
    `listen: "127.0.0.1:${options.port ?? -1}"`,
    `jetstream { store_dir: "${store}" }`,
  ];
  if (options.maxPayload !== undefined) lines.push(`max_payload: ${options.maxPayload}`);
  if (options.monitor === true) lines.push('http: "127.0.0.1:-1"');
  if (options.config !== undefined) lines.push(options.config);
  writeFileSync(config, lines.join('\n') + '\n');
  const child: ChildProcess = spawn(natsServerBin, ['-c', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit); // never leave a server behind, even when the caller throws
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', killOnExit);
      resolve();
    }),
  );
  const [port, monitorPort] = await new Promise<[number, number | undefined]>((resolve, reject) => {
    let log = '';
    let found: string | undefined;
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      found ??= /Listening for client connections on 127\.0\.0\.1:(\d+)/.exec(log)?.[1];
      if (found !== undefined && log.includes('Server is ready')) {
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        const monitor = /Starting http monitor on 127\.0\.0\.1:(\d+)/.exec(log)?.[1];
        resolve([Number(found), monitor === undefined ? undefined : Number(monitor)]);
      }
    };
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`nats-server exited (${code}) before it was ready:\n${log}`)),
    );
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    store,
    monitorUrl: monitorPort === undefined ? undefined : `http://127.0.0.1:${monitorPort}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      if (ownStore) rmSync(store, { recursive: true, force: true });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    restart: () => startNatsServer({ ...options, port, store }),
  };
}
