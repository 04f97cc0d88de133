import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

// The NATS broker is tested against a real server (spec/nats/); without one those tests are
// skipped, and its code leaves the coverage report rather than failing the thresholds.
const natsAvailable =
  process.env.NATS_URL !== undefined ||
  process.env.REQUIRE_NATS === '1' ||
  spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status === 0;

export default defineConfig({
  resolve: {
    // Specs and marbles import the package by its own name, as users do; here it resolves to src/.
    alias: [
      { find: /^rxbroker\/testing$/, replacement: src('testing/index.ts') },
      { find: /^rxbroker\/nats$/, replacement: src('nats/index.ts') },
      { find: /^rxbroker$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['spec/**/*.spec.ts', 'marbles/**/*.spec.ts', 'examples/angular/**/*.spec.ts'],
    typecheck: {
      enabled: true,
      include: ['spec/types/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: natsAvailable ? [] : ['src/nats/**'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 90, branches: 90 },
    },
  },
});
