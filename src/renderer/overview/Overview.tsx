/**
 * The overview: one row per desk — execution mode, trading state, each side quoting or why not, inventory
 * against its hard limit as a two-sided bar, PnL, adverse rate, feed health, time since the last fill
 * (ticking between updates), alerts — from the overview store (at most the stream's rate, at reading pace
 * unless a state changed) — and the firm-wide limits with their use. A failed, stopped or lost desk is
 * unmistakable (a red row saying why, its figures withheld). A click or Enter opens a desk; ↑/↓ select;
 * Alt+digit opens the desk at that row; K or the KILL ALL button asks to halt every desk, the kill chords
 * halt them at once; either way each desk's answer is shown.
 */
import { memo, useEffect, useRef, useState } from 'react';
import { NOT_QUOTING_TEXT, isNotQuotingReason, type TradingState } from '../../shared/contract.js';
import { fmtDuration, fmtMoney, fmtPct } from '../desk-client/format.js';
import { HelpOverlay } from '../shortcuts/HelpOverlay.js';
import { deskDigitIndex, useOverviewShortcuts, type OverviewAction } from '../shortcuts/shortcuts.js';
import { barFill } from '../styles/bar-style.js';
import { useFirm, useOverview, useOverviewConnection, useOverviewRows } from './overview-context.js';
import { sameRow, type OverviewRow, type SideQuoting } from './overview-model.js';
import type { FirmLimitUse } from '../../shared/desks.js';

const STATE_TEXT: Record<TradingState, string> = { active: 'ACTIVE', paused: 'PAUSED', reducing: 'REDUCE-ONLY', halted: 'HALTED' };

const quantity = new Intl.NumberFormat('en-US', { maximumFractionDigits: 8 });

/** A size with the decimals it has (the summary carries no instrument precision). */
export function fmtQuantity(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '—' : `${value > 0 ? '+' : value < 0 ? '−' : ''}${quantity.format(Math.abs(value))}`;
}

/** A side's not-quoting reason in the monitor's words (a code the contract knows), else as the server said it. */
export function reasonText(reason: string | null): string {
  if (reason === null) return 'not quoting';
  return isNotQuotingReason(reason) ? NOT_QUOTING_TEXT[reason] : reason;
}

export interface OverviewProps {
  readonly kind: 'desks' | 'fleet';
  readonly selected: string | null;
  readonly onSelect: (name: string) => void;
  readonly onOpen: (name: string) => void;
  /** Halts every desk at once (the kill chords). */
  readonly onKillAll: () => void;
  /** Asks to halt every desk (the KILL ALL button, K). */
  readonly onAskKillAll: () => void;
  /** A dialog of the shell is open: the table's keys are off. */
  readonly keysOff: boolean;
}

export function Overview({ kind, selected, onSelect, onOpen, onKillAll, onAskKillAll, keysOff }: OverviewProps) {
  const overview = useOverview();
  const rows = useOverviewRows();
  const connection = useOverviewConnection();
  const [help, setHelp] = useState(false);
  const canWrite = overview?.canWrite ?? false;
  const list = rows ?? [];
  const index = list.findIndex((row) => row.name === selected);

  useOverviewShortcuts((action: OverviewAction): boolean => {
    if (action === 'killAll') {
      onKillAll();
      return true;
    }
    if (action === 'askKillAll') {
      if (keysOff) return false;
      onAskKillAll();
      return true;
    }
    if (action === 'close') {
      if (!help) return false;
      setHelp(false);
      return true;
    }
    if (action === 'help') {
      setHelp((h) => !h);
      return true;
    }
    if (keysOff || help || list.length === 0) return false;
    const digit = deskDigitIndex(action as never);
    const at = (i: number): string => list[Math.max(0, Math.min(list.length - 1, i))]?.name ?? '';
    switch (action) {
      case 'up':
        onSelect(at(index < 0 ? 0 : index - 1));
        return true;
      case 'down':
        onSelect(at(index < 0 ? 0 : index + 1));
        return true;
      case 'first':
        onSelect(at(0));
        return true;
      case 'last':
        onSelect(at(list.length - 1));
        return true;
      case 'open':
        if (index < 0) return false;
        onOpen(at(index));
        return true;
      default:
        if (digit !== null && digit < list.length) {
          onOpen(at(digit));
          return true;
        }
        return false;
    }
  });

  const live = list.filter((row) => row.execution === 'live' && row.status === 'running');
  const halted = list.filter((row) => row.tradingState === 'halted').length;
  const down = list.filter((row) => row.status === 'failed' || row.status === 'lost' || row.status === 'stopped').length;
  return (
    <div className="overview" data-testid="overview" data-kind={kind}>
      <header className="overview-bar">
        <div className="overview-title">
          <span className="overview-name">{kind === 'fleet' ? 'FLEET' : 'DESKS'}</span>
          <span className="muted" data-testid="overview-counts">
            {list.length} desk{list.length === 1 ? '' : 's'} · {halted} halted · {down} down
          </span>
        </div>
        {live.length > 0 && (
          <div className="mode-badge mode-live" data-testid="overview-live" title={live.map((row) => `${row.name}: ${row.venue ?? ''} ${row.symbol ?? ''}`).join('\n')}>
            <span className="mode-label">LIVE</span>
            <span className="mode-detail">
              {live.length} desk{live.length === 1 ? '' : 's'} · real orders
            </span>
          </div>
        )}
        <span className="overview-hint muted">↑ ↓ select · Enter opens · Alt+1…9 · ? help</span>
        {!canWrite && <span className="read-only" data-testid="read-only">read-only: no token</span>}
        <span className={`conn-dot conn-${connection?.status ?? 'connecting'}`} title={`overview stream ${connection?.status ?? 'connecting'}`} data-testid="overview-connection" data-status={connection?.status ?? 'connecting'} />
        <button className="btn btn-icon" data-testid="help-open" onClick={() => setHelp(true)} title="Keyboard shortcuts (?)">
          ?
        </button>
        <button className="kill-switch" data-testid="kill-all" disabled={!canWrite} onClick={onAskKillAll} title="Kill all: asks, then halts every desk and shows each desk's answer (K; Ctrl/⌘+Alt+Shift+K halts without asking)">
          KILL ALL
        </button>
      </header>
      {connection !== null && connection.status !== 'open' && (connection.attempts > 0 || rows !== null) && (
        <div className="connection-banner" data-testid="overview-disconnected" role="alert">
          DISCONNECTED from the {kind === 'fleet' ? 'supervisor' : 'server'} — the rows below are frozen. Reconnecting…
        </div>
      )}
      <FirmLimitsStrip />
      <div className={`overview-body${connection !== null && connection.status !== 'open' && rows !== null ? ' stale' : ''}`}>
        <table className="overview-table" data-testid="overview-table">
          <thead>
            <tr>
              <th>#</th>
              <th>Desk</th>
              <th>Mode</th>
              <th>State</th>
              <th>Quoting</th>
              <th className="col-inventory">Inventory · limit</th>
              <th className="right">PnL</th>
              <th className="right">Adverse</th>
              <th>Feed</th>
              <th className="right">Last fill</th>
              <th>Alerts</th>
            </tr>
          </thead>
          <tbody>
            {list.map((row, i) => (
              <Row key={row.name} row={row} place={i + 1} selected={row.name === selected} onSelect={onSelect} onOpen={onOpen} />
            ))}
          </tbody>
        </table>
        {rows === null && <div className="panel-empty">Waiting for the desks…</div>}
        {rows !== null && list.length === 0 && <div className="panel-empty">{kind === 'fleet' ? 'No desk has joined the fleet yet.' : 'No desks.'}</div>}
      </div>
      {help && <HelpOverlay onClose={() => setHelp(false)} overview />}
    </div>
  );
}

const FIRM_WORDS: Record<FirmLimitUse['kind'], string> = { maxLoss: 'loss', maxGrossNotional: 'gross notional', maxNetExposure: 'net exposure' };

/** The firm-wide limits and their use by the desks each covers; nothing when the desks file sets none. */
function FirmLimitsStrip() {
  const firm = useFirm();
  if (firm === null || firm.limits.length === 0) return null;
  return (
    <div className="firm-limits" data-testid="firm-limits">
      <b>Firm limits</b>
      {firm.limits.map((use) => (
        <span
          key={`${use.kind}-${use.unit}`}
          className="firm-limit"
          data-testid="firm-limit"
          data-kind={use.kind}
          data-unit={use.unit}
          data-used={use.used}
          data-limit={use.limit}
          title={`${use.text} — covers ${use.desks.length === 0 ? 'no running desk' : use.desks.join(', ')}`}
        >
          <span>
            {FIRM_WORDS[use.kind]} {use.unit}
          </span>
          <span className="bar">
            <span className={`bar-fill level-${level(use.fraction)}`} style={barFill(use.fraction)} />
          </span>
          <span className="firm-figures">{firmFigures(use)}</span>
        </span>
      ))}
      {firm.breach !== null && (
        <span className="firm-breach" data-testid="firm-breach">
          BREACHED: {firm.breach} — the desks it covers were halted
        </span>
      )}
    </div>
  );
}

/** A limit's use in words a trader reads at a glance (a loss limit shows the PnL it is measured on). */
function firmFigures(use: FirmLimitUse): string {
  const limit = quantity.format(use.limit);
  switch (use.kind) {
    case 'maxLoss':
      return `PnL ${fmtMoney(-use.used)} · max loss ${limit}`;
    case 'maxGrossNotional':
      return `${quantity.format(Math.round(use.used * 100) / 100)} / ${limit}`;
    case 'maxNetExposure':
      return `${fmtQuantity(use.used)} / ±${limit}`;
  }
}

/**
 * A time since the last fill that keeps counting between the server's updates (once a second, from the
 * age the newest summary gave and the page's own clock since it arrived). A stopped desk's does not move.
 */
function Ticking({ ageMs, frozen }: { ageMs: number; frozen: boolean }) {
  const [base] = useState(() => ({ ageMs, atMs: performance.now() }));
  const [, setTick] = useState(0);
  useEffect(() => {
    if (frozen) return;
    const timer = setInterval(() => setTick((n) => n + 1), 1_000);
    return () => clearInterval(timer);
  }, [frozen]);
  const shown = frozen ? ageMs : base.ageMs + (performance.now() - base.atMs);
  return <>{fmtDuration(shown)} ago</>;
}

function side(label: string, quoting: SideQuoting | null) {
  if (quoting === null) return <span className="side-q muted">{label} —</span>;
  return (
    <span className={`side-q ${quoting.quoting ? 'side-on' : 'side-off'}`} title={quoting.quoting ? `${label}: quoting` : `${label}: ${reasonText(quoting.reason)}`}>
      {label} {quoting.quoting ? '✓' : `✗ ${reasonText(quoting.reason)}`}
    </span>
  );
}

function statusText(row: OverviewRow): string {
  switch (row.status) {
    case 'running':
      return row.tradingState ? STATE_TEXT[row.tradingState] : 'RUNNING';
    case 'lost':
      return 'LOST';
    case 'failed':
      return 'FAILED';
    case 'stopped':
      return 'STOPPED';
    case 'starting':
      return 'STARTING';
  }
}

function level(fraction: number | null): 'ok' | 'warn' | 'breach' {
  if (fraction === null) return 'ok';
  return fraction >= 1 ? 'breach' : fraction >= 0.8 ? 'warn' : 'ok';
}

interface RowProps {
  readonly row: OverviewRow;
  readonly place: number;
  readonly selected: boolean;
  readonly onSelect: (name: string) => void;
  readonly onOpen: (name: string) => void;
}

const Row = memo(
  function Row({ row, place, selected, onSelect, onOpen }: RowProps) {
    const ref = useRef<HTMLTableRowElement>(null);
    useEffect(() => {
      if (selected) ref.current?.scrollIntoView({ block: 'nearest' });
    }, [selected]);
    const down = row.status !== 'running';
    const inv = row.inventory ?? 0;
    const fraction = row.inventoryFraction;
    const mode = row.mode === 'replay' ? 'replay' : (row.execution ?? 'unknown');
    return (
      <tr
        ref={ref}
        className={`overview-row status-${row.status}${down ? ' row-down' : ''}${selected ? ' selected' : ''}${row.tradingState === 'halted' ? ' row-halted' : ''}`}
        data-testid="overview-row"
        data-desk={row.name}
        data-status={row.status}
        data-state={row.tradingState ?? ''}
        data-execution={row.execution ?? ''}
        data-inventory={row.inventory ?? ''}
        data-pnl={row.pnl ?? ''}
        data-adverse={row.adverseRate ?? ''}
        data-bid={row.bid === null ? '' : row.bid.quoting ? 'quoting' : (row.bid.reason ?? 'not quoting')}
        data-ask={row.ask === null ? '' : row.ask.quoting ? 'quoting' : (row.ask.reason ?? 'not quoting')}
        aria-selected={selected}
        onClick={() => {
          onSelect(row.name);
          onOpen(row.name);
        }}
      >
        <td className="muted">{place}</td>
        <td>
          <div className="desk-name">
            <b>{row.name}</b>
            <span className="muted" data-testid="overview-instrument">
              {row.venue ?? '—'} {row.symbol ?? ''}
            </span>
          </div>
        </td>
        <td>
          <span className={`mode-chip mode-${mode}`} data-testid="overview-mode">
            {mode === 'unknown' ? '—' : mode.toUpperCase()}
          </span>
        </td>
        <td>
          <div className="state-cell">
            <span className={`state-chip chip-${row.status === 'running' ? (row.tradingState ?? 'unknown') : row.status}`} data-testid="overview-state">
              {statusText(row)}
            </span>
            {row.statusDetail !== null && (
              <span className="status-detail" data-testid="overview-status-detail" title={row.statusDetail}>
                {row.statusDetail}
              </span>
            )}
            {row.heartbeatAgeMs !== null && <span className={`muted hb${row.status === 'lost' ? ' hb-lost' : ''}`}>heartbeat {fmtDuration(row.heartbeatAgeMs)} ago</span>}
          </div>
        </td>
        <td>
          <div className="quoting-cell">
            {side('bid', row.bid)}
            {side('ask', row.ask)}
          </div>
        </td>
        <td className="inventory-cell" title={fraction === null ? '' : `${fmtPct(fraction, 0)} of the hard limit`}>
          <span className={`num ${inv > 0 ? 'pos' : inv < 0 ? 'neg' : ''}`} data-testid="overview-inventory">
            {fmtQuantity(row.inventory)}
          </span>
          <div className={`inv-bar level-${level(fraction)}`} data-testid="overview-inventory-bar" data-fraction={fraction ?? ''}>
            <div className="inv-half inv-short">
              <div className="bar-fill" style={barFill(inv < 0 ? (fraction ?? 0) : 0)} />
            </div>
            <div className="inv-half inv-long">
              <div className="bar-fill" style={barFill(inv > 0 ? (fraction ?? 0) : 0)} />
            </div>
          </div>
          <span className="muted limit-text" data-testid="overview-limit">
            {fraction === null ? '' : `${fmtPct(fraction, 0)} of ${row.inventoryLimit !== null ? `±${quantity.format(row.inventoryLimit)}` : 'limit'}`}
          </span>
        </td>
        <td className={`right num ${row.pnl !== null && row.pnl < 0 ? 'neg' : row.pnl !== null && row.pnl > 0 ? 'pos' : ''}`} data-testid="overview-pnl">
          {fmtMoney(row.pnl)} {row.pnl !== null && row.quoteCurrency ? <span className="muted">{row.quoteCurrency}</span> : null}
        </td>
        <td className="right num" data-testid="overview-adverse">
          {row.adverseRate === null ? <span className="muted">n/a</span> : fmtPct(row.adverseRate, 0)}
        </td>
        <td data-testid="overview-feed">
          {row.feed === null ? (
            <span className="muted">—</span>
          ) : (
            <span className={`feed-state feed-${row.feed.state}`} title={row.feed.connected ? 'connected' : 'not connected'}>
              {row.feed.state}
              {row.feed.lastMessageAgeMs !== null && <span className="muted"> · {fmtDuration(row.feed.lastMessageAgeMs)}</span>}
            </span>
          )}
        </td>
        <td className="right num" data-testid="overview-last-fill">
          {row.lastFillAgeMs === null ? <span className="muted">none</span> : <Ticking key={row.lastFillAgeMs} ageMs={row.lastFillAgeMs} frozen={row.status !== 'running'} />}
        </td>
        <td data-testid="overview-alerts">
          <div className="alerts-cell">
            {row.alerts.map((alert) => (
              <span key={alert} className={`alert-chip${/halted|failed|loss|stale|mismatch|venue|storage|lost|not reconciled/.test(alert) ? ' alert-bad' : ''}`}>
                {alert}
              </span>
            ))}
          </div>
        </td>
      </tr>
    );
  },
  (a, b) => a.place === b.place && a.selected === b.selected && a.onOpen === b.onOpen && a.onSelect === b.onSelect && sameRow(a.row, b.row),
);
