/**
 * Reference statistics for the independent check: every figure of a backtest's report recomputed from the
 * fills its SQLite file holds and the mids of its recording (`recording.ts`), by the definitions the
 * README and `/api/metrics` state, in plain two-pass arithmetic. It shares no code with `src/` (the
 * analytics it checks keep running sums, rings and Welford; this keeps lists and sorts).
 *
 * The event model it assumes is the replay's: the desk marks the mid after every applied frame and on a
 * 100 ms clock grid between frames; a fill report received at r is booked after every mark stamped before
 * r and before any stamped at or after r (true whenever the ack latency is above zero); a markout is known
 * once a mark at or after its due instant happened; the report is made at the recording's last line.
 */

export type Side = 'buy' | 'sell';

export interface RefFill {
  readonly seq: number;
  readonly fillId: string;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly priceTicks: number;
  readonly sizeLots: number;
  readonly fee: number;
  readonly execUs: number;
  readonly receivedUs: number;
}

export interface RefInputs {
  readonly fills: readonly RefFill[];
  /** Mid changes in event order: the mid after each frame that changed it, in ticks. */
  readonly midTimes: readonly number[];
  readonly mids: readonly number[];
  readonly startUs: number;
  /** The desk's clock when the report was made: the recording's last line. */
  readonly endUs: number;
  /** The desk's last mark of the mid (a frame or a clock tick): markouts due after it stay unknown. */
  readonly lastMarkUs: number;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly horizonSec: number;
  readonly intervalSec: number;
  readonly minIntervals: number;
  readonly secondsPerYear: number;
  /** Orders the desk sent (a backtest journals none; its session summary keeps the count). */
  readonly ordersSent: number;
}

export interface RefMarkout {
  readonly fillId: string;
  readonly horizonSec: number;
  readonly bps: number;
}

export interface RefStats {
  readonly midAtFill: ReadonlyMap<string, number>;
  readonly markouts: readonly RefMarkout[];
  readonly figures: Record<string, number>;
  readonly bySideAndHorizon: Record<'buy' | 'sell' | 'all', Record<string, { count: number; meanBps: number; adverseRate: number }>>;
  readonly hourly: Array<{ hourUtc: number; fills: number; adverseRate: number; pnl: number; avgSpreadCapturedBps: number }>;
  readonly sharpeIntervals: number;
}

const HORIZONS = [1, 5, 30, 60];
const US_PER_HOUR = 3_600_000_000;

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function share(xs: readonly number[], keep: (x: number) => boolean): number {
  return xs.length === 0 ? Number.NaN : xs.filter(keep).length / xs.length;
}

/** The mid after every change stamped strictly before t; NaN before the first. */
export function midBefore(times: readonly number[], mids: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if ((times[m] ?? 0) < t) lo = m + 1;
    else hi = m;
  }
  return lo === 0 ? Number.NaN : (mids[lo - 1] ?? Number.NaN);
}

export function referenceStatistics(x: RefInputs): RefStats {
  const money = Number(x.tickSize) * Number(x.lotSize);
  const lot = Number(x.lotSize);
  const sign = (side: Side): number => (side === 'buy' ? 1 : -1);
  const hourOf = (us: number): number => Math.floor(us / US_PER_HOUR) % 24;

  // Mid at each fill, spread captured, markouts.
  const midAtFill = new Map<string, number>();
  const spreads: Array<{ fill: RefFill; bps: number }> = [];
  const markouts: RefMarkout[] = [];
  for (const f of x.fills) {
    const mid = midBefore(x.midTimes, x.mids, f.execUs);
    midAtFill.set(f.fillId, mid);
    if (!(mid > 0)) continue;
    spreads.push({ fill: f, bps: (sign(f.side) * (mid - f.priceTicks) / mid) * 10_000 });
    for (const h of HORIZONS) {
      const due = f.execUs + h * 1_000_000;
      if (due > x.lastMarkUs) continue;
      const after = midBefore(x.midTimes, x.mids, due);
      if (Number.isNaN(after)) continue;
      markouts.push({ fillId: f.fillId, horizonSec: h, bps: (sign(f.side) * (after - mid) / mid) * 10_000 });
    }
  }
  const fillById = new Map(x.fills.map((f) => [f.fillId, f]));
  const at = (h: number, side?: Side): number[] =>
    markouts.filter((m) => m.horizonSec === h && (side === undefined || fillById.get(m.fillId)?.side === side)).map((m) => m.bps);

  // The timeline of PnL samples: fills (at receipt, before marks at the same instant) and mid changes.
  type Sample = { t: number; order: number; fill?: RefFill; mid?: number };
  const samples: Sample[] = [];
  x.fills.forEach((f) => samples.push({ t: f.receivedUs, order: 0, fill: f }));
  x.midTimes.forEach((t, i) => samples.push({ t, order: 1, mid: x.mids[i] ?? Number.NaN }));
  // Stable sort: fills keep their booking order, marks their frame order.
  samples.sort((a, b) => a.t - b.t || a.order - b.order);
  let inventory = 0;
  let cashTicks = 0;
  let fees = 0;
  let mid = Number.NaN;
  let total = 0;
  let peak = 0;
  let drawdown = 0;
  let maxInventory = 0;
  let area = 0;
  let lastT = x.startUs;
  const totals: Array<{ t: number; total: number }> = [];
  const hourPnl = new Map<number, number>();
  const hoursSeen = new Set<number>();
  for (const s of samples) {
    area += Math.abs(inventory) * (s.t - lastT);
    lastT = s.t;
    if (s.fill) {
      inventory += sign(s.fill.side) * s.fill.sizeLots;
      cashTicks -= sign(s.fill.side) * s.fill.priceTicks * s.fill.sizeLots;
      fees += s.fill.fee;
      maxInventory = Math.max(maxInventory, Math.abs(inventory));
    } else {
      mid = s.mid ?? Number.NaN;
    }
    const now = inventory === 0 ? cashTicks * money - fees : (cashTicks + inventory * mid) * money - fees;
    if (!Number.isFinite(now)) continue;
    hourPnl.set(hourOf(s.t), (hourPnl.get(hourOf(s.t)) ?? 0) + (now - total));
    hoursSeen.add(hourOf(s.t));
    total = now;
    totals.push({ t: s.t, total });
    peak = Math.max(peak, total);
    drawdown = Math.max(drawdown, peak - total);
  }
  area += Math.abs(inventory) * (x.endUs - lastT);
  const span = x.endUs - x.startUs;
  const avgInventory = (span > 0 ? area / span : Math.abs(inventory)) * lot;
  const volume = x.fills.reduce((a, f) => a + f.sizeLots, 0) * lot;

  // Sharpe: the total prevailing at each interval boundary, strictly before it.
  const intervalUs = x.intervalSec * 1_000_000;
  const complete = Math.floor((x.lastMarkUs - x.startUs) / intervalUs);
  const boundaryTotals = [0];
  let k = 0;
  let prevailing = 0;
  for (let j = 1; j <= complete; j++) {
    const boundary = x.startUs + j * intervalUs;
    while (k < totals.length && (totals[k]?.t ?? Infinity) < boundary) prevailing = totals[k++]?.total ?? prevailing;
    boundaryTotals.push(prevailing);
  }
  const changes = boundaryTotals.slice(1).map((v, i) => v - (boundaryTotals[i] ?? 0));
  const m = mean(changes);
  const sd = changes.length >= 2 ? Math.sqrt(changes.reduce((a, v) => a + (v - m) ** 2, 0) / (changes.length - 1)) : Number.NaN;
  const sharpe = changes.length >= x.minIntervals && sd > 0 ? (m / sd) * Math.sqrt(x.secondsPerYear / x.intervalSec) : Number.NaN;

  // Daily PnL: the total prevailing at the start of the report's UTC day (0 if the session began that day).
  const dayStartUs = Math.floor(x.endUs / (24 * US_PER_HOUR)) * 24 * US_PER_HOUR;
  let dayOpen = 0;
  if (dayStartUs > x.startUs) for (const s of totals) if (s.t < dayStartUs) dayOpen = s.total;

  const h5 = at(x.horizonSec);
  const adverse = h5.filter((v) => v < 0);
  const stats = (side?: Side): Record<string, { count: number; meanBps: number; adverseRate: number }> =>
    Object.fromEntries(HORIZONS.map((h) => [`${h}s`, { count: at(h, side).length, meanBps: mean(at(h, side)), adverseRate: share(at(h, side), (v) => v < 0) }]));

  // The clock ticks every 100 ms between frames: every hour from the first mark to the end was sampled.
  const firstMark = x.midTimes[0] ?? x.lastMarkUs;
  for (let t = Math.floor(firstMark / US_PER_HOUR) * US_PER_HOUR; t <= x.lastMarkUs; t += US_PER_HOUR) hoursSeen.add(hourOf(t));
  for (const f of x.fills) hoursSeen.add(hourOf(f.execUs));
  const hourly = [...hoursSeen].sort((a, b) => a - b).map((hourUtc) => {
    const inHour = (fillId: string): boolean => hourOf(fillById.get(fillId)?.execUs ?? Number.NaN) === hourUtc;
    return {
      hourUtc,
      fills: x.fills.filter((f) => hourOf(f.execUs) === hourUtc).length,
      adverseRate: share(markouts.filter((mk) => mk.horizonSec === x.horizonSec && inHour(mk.fillId)).map((mk) => mk.bps), (v) => v < 0),
      pnl: hourPnl.get(hourUtc) ?? 0,
      avgSpreadCapturedBps: mean(spreads.filter((s) => hourOf(s.fill.execUs) === hourUtc).map((s) => s.bps)),
    };
  });

  return {
    midAtFill,
    markouts,
    figures: {
      totalPnl: total,
      dailyPnl: total - dayOpen,
      sharpe,
      winRate: share(h5, (v) => v > 0),
      avgSpreadCapturedBps: mean(spreads.map((s) => s.bps)),
      adverseSelectionRate: share(h5, (v) => v < 0),
      avgAdverseMoveBps: mean(adverse.map((v) => -v)),
      avgInventory,
      maxInventory: maxInventory * lot,
      inventoryTurnover: avgInventory > 0 ? volume / avgInventory : Number.NaN,
      numFills: x.fills.length,
      fillRatio: x.ordersSent > 0 ? new Set(x.fills.map((f) => f.clientOrderId)).size / x.ordersSent : Number.NaN,
      maxDrawdown: drawdown,
      fees,
      volumeTraded: volume,
    },
    bySideAndHorizon: { buy: stats('buy'), sell: stats('sell'), all: stats() },
    hourly,
    sharpeIntervals: complete,
  };
}
