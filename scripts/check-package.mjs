// Checks the package as it would be published: `npm run check:package`, after `npm run build`.
//
// 1. `npm pack` into a temp dir; the tarball holds no file that nothing uses (a stale chunk).
// 2. publint (strict: warnings fail too) and attw on that tarball, for every entry point.
// 3. A fresh project installs the tarball (with its peers, from npm's cache when it has them) and
//    runs an ESM consumer (`import`) and a CJS consumer (`require`) against it.
// 4. The size of each entry point bundled, minified and gzipped, without its dependencies and
//    peers; the core (`rxbroker`) must stay within its budget.
//
// The entry points are read from package.json `exports`, so a new one is checked without a
// change here. Every check runs; the exit code is 1 when any failed. `--keep` keeps the temp dir.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The core bundle's budget, min+gzip, rxjs and immer excluded: 8 kB (taken as 8 KiB). */
const CORE_BUDGET_BYTES = 8 * 1024;

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const here = dirname(fileURLToPath(import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const keep = process.argv.includes('--keep');

// Entry points: every subpath of `exports` that leads to code ('./package.json' does not).
const entries = Object.keys(pkg.exports).filter((subpath) => !subpath.endsWith('.json'));
const specifierOf = (entry) => (entry === '.' ? pkg.name : `${pkg.name}/${entry.slice(2)}`);
// Never bundled: what the package imports rather than contains.
const external = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
];

const results = [];
function record(name, ok, detail = '') {
  results.push({ name, ok, detail });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
}

/** Runs a command; its output goes to this process's, unless `capture`. */
function run(command, args, { cwd = root, capture = false, env } = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env: env === undefined ? process.env : { ...process.env, ...env },
    encoding: 'utf8',
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  });
  if (result.error !== undefined) throw result.error;
  return result;
}

/** Every path string in an `exports` (or `typesVersions`) value. */
function targetsOf(value) {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(targetsOf);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(targetsOf);
  return [];
}

function section(title) {
  console.log(`\n=== ${title} ===`);
}

// --- 0. a build to check ------------------------------------------------------------------------
const declared = [
  ...targetsOf(pkg.exports),
  ...targetsOf(pkg.typesVersions ?? {}),
  ...[pkg.main, pkg.module, pkg.types].filter((path) => path !== undefined),
].map((path) => posix.normalize(path));
const missing = [...new Set(declared)].filter((path) => !existsSync(join(root, path)));
if (missing.length > 0) {
  console.error(`check-package: ${missing.join(', ')} missing; run \`npm run build\` first.`);
  process.exit(1);
}

const temp = mkdtempSync(join(tmpdir(), 'rxbroker-package-'));
try {
  // --- 1. the tarball ---------------------------------------------------------------------------
  section('npm pack');
  const packed = run('npm', ['pack', '--json', '--pack-destination', temp], { capture: true });
  if (packed.status !== 0) {
    process.stderr.write(packed.stderr);
    throw new Error('npm pack failed');
  }
  const [{ filename, size, unpackedSize, files }] = JSON.parse(packed.stdout);
  const tarball = join(temp, filename);
  console.log(`${filename}: ${files.length} files, ${size} B packed, ${unpackedSize} B unpacked`);
  for (const file of files) console.log(`  ${file.path} (${file.size} B)`);

  // A file in dist/ that is no entry and that no other file imports was left by an earlier build.
  const distFiles = files.map((file) => file.path).filter((path) => path.startsWith('dist/'));
  const text = new Map(distFiles.map((path) => [path, readFileSync(join(root, path), 'utf8')]));
  const importedAs = (path) => `./${posix.basename(path).replace(/\.d\.(c|m)?ts$/, '.$1js')}`;
  const unused = distFiles.filter(
    (path) =>
      !declared.includes(path) &&
      ![...text].some(([other, source]) => other !== path && source.includes(importedAs(path))),
  );
  record(
    'no stale files in the tarball',
    unused.length === 0,
    unused.length === 0 ? '' : `${unused.join(', ')} (rebuild from a clean dist/)`,
  );

  // --- 2. publint and attw ----------------------------------------------------------------------
  section('publint');
  record('publint --strict', run(bin('publint'), ['run', '--strict', tarball]).status === 0);

  section('attw');
  const attw = run(bin('attw'), [tarball, '--entrypoints', ...entries]);
  record(`attw (${entries.join(', ')})`, attw.status === 0);

  // --- 3. consumers -----------------------------------------------------------------------------
  section('ESM and CJS consumers');
  const consumer = join(temp, 'consumer');
  mkdirSync(consumer);
  writeFileSync(
    join(consumer, 'package.json'),
    `${JSON.stringify({ name: 'rxbroker-consumer', private: true, type: 'module' }, null, 2)}\n`,
  );
  // Peers at the versions this repository is tested with, so that npm finds them in its cache
  // (filled by `npm ci`); dependencies come with the tarball. Online only for what is not cached.
  const peers = Object.entries(pkg.peerDependencies ?? {}).map(([name, range]) => {
    const installed = join(root, 'node_modules', name, 'package.json');
    if (!existsSync(installed)) return `${name}@${range}`;
    return `${name}@${JSON.parse(readFileSync(installed, 'utf8')).version}`;
  });
  const install = run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--loglevel=error',
      tarball,
      ...peers,
    ],
    { cwd: consumer },
  );
  record(`npm install ${filename} ${peers.join(' ')}`, install.status === 0);
  if (install.status === 0) {
    copyFileSync(join(here, 'package-smoke', 'esm.mjs'), join(consumer, 'esm.mjs'));
    copyFileSync(join(here, 'package-smoke', 'cjs.cjs'), join(consumer, 'cjs.cjs'));
    const env = { RXBROKER_ENTRIES: JSON.stringify(entries) };
    for (const file of ['esm.mjs', 'cjs.cjs']) {
      const smoke = run(process.execPath, [file], { cwd: consumer, env });
      record(
        `${file.endsWith('.mjs') ? 'ESM (import)' : 'CJS (require)'} consumer`,
        smoke.status === 0,
      );
    }

    // --- 4. sizes -------------------------------------------------------------------------------
    section('bundle size (minified + gzip, dependencies and peers excluded)');
    const { buildSync } = await import('esbuild');
    for (const entry of entries) {
      const specifier = specifierOf(entry);
      const bundle = buildSync({
        stdin: { contents: `export * from '${specifier}';`, resolveDir: consumer },
        bundle: true,
        minify: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        external,
        write: false,
        logLevel: 'silent',
      }).outputFiles[0].contents;
      const gzipped = gzipSync(bundle, { level: 9 }).length;
      const line = `${specifier}: ${bundle.length} B min, ${gzipped} B min+gzip`;
      if (entry === '.') {
        record(
          `core bundle size ${gzipped} B <= ${CORE_BUDGET_BYTES} B`,
          gzipped <= CORE_BUDGET_BYTES,
          `${line} (${(gzipped / 1024).toFixed(2)} KiB of ${CORE_BUDGET_BYTES / 1024} KiB)`,
        );
      } else {
        console.log(`info ${line}`);
      }
    }
  }
} catch (error) {
  record('check-package', false, error instanceof Error ? error.message : String(error));
} finally {
  if (keep) console.log(`\nkept ${temp}`);
  else rmSync(temp, { recursive: true, force: true });
}

section('summary');
for (const { name, ok } of results) console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}`);
const failed = results.filter((result) => !result.ok);
if (failed.length > 0) {
  console.error(`\n${failed.length} package check(s) failed`);
  process.exit(1);
}
console.log('\nall package checks passed');
