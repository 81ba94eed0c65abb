/**
 * The monitor's layout and its operator state: which dialog is open, the last command's outcome, the
 * preferences (ladder options, blotter tab, panel sizes, alerts, time zone: kept by the host). It
 * subscribes to no stream slice itself (each panel does), so a frame re-renders panels, never the whole
 * tree; the alerts, which read the paced state and events, live in the ControlBar for that reason (held
 * here, they re-rendered every panel at reading pace). Keyboard shortcuts are dispatched here, reading the
 * latest published state from the store at the moment of the key press. While the stream to the desk is
 * down every panel is greyed with the age of the last update, so a frozen picture is never taken for a
 * calm market. With several desks (`nav`), the desk strip sits on top and the navigation keys move between
 * desks; a live desk shows the LIVE strip with its venue link, and a position mismatch with the action
 * that accepts it.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type CSSProperties } from 'react';
import type { CommandResult } from '../../shared/contract.js';
import { LAYOUT_LIMITS, type Preferences } from '../../shared/preferences.js';
import { useConnection, useDesk } from '../desk-client/hooks.js';
import { AdversePanel } from '../adverse/AdversePanel.js';
import { Blotter, BLOTTER_TABS, type BlotterTab } from '../blotter/Blotter.js';
import { AcceptPositionDialog, LiveStrip } from '../controls/LiveStrip.js';
import { ConnectionBanner } from '../controls/ConnectionBanner.js';
import { ControlBar } from '../controls/ControlBar.js';
import { FlattenDialog } from '../controls/FlattenDialog.js';
import { RearmDialog } from '../controls/RearmDialog.js';
import { SessionDialog } from '../controls/SessionDialog.js';
import { EventLog } from '../feed-health/EventLog.js';
import { FeedHealthPanel } from '../feed-health/FeedHealthPanel.js';
import { InventoryPanel } from '../inventory/InventoryPanel.js';
import { Ladder, LADDER_GROUPS, type LadderOptions } from '../ladder/Ladder.js';
import { ParamsEditor } from '../params-editor/ParamsEditor.js';
import { PnlPanel } from '../pnl/PnlPanel.js';
import { ReplayTransport, nextSpeed } from '../replay/ReplayTransport.js';
import { HelpOverlay } from '../shortcuts/HelpOverlay.js';
import { useShortcuts, type ShortcutAction } from '../shortcuts/shortcuts.js';
import { SkewChart } from '../skew-chart/SkewChart.js';
import { StatisticsPanel } from '../statistics/StatisticsPanel.js';
import { TapePanel } from '../tape/TapePanel.js';
import { DeskTabs } from '../overview/DeskTabs.js';
import { navigate, type DeskNav } from './desk-nav.js';
import { Splitter } from './Splitter.js';
import { usePreferences } from './use-preferences.js';

export type DialogName = 'rearm' | 'flatten' | 'params' | 'help' | 'session' | 'acceptPosition';

export interface Notice {
  readonly text: string;
  readonly ok: boolean;
  readonly atMs: number;
}

export type RunCommand = (label: string, command: () => Promise<CommandResult>) => Promise<CommandResult>;

/** While disconnected, how often the "last update N s ago" figure moves. */
const STALE_TICK_MS = 1_000;

export function App({ nav = null, deskName = null }: { nav?: DeskNav | null; deskName?: string | null } = {}) {
  const { api, store, canWrite } = useDesk();
  const [dialog, setDialog] = useState<DialogName | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const { preferences, loaded, update, saveError } = usePreferences(api);
  const ladder: LadderOptions = preferences.ladder;
  const setLadder = useCallback((options: LadderOptions) => update((p) => ({ ...p, ladder: options })), [update]);
  const tab = preferences.blotterTab;
  const setTab = useCallback((t: BlotterTab) => update((p) => ({ ...p, blotterTab: t })), [update]);

  const run: RunCommand = useCallback(async (label, command) => {
    let result: CommandResult;
    try {
      result = await command();
    } catch (error) {
      result = { ok: false, error: (error as Error).message };
    }
    setNotice({ text: result.ok ? `${label}: done` : `${label} refused: ${result.error}`, ok: result.ok, atMs: Date.now() });
    return result;
  }, []);

  const kill = useCallback(() => void run('Kill switch', () => api.kill()), [api, run]);

  useShortcuts((action: ShortcutAction): boolean => {
    const state = store.current.state;
    const replay = state?.replay ?? null;
    switch (action) {
      case 'kill':
        kill();
        return true;
      case 'close':
        if (dialog === null) return nav !== null && navigate(nav, action);
        setDialog(null);
        return true;
      case 'killAll':
        // One desk: the kill-all is its kill.
        if (nav !== null) nav.killAll();
        else kill();
        return true;
      case 'help':
        setDialog((d) => (d === 'help' ? null : 'help'));
        return true;
      default:
        break;
    }
    if (dialog !== null) return false;
    if (nav !== null && navigate(nav, action)) return true;
    switch (action) {
      case 'pauseResume':
        if (state?.tradingState === 'paused') void run('Resume', () => api.resume());
        else void run('Pause', () => api.pause());
        return true;
      case 'reduce':
        // One key in and out of reduce-only.
        if (state?.tradingState === 'reducing') void run('Back to active', () => api.resume());
        else void run('Reduce-only', () => api.reduce());
        return true;
      case 'rearm':
        setDialog('rearm');
        return true;
      case 'flatten':
        setDialog('flatten');
        return true;
      case 'params':
        setDialog('params');
        return true;
      case 'session':
        setDialog('session');
        return true;
      case 'replayPlayPause':
        if (!replay) return false;
        void run(replay.playing ? 'Replay pause' : 'Replay play', () => api.replay({ action: replay.playing ? 'pause' : 'play' }));
        return true;
      case 'replayStep':
      case 'replayStepBig':
        if (!replay) return false;
        void run('Replay step', () => api.replay({ action: 'step', count: action === 'replayStep' ? 1 : 100 }));
        return true;
      case 'replayBack':
        if (!replay) return false;
        void run('Replay seek', () => api.replay({ action: 'seek', timeMs: Math.max(replay.startMs, replay.positionMs - 5_000) }));
        return true;
      case 'replayFaster':
      case 'replaySlower': {
        if (!replay) return false;
        const speed = nextSpeed(replay.speed, action === 'replayFaster' ? 1 : -1);
        void run('Replay speed', () => api.replay({ action: 'speed', speed }));
        return true;
      }
      case 'ladderCentre':
        setLadder({ ...ladder, autoCentre: !ladder.autoCentre });
        return true;
      case 'ladderGroup':
        setLadder({ ...ladder, group: LADDER_GROUPS[(LADDER_GROUPS.indexOf(ladder.group) + 1) % LADDER_GROUPS.length] ?? 'auto' });
        return true;
      case 'blotterTab':
        setTab(BLOTTER_TABS[(BLOTTER_TABS.indexOf(tab) + 1) % BLOTTER_TABS.length] ?? 'fills');
        return true;
      default:
        return false;
    }
  });

  const layout = useLayout(preferences, update);
  const stale = useStaleness();

  return (
    <div className={`desk${stale.stale ? ' stale' : ''}`} data-testid="desk" data-prefs-loaded={loaded ? 'true' : 'false'} data-stale={stale.stale ? 'true' : 'false'} style={stale.style}>
      {nav !== null && <DeskTabs current={nav.current} onBack={nav.back} onOpen={nav.open} onKillAll={nav.askKillAll} canWrite={canWrite} />}
      <ControlBar run={run} kill={kill} openDialog={setDialog} notice={saveError !== null ? { text: saveError, ok: false, atMs: Date.now() } : notice} preferences={preferences} update={update} />
      <ConnectionBanner />
      <LiveStrip openDialog={setDialog} single={nav === null} deskName={deskName} />
      <ReplayTransport run={run} />
      {/* Keyed by the time zone: every time on screen is formatted again in the new one. */}
      <main className="desk-grid" ref={layout.gridRef} style={layout.style} key={preferences.timeZone}>
        <section className="panel area-ladder" ref={layout.ladderRef}>
          <Ladder options={ladder} onOptions={setLadder} run={run} />
        </section>
        <section className="area-tape">
          <TapePanel />
        </section>
        <section className="panel area-chart">
          <SkewChart />
        </section>
        <section className="area-cards">
          <InventoryPanel />
          <PnlPanel />
        </section>
        <section className="panel area-blotter" ref={layout.bottomRef}>
          <Blotter tab={tab} onTab={setTab} />
        </section>
        <aside className="area-side" ref={layout.sideRef}>
          <StatisticsPanel />
          <AdversePanel />
          <FeedHealthPanel />
          <EventLog />
        </aside>
        <Splitter testid="split-ladder" className="split-ladder" label="Ladder width" orientation="vertical" direction={1} value={layout.sizes.ladder} {...LAYOUT_LIMITS.ladderWidthPx} onChange={(px) => layout.set('ladderWidthPx', px)} />
        <Splitter testid="split-side" className="split-side" label="Side panels width" orientation="vertical" direction={-1} value={layout.sizes.side} {...LAYOUT_LIMITS.sideWidthPx} onChange={(px) => layout.set('sideWidthPx', px)} />
        <Splitter testid="split-bottom" className="split-bottom" label="Fills and tape height" orientation="horizontal" direction={-1} value={layout.sizes.bottom} {...LAYOUT_LIMITS.bottomHeightPx} onChange={(px) => layout.set('bottomHeightPx', px)} />
      </main>
      {dialog === 'rearm' && <RearmDialog run={run} onClose={() => setDialog(null)} />}
      {dialog === 'flatten' && <FlattenDialog run={run} onClose={() => setDialog(null)} />}
      {dialog === 'params' && <ParamsEditor run={run} onClose={() => setDialog(null)} />}
      {dialog === 'help' && <HelpOverlay onClose={() => setDialog(null)} />}
      {dialog === 'session' && <SessionDialog run={run} onClose={() => setDialog(null)} />}
      {dialog === 'acceptPosition' && <AcceptPositionDialog run={run} onClose={() => setDialog(null)} />}
    </div>
  );
}

type LayoutKey = keyof Preferences['layout'];

/**
 * The panel sizes: the preference when the trader set one (CSS variables on the grid), the layout's own
 * size for the window otherwise; the sizes on screen are measured so the handles start from them.
 */
function useLayout(preferences: Preferences, update: (change: (p: Preferences) => Preferences) => void) {
  const gridRef = useRef<HTMLElement>(null);
  const ladderRef = useRef<HTMLElement>(null);
  const sideRef = useRef<HTMLElement>(null);
  const bottomRef = useRef<HTMLElement>(null);
  const [sizes, setSizes] = useState({ ladder: 318, side: 336, bottom: 212 });
  useLayoutEffect(() => {
    const measure = (): void => {
      const ladder = ladderRef.current?.offsetWidth ?? 0;
      const side = sideRef.current?.offsetWidth ?? 0;
      const bottom = bottomRef.current?.offsetHeight ?? 0;
      setSizes((s) => (s.ladder === ladder && s.side === side && s.bottom === bottom ? s : { ladder, side, bottom }));
    };
    measure();
    const grid = gridRef.current;
    if (!grid) return;
    const observer = new ResizeObserver(measure);
    observer.observe(grid);
    for (const element of [ladderRef.current, sideRef.current, bottomRef.current]) if (element) observer.observe(element);
    return () => observer.disconnect();
  }, [preferences.timeZone]);
  const { ladderWidthPx, sideWidthPx, bottomHeightPx } = preferences.layout;
  const style: CSSProperties & Record<string, string> = {};
  if (ladderWidthPx !== null) style['--ladder-w'] = `${ladderWidthPx}px`;
  if (sideWidthPx !== null) style['--side-w'] = `${sideWidthPx}px`;
  if (bottomHeightPx !== null) style['--bottom-h'] = `${bottomHeightPx}px`;
  const set = useCallback((key: LayoutKey, px: number) => update((p) => (p.layout[key] === px ? p : { ...p, layout: { ...p.layout, [key]: px } })), [update]);
  return { gridRef, ladderRef, sideRef, bottomRef, sizes, style, set };
}

/** Whether the stream to the desk is down after it once worked, and the age of the last update as CSS text. */
function useStaleness(): { stale: boolean; style: CSSProperties | undefined } {
  const { store } = useDesk();
  const connection = useConnection();
  const stale = connection.status !== 'open' && store.stats.messages > 0;
  const [ageSec, setAgeSec] = useState(0);
  useEffect(() => {
    if (!stale) return;
    const tick = (): void => setAgeSec(Math.max(0, Math.round((performance.now() - store.stats.lastMessageAt) / 1_000)));
    tick();
    const timer = setInterval(tick, STALE_TICK_MS);
    return () => clearInterval(timer);
  }, [stale, store]);
  return { stale, style: stale ? ({ '--stale-text': `"DISCONNECTED · last update ${ageSec} s ago"` } as CSSProperties) : undefined };
}
