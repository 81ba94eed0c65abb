/**
 * Entry of the monitor: finds what served the page (the Electron bridge, a `quotedesk serve` with one desk
 * or several, or the fleet supervisor: `desk-client/connect.ts`) and mounts the shell, which opens the
 * overview or the one desk and wires each open desk's transport to its store. This is the only place that
 * chooses a transport; panels read their store through hooks.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Shell, pageStats } from './app/Shell.js';
import { connectHost } from './desk-client/connect.js';
import './styles/desk.css';
import './styles/overview.css';

// Read-only diagnostics for the benchmarks and the e2e tests: the open desk's message and frame counts,
// and the overview's.
Object.defineProperty(window, '__quotedeskStats', { get: () => pageStats.desk, configurable: false });
Object.defineProperty(window, '__quotedeskOverviewStats', { get: () => pageStats.overview, configurable: false });

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
void connectHost().then((host) => {
  createRoot(root).render(
    <StrictMode>
      <Shell host={host} />
    </StrictMode>,
  );
});
