/**
 * The Content-Security-Policy of the monitor's static files as `quotedesk serve` serves them: scripts and
 * styles from the desk itself only, WebSocket connections to it, no frames, forms, objects or base URL.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
