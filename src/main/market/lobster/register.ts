/**
 * Registers the `lobster` adapter with the adapter factory (`createAdapter('lobster', ...)`), which does
 * not build it itself. Idempotent; called by the replay and on importing `lobster/index.ts`. No I/O.
 */
import { registerAdapter } from '../adapters/index.js';
import { LobsterAdapter } from './adapter.js';

let registered = false;

export function registerLobsterAdapter(): void {
  if (registered) return;
  registered = true;
  registerAdapter('lobster', (instrument, options) =>
    new LobsterAdapter(instrument, options.windowTicks === undefined ? {} : { windowTicks: options.windowTicks }),
  );
}
