/**
 * Entry of the monitor: picks the desk transport (Electron preload bridge or HTTP + WebSocket), creates the
 * store that batches the stream into animation frames, subscribes it to the stream, and mounts the React
 * tree. This is the only place that wires transport to store; panels read the store through hooks.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { connectDesk } from './desk-client/connect.js';
import { DeskContext, type DeskContextValue } from './desk-client/hooks.js';
import { DeskStore } from './desk-client/store.js';
import './styles/desk.css';

const connection = connectDesk();
const store = new DeskStore();
connection.api.onConnection((info) => store.setConnection(info));
connection.api.subscribe((message) => store.apply(message));
// One update per rendered frame: React commits this frame's slices synchronously in the frame callback,
// so acknowledging after it lets the server send the next update for the next frame.
store.onFrame(() => connection.api.frameRendered());
connection.api.getSession().then(
  (session) => store.setSession(session),
  () => undefined, // an older host without session control: the stream alone drives the page
);

// Read-only diagnostics for the benchmark and the e2e tests (message and frame counts).
Object.defineProperty(window, '__quotedeskStats', { value: store.stats, configurable: false, writable: false });

const value: DeskContextValue = { store, api: connection.api, canWrite: connection.canWrite, transport: connection.transport };
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <DeskContext.Provider value={value}>
      <App />
    </DeskContext.Provider>
  </StrictMode>,
);
