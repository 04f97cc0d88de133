// Runs every example against the built package (dist/), one after the other, and exits non-zero
// when any of them fails. It does not build: run `npm run build` first (CI does).
//
// The examples run with examples/tsconfig.json, which drops the root tsconfig's `paths` (those
// point `rxbroker` at src/ for the type checker); without them, tsx resolves `rxbroker` the way a
// user's Node does, through package.json `exports` (self-reference) to dist/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const examples = dirname(fileURLToPath(import.meta.url));
const root = dirname(examples);
const tsx = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx');
const tsconfig = join(examples, 'tsconfig.json');
/** An example that takes longer than this is stuck (examples finish in well under a second). */
const TIMEOUT_MS = 60_000;

for (const built of ['dist/index.js', 'dist/testing.js', 'dist/nats.js']) {
  if (!existsSync(join(root, built))) {
    console.error(`run-all: ${built} is missing; run \`npm run build\` first.`);
    process.exit(1);
  }
}

// quick-start first (it is what `npm start` runs), then the others in name order.
const files = readdirSync(examples)
  .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
  .sort((a, b) => (a === 'quick-start.ts' ? -1 : b === 'quick-start.ts' ? 1 : a.localeCompare(b)));

const failed = [];
for (const file of files) {
  const path = join(examples, file);
  console.log(`\n=== ${relative(root, path)} ===`);
  const started = performance.now();
  const run = spawnSync(tsx, ['--tsconfig', tsconfig, path], {
    cwd: root,
    stdio: 'inherit',
    timeout: TIMEOUT_MS,
    shell: process.platform === 'win32',
  });
  const ms = Math.round(performance.now() - started);
  if (run.error !== undefined || run.status !== 0) {
    const why =
      run.error?.message ??
      (run.signal !== null ? `killed by ${run.signal}` : `exit code ${run.status}`);
    console.error(`--- FAILED: ${file} (${why}, ${ms} ms)`);
    failed.push(file);
  } else {
    console.log(`--- passed: ${file} (${ms} ms)`);
  }
}

console.log(`\n${files.length - failed.length} of ${files.length} examples passed`);
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
