/**
 * Re-arm confirmation: leaving `halted` is deliberate, so it takes a second, explicit click that says what
 * will happen and why the desk halted.
 */
import { useState } from 'react';
import type { RunCommand } from '../app/App.js';
import { useDesk, usePacedState, useEvents } from '../desk-client/hooks.js';
import { stateCause } from './ControlBar.js';

export function RearmDialog({ run, onClose }: { run: RunCommand; onClose: () => void }) {
  const { api } = useDesk();
  const state = usePacedState();
  const events = useEvents();
  const [error, setError] = useState<string | null>(null);
  const halted = state?.tradingState === 'halted';
  const cause = halted ? stateCause(events, 'halted') : null;
  const confirm = async () => {
    const result = await run('Re-arm', () => api.rearm());
    if (result.ok) onClose();
    else setError(result.error);
  };
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal" role="dialog" aria-label="Re-arm" data-testid="rearm-dialog" onClick={(e) => e.stopPropagation()}>
        <h2>Re-arm trading?</h2>
        {halted ? (
          <>
            <p>
              The desk is <b className="neg">HALTED</b>
              {cause ? ` (${cause})` : ''}. Re-arming leaves the halt; the strategy may quote again at once.
            </p>
            <p className="muted">Check inventory, PnL and the reason for the halt first. This is audited.</p>
          </>
        ) : (
          <p>The desk is not halted ({state?.tradingState ?? 'unknown'}): there is nothing to re-arm.</p>
        )}
        {error && <p className="field-error">{error}</p>}
        <div className="modal-actions">
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn-danger" data-testid="rearm-confirm" disabled={!halted} onClick={() => void confirm()} autoFocus>
            Re-arm
          </button>
        </div>
      </div>
    </div>
  );
}
