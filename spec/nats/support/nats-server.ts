import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the NATS tests get a server: NATS_URL when set, else a `nats-server` on PATH started by the
 * tests on a random loopback port with JetStream and a temporary store. `reason` says why they are
 * skipped when there is neither; with REQUIRE_NATS=1 they fail instead (see `natsDescribe`).
 */
export const natsUrl = process.env.NATS_URL;
const hasBinary =
  natsUrl === undefined &&
  spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status === 0;
export const natsAvailable = natsUrl !== undefined || hasBinary;
export const natsRequired = process.env.REQUIRE_NATS === '1';
export const skipReason = 'nats-server is not on PATH and NATS_URL is not set';

export interface NatsServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `nats-server -js` on 127.0.0.1 with a random port, resolving once it is ready. */
export async function startNatsServer(): Promise<NatsServer> {
  if (natsUrl !== undefined) return { url: natsUrl, stop: async () => undefined };
  const store = mkdtempSync(join(tmpdir(), 'rxbroker-nats-'));
  const child: ChildProcess = spawn(
    'nats-server',
    ['-a', '127.0.0.1', '-p', '-1', '-js', '-sd', store],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let log = '';
    let port: string | undefined;
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      port ??= /Listening for client connections on 127\.0\.0\.1:(\d+)/.exec(log)?.[1];
      if (port !== undefined && log.includes('Server is ready')) {
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve(`nats://127.0.0.1:${port}`);
      }
    };
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`nats-server exited (${code}) before it was ready:\n${log}`)),
    );
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(store, { recursive: true, force: true });
    },
  };
}
