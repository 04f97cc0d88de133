import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { NodeConnectionOptions } from '@nats-io/transport-node';

const childScript = fileURLToPath(new URL('./child-node.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Optional settings of a node in a child process; they travel as JSON, so plain values only. */
export interface ChildNodeSettings {
  /** Its `heartbeat` (default 100 ms). */
  readonly heartbeat?: number;
  /** Its `presenceTtl` (default 1000 ms). */
  readonly presenceTtl?: number;
  /** Its `connectionOptions`: reconnect settings... (default: the client's). */
  readonly connectionOptions?: Partial<NodeConnectionOptions>;
}

/** A node running ./child-node.ts in a process of its own. */
export interface ChildNode {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves once the process has exited. */
  readonly exited: Promise<void>;
  /** Resolves on the next `line` the child prints from now on; rejects if it exits first. */
  nextLine(line: string): Promise<void>;
  /** SIGKILL (which ends a stopped process too) unless it has exited; resolves once it has. */
  kill(): Promise<void>;
}

/**
 * Starts ./child-node.ts in a new Node process and resolves once it prints `ready` (its actors
 * registered). Kill it after the test (`kill()`); one still running when the test process exits is
 * killed then.
 */
export function spawnChildNode(
  url: string,
  cluster: { bucket: string; prefix: string },
  nodeId: string,
  ids: readonly number[],
  settings?: ChildNodeSettings,
): Promise<ChildNode> {
  const args = [childScript, url, cluster.bucket, cluster.prefix, nodeId, ids.join(',')];
  if (settings !== undefined) args.push(JSON.stringify(settings));
  const child = spawn(process.execPath, ['--import', 'tsx/esm', ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const killOnExit = (): void => {
    if (alive()) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  let err = '';
  let out = '';
  const waiters = new Set<{ line: string; resolve: () => void; reject: (e: Error) => void }>();
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      process.off('exit', killOnExit);
      const error = new Error(`child node exited (${code ?? signal}):\n${err}`);
      for (const waiter of waiters) waiter.reject(error);
      waiters.clear();
      resolve();
    }),
  );
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const lines = out.split('\n');
    out = lines.pop() ?? '';
    for (const line of lines) {
      for (const waiter of waiters) {
        if (waiter.line !== line) continue;
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  });
  const nextLine = (line: string): Promise<void> => {
    const next = alive()
      ? new Promise<void>((resolve, reject) => waiters.add({ line, resolve, reject }))
      : Promise.reject(
          new Error(`child node exited (${child.exitCode ?? child.signalCode}):\n${err}`),
        );
    next.catch(() => undefined); // a line waited for in vain is no unhandled rejection
    return next;
  };
  const node: ChildNode = {
    process: child,
    pid: child.pid as number,
    exited,
    nextLine,
    async kill() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
  };
  return new Promise<ChildNode>((resolve, reject) => {
    child.once('error', reject);
    nextLine('ready').then(() => resolve(node), reject);
  });
}

/** Resolves once process `pid` is stopped (state T in /proc; at once where there is no /proc). */
export async function whenStopped(pid: number): Promise<void> {
  for (;;) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return;
    }
    if (/^\d+ \(.*\) T /.test(stat)) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
