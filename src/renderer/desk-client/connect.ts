/**
 * Chooses the transport of the desk API for this page: the preload bridge (`window.quotedesk`) inside the
 * Electron window, or HTTP + WebSocket to the server that served the page (`quotedesk serve`). The same
 * renderer code runs on either. For the browser it also takes the write token out of the URL: the page is
 * opened as `…/#token=TOKEN`; the token is read once, kept in sessionStorage (this tab only) and removed
 * from the visible URL so it is not shoulder-surfed, bookmarked or copied along with the address.
 */
import type { DeskApi } from '../../shared/contract.js';
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

/** Wraps the preload bridge: IPC has no connection to lose, so it reports `open` throughout. */
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

export interface DeskConnection {
  readonly api: StreamingDeskApi;
  readonly transport: 'electron' | 'http';
  /** Whether writes can be authorised (always in Electron; in a browser only with a token). */
  readonly canWrite: boolean;
}

export function connectDesk(): DeskConnection {
  if (window.quotedesk) return { api: new BridgeDeskApi(window.quotedesk), transport: 'electron', canWrite: true };
  const token = takeToken();
  return { api: new HttpDeskApi(window.location.origin, token), transport: 'http', canWrite: token !== null };
}
