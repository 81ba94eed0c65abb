/**
 * The global the preload script exposes in the Electron window: `DesktopBridge` (src/shared/desktop-bridge.ts):
 * each desk's API by name, the overview, the kill-all and the live keys — nothing else. In a browser served
 * by `quotedesk serve` or `quotedesk fleet` it is absent and the renderer talks HTTP + WebSocket instead.
 */
import type { DesktopBridge } from '../shared/desktop-bridge.js';

declare global {
  interface Window {
    readonly quotedesk?: DesktopBridge;
  }
}

export {};
