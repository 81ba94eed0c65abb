/**
 * Fills and orders: a virtualised, sortable fills blotter (live, or a past session's fills opened from the
 * session history), the open orders with their queue position, the session history (getSessions) and the
 * desk's event log; CSV export of the viewed session's fills, orders or audit trail (DeskApi.exportCsv:
 * a download in the browser, a save dialog in Electron).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { DeskEventView, FillView, OpenOrderView, SessionSummaryView } from '../../shared/contract.js';
import type { ExportKind } from '../../shared/contract.js';
import { isKnown } from '../../shared/metrics-text.js';
import { fmtDateTime, fmtMoney, fmtPrice, fmtSize, fmtTime, signClass, timeZoneLabel } from '../desk-client/format.js';
import { useDesk, usePacedState, useEvents, useFills } from '../desk-client/hooks.js';
import { VirtualTable, type Column, type SortState } from './VirtualTable.js';

export const BLOTTER_TABS = ['fills', 'orders', 'sessions', 'events'] as const;
export type BlotterTab = (typeof BLOTTER_TABS)[number];

const PAST_FILLS_LIMIT = 20_000;

interface PastSession {
  readonly id: number;
  readonly fills: readonly FillView[];
}

/** Spread captured by one fill, bps of the mid just before its execution; NaN when that mid is unknown. */
function edgeBps(fill: FillView): number {
  const mid = fill.midAtFill as number | null;
  if (!isKnown(mid) || mid <= 0) return Number.NaN;
  return ((fill.side === 'buy' ? mid - fill.price : fill.price - mid) / mid) * 10_000;
}

export function Blotter({ tab, onTab }: { tab: BlotterTab; onTab: (t: BlotterTab) => void }) {
  const { api } = useDesk();
  const state = usePacedState();
  const [past, setPast] = useState<PastSession | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sessionId = past?.id ?? state?.sessionId ?? 0;

  const exportCsv = async (kind: ExportKind): Promise<void> => {
    if (sessionId <= 0) return;
    try {
      await api.exportCsv(kind, sessionId);
      setError(null);
    } catch (e) {
      setError(`export failed: ${(e as Error).message}`);
    }
  };

  const openSession = useCallback(
    async (id: number) => {
      try {
        const fills = await api.getSessionFills(id, PAST_FILLS_LIMIT);
        setPast({ id, fills });
        setError(null);
        onTab('fills');
      } catch (e) {
        setError(`could not load session ${id}: ${(e as Error).message}`);
      }
    },
    [api, onTab],
  );

  return (
    <div className="blotter" data-testid="blotter">
      <div className="panel-head tabs-head">
        <div className="tabs" role="tablist">
          {BLOTTER_TABS.map((t) => (
            <button key={t} role="tab" aria-selected={t === tab} className={t === tab ? 'on' : ''} data-testid={`tab-${t}`} onClick={() => onTab(t)}>
              {t === 'fills' ? 'Fills' : t === 'orders' ? `Open orders${state ? ` (${state.openOrders.length})` : ''}` : t === 'sessions' ? 'Sessions' : 'Events'}
            </button>
          ))}
        </div>
        {past && (
          <span className="past-session" data-testid="past-session" data-session={past.id}>
            session #{past.id} ({past.fills.length} fills)
            <button className="btn btn-small" data-testid="back-to-live" onClick={() => setPast(null)}>
              back to live
            </button>
          </span>
        )}
        <div className="head-tools">
          <span className="muted">CSV #{sessionId}:</span>
          {(['fills', 'orders', 'audit'] as const).map((kind) => (
            <button key={kind} className="btn btn-small" data-testid={`export-${kind}`} onClick={() => void exportCsv(kind)} title={`Download session ${sessionId}'s ${kind} as CSV`}>
              {kind}
            </button>
          ))}
        </div>
      </div>
      {error && <div className="field-error">{error}</div>}
      <div className="blotter-body">
        {tab === 'fills' && (past ? <FillsTable fills={past.fills} /> : <LiveFills />)}
        {tab === 'orders' && <OrdersTable />}
        {tab === 'sessions' && <SessionsTable onOpen={openSession} current={state?.sessionId ?? 0} />}
        {tab === 'events' && <EventsTable />}
      </div>
    </div>
  );
}

function LiveFills() {
  const fills = useFills();
  return <FillsTable fills={fills} />;
}

function FillsTable({ fills }: { fills: readonly FillView[] }) {
  const state = usePacedState();
  const pd = state?.instrument.priceDecimals ?? 2;
  const sd = state?.instrument.sizeDecimals ?? 0;
  const [sort, setSort] = useState<SortState | null>(null);
  const columns = useMemo<Column<FillView>[]>(
    () => [
      { key: 'exec', label: `Executed (${timeZoneLabel()})`, width: '100px', title: 'When the fill was executed (the venue\'s stamp; the match instant on paper and in the simulator): markouts and the mid at the fill are taken here', render: (f) => fmtTime(f.execTimeMs, true), sort: (f) => f.execTimeMs },
      { key: 'time', label: `Received (${timeZoneLabel()})`, width: '100px', title: 'When its report reached the desk (execution + the ack latency on paper): inventory and PnL change here', render: (f) => fmtTime(f.timeMs, true), sort: (f) => f.timeMs },
      { key: 'side', label: 'Side', width: '40px', render: (f) => <b className={f.side === 'buy' ? 'pos' : 'neg'}>{f.side === 'buy' ? 'BUY' : 'SELL'}</b>, sort: (f) => f.side },
      { key: 'price', label: 'Price', width: 'minmax(50px, 1fr)', align: 'right', render: (f) => fmtPrice(f.price, pd), sort: (f) => f.price },
      { key: 'size', label: 'Size', width: 'minmax(46px, 1fr)', align: 'right', render: (f) => fmtSize(f.size, sd), sort: (f) => f.size },
      {
        key: 'edge',
        label: 'Edge',
        width: 'minmax(46px, 1fr)',
        align: 'right',
        title: 'Spread captured: distance from the mid just before execution, bps of that mid (positive: earned)',
        render: (f) => {
          const edge = edgeBps(f);
          return isKnown(edge) ? <span className={signClass(edge)}>{edge.toFixed(2)}</span> : <span className="muted">n/a</span>;
        },
        sort: (f) => (isKnown(edgeBps(f)) ? edgeBps(f) : Number.NEGATIVE_INFINITY),
      },
      { key: 'fee', label: 'Fee', width: 'minmax(58px, 1fr)', align: 'right', title: 'Fee paid (negative: rebate)', render: (f) => fmtMoney(f.fee, 4), sort: (f) => f.fee },
      { key: 'liq', label: 'Liq', width: '30px', render: (f) => (f.liquidity === 'maker' ? 'M' : 'T'), sort: (f) => f.liquidity },
      { key: 'inv', label: 'Inv after', width: 'minmax(68px, 1fr)', align: 'right', render: (f) => fmtSize(f.inventoryAfter, sd), sort: (f) => f.inventoryAfter },
      { key: 'order', label: 'Order', width: 'minmax(50px, 1fr)', render: (f) => <span className="muted">{f.clientOrderId}</span>, sort: (f) => f.clientOrderId },
    ],
    [pd, sd],
  );
  return <VirtualTable rows={fills} columns={columns} rowClass={(f) => (f.side === 'buy' ? 'row-buy' : 'row-sell')} sort={sort} onSort={setSort} testid="fills-blotter" empty="No fills yet." />;
}

function OrdersTable() {
  const state = usePacedState();
  const pd = state?.instrument.priceDecimals ?? 2;
  const sd = state?.instrument.sizeDecimals ?? 0;
  const [sort, setSort] = useState<SortState | null>(null);
  const columns = useMemo<Column<OpenOrderView>[]>(
    () => [
      { key: 'id', label: 'Order', width: '1fr', render: (o) => o.clientOrderId, sort: (o) => o.clientOrderId },
      { key: 'side', label: 'Side', width: '44px', render: (o) => <b className={o.side === 'buy' ? 'pos' : 'neg'}>{o.side === 'buy' ? 'BUY' : 'SELL'}</b>, sort: (o) => o.side },
      { key: 'price', label: 'Price', width: '1fr', align: 'right', render: (o) => fmtPrice(o.price, pd), sort: (o) => o.price },
      { key: 'size', label: 'Open', width: '1fr', align: 'right', render: (o) => fmtSize(o.size - o.filled, sd), sort: (o) => o.size - o.filled },
      { key: 'filled', label: 'Filled', width: '1fr', align: 'right', render: (o) => fmtSize(o.filled, sd), sort: (o) => o.filled },
      { key: 'queue', label: 'Ahead', width: '1fr', align: 'right', title: 'Estimated volume ahead of us in the queue', render: (o) => (o.queueAhead === null ? '—' : fmtSize(o.queueAhead, sd)), sort: (o) => o.queueAhead ?? -1 },
      { key: 'status', label: 'Status', width: '1fr', render: (o) => o.status, sort: (o) => o.status },
      { key: 'purpose', label: 'For', width: '64px', render: (o) => o.purpose, sort: (o) => o.purpose },
      { key: 'age', label: 'Placed', width: '96px', render: (o) => fmtTime(o.placedAtMs, true), sort: (o) => o.placedAtMs },
    ],
    [pd, sd],
  );
  return <VirtualTable rows={state?.openOrders ?? []} columns={columns} rowClass={(o) => (o.side === 'buy' ? 'row-buy' : 'row-sell')} sort={sort} onSort={setSort} testid="orders-table" empty="No open orders." />;
}

function SessionsTable({ onOpen, current }: { onOpen: (id: number) => void; current: number }) {
  const { api } = useDesk();
  const [sessions, setSessions] = useState<readonly SessionSummaryView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sort, setSort] = useState<SortState | null>(null);
  const load = useCallback(() => {
    api.getSessions(200).then(
      (list) => {
        setSessions(list);
        setError(null);
      },
      (e: unknown) => setError((e as Error).message),
    );
  }, [api]);
  useEffect(load, [load]);
  const columns = useMemo<Column<SessionSummaryView>[]>(
    () => [
      { key: 'id', label: '#', width: '48px', render: (s) => (s.id === current ? <b>{s.id} ●</b> : s.id), sort: (s) => s.id },
      { key: 'market', label: 'Market', width: '1.4fr', render: (s) => `${s.venue} ${s.symbol}`, sort: (s) => `${s.venue} ${s.symbol}` },
      { key: 'mode', label: 'Mode', width: '64px', render: (s) => s.mode, sort: (s) => s.mode },
      { key: 'start', label: `Started (${timeZoneLabel()})`, width: '1.5fr', render: (s) => fmtDateTime(s.startedMs), sort: (s) => s.startedMs },
      { key: 'end', label: 'Ended', width: '1fr', render: (s) => (s.endedMs === null ? (s.id === current ? 'running' : '—') : fmtTime(s.endedMs)), sort: (s) => s.endedMs ?? Number.MAX_SAFE_INTEGER },
      { key: 'fills', label: 'Fills', width: '64px', align: 'right', render: (s) => s.fillCount, sort: (s) => s.fillCount },
      { key: 'pnl', label: 'PnL', width: '1fr', align: 'right', render: (s) => <span className={signClass(s.totalPnl ?? s.realizedPnl)}>{fmtMoney(s.totalPnl ?? s.realizedPnl)}</span>, sort: (s) => s.totalPnl ?? s.realizedPnl ?? 0 },
      {
        key: 'open',
        label: '',
        width: '84px',
        render: (s) => (
          <button className="btn btn-small" data-testid={`open-session-${s.id}`} onClick={() => onOpen(s.id)}>
            open fills
          </button>
        ),
      },
    ],
    [current, onOpen],
  );
  return (
    <div className="sessions">
      {error && <div className="field-error">{error}</div>}
      <div className="sessions-tools">
        <button className="btn btn-small" data-testid="sessions-refresh" onClick={load}>
          refresh
        </button>
      </div>
      <VirtualTable rows={sessions ?? []} columns={columns} sort={sort} onSort={setSort} testid="sessions-table" empty={sessions === null ? 'Loading…' : 'No sessions.'} />
    </div>
  );
}

function EventsTable() {
  const events = useEvents();
  const reversed = useMemo(() => events.slice().reverse(), [events]);
  const [sort, setSort] = useState<SortState | null>(null);
  const columns = useMemo<Column<DeskEventView>[]>(
    () => [
      { key: 'time', label: `Time (${timeZoneLabel()})`, width: '96px', render: (e) => fmtTime(e.timeMs, true), sort: (e) => e.timeMs },
      { key: 'kind', label: 'Kind', width: '72px', render: (e) => <span className={`kind kind-${e.kind}`}>{e.kind}</span>, sort: (e) => e.kind },
      { key: 'text', label: 'Event', width: '1fr', render: (e) => e.text, sort: (e) => e.text },
    ],
    [],
  );
  return <VirtualTable rows={reversed} columns={columns} sort={sort} onSort={setSort} testid="events-table" empty="No events." />;
}
