/**
 * The gateways' HTTP/1.1 transport against real servers on 127.0.0.1 (Node's own HTTP and HTTPS servers,
 * and raw TCP servers that misbehave on purpose): answers come back whole and to the request that asked,
 * over few kept-alive connections; a request on a hot connection is on the socket before `send` returns;
 * a connection idle a while is checked first, and one the venue closed is never written to; every failure
 * says whether the request can have reached the venue — refused, unresolvable, untrusted certificate or a
 * header that would break its line: 'unavailable'; reset, cut, timed out, oversized or malformed answer:
 * 'unknown-outcome'. The parser is fed byte by byte too.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, Socket, type AddressInfo, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HOT_MS, HttpTransport } from '../../../src/main/execution/venues/common/http-transport.js';
import { ParseError, ResponseParser } from '../../../src/main/execution/venues/common/http1-response.js';
import { refusal } from '../../support/local-venue.js';
import { removeDir } from '../../support/serve-process.js';

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function listen<T extends Server | NetServer>(server: T): Promise<number> {
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function transport(url: string, timeoutMs = 2_000, options: ConstructorParameters<typeof HttpTransport>[2] = {}): HttpTransport {
  const t = new HttpTransport(url, timeoutMs, options);
  closers.push(() => t.close());
  return t;
}

/** An echo server: answers each request with its method, url, headers and body (after `delay` ms if asked). */
async function echoServer(): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? 0);
      setTimeout(() => {
        res.setHeader('x-used-weight', '7');
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
      }, delay);
    });
  });
  server.on('connection', () => connections++);
  server.keepAliveTimeout = 10_000;
  return { port: await listen(server), connections: () => connections };
}

/** A raw TCP server: `onRequest` gets each socket and the bytes of its first request. */
async function rawServer(onRequest: (socket: Socket, request: string) => void): Promise<number> {
  const server = createNetServer((socket) => {
    let text = '';
    let seen = false;
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (!seen && text.includes('\r\n\r\n')) {
        seen = true;
        onRequest(socket, text);
      }
    });
    socket.on('error', () => undefined);
    closers.push(() => socket.destroy());
  });
  return listen(server);
}

describe('the HTTP/1.1 response parser', () => {
  const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nx-a: 2\r\nSet-Cookie: s=1\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: t\r\n\r\n';

  it('reads a chunked answer fed one byte at a time, headers joined as Node joins them', () => {
    const parser = new ResponseParser();
    const bytes = Buffer.from(chunked, 'latin1');
    let response = null;
    for (let i = 0; i < bytes.length; i++) {
      const got = parser.push(bytes.subarray(i, i + 1));
      if (got) {
        expect(i).toBe(bytes.length - 1);
        response = got;
      }
    }
    expect(response?.status).toBe(200);
    expect(response?.body.toString()).toBe('hello, world');
    expect(response?.headers).toEqual({ 'transfer-encoding': 'chunked', 'x-a': '1, 2', 'set-cookie': ['s=1'] });
    expect(response?.keepAlive).toBe(true);
    expect(parser.midResponse).toBe(false);
  });

  it('skips interim answers, honours Content-Length, and keeps what follows for the next answer', () => {
    const parser = new ResponseParser();
    const first = parser.push(Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabcHTTP/1.1 204 No'));
    expect(first).toMatchObject({ status: 201, keepAlive: false });
    expect(first?.body.toString()).toBe('abc');
    expect(parser.leftover).toBeGreaterThan(0);
    expect(parser.push(Buffer.from(' Content\r\n\r\n'))).toMatchObject({ status: 204 });
  });

  it('reads a body that runs until the close, and says when a close cuts an answer', () => {
    const parser = new ResponseParser();
    expect(parser.push(Buffer.from('HTTP/1.0 200 OK\r\n\r\npartial'))).toBeNull();
    expect(parser.end()?.body.toString()).toBe('partial');
    const cut = new ResponseParser();
    cut.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    expect(() => cut.end()).toThrow(ParseError);
  });

  it.each([
    ['a status line that is not HTTP', 'SMTP ready\r\n\r\n', /status line/],
    ['a header without a name', 'HTTP/1.1 200 OK\r\n: x\r\n\r\n', /malformed header/],
    ['a chunk size that is not hexadecimal', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /not hexadecimal/],
    ['a chunk without its CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc', /CRLF/],
    ['two different lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n', /Content-Length/],
    ['a body over 16 MiB', 'HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n', /larger than/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => new ResponseParser().push(Buffer.from(text, 'latin1'))).toThrow(message);
  });
});

describe('the HTTP transport', () => {
  it('sends method, path, headers and body, and reads status, headers and body back', async () => {
    const { port } = await echoServer();
    const http = transport(`http://127.0.0.1:${port}/base/`);
    let sent = 0;
    const answer = await http.send('POST', '/api/v3/order?symbol=X&side=BUY', { 'x-mbx-apikey': 'k', 'content-type': 'application/json' }, '{"qty":"1.5"}', 'place c1', () => sent++);
    expect(sent).toBe(1);
    expect(answer.status).toBe(200);
    expect(answer.headers['x-used-weight']).toBe('7');
    expect(answer.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    const echoed = JSON.parse(answer.body) as { method: string; url: string; headers: Record<string, string>; body: string };
    expect(echoed).toMatchObject({ method: 'POST', url: '/base/api/v3/order?symbol=X&side=BUY', body: '{"qty":"1.5"}' });
    expect(echoed.headers).toMatchObject({ host: `127.0.0.1:${port}`, 'x-mbx-apikey': 'k', 'content-length': '13' });
    // A POST whose parameters are in the query says it carries nothing.
    const empty = JSON.parse((await http.send('DELETE', '/x', {}, null, 'cancel')).body) as { headers: Record<string, string> };
    expect(empty.headers['content-length']).toBe('0');
  });

  it('keeps one connection for requests in turn, one per request side by side, and matches every answer to its request', async () => {
    const { port, connections } = await echoServer();
    const http = transport(`http://127.0.0.1:${port}`);
    for (let i = 0; i < 50; i++) expect(JSON.parse((await http.send('GET', `/seq?i=${i}`, {}, null, 'seq')).body).url).toBe(`/seq?i=${i}`);
    expect(connections()).toBe(1);
    // Ten at once, answered in a shuffled order: each gets its own answer.
    const delays = [40, 5, 30, 0, 25, 10, 35, 15, 20, 45];
    const answers = await Promise.all(delays.map((d, i) => http.send('GET', `/par?i=${i}&delay=${d}`, {}, null, 'par')));
    answers.forEach((a, i) => expect(JSON.parse(a.body).url).toBe(`/par?i=${i}&delay=${delays[i]}`));
    expect(connections()).toBe(10);
  });

  it('writes a request on a hot connection before send returns, and checks a connection idle longer first', async () => {
    const { port, connections } = await echoServer();
    let clock = 1_000_000;
    const http = transport(`http://127.0.0.1:${port}`, 2_000, { nowMs: () => clock });
    await http.send('GET', '/warm', {}, null, 'warm');
    // A connection is written to at once only after a turn of the loop with nothing from the venue.
    await new Promise((resolve) => setImmediate(resolve));
    const writes: string[] = [];
    const original = Socket.prototype.write;
    // why: "on the wire" is the request's bytes handed to the socket, which this records
    Socket.prototype.write = function spy(this: Socket, ...args: Parameters<Socket['write']>): boolean {
      const line = String(args[0]).split('\r\n')[0] ?? '';
      if (line.startsWith('GET ')) writes.push(line); // not the server's answers (it runs in this process)
      return original.apply(this, args);
    } as Socket['write'];
    try {
      const hot = http.send('GET', '/hot', {}, null, 'hot');
      expect(writes).toEqual(['GET /hot HTTP/1.1']);
      await hot;
      await new Promise((resolve) => setImmediate(resolve));
      clock += HOT_MS + 1;
      const checked = http.send('GET', '/checked', {}, null, 'checked');
      // Idle past HOT_MS: written a turn later, once anything the venue sent meanwhile was read.
      expect(writes).toEqual(['GET /hot HTTP/1.1']);
      expect(JSON.parse((await checked).body).url).toBe('/checked');
      expect(writes).toEqual(['GET /hot HTTP/1.1', 'GET /checked HTTP/1.1']);
    } finally {
      Socket.prototype.write = original;
    }
    expect(connections()).toBe(1);
  });

  it('never reuses a connection the venue said it closes, or one it closed while idle', async () => {
    let connections = 0;
    const announced = await rawServer((socket) => {
      connections++;
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
    });
    const http = transport(`http://127.0.0.1:${announced}`);
    expect((await http.send('GET', '/a', {}, null, 'a')).body).toBe('ok');
    expect((await http.send('GET', '/b', {}, null, 'b')).body).toBe('ok');
    expect(connections).toBe(2);
    // A venue's keep-alive timeout: it closes a connection left idle, without a word.
    let idleClosed = 0;
    const timeout = await rawServer((socket) => {
      idleClosed++;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      setTimeout(() => socket.end(), 30);
    });
    const idle = transport(`http://127.0.0.1:${timeout}`);
    expect((await idle.send('GET', '/a', {}, null, 'a')).body).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await idle.send('GET', '/b', {}, null, 'b')).body).toBe('ok');
    expect(idleClosed).toBe(2);
  });

  it('says unavailable when nothing can have reached the venue', async () => {
    const free = createNetServer();
    const port = await new Promise<number>((resolve) => free.listen(0, '127.0.0.1', () => resolve((free.address() as AddressInfo).port)));
    await new Promise((resolve) => free.close(resolve));
    const refused = await refusal(transport(`http://127.0.0.1:${port}`).send('POST', '/order', {}, null, 'place c1'));
    expect(refused).toMatchObject({ code: 'unavailable' });
    expect(refused.message).toBe('place c1: the venue could not be reached (ECONNREFUSED)');
    const { port: live } = await echoServer();
    const injected = await refusal(transport(`http://127.0.0.1:${live}`).send('GET', '/x', { 'x-key': 'abc\r\nx-evil: 1' }, null, 'read'));
    expect(injected).toMatchObject({ code: 'unavailable' });
    expect(injected.message).not.toContain('abc');
    const stopped = transport(`http://127.0.0.1:${live}`);
    stopped.close();
    expect(await refusal(stopped.send('GET', '/x', {}, null, 'read'))).toMatchObject({ code: 'unavailable' });
  });

  it.each([
    ['the venue resets the connection', (socket: Socket) => socket.resetAndDestroy(), /connection failed \(ECONNRESET\)/],
    ['the answer is cut', (socket: Socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nabc'), /closed in the middle of the answer/],
    ['the answer is not HTTP', (socket: Socket) => socket.write('garbage\r\n\r\n'), /not an HTTP\/1.x status line/],
    ['no answer comes', () => undefined, /no answer within 300 ms/],
  ])('says unknown-outcome when %s after the request went out', async (_what, misbehave, message) => {
    const port = await rawServer((socket) => misbehave(socket));
    const error = await refusal(transport(`http://127.0.0.1:${port}`, 300).send('POST', '/order', {}, null, 'place c1'));
    expect(error.code).toBe('unknown-outcome');
    expect(error.message).toMatch(message);
  });

  it('drops a connection that answers what nobody asked, and a timed-out one, and answers the next request on a new one', async () => {
    let connections = 0;
    const port = await rawServer((socket, request) => {
      connections++;
      if (request.startsWith('GET /slow')) return; // never answers
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      if (request.startsWith('GET /extra')) setTimeout(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil'), 20);
    });
    const http = transport(`http://127.0.0.1:${port}`, 300);
    expect((await http.send('GET', '/extra', {}, null, 'extra')).body).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect((await http.send('GET', '/after-extra', {}, null, 'next')).body).toBe('ok');
    expect(await refusal(http.send('GET', '/slow', {}, null, 'slow'))).toMatchObject({ code: 'unknown-outcome' });
    expect((await http.send('GET', '/after-slow', {}, null, 'next')).body).toBe('ok');
    // One for /extra (dropped for the unasked answer), one for /after-extra and /slow (dropped at the
    // timeout), one for /after-slow: reusing either dropped one would have made it two.
    expect(connections).toBe(3);
  });

  it('speaks TLS to a venue whose certificate it trusts, and refuses, unsent, one it does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quotedesk-tls-'));
    closers.push(() => removeDir(dir));
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => res.end(`tls ${req.url}`));
    const port = await listen(server);
    const trusted = transport(`https://localhost:${port}`, 2_000, { ca: readFileSync(cert, 'utf8') });
    expect((await trusted.send('GET', '/time', {}, null, 'time')).body).toBe('tls /time');
    const untrusted = await refusal(transport(`https://localhost:${port}`).send('POST', '/order', {}, null, 'place c1'));
    expect(untrusted.code).toBe('unavailable');
    expect(untrusted.message).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
  });
});
