/**
 * The strip above a desk's monitor when several desks run: back to the overview, every desk as a tab
 * (its trading state's colour, LIVE marked, a failed or lost desk struck red; Alt+digit opens the desk at
 * that place), the desk in view highlighted, and the kill-all — so the trader in one desk still sees the
 * others and can halt them all. Fed by the overview store, at its pace.
 */
import { useOverviewRows } from './overview-context.js';

export interface DeskTabsProps {
  readonly current: string;
  readonly onBack: () => void;
  readonly onOpen: (name: string) => void;
  readonly onKillAll: () => void;
  readonly canWrite: boolean;
}

export function DeskTabs({ current, onBack, onOpen, onKillAll, canWrite }: DeskTabsProps) {
  const rows = useOverviewRows() ?? [];
  return (
    <nav className="desk-tabs" data-testid="desk-tabs">
      <button className="btn btn-small" data-testid="back-to-overview" onClick={onBack} title="Back to the overview (Esc, O)">
        ◂ Overview
      </button>
      <div className="desk-tab-list">
        {rows.map((row, i) => {
          const tone = row.status === 'running' ? (row.tradingState ?? 'unknown') : row.status;
          return (
            <button
              key={row.name}
              className={`desk-tab tab-${tone}${row.name === current ? ' on' : ''}`}
              data-testid="desk-tab"
              data-desk={row.name}
              data-current={row.name === current ? 'true' : 'false'}
              onClick={() => onOpen(row.name)}
              title={`${row.name}: ${row.venue ?? ''} ${row.symbol ?? ''} · ${tone}${i < 9 ? ` (Alt+${i + 1})` : ''}`}
            >
              <i className="tab-dot" />
              {row.name}
              {row.execution === 'live' && row.status === 'running' && <b className="tab-live">LIVE</b>}
            </button>
          );
        })}
      </div>
      <button className="btn btn-danger btn-small" data-testid="kill-all" disabled={!canWrite} onClick={onKillAll} title="Kill all: halt every desk now, then each desk's answer (Ctrl/⌘+Alt+Shift+K)">
        KILL ALL
      </button>
    </nav>
  );
}
