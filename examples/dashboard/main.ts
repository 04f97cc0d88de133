/**
 * The page's entry point: starts the dashboard in `#app`.
 *
 * Run: npm run dashboard (builds the package, then serves this page with vite).
 */
import { startDashboard } from './dashboard.js';

const root = document.querySelector<HTMLElement>('#app');
if (root === null) throw new Error('index.html has no #app element');
const dashboard = startDashboard(root);
// Stop the producer and shut the broker down when the page goes away.
window.addEventListener('pagehide', () => dashboard.stop(), { once: true });
