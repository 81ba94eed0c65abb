/**
 * The monitor's layout and its operator state: which dialog is open, the ladder's view options, the
 * blotter's tab and the last command's outcome. It subscribes to no stream slice itself (each panel does),
 * so a frame re-renders panels, never the whole tree. Keyboard shortcuts are dispatched here, reading the
 * latest published state from the store at the moment of the key press.
 */
import { useCallback, useState } from 'react';
import type { CommandResult } from '../../shared/contract.js';
import { useDesk } from '../desk-client/hooks.js';
import { AdversePanel } from '../adverse/AdversePanel.js';
import { Blotter, BLOTTER_TABS, type BlotterTab } from '../blotter/Blotter.js';
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

export type DialogName = 'rearm' | 'flatten' | 'params' | 'help' | 'session';

export interface Notice {
  readonly text: string;
  readonly ok: boolean;
  readonly atMs: number;
}

export type RunCommand = (label: string, command: () => Promise<CommandResult>) => Promise<CommandResult>;

export function App() {
  const { api, store } = useDesk();
  const [dialog, setDialog] = useState<DialogName | null>(null);
  const [ladder, setLadder] = useState<LadderOptions>({ autoCentre: true, group: 'auto' });
  const [tab, setTab] = useState<BlotterTab>('fills');
  const [notice, setNotice] = useState<Notice | null>(null);

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
        if (dialog === null) return false;
        setDialog(null);
        return true;
      case 'help':
        setDialog((d) => (d === 'help' ? null : 'help'));
        return true;
      default:
        break;
    }
    if (dialog !== null) return false;
    switch (action) {
      case 'pauseResume':
        if (state?.tradingState === 'paused') void run('Resume', () => api.resume());
        else void run('Pause', () => api.pause());
        return true;
      case 'reduce':
        void run('Reduce-only', () => api.reduce());
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
        setLadder((o) => ({ ...o, autoCentre: !o.autoCentre }));
        return true;
      case 'ladderGroup':
        setLadder((o) => ({ ...o, group: LADDER_GROUPS[(LADDER_GROUPS.indexOf(o.group) + 1) % LADDER_GROUPS.length] ?? 'auto' }));
        return true;
      case 'blotterTab':
        setTab((t) => BLOTTER_TABS[(BLOTTER_TABS.indexOf(t) + 1) % BLOTTER_TABS.length] ?? 'fills');
        return true;
      default:
        return false;
    }
  });

  return (
    <div className="desk">
      <ControlBar run={run} kill={kill} openDialog={setDialog} notice={notice} />
      <ConnectionBanner />
      <ReplayTransport run={run} />
      <main className="desk-grid">
        <section className="panel area-ladder">
          <Ladder options={ladder} onOptions={setLadder} />
        </section>
        <section className="panel area-chart">
          <SkewChart />
        </section>
        <section className="area-cards">
          <InventoryPanel />
          <PnlPanel />
        </section>
        <section className="panel area-blotter">
          <Blotter tab={tab} onTab={setTab} />
        </section>
        <aside className="area-side">
          <StatisticsPanel />
          <AdversePanel />
          <FeedHealthPanel />
          <EventLog />
        </aside>
      </main>
      {dialog === 'rearm' && <RearmDialog run={run} onClose={() => setDialog(null)} />}
      {dialog === 'flatten' && <FlattenDialog run={run} onClose={() => setDialog(null)} />}
      {dialog === 'params' && <ParamsEditor run={run} onClose={() => setDialog(null)} />}
      {dialog === 'help' && <HelpOverlay onClose={() => setDialog(null)} />}
      {dialog === 'session' && <SessionDialog run={run} onClose={() => setDialog(null)} />}
    </div>
  );
}
