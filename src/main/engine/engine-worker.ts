/**
 * The engine thread: the entry of the `worker_threads` worker that runs a host's desk host (market feed,
 * desk, store) on an event loop of its own. Hosts (`quotedesk serve`, the Electron main process) keep
 * their transports — HTTP, WebSocket clients, IPC, exports — on their own thread, so no reader, client
 * or export can delay the engine, and the host stays free to take a kill while the engine works
 * (DEVELOPERS.md, "Threads"). This file only translates messages: requests from the host become desk host
 * calls, and the desk's stream leaves serialised once, piece by piece (protocol.ts). It adds no logic.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { StreamMessage } from '../../shared/contract.js';
import { DeskHost } from '../desk/desk-host.js';
import { classifyError } from '../desk/input-errors.js';
import { executeCommand } from './commands.js';
import { prometheus } from './prometheus.js';
import type { EngineAnswers, EngineCall, EngineEvent, EngineOptions, EngineRead, EngineRequest, ReadAnswer, StreamFrame } from './protocol.js';

if (!parentPort) throw new Error('the engine runs in a worker thread: start it through EngineLink');
const port = parentPort;
const options = workerData as EngineOptions;

function post(event: EngineEvent): void {
  port.postMessage(event);
}

const host = new DeskHost({
  dbPath: options.dbPath,
  params: options.params,
  recordingsDir: options.recordingsDir,
  base: options.base,
  logger: (line) => post({ type: 'log', line }),
});
for (const path of options.trustedRecordings) host.trustRecording(path);

/** Each piece serialised once; `JSON.stringify` writes NaN and ±Infinity as null, as the contract says. */
function frameOf(message: Exclude<StreamMessage, { type: 'session' }>): StreamFrame {
  const series = message.series.map((point) => ({ timeMs: point.timeMs, json: JSON.stringify(point) }));
  const fills = message.fills.map((fill) => JSON.stringify(fill));
  const events = message.events.map((event) => JSON.stringify(event));
  const trades = message.trades.map((trade) => JSON.stringify(trade));
  const volume = message.volume.map((row) => ({ price: row[0], json: JSON.stringify(row) }));
  if (message.type === 'snapshot') {
    return { kind: 'snapshot', state: JSON.stringify(message.state), metrics: JSON.stringify(message.metrics), fills, series, events, trades, volume };
  }
  return { kind: 'update', seq: message.seq, state: JSON.stringify(message.state), metrics: message.metrics === null ? null : JSON.stringify(message.metrics), fills, series, events, trades, volume };
}

host.subscribe((message) => {
  if (message.type === 'session') post({ type: 'session', session: message.session });
  else post({ type: 'frame', frame: frameOf(message) });
});

/** Why there is no desk to ask (503 for a reader). */
function noDeskReason(): string {
  const session = host.session();
  if (session.status === 'starting') return 'the session is starting';
  if (session.status === 'failed') return `no session is running: ${session.error ?? 'it failed to start'}`;
  return 'no session is running';
}

function read(what: EngineRead): ReadAnswer {
  const desk = host.desk;
  if (what === 'health' && !desk) {
    const session = host.session();
    return {
      ok: true,
      text: JSON.stringify({ ok: true, session: session.status, venue: session.spec?.venue ?? null, symbol: session.spec?.symbol ?? null, mode: null, tradingState: null, feed: { connected: false, lastMessageAgeMs: null } }),
    };
  }
  if (!desk) return { ok: false, status: 503, error: noDeskReason() };
  switch (what) {
    case 'state':
      return { ok: true, text: JSON.stringify(desk.state()) };
    case 'metrics':
      return { ok: true, text: JSON.stringify(desk.metrics()) };
    case 'prometheus':
      return { ok: true, text: prometheus(desk) };
    case 'health': {
      const state = desk.state();
      return {
        ok: true,
        text: JSON.stringify({
          ok: true,
          session: host.session().status,
          venue: state.venue,
          symbol: state.symbol,
          mode: state.mode,
          tradingState: state.tradingState,
          sessionId: state.sessionId,
          reconciled: state.reconciled,
          feed: { connected: state.feed.connected, lastMessageAgeMs: state.feed.lastMessageAgeMs, silentMs: state.feed.silentMs, quiet: state.feed.quiet, trusted: state.feed.trusted, state: state.feed.state },
        }),
      };
    }
  }
}

async function answer(request: EngineRequest): Promise<EngineAnswers[EngineRequest['kind']]> {
  switch (request.kind) {
    case 'command': {
      const desk = host.desk;
      if (!desk) return { ok: false, error: noDeskReason() };
      const result = await executeCommand(desk, request.name, request.payload, request.actor);
      return result.ok ? { ok: true, tradingState: desk.risk.state() } : result;
    }
    case 'read':
      return read(request.what);
    case 'start': {
      const result = await host.start(request.spec);
      if (result.ok || host.lastError === null) return result;
      // The error's class does not survive postMessage: the verdict and its one line travel instead.
      const verdict = classifyError(host.lastError);
      return { ...result, error: verdict.message, badInput: verdict.badInput };
    }
    case 'stop':
      return host.stop();
    case 'record':
      return host.setRecording(request.on);
    case 'recordings':
      return host.recordings();
    case 'commit': {
      const store = host.current?.store;
      if (store?.isOpen) await store.whenCommitted();
      return null;
    }
    case 'configure-live':
      host.setLive(request.live);
      return null;
    case 'watch':
      host.setWatched(request.watched);
      return null;
    case 'close':
      await host.close();
      return null;
  }
}

port.on('message', (call: EngineCall) => {
  answer(call.request).then(
    (value) => post({ type: 'reply', id: call.id, value }),
    (error: unknown) => post({ type: 'reply-error', id: call.id, error: error instanceof Error ? error.message : String(error) }),
  );
});

post({ type: 'ready' });
