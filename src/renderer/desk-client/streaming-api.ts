/**
 * What the monitor needs from a transport beyond the desk API: the stream's connection status and the
 * per-frame acknowledgement. Kept apart from the transports (HTTP, Electron IPC) so the store and the
 * hooks depend on the shape only, and run under Node in tests without a DOM.
 */
import type { DeskApi } from '../../shared/contract.js';

export type ConnectionStatus = 'connecting' | 'open' | 'disconnected';

export interface ConnectionInfo {
  readonly status: ConnectionStatus;
  /** Failed attempts since the stream was last open. */
  readonly attempts: number;
  /** When the next attempt is due (ms since the epoch), while disconnected. */
  readonly retryAtMs: number | null;
}

export interface StreamingDeskApi extends DeskApi {
  /** Connection status of the stream; the listener is called at once with the current status. */
  onConnection(listener: (info: ConnectionInfo) => void): () => void;
  /**
   * The page rendered a frame. A transport with flow control acknowledges each update as it takes it in;
   * one whose acknowledgement could not be sent then sends it here. A no-op where the transport needs none.
   */
  frameRendered(): void;
}
