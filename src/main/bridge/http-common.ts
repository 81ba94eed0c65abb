/**
 * What every HTTP route of `quotedesk serve` shares: the error type that becomes a JSON `{error, field}`
 * answer, the API headers (`no-store`, `nosniff`), strict JSON bodies (application/json only, a size cap,
 * no key that could reach a prototype), and the small parsers of query parameters. No routing here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AccessPolicy } from './request-policy.js';

export const MAX_BODY_BYTES = 64 * 1024;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export const API_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;
export const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field = '',
  ) {
    super(message);
  }
}

/**
 * The checks every request passes before routing (Host, URL encoding, Origin), for the desk server and the
 * fleet supervisor alike; `server` names it in refusals.
 */
export function admitRequest(policy: AccessPolicy, request: IncomingMessage, port: number, server: string): URL {
  if (!policy.hostAllowed(request, port)) throw new HttpError(403, `host not allowed: ${request.headers.host ?? '(none)'}`);
  const raw = request.url ?? '/';
  if (malformedEncoding(raw)) throw new HttpError(400, 'malformed %-encoding in the request URL');
  if (!policy.originAllowed(request)) throw new HttpError(403, `cross-origin request refused: ${request.headers.origin ?? ''} is not ${server}`);
  return new URL(raw, `http://${request.headers.host ?? 'localhost'}`);
}

/** Answers a WebSocket upgrade with a plain HTTP refusal and closes the socket. */
export function refuseUpgrade(socket: Socket, status: string, why: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(why)}\r\n\r\n${why}`);
}

/** Whether the URL holds a %-sequence that is not hex or not UTF-8. */
export function malformedEncoding(raw: string): boolean {
  try {
    // why: the decoded text is used (compared), or a bundler drops the call as free of side effects.
    return decodeURIComponent(raw).length < 0;
  } catch {
    return true;
  }
}

export function parseLimit(text: string | null, fallback = 100): number {
  if (text === null) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 100_000) throw new HttpError(400, 'limit must be an integer from 1 to 100000', 'limit');
  return value;
}

export function parseSession(text: string | null, fallback: number | null): number {
  if (text === null) {
    if (fallback === null) throw new HttpError(503, 'no session is running: name one with ?session=ID', 'session');
    return fallback;
  }
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new HttpError(400, 'session must be a positive integer', 'session');
  return value;
}

/** A JSON body under the size limit, sent as `application/json`, with no key that could reach a prototype. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const type = request.headers['content-type'];
  const mediaType = type?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    request.resume();
    throw new HttpError(415, type === undefined ? 'content-type application/json is required' : `content-type must be application/json, got ${type}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new HttpError(400, `forbidden key "${key}" in the body`, key);
      return value;
    }) as unknown;
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, `malformed JSON body: ${(error as Error).message}`);
  }
}

export function sendText(response: ServerResponse, status: number, contentType: string, text: string): void {
  response.writeHead(status, { ...API_HEADERS, 'content-type': contentType });
  response.end(text);
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  // JSON.stringify writes NaN and ±Infinity as null, as the contract says.
  sendText(response, status, 'application/json; charset=utf-8', JSON.stringify(body));
}
