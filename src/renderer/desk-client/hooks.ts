/**
 * React bindings of the desk store: one hook per slice, each re-rendering its component only when that
 * slice was published, and the context that hands panels the store and the API. Panels never subscribe to
 * the raw stream. `useDeskState` is the market view, every frame: only the ladder, the state banner, the
 * replay transport and the chart legend use it. Panels of figures and lists use `usePacedState`,
 * `useMetrics`, `useFills` and `useEvents`, published at reading pace (see store.ts).
 */
import { createContext, useContext, useSyncExternalStore } from 'react';
import type { DeskEventView, DeskMetrics, DeskState, FillView, SessionView, TradeView } from '../../shared/contract.js';
import type { KeysStore } from './connect.js';
import type { ConnectionInfo, StreamingDeskApi } from './streaming-api.js';
import type { DeskStore, Slice } from './store.js';

export interface DeskContextValue {
  readonly store: DeskStore;
  readonly api: StreamingDeskApi;
  readonly canWrite: boolean;
  readonly transport: 'electron' | 'http';
  /** The desktop app's store of live keys (null in a browser: the host's environment holds them). */
  readonly keys?: KeysStore | null;
}

export const DeskContext = createContext<DeskContextValue | null>(null);

export function useDesk(): DeskContextValue {
  const value = useContext(DeskContext);
  if (!value) throw new Error('useDesk outside <DeskContext.Provider>');
  return value;
}

function useSlice<T>(slice: Slice, read: (store: DeskStore) => T): T {
  const { store } = useDesk();
  return useSyncExternalStore(
    (listener) => store.subscribe(slice, listener),
    () => read(store),
  );
}

export function useDeskState(): DeskState | null {
  return useSlice('state', (s) => s.current.state);
}

/** The desk's state at reading pace (at most four times a second; at once on a desk event). */
export function usePacedState(): DeskState | null {
  return useSlice('pacedState', (s) => s.current.pacedState);
}

export function useMetrics(): DeskMetrics | null {
  return useSlice('metrics', (s) => s.current.metrics);
}

export function useFills(): readonly FillView[] {
  return useSlice('fills', (s) => s.current.fills);
}

export function useEvents(): readonly DeskEventView[] {
  return useSlice('events', (s) => s.current.events);
}

/** The market's trades, newest first, at reading pace. */
export function useTrades(): readonly TradeView[] {
  return useSlice('trades', (s) => s.current.trades);
}

export function useConnection(): ConnectionInfo {
  return useSlice('connection', (s) => s.current.connection);
}

export function useSession(): SessionView | null {
  return useSlice('session', (s) => s.current.session);
}
