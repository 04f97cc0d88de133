import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Specs and marbles import the package by its own name, as users do; here it resolves to src/.
    alias: [
      { find: /^rxbroker\/testing$/, replacement: src('testing/index.ts') },
      { find: /^rxbroker$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['spec/**/*.spec.ts', 'marbles/**/*.spec.ts'],
    typecheck: {
      enabled: true,
      include: ['spec/types/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 90, branches: 90 },
    },
  },
});
