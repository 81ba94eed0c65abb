/**
 * The top bar: the trading state as a big coloured banner with its cause (so no one can miss a halt) —
 * and, when the state is active but no quote works, a distinct "not quoting" banner saying why; the
 * execution mode (PAPER, LIVE or REPLAY, unmistakable); the instrument and desk clock (UTC or local: a
 * click switches); the operator controls (pause/resume, reduce-only and back to active, flatten, re-arm,
 * parameters, help); the flatten progress with its cancel, while the flatten runs and briefly after; the
 * alerts bell; the outcome of the last command; and the kill switch — always visible, one click, no dialog.
 */
import { useEffect, useState } from 'react';
import { NOT_QUOTING_TEXT, type DeskEventView, type DeskState, type NotQuotingReason, type TradingState } from '../../shared/contract.js';
import type { Preferences } from '../../shared/preferences.js';
import type { DialogName, Notice, RunCommand } from '../app/App.js';
import { AlertsMenu, useAlerts } from '../alerts/Alerts.js';
import { fmtSize, fmtTime, timeZoneLabel } from '../desk-client/format.js';
import { useConnection, useDesk, useEvents, usePacedState, useSession } from '../desk-client/hooks.js';
import { barFill } from '../styles/bar-style.js';

const STATE_LABEL: Record<TradingState, string> = {
  active: 'ACTIVE',
  paused: 'PAUSED',
  reducing: 'REDUCE-ONLY',
  halted: 'HALTED',
};

/** The cause of the current state: the newest `state` event that entered it. */
export function stateCause(events: readonly DeskEventView[], state: TradingState): string | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (!event || event.kind !== 'state') continue;
    const match = /→\s*(\w+):\s*(.*)$/.exec(event.text);
    if (match && match[1] === state) return `${match[2] ?? ''} · ${fmtTime(event.timeMs)}`;
    return null;
  }
  return null;
}

function why(reasons: readonly NotQuotingReason[]): string {
  return reasons.length === 0 ? 'waiting for the venue' : reasons.map((r) => NOT_QUOTING_TEXT[r]).join(', ');
}

/**
 * What the banner says while active: quoting both sides, one side (and why not the other), or nothing
 * (and why, per side) — the last with its own look, since ACTIVE alone would read as quoting.
 */
export function activeQuoting(state: DeskState): { readonly quoting: 'both' | 'bid' | 'ask' | 'none'; readonly text: string } {
  const bid = state.quotes.bid !== null;
  const ask = state.quotes.ask !== null;
  if (bid && ask) return { quoting: 'both', text: 'quoting both sides' };
  if (bid) return { quoting: 'bid', text: `quoting the bid only · ask: ${why(state.reasons.ask)}` };
  if (ask) return { quoting: 'ask', text: `quoting the ask only · bid: ${why(state.reasons.bid)}` };
  const same = state.reasons.bid.join() === state.reasons.ask.join();
  return { quoting: 'none', text: same ? why(state.reasons.bid) : `bid: ${why(state.reasons.bid)} · ask: ${why(state.reasons.ask)}` };
}

/** PAPER, LIVE or REPLAY, and what it means in a few words. */
export function executionMode(state: DeskState): { readonly mode: 'paper' | 'live' | 'replay'; readonly label: string; readonly detail: string } {
  if (state.market === 'replay') return { mode: 'replay', label: 'REPLAY', detail: 'recorded market · paper fills' };
  if (state.execution === 'live') return { mode: 'live', label: 'LIVE', detail: 'real orders · real money' };
  return { mode: 'paper', label: 'PAPER', detail: state.market === 'sim' ? 'simulated market · paper fills' : 'live market data · paper fills' };
}

export interface ControlBarProps {
  readonly run: RunCommand;
  readonly kill: () => void;
  readonly openDialog: (d: DialogName) => void;
  readonly notice: Notice | null;
  readonly preferences: Preferences;
  readonly update: (change: (p: Preferences) => Preferences) => void;
}

export function ControlBar({ run, kill, openDialog, notice, preferences, update }: ControlBarProps) {
  // The alerts watch the desk from here, always mounted, and re-render only this bar when they change.
  const alerts = useAlerts(preferences);
  // Reading pace: the store publishes it at once when the trading state changes, so the banner and the
  // buttons it enables never lag a state change, while the clock and flatten progress need no 60 Hz.
  const state = usePacedState();
  const events = useEvents();
  const { api, canWrite } = useDesk();
  const connection = useConnection();
  const session = useSession();
  const sessionDown = session !== null && session.status !== 'running';
  const trading = state?.tradingState ?? null;
  const cause = trading ? stateCause(events, trading) : null;
  const flatten = state?.flatten ?? null;
  const sizeDecimals = state?.instrument.sizeDecimals ?? 0;
  const quoting = state && trading === 'active' ? activeQuoting(state) : null;
  const idle = quoting?.quoting === 'none';
  const mode = state ? executionMode(state) : null;

  return (
    <header className="control-bar">
      <div
        className={`state-banner state-${sessionDown ? 'unknown' : (trading ?? 'unknown')}${idle ? ' state-idle' : ''}`}
        data-testid="trading-state"
        data-state={trading ?? ''}
        data-quoting={quoting?.quoting ?? ''}
        data-session={session?.status ?? ''}
      >
        <span className="state-name">{sessionDown ? `SESSION ${session.status.toUpperCase()}` : trading ? (idle ? 'NOT QUOTING' : STATE_LABEL[trading]) : 'CONNECTING…'}</span>
        <span className="state-cause" data-testid="trading-state-cause" title={quoting?.text ?? cause ?? ''}>
          {sessionDown
            ? (session.error ?? (session.loading !== null ? `loading ${Math.round(session.loading * 100)} %` : 'no market running'))
            : quoting
              ? `${idle ? 'active · ' : ''}${quoting.text}`
              : (cause ?? '')}
        </span>
      </div>
      {mode && (
        <div className={`mode-badge mode-${mode.mode}`} data-testid="execution-mode" data-mode={mode.mode} title={mode.detail}>
          <span className="mode-label">{mode.label}</span>
          <span className="mode-detail">{mode.detail}</span>
        </div>
      )}
      <div className="instrument">
        <button className="instrument-open" data-testid="session-open" onClick={() => openDialog('session')} title="Session: market, replay, start / stop (S)">
          <span className="symbol" data-testid="instrument">
            {state ? state.symbol : '—'}
          </span>
          <span className="muted">{state ? `${state.venue} · session ${state.sessionId}` : ''}</span>
        </button>
        <button
          className="clock"
          data-testid="desk-clock"
          data-zone={preferences.timeZone}
          title="Desk clock: click to show times in UTC or this computer's time"
          onClick={() => update((p) => ({ ...p, timeZone: p.timeZone === 'utc' ? 'local' : 'utc' }))}
        >
          {state ? `${fmtTime(state.clockMs)} ${timeZoneLabel()}` : ''}
        </button>
      </div>
      <div className="controls">
        {trading === 'paused' ? (
          <button className="btn" data-testid="resume" disabled={!canWrite} onClick={() => void run('Resume', () => api.resume())} title="Resume quoting (P)">
            ▶ Resume
          </button>
        ) : (
          <button className="btn" data-testid="pause" disabled={!canWrite || trading === 'halted'} onClick={() => void run('Pause', () => api.pause())} title="Pull quotes, keep all state (P)">
            ❚❚ Pause
          </button>
        )}
        {trading === 'reducing' ? (
          <button className="btn btn-attention" data-testid="back-to-active" disabled={!canWrite} onClick={() => void run('Back to active', () => api.resume())} title="Leave reduce-only: quote both sides again (D)">
            ↗ Active
          </button>
        ) : (
          <button className="btn" data-testid="reduce" disabled={!canWrite || trading === 'halted'} onClick={() => void run('Reduce-only', () => api.reduce())} title="Only orders that reduce |inventory| (D)">
            ↘ Reduce
          </button>
        )}
        <button className="btn" data-testid="flatten" disabled={!canWrite} onClick={() => openDialog('flatten')} title="Bring inventory to zero (F)">
          ⇥ Flatten…
        </button>
        <button className={`btn ${trading === 'halted' ? 'btn-attention' : ''}`} data-testid="rearm" disabled={!canWrite || trading !== 'halted'} onClick={() => openDialog('rearm')} title="Leave halted, with confirmation (R)">
          ⟲ Re-arm…
        </button>
        <button className="btn" data-testid="params-open" onClick={() => openDialog('params')} title="Parameter editor (E)">
          ⚙ Params
        </button>
        <button className="btn btn-icon" data-testid="help-open" onClick={() => openDialog('help')} title="Keyboard shortcuts and how paper fills are decided (?)">
          ?
        </button>
      </div>
      {flatten && (
        <div className={`flatten-progress flatten-${flatten.status}`} data-testid="flatten-progress" data-status={flatten.status} title={flatten.detail}>
          <span>
            Flatten {flatten.style}:{' '}
            {flatten.status === 'running'
              ? `${fmtSize(Math.abs(flatten.remaining), sizeDecimals)} left of ${fmtSize(Math.abs(flatten.startInventory), sizeDecimals)}`
              : `${flatten.status} · ${fmtSize(Math.abs(flatten.remaining), sizeDecimals)} of ${fmtSize(Math.abs(flatten.startInventory), sizeDecimals)} left`}
          </span>
          <div className="bar">
            <div className="bar-fill" style={barFill(flatten.startInventory === 0 ? 1 : 1 - Math.min(1, Math.abs(flatten.remaining) / Math.abs(flatten.startInventory)))} />
          </div>
          {flatten.status === 'running' && (
            <button className="btn btn-small" data-testid="flatten-cancel" onClick={() => void run('Cancel flatten', () => api.cancelFlatten())}>
              Cancel
            </button>
          )}
        </div>
      )}
      <CommandNotice notice={notice} />
      {!canWrite && <span className="read-only" data-testid="read-only" title="Open the URL printed by `quotedesk serve` (it carries #token=…)">read-only: no token</span>}
      <AlertsMenu alerts={alerts} preferences={preferences} update={update} />
      <span className={`conn-dot conn-${connection.status}`} title={`stream ${connection.status}`} data-testid="connection-status" data-status={connection.status} />
      <button className="kill-switch" data-testid="kill-switch" onClick={kill} disabled={!canWrite} title="Kill switch: halt and cancel every order now (K, Ctrl/⌘+Shift+K)">
        KILL
      </button>
    </header>
  );
}

function CommandNotice({ notice }: { notice: Notice | null }) {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setTick((t) => t + 1), 6_000);
    return () => clearTimeout(timer);
  }, [notice]);
  if (!notice) return <span className="command-status" data-testid="command-status" />;
  const fresh = Date.now() - notice.atMs < 6_000 || !notice.ok;
  return (
    <span className={`command-status ${notice.ok ? 'ok' : 'err'} ${fresh ? '' : 'stale'}`} data-testid="command-status" data-ok={notice.ok ? 'true' : 'false'} title={notice.text}>
      {notice.text}
    </span>
  );
}
