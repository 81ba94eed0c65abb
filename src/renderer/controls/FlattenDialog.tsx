/**
 * Flatten: choose the execution style (aggressive IOC walking the book with a slippage cap, passive joining
 * the best price, or TWAP slices over a duration), see the inventory it will unwind, and confirm. The
 * request is checked with the contract's schema before it is sent; the desk's refusal is shown here.
 */
import { useState } from 'react';
import { FLATTEN_SCHEMA, describeSchemaError, type FlattenRequest } from '../../shared/contract.js';
import type { RunCommand } from '../app/App.js';
import { fmtSignedSize } from '../desk-client/format.js';
import { useDesk, usePacedState } from '../desk-client/hooks.js';

type Style = FlattenRequest['style'];

export function FlattenDialog({ run, onClose }: { run: RunCommand; onClose: () => void }) {
  const { api } = useDesk();
  const state = usePacedState();
  const [style, setStyle] = useState<Style>('aggressive');
  const [slippage, setSlippage] = useState('20');
  const [duration, setDuration] = useState('60');
  const [error, setError] = useState<{ error: string; field: string } | null>(null);
  const inventory = state?.inventory ?? 0;
  const sizeDecimals = state?.instrument.sizeDecimals ?? 0;

  const request = (): FlattenRequest | { error: string; field: string } => {
    const candidate: Record<string, unknown> = { style };
    if (style === 'aggressive' || slippage.trim() !== '') candidate.maxSlippageBps = Number(slippage);
    if (style === 'twap') candidate.durationSec = Number(duration);
    const parsed = FLATTEN_SCHEMA.safeParse(candidate);
    return parsed.success ? parsed.data : describeSchemaError(parsed.error);
  };

  const confirm = async () => {
    const built = request();
    if ('error' in built) {
      setError(built);
      return;
    }
    const result = await run(`Flatten (${style})`, () => api.flatten(built));
    if (result.ok) onClose();
    else setError({ error: result.error, field: result.field ?? '' });
  };

  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal" role="dialog" aria-label="Flatten" data-testid="flatten-dialog" onClick={(e) => e.stopPropagation()}>
        <h2>Flatten inventory</h2>
        <p>
          Inventory now: <b data-testid="flatten-inventory">{fmtSignedSize(inventory, sizeDecimals)}</b> — flatten stops exactly at zero and
          never overshoots. Allowed while halted (reduce-only).
        </p>
        <fieldset className="style-choice">
          <legend>Style</legend>
          {(['aggressive', 'passive', 'twap'] as const).map((s) => (
            <label key={s}>
              <input type="radio" name="flatten-style" value={s} checked={style === s} onChange={() => setStyle(s)} data-testid={`flatten-style-${s}`} />
              {s === 'aggressive' ? 'Aggressive — IOC orders walking the book' : s === 'passive' ? 'Passive — join and chase the best price' : 'TWAP — slices over a duration'}
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span>Max slippage (bps){style === 'aggressive' ? '' : ' — optional'}</span>
          <input type="number" min={0} max={10000} step={1} value={slippage} onChange={(e) => setSlippage(e.target.value)} data-testid="flatten-slippage" />
          {error?.field === 'maxSlippageBps' && <span className="field-error">{error.error}</span>}
        </label>
        {style === 'twap' && (
          <label className="field">
            <span>Duration (s)</span>
            <input type="number" min={1} max={86400} step={1} value={duration} onChange={(e) => setDuration(e.target.value)} data-testid="flatten-duration" />
            {error?.field === 'durationSec' && <span className="field-error">{error.error}</span>}
          </label>
        )}
        {error && error.field !== 'maxSlippageBps' && error.field !== 'durationSec' && <p className="field-error">{error.error}</p>}
        <div className="modal-actions">
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn-danger" data-testid="flatten-confirm" onClick={() => void confirm()}>
            Flatten {fmtSignedSize(inventory, sizeDecimals)} now
          </button>
        </div>
      </div>
    </div>
  );
}
