/**
 * The built monitor's static files (out/renderer) as `quotedesk serve` and the fleet supervisor serve
 * them: only files under the folder (a path that climbs out is a 404), any other path answers the
 * monitor's index.html (the page routes itself), every answer with the monitor's Content-Security-Policy
 * (`static-policy.ts`), `nosniff` and no referrer; the index is never cached. Reads files, decides nothing
 * about who may read them (the servers' request policies do that first).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { HttpError } from './http-common.js';
import { CONTENT_SECURITY_POLICY } from './static-policy.js';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

/** Answers `path` from `root` (the built monitor), or throws an HttpError 404. */
export function serveStatic(root: string | null, path: string, response: ServerResponse): void {
  if (!root || !existsSync(root)) throw new HttpError(404, 'the monitor is not built: run `npm run build`');
  const rootResolved = resolve(root);
  const wanted = path === '/' ? '/index.html' : decodeURIComponent(path);
  const file = normalize(join(rootResolved, wanted));
  if (!file.startsWith(rootResolved + sep)) throw new HttpError(404, 'not found');
  const target = existsSync(file) && statSync(file).isFile() ? file : join(rootResolved, 'index.html');
  response.writeHead(200, {
    'content-type': MIME[extname(target)] ?? 'application/octet-stream',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': target.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
  });
  createReadStream(target).pipe(response);
}
