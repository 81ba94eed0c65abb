/**
 * What the page shows: with one desk, that desk's monitor (as it always was); with several desks — of one
 * `quotedesk serve`, of the desktop app, or the fleet's on the supervisor's page — the overview first, and
 * a desk drilled into: the full monitor of a local desk (its own desk-bound API and stream, made when it
 * opens and closed when it goes), or the fleet's panel of a remote one. It owns the navigation between
 * them (Esc back, Alt+digit and Alt+[ / Alt+] between desks; the desk in view is in the address as
 * `#desk=NAME`, so a reload or a shared link opens it again and the browser's Back returns to the
 * overview) and the kill-all with its dialog (confirmation, then each desk's state and answer), which stays
 * up whichever view is shown. The overview store is fed for as long as the page lives, so the desk strip of
 * a drilled-in desk shows the others too.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { DeskHost } from '../desk-client/connect.js';
import { DeskContext, type DeskContextValue } from '../desk-client/hooks.js';
import { DeskStore, type StoreStats } from '../desk-client/store.js';
import { FleetDeskPanel } from '../overview/FleetDeskPanel.js';
import { KillAllDialog, type KillAllPhase } from '../overview/KillAllDialog.js';
import { Overview } from '../overview/Overview.js';
import { OverviewContext, useOverviewRows, type OverviewContextValue } from '../overview/overview-context.js';
import { OverviewStore, type OverviewStats } from '../overview/overview-store.js';
import { useShortcuts, type ShortcutAction } from '../shortcuts/shortcuts.js';
import { App } from './App.js';
import { navigate, type DeskNav } from './desk-nav.js';

/** Diagnostics for the benchmarks and tests: the open desk's store and the overview's, whichever they are now. */
export const pageStats: { desk: StoreStats | null; overview: OverviewStats | null } = { desk: null, overview: null };

/** The desk the address names (`#desk=NAME`), if it is one of `names`. */
export function deskInHash(hash: string, names: readonly string[]): string | null {
  const name = new URLSearchParams(hash.replace(/^#/, '')).get('desk');
  return name !== null && names.includes(name) ? name : null;
}

/** The address's fragment with the desk in view (every other parameter kept). */
export function hashWithDesk(hash: string, desk: string | null): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  if (desk === null) params.delete('desk');
  else params.set('desk', desk);
  const text = params.toString();
  return text ? `#${text}` : '';
}

/** The page title: LIVE first whenever a desk of the overview trades for real (its own component: no re-render above it). */
function LiveTitle() {
  const rows = useOverviewRows();
  const live = (rows ?? []).filter((row) => row.execution === 'live' && row.status === 'running').map((row) => row.name);
  const text = live.length > 0 ? `🔴 LIVE (${live.join(', ')}) — Quotedesk` : 'Quotedesk';
  useEffect(() => {
    document.title = text;
  }, [text]);
  return null;
}

export function Shell({ host }: { host: DeskHost }) {
  const overview = useMemo<OverviewContextValue | null>(() => (host.overview ? { store: new OverviewStore(), feed: host.overview, canWrite: host.canWrite } : null), [host]);
  useEffect(() => {
    if (!overview) return;
    pageStats.overview = overview.store.stats;
    const offRows = overview.feed.subscribe((next, firm) => overview.store.apply(next, firm));
    const offConnection = overview.feed.onConnection((info) => overview.store.setConnection(info));
    return () => {
      offRows();
      offConnection();
    };
  }, [overview]);

  const [open, setOpen] = useState<string | null>(() => (host.kind === 'single' ? null : deskInHash(window.location.hash, host.desks)));
  const [selected, setSelected] = useState<string | null>(open ?? host.desks[0] ?? null);
  const [killAll, setKillAll] = useState<KillAllPhase | null>(null);

  // The address follows the desk in view; Back (or editing the address) moves the page.
  useEffect(() => {
    if (host.kind === 'single') return;
    const wanted = hashWithDesk(window.location.hash, open);
    if (wanted !== (window.location.hash === '#' ? '' : window.location.hash)) {
      window.history.pushState(null, '', `${window.location.pathname}${window.location.search}${wanted}`);
    }
  }, [open, host]);
  useEffect(() => {
    if (host.kind === 'single') return;
    const follow = (): void => {
      const names = overview?.store.current?.map((row) => row.name) ?? host.desks;
      const desk = deskInHash(window.location.hash, names);
      setOpen(desk);
      if (desk !== null) setSelected(desk);
    };
    window.addEventListener('popstate', follow);
    window.addEventListener('hashchange', follow);
    return () => {
      window.removeEventListener('popstate', follow);
      window.removeEventListener('hashchange', follow);
    };
  }, [host, overview]);

  /** Sends the kill-all at once (the chords, the confirmation). */
  const runKillAll = useCallback(() => {
    if (!overview) return;
    setKillAll({ phase: 'sent' });
    void overview.feed.killAll('kill-all from the monitor').then((outcome) => setKillAll({ phase: 'done', outcome }));
  }, [overview]);
  /** The button and K: ask first. */
  const askKillAll = useCallback(() => setKillAll((current) => current ?? { phase: 'confirm' }), []);
  const closeKillAll = useCallback(() => setKillAll(null), []);
  // While the kill-all dialog is up, Esc closes it and the views' keys are off (the chords still kill).
  useEffect(() => {
    if (killAll === null) return;
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopImmediatePropagation();
        setKillAll(null);
        return;
      }
      if ((event.ctrlKey || event.metaKey) && event.shiftKey && (event.key.toLowerCase() === 'k' || event.code === 'KeyK')) {
        event.preventDefault();
        event.stopImmediatePropagation();
        if (killAll.phase === 'confirm') runKillAll();
        return;
      }
      // why: Enter, Space and Tab keep their default (the focused button); nothing reaches the views below.
      event.stopImmediatePropagation();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [killAll, runKillAll]);

  const openDesk = useCallback((name: string) => {
    setSelected(name);
    setOpen(name);
  }, []);
  const back = useCallback(() => setOpen(null), []);

  // Read at the key press: the Shell does not re-render with the overview (a drilled-in monitor would too).
  const names = useCallback((): readonly string[] => overview?.store.current?.map((row) => row.name) ?? host.desks, [overview, host]);
  const nav = useMemo<DeskNav | null>(
    () =>
      open === null
        ? null
        : {
            current: open,
            back,
            open: openDesk,
            step: (delta) => {
              const list = names();
              const at = list.indexOf(open);
              const next = list[(at + delta + list.length) % list.length];
              if (next !== undefined) openDesk(next);
            },
            openAt: (index) => {
              const name = names()[index];
              if (name !== undefined) openDesk(name);
            },
            killAll: runKillAll,
            askKillAll,
          },
    [open, back, openDesk, names, runKillAll, askKillAll],
  );

  if (host.kind === 'single' || !overview) return <DeskView host={host} name={null} nav={null} />;
  return (
    <OverviewContext.Provider value={overview}>
      <LiveTitle />
      {open === null ? (
        <Overview kind={overview.feed.kind} selected={selected} onSelect={setSelected} onOpen={openDesk} onKillAll={runKillAll} onAskKillAll={askKillAll} keysOff={killAll !== null} />
      ) : host.kind === 'fleet' ? (
        nav && <FleetDeskView nav={nav} />
      ) : (
        nav && <DeskView key={open} host={host} name={open} nav={nav} />
      )}
      {killAll && <KillAllRows step={killAll} onConfirm={runKillAll} onClose={closeKillAll} />}
    </OverviewContext.Provider>
  );
}

/** The kill-all dialog on the overview's rows (its own component: only it re-renders with them). */
function KillAllRows({ step, onConfirm, onClose }: { step: KillAllPhase; onConfirm: () => void; onClose: () => void }) {
  const rows = useOverviewRows() ?? [];
  return <KillAllDialog step={step} rows={rows} onConfirm={onConfirm} onClose={onClose} />;
}

/** Esc back, Alt+digit / Alt+[ / Alt+] between desks, the kill chords: in the fleet's drill-in (a desk monitor has its own). */
function FleetDeskView({ nav }: { nav: DeskNav }) {
  useShortcuts((action: ShortcutAction) => navigate(nav, action));
  return <FleetDeskPanel name={nav.current} onBack={nav.back} />;
}

/** One desk's full monitor on its own desk-bound API and stream, for as long as it is in view. */
function DeskView({ host, name, nav }: { host: DeskHost; name: string | null; nav: DeskNav | null }) {
  const [value] = useState<DeskContextValue>(() => ({ store: new DeskStore(), api: host.openDesk(name), canWrite: host.canWrite, transport: host.transport, keys: host.keys }));
  useEffect(() => {
    const { api, store } = value;
    pageStats.desk = store.stats;
    const offConnection = api.onConnection((info) => store.setConnection(info));
    const offStream = api.subscribe((message) => store.apply(message));
    // The stream acknowledges updates on receipt; one it could not acknowledge then goes out with the frame.
    const offFrame = store.onFrame(() => api.frameRendered());
    api.getSession().then(
      (session) => store.setSession(session),
      () => undefined, // an older host without session control: the stream alone drives the page
    );
    return () => {
      offConnection();
      offStream();
      offFrame();
    };
  }, [value]);
  return (
    <DeskContext.Provider value={value}>
      <App nav={nav} deskName={name} />
    </DeskContext.Provider>
  );
}
