/**
 * LOBSTER support: `importLobster` turns a LOBSTER message/orderbook pair into a validated recording in
 * the capture format, and the `lobster` adapter replays such recordings like any venue's capture.
 * This file only re-exports; see the modules for what each owns.
 */
export { importLobster, LobsterInputError } from './import.js';
export type { LobsterImportOptions, LobsterImportResult, LobsterMismatch } from './import.js';
export { LobsterAdapter, createLobsterAdapter } from './adapter.js';
export type { LobsterAdapterOptions } from './adapter.js';
export {
  LOBSTER_CONN_PREFIX,
  lobsterInstrument,
  lobsterTimeToUs,
  midnightUs,
  parseLobsterFileName,
} from './format.js';
export type { LobsterRecordMessage, LobsterEventType } from './format.js';
export { registerLobsterAdapter } from './register.js';

import { registerLobsterAdapter } from './register.js';
registerLobsterAdapter();
