/**
 * A live desk, unmistakable: a red strip under the top bar while the desk sends real orders — where they
 * go (testnet, MAINNET, or an endpoint's host), the user data stream, the dead-man's switch, unresolved
 * orders, the venue's last error — and, when the venue's holding differs from what the stored fills imply
 * (a deposit, a withdrawal, a trade outside the desk), the mismatch with its figures and the action that
 * accepts the venue's position after a confirmation that shows the same figures (the baseline moves;
 * audited). With one desk it also puts LIVE first in the page title. Shows what the desk reports; decides
 * nothing.
 */
import { useEffect, useState } from 'react';
import type { LiveVenueView } from '../../shared/contract.js';
import type { DialogName, RunCommand } from '../app/App.js';
import { fmtSignedSize } from '../desk-client/format.js';
import { useDesk, usePacedState } from '../desk-client/hooks.js';

export function LiveStrip({ openDialog, single, deskName }: { openDialog: (dialog: DialogName) => void; single: boolean; deskName: string | null }) {
  const state = usePacedState();
  const { canWrite } = useDesk();
  const live = state?.execution === 'live' ? state : null;
  const link = live?.venueLink ?? null;
  const title = live ? `🔴 LIVE ${live.venue} ${live.symbol}${deskName ? ` (${deskName})` : ''} — Quotedesk` : 'Quotedesk';
  useEffect(() => {
    if (single) document.title = title;
  }, [single, title]);
  if (!live) return null;
  const mainnet = link?.endpoint === 'mainnet';
  const d = live.instrument.sizeDecimals;
  return (
    <div className="live-strip" data-testid="live-strip" data-endpoint={link?.endpoint ?? ''} role="status">
      <span className="live-word">LIVE</span>
      <span>
        real orders to <b data-testid="live-endpoint">{link ? (mainnet ? 'MAINNET — REAL MONEY' : link.endpoint) : '—'}</b> · {live.venue} {live.symbol}
      </span>
      {link && (
        <span className="muted-live">
          user stream {link.userStream} · dead-man&apos;s switch {link.deadMansSwitch}
          {link.unresolvedOrders > 0 ? ` · ${link.unresolvedOrders} order(s) unresolved` : ''}
          {link.lastError ? ` · ${link.lastError}` : ''}
        </span>
      )}
      {link?.positionMismatch && (
        <span className="mismatch" data-testid="position-mismatch">
          POSITION MISMATCH: the venue holds {fmtSignedSize(link.holding, d)}, the fills imply {fmtSignedSize(link.expectedHolding, d)} — quoting stopped
          <button className="btn btn-small btn-attention" data-testid="accept-position-open" disabled={!canWrite} onClick={() => openDialog('acceptPosition')}>
            Accept venue position…
          </button>
        </span>
      )}
    </div>
  );
}

/** The figures of a mismatch: the venue's holding, what the fills imply, the baseline now and after. */
export function mismatchFigures(link: LiveVenueView): { readonly holding: number | null; readonly expected: number | null; readonly baseline: number | null; readonly newBaseline: number | null } {
  const { holding, expectedHolding: expected, baseline } = link;
  // Accepting moves the baseline by the difference, so that baseline + fills = the venue's holding.
  const newBaseline = holding !== null && expected !== null && baseline !== null ? baseline + (holding - expected) : null;
  return { holding, expected, baseline, newBaseline };
}

export function AcceptPositionDialog({ run, onClose }: { run: RunCommand; onClose: () => void }) {
  const { api } = useDesk();
  const state = usePacedState();
  const [error, setError] = useState<string | null>(null);
  const link = state?.venueLink ?? null;
  const d = state?.instrument.sizeDecimals ?? 0;
  const figures = link ? mismatchFigures(link) : null;
  const confirm = async (): Promise<void> => {
    const result = await run('Accept venue position', () => api.acceptPosition());
    if (result.ok) onClose();
    else setError(result.error);
  };
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal" role="dialog" aria-label="Accept the venue position" data-testid="accept-position-dialog" onClick={(e) => e.stopPropagation()}>
        <h2>Accept the venue&apos;s position?</h2>
        {link?.positionMismatch && figures ? (
          <>
            <p>The venue&apos;s holding differs from what the desk&apos;s stored fills imply, and the venue&apos;s trades do not explain it (a deposit, a withdrawal, a trade made elsewhere). Quoting is stopped until you accept it or fix the account.</p>
            <dl className="kv accept-figures">
              <dt>The venue holds</dt>
              <dd data-testid="accept-holding">{fmtSignedSize(figures.holding, d)}</dd>
              <dt>The stored fills imply</dt>
              <dd data-testid="accept-expected">{fmtSignedSize(figures.expected, d)}</dd>
              <dt>Difference</dt>
              <dd data-testid="accept-difference">{figures.holding !== null && figures.expected !== null ? fmtSignedSize(figures.holding - figures.expected, d) : '—'}</dd>
              <dt>Baseline now → after</dt>
              <dd data-testid="accept-baseline">
                {fmtSignedSize(figures.baseline, d)} → {fmtSignedSize(figures.newBaseline, d)}
              </dd>
            </dl>
            <p className="muted">Accepting moves the session&apos;s baseline so the desk&apos;s position is the venue&apos;s; the desk may quote again at once. This is audited.</p>
          </>
        ) : (
          <p>The venue&apos;s position agrees with the stored fills: there is nothing to accept.</p>
        )}
        {error && <p className="field-error">{error}</p>}
        <div className="modal-actions">
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn-danger" data-testid="accept-position-confirm" disabled={!link?.positionMismatch} onClick={() => void confirm()} autoFocus>
            Accept venue position
          </button>
        </div>
      </div>
    </div>
  );
}
