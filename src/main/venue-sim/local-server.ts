/**
 * The HTTP plumbing every dialect of the local exchange shares, whatever venue it speaks: reading a
 * request's path, query and (bounded) body; the fault control API (`POST /__local/faults` with a JSON object
 * of faults, closed to web pages and when turned off), listening on a loopback port, and closing every
 * socket on stop. It knows nothing of a venue's routes, signatures or answers.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const MAX_BODY = 65_536;

/** Reads the request, then hands over its path, raw query and raw body. */
export function readRequest(req: IncomingMessage, handle: (path: string, rawQuery: string, rawBody: string) => void): void {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  const rawQuery = q >= 0 ? url.slice(q + 1) : '';
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY) req.destroy();
    else chunks.push(chunk);
  });
  req.on('end', () => handle(path, rawQuery, Buffer.concat(chunks).toString('utf8')));
}

/** `POST /__local/faults {...}`: applies each fault in order and answers which were applied. */
export function controlRequest(req: IncomingMessage, res: ServerResponse, path: string, rawBody: string, enabled: boolean, apply: (key: string, value: unknown) => void): void {
  const send = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  // why: a web page may not drive the faults of a local exchange a trader rehearses on
  if (!enabled || req.headers.origin !== undefined) return send(403, { error: 'the control API is closed' });
  if (req.method !== 'POST' || path !== '/__local/faults') return send(404, { error: 'POST /__local/faults only' });
  let body: Record<string, unknown>;
  try {
    const parsed = JSON.parse(rawBody) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    body = parsed as Record<string, unknown>;
  } catch {
    return send(400, { error: 'body must be a JSON object' });
  }
  try {
    const done: string[] = [];
    for (const [key, value] of Object.entries(body)) {
      apply(key, value);
      done.push(key);
    }
    send(200, { applied: done });
  } catch (error) {
    send(400, { error: error instanceof Error ? error.message : String(error) });
  }
}

/** Tracks the server's sockets (no Nagle) so stop can close them all. */
export function trackSockets(http: Server, sockets: Set<Socket>): void {
  http.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
  });
}

/** Listens on `host:port` (0: any free port) and resolves with the port. */
export async function listenOn(http: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => resolve());
  });
  return (http.address() as AddressInfo).port;
}

export async function closeServer(http: Server, sockets: Set<Socket>): Promise<void> {
  await new Promise<void>((resolve) => {
    http.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}
