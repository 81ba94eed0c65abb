/**
 * The kill-all, in three steps on one dialog. Asked for by the KILL ALL button or K, it first lists every
 * desk with its state and waits for the trader's confirmation (Enter confirms, Esc cancels); the kill
 * chords (Ctrl/⌘+Shift+K, Ctrl/⌘+Alt+Shift+K) and the Electron menu skip that step: a kill by chord never
 * waits. Once sent it lists each desk with its trading state as its own stream reports it (HALTED shows
 * the moment a desk's summary says so), then each desk's own answer when the server has them all — its
 * trading state after its kill, its refusal in its words, or that it could not be asked (a lost desk of the
 * fleet: its own limits and offline policy apply) — and whether every desk confirmed.
 */
import type { TradingState } from '../../shared/contract.js';
import type { KillAllOutcome, OverviewRow } from './overview-model.js';

export type KillAllPhase = { readonly phase: 'confirm' } | { readonly phase: 'sent' } | { readonly phase: 'done'; readonly outcome: KillAllOutcome };

export interface KillAllDialogProps {
  readonly step: KillAllPhase;
  /** The overview's rows now (each desk's state as its stream reports it). */
  readonly rows: readonly OverviewRow[];
  readonly onConfirm: () => void;
  readonly onClose: () => void;
}

const STATE_WORD: Record<TradingState, string> = { active: 'ACTIVE', paused: 'PAUSED', reducing: 'REDUCE-ONLY', halted: 'HALTED' };

function stateWord(row: OverviewRow): string {
  if (row.status !== 'running') return row.status.toUpperCase();
  return row.tradingState ? STATE_WORD[row.tradingState] : '—';
}

export function KillAllDialog({ step, rows, onConfirm, onClose }: KillAllDialogProps) {
  const outcome = step.phase === 'done' ? step.outcome : null;
  const confirmed = outcome?.desks.filter((desk) => desk.ok && desk.tradingState === 'halted').length ?? 0;
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div
        className="modal kill-all-dialog"
        role="dialog"
        aria-label="Kill all"
        data-testid="kill-all-dialog"
        data-phase={step.phase}
        data-done={outcome === null ? 'false' : 'true'}
        data-ok={outcome?.ok ? 'true' : 'false'}
        onClick={(e) => e.stopPropagation()}
      >
        <h2>Kill all desks</h2>
        {step.phase === 'confirm' && (
          <>
            <p>
              Halt <b>every desk</b> now: each cancels all its orders and stops quoting, latched until re-armed desk by desk. Audited in each desk.
            </p>
            <table className="kill-all-table" data-testid="kill-all-desks">
              <tbody>
                {rows.map((row) => (
                  <tr key={row.name}>
                    <td>
                      <b>{row.name}</b> <span className="muted">{row.venue ?? ''} {row.symbol ?? ''}</span>
                    </td>
                    <td>{row.execution === 'live' && row.status === 'running' ? <b className="tab-live">LIVE</b> : null}</td>
                    <td>{stateWord(row)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="modal-actions">
              <button className="btn" data-testid="kill-all-cancel" onClick={onClose}>
                Cancel
              </button>
              <button className="btn btn-danger" data-testid="kill-all-confirm" onClick={onConfirm} autoFocus>
                KILL ALL {rows.length} DESKS
              </button>
            </div>
          </>
        )}
        {step.phase === 'sent' && (
          <>
            <p data-testid="kill-all-pending">Halting every desk… each desk&apos;s state as its stream reports it:</p>
            <table className="kill-all-table">
              <tbody>
                {rows.map((row) => (
                  <tr key={row.name} data-testid="kill-all-progress" data-desk={row.name} data-state={row.tradingState ?? ''}>
                    <td>
                      <b>{row.name}</b>
                    </td>
                    <td className={row.tradingState === 'halted' ? 'pos' : 'warn'}>{stateWord(row)}</td>
                    <td className="muted">{row.tradingState === 'halted' ? 'halted — waiting for its answer' : 'waiting for its answer'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        {outcome !== null && (
          <>
            <p className={outcome.ok ? 'pos' : 'neg'} data-testid="kill-all-summary">
              {outcome.error !== null
                ? `The kill-all was not carried out: ${outcome.error}`
                : outcome.ok
                  ? `Every desk confirmed: ${confirmed} of ${outcome.desks.length} halted.`
                  : `${confirmed} of ${outcome.desks.length} desks confirmed the halt — check the others now.`}
            </p>
            <table className="kill-all-table">
              <tbody>
                {outcome.desks.map((desk) => (
                  <tr key={desk.name} data-testid="kill-all-answer" data-desk={desk.name} data-ok={desk.ok ? 'true' : 'false'} data-state={desk.tradingState ?? ''} data-lost={desk.lost ? 'true' : 'false'}>
                    <td>
                      <b>{desk.name}</b>
                    </td>
                    <td className={desk.ok && desk.tradingState === 'halted' ? 'pos' : 'neg'}>{desk.lost ? 'NOT ASKED — desk lost' : desk.ok ? (desk.tradingState ?? 'done').toUpperCase() : 'REFUSED'}</td>
                    <td className="muted">{desk.error ?? (desk.ok ? 'confirmed by the desk' : '')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        {step.phase !== 'confirm' && (
          <div className="modal-actions">
            <button className="btn" data-testid="kill-all-close" onClick={onClose} autoFocus>
              Close
            </button>
          </div>
        )}
      </div>
    </div>
  );
}
