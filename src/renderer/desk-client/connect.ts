/**
 * What the page is connected to, found once at start: the Electron window's bridge (`window.quotedesk`),
 * or the server that served the page — `quotedesk serve` with one desk or several (`GET /api/desks`), or
 * the fleet supervisor `quotedesk fleet` (`GET /api/fleet` answers). The host hands the monitor a desk-bound
 * API per desk it opens (its own stream: one WebSocket per open desk), the overview feed of every desk
 * (several desks or the fleet), and — in the desktop app — the live keys store. For the browser it also
 * takes the write token out of the URL: the page is opened as `…/#token=TOKEN`; the token is read once,
 * kept in sessionStorage (this tab only) and removed from the visible URL so it is not shoulder-surfed,
 * bookmarked or copied along with the address.
 */
import type { DeskApi } from '../../shared/contract.js';
import type { DesktopBridge, KeysAnswer, LiveKeysInput } from '../../shared/desktop-bridge.js';
import type { DeskSummaryView } from '../../shared/desks.js';
import { BridgeOverviewFeed, HttpOverviewFeed, type OverviewFeed } from '../overview/overview-feed.js';
import { HttpDeskApi } from './http-client.js';
import type { ConnectionInfo, StreamingDeskApi } from './streaming-api.js';

const TOKEN_KEY = 'quotedesk.token';

/** Reads `#token=…` once into sessionStorage and strips it from the address bar. */
export function takeToken(): string | null {
  const hash = window.location.hash.replace(/^#/, '');
  const params = new URLSearchParams(hash);
  const fromHash = params.get('token');
  if (fromHash) {
    try {
      window.sessionStorage.setItem(TOKEN_KEY, fromHash);
    } catch {
      /* storage disabled: the token lives in memory for this page only */
    }
    params.delete('token');
    const rest = params.toString();
    const clean = `${window.location.pathname}${window.location.search}${rest ? `#${rest}` : ''}`;
    window.history.replaceState(null, '', clean);
    return fromHash;
  }
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** Wraps the preload bridge's desk API: IPC has no connection to lose, so it reports `open` throughout. */
class BridgeDeskApi implements StreamingDeskApi {
  constructor(private readonly bridge: DeskApi) {}
  getState = () => this.bridge.getState();
  getMetrics = () => this.bridge.getMetrics();
  getFills = (limit: number) => this.bridge.getFills(limit);
  kill = () => this.bridge.kill();
  rearm = () => this.bridge.rearm();
  pause = () => this.bridge.pause();
  resume = () => this.bridge.resume();
  reduce = () => this.bridge.reduce();
  acceptPosition = () => this.bridge.acceptPosition();
  flatten: DeskApi['flatten'] = (request) => this.bridge.flatten(request);
  cancelFlatten = () => this.bridge.cancelFlatten();
  cancelOrder = (clientOrderId: string) => this.bridge.cancelOrder(clientOrderId);
  setParams = (patch: unknown) => this.bridge.setParams(patch);
  replay: DeskApi['replay'] = (command) => this.bridge.replay(command);
  getSessions = (limit: number) => this.bridge.getSessions(limit);
  getSessionFills = (sessionId: number, limit: number) => this.bridge.getSessionFills(sessionId, limit);
  exportCsv: DeskApi['exportCsv'] = (kind, sessionId) => this.bridge.exportCsv(kind, sessionId);
  getSession = () => this.bridge.getSession();
  startSession: DeskApi['startSession'] = (spec) => this.bridge.startSession(spec);
  stopSession = () => this.bridge.stopSession();
  getRecordings = () => this.bridge.getRecordings();
  setRecording = (on: boolean) => this.bridge.setRecording(on);
  getLive = () => this.bridge.getLive();
  subscribe: DeskApi['subscribe'] = (listener) => this.bridge.subscribe(listener);
  loadPreferences = () => this.bridge.loadPreferences();
  savePreferences: DeskApi['savePreferences'] = (preferences) => this.bridge.savePreferences(preferences);
  notify: DeskApi['notify'] = (notice) => this.bridge.notify(notice);
  /** IPC updates are paced by the desk's publish interval; nothing to acknowledge. */
  frameRendered = (): void => undefined;
  onConnection(listener: (info: ConnectionInfo) => void): () => void {
    listener({ status: 'open', attempts: 0, retryAtMs: null });
    return () => undefined;
  }
}

/**
 * `single`: one desk, the monitor opens on it; `desks`: several desks of one process, the monitor opens on
 * their overview; `fleet`: the supervisor's desks, an overview with per-desk commands (no full monitor).
 */
export type HostKind = 'single' | 'desks' | 'fleet';

/** The desktop app's store of live keys (the window sends keys, gets back only what is configured). */
export interface KeysStore {
  save(keys: LiveKeysInput): Promise<KeysAnswer>;
  clear(): Promise<KeysAnswer>;
}

export interface DeskHost {
  readonly kind: HostKind;
  readonly transport: 'electron' | 'http';
  /** Whether writes can be authorised (always in Electron; in a browser only with a token). */
  readonly canWrite: boolean;
  /** The desks at start, in the server's order (the overview keeps the list current). */
  readonly desks: readonly string[];
  /** A desk-bound API with a stream of its own; `null` is the first desk (a single-desk host). */
  openDesk(name: string | null): StreamingDeskApi;
  /** Every desk's row (several desks or the fleet); null for a single desk. */
  readonly overview: OverviewFeed | null;
  readonly keys: KeysStore | null;
}

async function probe<T>(path: string, token: string | null): Promise<T | null> {
  try {
    const response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}`, accept: 'application/json' } : { accept: 'application/json' } });
    return response.ok ? ((await response.json()) as T) : null;
  } catch {
    return null;
  }
}

function bridgeHost(bridge: DesktopBridge, desks: readonly DeskSummaryView[]): DeskHost {
  const names = desks.map((desk) => desk.name);
  const several = names.length > 1;
  return {
    kind: several ? 'desks' : 'single',
    transport: 'electron',
    canWrite: true,
    desks: names,
    openDesk: (name) => new BridgeDeskApi(bridge.desk(name ?? names[0] ?? 'main')),
    overview: several ? new BridgeOverviewFeed(bridge) : null,
    keys: { save: (keys) => bridge.saveKeys(keys), clear: () => bridge.clearKeys() },
  };
}

/** Finds out what served the page (see the header). */
export async function connectHost(): Promise<DeskHost> {
  const bridge = window.quotedesk;
  if (bridge) return bridgeHost(bridge, await bridge.overview());
  const token = takeToken();
  const origin = window.location.origin;
  const [fleet, desks] = await Promise.all([probe<{ desks: ReadonlyArray<{ name: string }> }>('/api/fleet', token), probe<DeskSummaryView[]>('/api/desks', token)]);
  const http = { transport: 'http' as const, canWrite: token !== null, keys: null };
  if (fleet !== null) {
    return {
      ...http,
      kind: 'fleet',
      desks: fleet.desks.map((desk) => desk.name),
      // why: the supervisor has no desk API; its drill-in is the fleet's own panel (no desk is opened).
      openDesk: () => {
        throw new Error('the fleet supervisor serves no desk API: open the desk on its own serve');
      },
      overview: new HttpOverviewFeed(origin, token, 'fleet'),
    };
  }
  const names = (desks ?? []).map((desk) => desk.name);
  const several = names.length > 1;
  return {
    ...http,
    kind: several ? 'desks' : 'single',
    desks: names,
    openDesk: (name) => (name === null ? new HttpDeskApi(origin, token) : HttpDeskApi.forDesk(origin, token, name)),
    overview: several ? new HttpOverviewFeed(origin, token, 'desks') : null,
  };
}
