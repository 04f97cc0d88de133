import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

// The browser suite (`npm run test:browser`): the marble tests, the core specs that need nothing of
// Node, and the dashboard example, in real headless Chromium. It proves that the core
// (`rxbroker`, `rxbroker/testing`) runs in a browser as it does in Node. `npm test` stays in Node.

const src = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

/** Debian's Chromium; set CHROMIUM_PATH to use another build of Chromium. */
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The test page's size; the browser window gets the same, so that the page is not scaled down. */
const viewport = { width: 1280, height: 900 };

/** Tests that check something only Node.js has. */
const nodeOnlyTests = [
  // spec/broker/internal/timekeeper.spec.ts: Node's Timeout objects (`hasRef()`), which an idle
  // broker unrefs so that the process can exit. In a browser a timer is a number, and nothing
  // keeps a page alive.
  'keeps the timer armed while idle but lets the process exit, and holds it again when needed',
  'does not keep the process alive once every send has settled',
  // spec/reliability/faults/flooding.spec.ts: awaits `setImmediate`, which browsers lack.
  'an actor with an async handler flooded by 50,000 messages does not starve 2,000 pings (platform)',
];

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export default defineConfig({
  resolve: {
    // The same aliases as vitest.config.ts: specs and marbles import the package by its own name.
    alias: [
      { find: /^rxbroker\/testing$/, replacement: src('testing/index.ts') },
      { find: /^rxbroker$/, replacement: src('index.ts') },
    ],
  },
  // The test pages are served on loopback only.
  server: { host: '127.0.0.1' },
  test: {
    include: ['marbles/**/*.spec.ts', 'spec/**/*.spec.ts', 'examples/dashboard/**/*.spec.ts'],
    exclude: [
      // The NATS broker (`rxbroker/nats`) is a Node.js entry point, tested against a real server.
      'spec/nats/**',
      'spec/conformance/nats.spec.ts',
      // The model test reads process.env and listens on process for unhandled rejections; its
      // thousand random programs belong to the Node run anyway.
      'spec/reliability/model.spec.ts',
    ],
    // Tests skipped by name: the rest of their files runs here.
    testNamePattern: new RegExp(`^(?!.*(?:${nodeOnlyTests.map(escapeRegExp).join('|')}))`),
    browser: {
      enabled: true,
      headless: true,
      // One page per file, up to one per core: the files are independent.
      provider: playwright({
        launchOptions: {
          executablePath: chromium,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
        contextOptions: { viewport },
      }),
      instances: [{ browser: 'chromium' }],
      viewport,
      // Screenshots of failed tests go here, not next to the specs.
      screenshotDirectory: 'node_modules/.vitest/browser-failures',
    },
    attachmentsDir: 'node_modules/.vitest/attachments',
  },
});
