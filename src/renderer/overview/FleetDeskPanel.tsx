/**
 * A fleet desk drilled into on the supervisor's page: everything the supervisor knows of it — its newest
 * summary (state, quoting, inventory and the limits nearest to breach, PnL, adverse rate, feed, last fill,
 * alerts), its heartbeat and publishing backlog, why it is lost — and the per-desk commands the supervisor
 * offers (`POST /api/fleet/command`: pause, resume, reduce-only, kill, re-arm after a confirmation), each
 * answered by the desk itself. The ladder, the charts, the fills and the parameters are not here: the
 * supervisor receives only summaries, and they live on the desk's own monitor (its `quotedesk serve`).
 */
import { useState } from 'react';
import { fmtDuration, fmtMoney, fmtPct } from '../desk-client/format.js';
import { fmtQuantity, reasonText } from './Overview.js';
import { useOverview, useOverviewRows } from './overview-context.js';
import type { RowCommand } from './overview-feed.js';

const LABEL: Record<RowCommand, string> = { pause: '❚❚ Pause', resume: '▶ Resume', reduce: '↘ Reduce-only', kill: 'KILL', rearm: '⟲ Re-arm…' };

export function FleetDeskPanel({ name, onBack }: { name: string; onBack: () => void }) {
  const overview = useOverview();
  const rows = useOverviewRows();
  const row = rows?.find((r) => r.name === name) ?? null;
  const [answer, setAnswer] = useState<{ text: string; ok: boolean } | null>(null);
  const [confirmRearm, setConfirmRearm] = useState(false);
  const canWrite = overview?.canWrite ?? false;
  const send = async (command: RowCommand): Promise<void> => {
    if (!overview) return;
    const result = await overview.feed.command(name, command);
    setAnswer(result.ok ? { text: `${command}: done${result.tradingState ? ` — the desk is ${result.tradingState}` : ''}`, ok: true } : { text: `${command} refused: ${result.error}`, ok: false });
  };
  const summary = row?.fleet?.summary ?? null;
  const lost = row?.status === 'lost';
  return (
    <div className="fleet-desk" data-testid="fleet-desk" data-desk={name} data-status={row?.status ?? ''} data-state={row?.tradingState ?? ''}>
      <header className="overview-bar">
        <button className="btn" data-testid="back-to-overview" onClick={onBack} title="Back to the overview (Esc)">
          ◂ Overview
        </button>
        <div className="overview-title">
          <span className="overview-name">{name}</span>
          <span className="muted">
            {row?.venue ?? '—'} {row?.symbol ?? ''} · {row?.execution?.toUpperCase() ?? '—'}
          </span>
        </div>
        <span className={`state-chip chip-${row?.status === 'running' ? (row.tradingState ?? 'unknown') : (row?.status ?? 'unknown')}`} data-testid="fleet-desk-state">
          {lost ? 'LOST' : row?.status !== 'running' ? (row?.status ?? '—').toUpperCase() : (row.tradingState ?? '—').toUpperCase()}
        </span>
        <div className="controls">
          {(['pause', 'resume', 'reduce'] as const).map((command) => (
            <button key={command} className="btn" data-testid={`fleet-${command}`} disabled={!canWrite || lost} onClick={() => void send(command)}>
              {LABEL[command]}
            </button>
          ))}
          <button className="btn" data-testid="fleet-rearm" disabled={!canWrite || lost || row?.tradingState !== 'halted'} onClick={() => setConfirmRearm(true)}>
            {LABEL.rearm}
          </button>
        </div>
        <span className={`command-status ${answer?.ok ? 'ok' : 'err'}`} data-testid="command-status" data-ok={answer === null ? '' : answer.ok ? 'true' : 'false'}>
          {answer?.text ?? ''}
        </span>
        <button className="kill-switch" data-testid="fleet-kill" disabled={!canWrite || lost} onClick={() => void send('kill')} title="Kill this desk: halt and cancel every order">
          KILL
        </button>
      </header>
      {row === null ? (
        <div className="panel-empty">The supervisor does not list a desk named {name}.</div>
      ) : (
        <div className="fleet-desk-body">
          {lost && (
            <div className="lost-banner" role="alert" data-testid="fleet-lost">
              LOST — {row.statusDetail ?? 'no heartbeat'}. Commands cannot reach it; its own limits and offline policy apply. The figures below are its last summary.
            </div>
          )}
          <dl className="kv fleet-kv">
            <dt>Quoting</dt>
            <dd>
              {row.bid ? (row.bid.quoting ? 'bid ✓' : `bid ✗ ${reasonText(row.bid.reason)}`) : '—'} · {row.ask ? (row.ask.quoting ? 'ask ✓' : `ask ✗ ${reasonText(row.ask.reason)}`) : '—'}
            </dd>
            <dt>Inventory</dt>
            <dd data-testid="fleet-inventory">{fmtQuantity(row.inventory)}</dd>
            <dt>PnL (total · realized · fees)</dt>
            <dd data-testid="fleet-pnl">
              {fmtMoney(row.pnl)} · {fmtMoney(summary?.pnl?.realized ?? null)} · {fmtMoney(summary?.pnl?.fees ?? null)}
            </dd>
            <dt>Adverse rate · fills</dt>
            <dd>
              {row.adverseRate === null ? 'n/a' : fmtPct(row.adverseRate, 0)} · {summary?.numFills ?? '—'}
            </dd>
            <dt>Feed</dt>
            <dd>
              {row.feed ? `${row.feed.state}${row.feed.lastMessageAgeMs !== null ? ` · last message ${fmtDuration(row.feed.lastMessageAgeMs)} ago` : ''}` : '—'}
            </dd>
            <dt>Last fill</dt>
            <dd>{row.lastFillAgeMs === null ? 'none' : `${fmtDuration(row.lastFillAgeMs)} ago`}</dd>
            <dt>Heartbeat</dt>
            <dd data-testid="fleet-heartbeat">{row.heartbeatAgeMs === null ? 'never heard' : `${fmtDuration(row.heartbeatAgeMs)} ago`}</dd>
            <dt>Publishing backlog</dt>
            <dd>{row.fleet?.backlog ? `${row.fleet.backlog.fills} fills · ${row.fleet.backlog.orders} orders · ${row.fleet.backlog.events} events · ${row.fleet.backlog.audit} audit` : '—'}</dd>
          </dl>
          <h3 className="fleet-h">Limits nearest to breach</h3>
          <div className="limits">
            {(summary?.limits ?? []).map((limit) => (
              <div className="limit" key={limit.name}>
                <span className="limit-name">{limit.name}</span>
                <div className={`bar tone-${limit.fraction >= 1 ? 'bad' : limit.fraction >= 0.8 ? 'warn' : 'good'}`}>
                  <div className="bar-fill" style={{ transform: `scaleX(${Math.min(1, Math.max(0, limit.fraction))})` }} />
                </div>
                <span className="limit-value">{fmtPct(limit.fraction, 0)}</span>
              </div>
            ))}
          </div>
          <h3 className="fleet-h">Alerts</h3>
          <div className="alerts-cell">{row.alerts.length === 0 ? <span className="muted">none</span> : row.alerts.map((alert) => <span key={alert} className="alert-chip">{alert}</span>)}</div>
          <p className="muted fleet-note" data-testid="fleet-not-here">
            The supervisor receives each desk&apos;s summary (at most its --fleet-rate a second) and heartbeats, nothing more: the ladder, the charts, the fills, the parameters and the
            session controls of this desk are on its own monitor (the URL its <code>quotedesk serve</code> printed).
          </p>
        </div>
      )}
      {confirmRearm && (
        <div className="modal-backdrop" onClick={() => setConfirmRearm(false)}>
          <div className="modal" role="dialog" aria-label="Re-arm" data-testid="rearm-dialog" onClick={(e) => e.stopPropagation()}>
            <h2>Re-arm desk {name}?</h2>
            <p>
              The desk is <b className="neg">HALTED</b>. Re-arming leaves the halt; its strategy may quote again at once. This is audited in the desk.
            </p>
            <div className="modal-actions">
              <button className="btn" onClick={() => setConfirmRearm(false)}>
                Cancel
              </button>
              <button
                className="btn btn-danger"
                data-testid="rearm-confirm"
                onClick={() => {
                  setConfirmRearm(false);
                  void send('rearm');
                }}
                autoFocus
              >
                Re-arm
              </button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
