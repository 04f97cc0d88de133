/** Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and ranks functions by self time. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly fn: string;
  readonly where: string;
  readonly ms: number;
  readonly share: number;
}

/** Functions by self time, highest first; `share` is of all sampled time except `(idle)`. */
export function selfTimes(path: string): { total: number; top: SelfTime[] } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const micros = new Map<string, { fn: string; where: string; us: number }>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[i + 1] ?? 0; // the time until the next sample belongs to this one
    if (node === undefined) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') return;
    total += delta;
    const fn = functionName === '' ? '(anonymous)' : functionName;
    const where =
      url === ''
        ? ''
        : `${url.includes('/node_modules/') ? url.slice(url.lastIndexOf('/node_modules/') + 14) : basename(url)}:${lineNumber + 1}`;
    const key = `${fn}@${where}`;
    const entry = micros.get(key) ?? { fn, where, us: 0 };
    entry.us += delta;
    micros.set(key, entry);
  });
  const top = [...micros.values()]
    .sort((a, b) => b.us - a.us)
    .map((entry) => ({
      fn: entry.fn,
      where: entry.where,
      ms: entry.us / 1000,
      share: entry.us / total,
    }));
  return { total: total / 1000, top };
}
