import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// `npm run dashboard`: serves this page. Like the other examples, it imports `rxbroker` by its own
// name and gets the built package (dist/, from `npm run build`), as an application would.
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  resolve: {
    alias: [
      { find: /^rxbroker\/testing$/, replacement: here('../../dist/testing.js') },
      { find: /^rxbroker$/, replacement: here('../../dist/index.js') },
    ],
  },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});
