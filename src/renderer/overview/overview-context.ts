/**
 * React bindings of the overview: the context that hands its components the overview store, its feed
 * (kill-all, per-desk commands) and whether writes can be authorised, and the hooks that re-render a
 * component when the store publishes. Components never subscribe to the raw stream.
 */
import { createContext, useContext, useSyncExternalStore } from 'react';
import type { FirmView } from '../../shared/desks.js';
import type { ConnectionInfo } from '../desk-client/streaming-api.js';
import type { OverviewFeed } from './overview-feed.js';
import type { OverviewRow } from './overview-model.js';
import type { OverviewStore } from './overview-store.js';

export interface OverviewContextValue {
  readonly store: OverviewStore;
  readonly feed: OverviewFeed;
  readonly canWrite: boolean;
}

export const OverviewContext = createContext<OverviewContextValue | null>(null);

export function useOverview(): OverviewContextValue | null {
  return useContext(OverviewContext);
}

/** The rows on screen (null until the first message, or without an overview). */
export function useOverviewRows(): readonly OverviewRow[] | null {
  const context = useContext(OverviewContext);
  return useSyncExternalStore(
    (listener) => context?.store.subscribe(listener) ?? (() => undefined),
    () => context?.store.current ?? null,
  );
}

export function useOverviewConnection(): ConnectionInfo | null {
  const context = useContext(OverviewContext);
  return useSyncExternalStore(
    (listener) => context?.store.subscribe(listener) ?? (() => undefined),
    () => context?.store.connectionInfo ?? null,
  );
}

/** The firm-wide limits with their use, as published with the rows (null without limits or an overview). */
export function useFirm(): FirmView | null {
  const context = useContext(OverviewContext);
  return useSyncExternalStore(
    (listener) => context?.store.subscribe(listener) ?? (() => undefined),
    () => context?.store.firm ?? null,
  );
}
