/**
 * The global the preload script exposes in the Electron window: one function per DeskApi entry
 * (src/shared/contract.ts), nothing else. In a browser served by `quotedesk serve` it is absent and the
 * renderer talks HTTP + WebSocket instead.
 */
import type { DeskApi } from '../shared/contract.js';

declare global {
  interface Window {
    readonly quotedesk?: DeskApi;
  }
}

export {};
