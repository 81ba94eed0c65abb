/**
 * The top bar: the trading state as a big coloured banner with its cause (so no one can miss a halt), the
 * instrument and desk clock, the operator controls (pause/resume, reduce-only, flatten, re-arm, parameters,
 * help), the flatten progress with its cancel, the outcome of the last command, and the kill switch —
 * always visible, one click, no dialog.
 */
import { useEffect, useState } from 'react';
import type { DeskEventView, TradingState } from '../../shared/contract.js';
import type { DialogName, Notice, RunCommand } from '../app/App.js';
import { fmtSize, fmtTime } from '../desk-client/format.js';
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

export function ControlBar({ run, kill, openDialog, notice }: { run: RunCommand; kill: () => void; openDialog: (d: DialogName) => void; notice: Notice | null }) {
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

  return (
    <header className="control-bar">
      <div className={`state-banner state-${sessionDown ? 'unknown' : (trading ?? 'unknown')}`} data-testid="trading-state" data-state={trading ?? ''} data-session={session?.status ?? ''}>
        <span className="state-name">{sessionDown ? `SESSION ${session.status.toUpperCase()}` : trading ? STATE_LABEL[trading] : 'CONNECTING…'}</span>
        <span className="state-cause" data-testid="trading-state-cause">
          {sessionDown ? (session.error ?? (session.loading !== null ? `loading ${Math.round(session.loading * 100)} %` : 'no market running')) : (cause ?? (trading === 'active' ? 'quoting' : ''))}
        </span>
      </div>
      <button className="instrument" data-testid="session-open" onClick={() => openDialog('session')} title="Session: market, replay, start / stop (S)">
        <span className="symbol" data-testid="instrument">
          {state ? `${state.symbol}` : '—'}
        </span>
        <span className="muted">
          {state ? `${state.venue} · ${state.mode} · session ${state.sessionId}` : ''}
        </span>
        <span className="clock" data-testid="desk-clock">
          {state ? `${fmtTime(state.clockMs)} UTC` : ''}
        </span>
      </button>
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
        <button className="btn" data-testid="reduce" disabled={!canWrite || trading === 'halted' || trading === 'reducing'} onClick={() => void run('Reduce-only', () => api.reduce())} title="Only orders that reduce |inventory| (D)">
          ↘ Reduce
        </button>
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
        <div className={`flatten-progress flatten-${flatten.status}`} data-testid="flatten-progress" data-status={flatten.status}>
          <span>
            Flatten {flatten.style}: {fmtSize(flatten.remaining, sizeDecimals)} left of {fmtSize(flatten.startInventory, sizeDecimals)} · {flatten.status}
          </span>
          <div className="bar">
            <div
              className="bar-fill"
              style={barFill(flatten.startInventory === 0 ? 1 : 1 - Math.abs(flatten.remaining) / Math.abs(flatten.startInventory))}
            />
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
    <span className={`command-status ${notice.ok ? 'ok' : 'err'} ${fresh ? '' : 'stale'}`} data-testid="command-status" data-ok={notice.ok ? 'true' : 'false'}>
      {notice.text}
    </span>
  );
}
