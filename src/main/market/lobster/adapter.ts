/**
 * The `lobster` venue adapter: replays recordings written by `importLobster` (line shape in `format.ts`)
 * into an order book and emits the public trades, like any live venue's adapter, so a LOBSTER day runs
 * through the same replay, strategy and paper fills as a crypto capture. The first line (`snap`) sets the
 * whole displayed book and makes it trusted; every later line carries the levels of the next book row
 * that changed (absolute sizes, 0 removes) and must follow its predecessor (`seq` + 1), otherwise the
 * book is untrusted (a recording cannot be re-snapshotted: it stays untrusted until a new `snap`).
 * Executions (types 4 and 5) are trades whose aggressor is the opposite of the resting order's side;
 * a hidden execution at a sub-penny price is placed on the tick the aggressor could have reached (floor
 * for a buyer, ceiling for a seller). Trades go out through one reused object: a sink that keeps one
 * must copy it. Pure: no node, electron or DOM imports; never throws from `onMessage`.
 */
import type { Instrument, LocalUs, Side } from '../../../shared/units.js';
import { PriceLevelBook } from '../book/order-book.js';
import type { BookSideName, MarketTrade } from '../types.js';
import type { AdapterAction, AdapterCounters, AdapterSink, VenueAdapter } from '../adapters/types.js';
import { emptyCounters } from '../adapters/base.js';
import { LOBSTER_PRICE_UNITS_PER_TICK, lobsterInstrument } from './format.js';

interface MutableTrade {
  localUs: number;
  exchUs: number | null;
  price: number;
  size: number;
  aggressor: Side | null;
}

const NONE: AdapterAction = { type: 'none' };
const NULL_SINK: AdapterSink = { onTrade: () => undefined, onFeedEvent: () => undefined };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface LobsterAdapterOptions {
  /** Dense book window per side in ticks (default 8,192: a few hundred dollars of an equity around the touch). */
  readonly windowTicks?: number;
}

export class LobsterAdapter implements VenueAdapter {
  readonly venue = 'lobster' as const;
  readonly book: PriceLevelBook;
  readonly counters: AdapterCounters = emptyCounters();
  private sink: AdapterSink = NULL_SINK;
  private isTrusted = false;
  private lastSeq = -1;
  private readonly trade: MutableTrade = { localUs: 0, exchUs: null, price: 0, size: 0, aggressor: null };

  constructor(
    readonly instrument: Instrument,
    options: LobsterAdapterOptions = {},
  ) {
    if (instrument.tickSize !== '0.01') throw new RangeError(`a LOBSTER recording has tick 0.01, not ${instrument.tickSize}`);
    this.book = new PriceLevelBook({ windowTicks: options.windowTicks ?? 8_192 });
  }

  setSink(sink: AdapterSink): void {
    this.sink = sink;
  }

  trusted(): boolean {
    return this.isTrusted;
  }

  /** A recording cannot be asked for anything: always `none`. */
  takeAction(): AdapterAction {
    return NONE;
  }

  reset(localUs: LocalUs): void {
    this.book.clear();
    this.lastSeq = -1;
    this.untrust(localUs, 'snapshot-pending', 'reset: waiting for a snapshot line');
  }

  onText(kind: 'ws' | 'rest', text: string, localUs: LocalUs): boolean {
    return this.onMessage(kind, JSON.parse(text) as unknown, localUs);
  }

  onMessage(kind: 'ws' | 'rest', msg: unknown, localUs: LocalUs): boolean {
    const c = this.counters;
    c.messages++;
    if (kind !== 'ws' || !isRecord(msg) || msg['src'] !== 'lobster') return this.malformed(localUs, 'not a LOBSTER recording line', false);
    const seq = msg['seq'];
    const b = msg['b'];
    const a = msg['a'];
    if (typeof seq !== 'number' || !Array.isArray(b) || !Array.isArray(a)) return this.malformed(localUs, 'missing seq, b or a', true);
    const snapshot = msg['snap'] === true;
    if (!snapshot) {
      if (this.lastSeq < 0) {
        c.dropped++;
        return false;
      }
      if (seq <= this.lastSeq) {
        // A duplicated or replayed line: the book already holds it.
        c.dropped++;
        return false;
      }
      if (seq !== this.lastSeq + 1) {
        c.gaps++;
        c.dropped++;
        this.untrust(localUs, 'gap', `LOBSTER row ${seq} after ${this.lastSeq}`);
        this.lastSeq = -1;
        return false;
      }
    }
    const t = msg['t'];
    if (typeof t === 'string') {
      // The recording's receive time is the exchange's own stamp.
      c.lastExchUs = localUs;
      c.lastLatencyUs = 0;
    }
    this.emitTrade(msg, localUs);
    if (snapshot) this.book.clear();
    if (!this.applySide('bid', b) || !this.applySide('ask', a)) {
      this.lastSeq = -1;
      return this.malformed(localUs, `bad level in row ${seq}`, true);
    }
    this.lastSeq = seq;
    if (this.book.isCrossed()) {
      c.crossedBooks++;
      c.applied++;
      this.untrust(localUs, 'crossed', `crossed book at LOBSTER row ${seq}`);
      return true;
    }
    if (snapshot && !this.isTrusted) {
      if (c.gaps + c.crossedBooks + c.malformed > 0) c.resyncs++;
      this.isTrusted = true;
      this.sink.onFeedEvent({ type: 'trusted', localUs });
    }
    c.applied++;
    return true;
  }

  private applySide(side: BookSideName, levels: unknown[]): boolean {
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i];
      if (!Array.isArray(level)) return false;
      const px = level[0];
      const size = level[1];
      if (typeof px !== 'number' || typeof size !== 'number' || !(size >= 0) || !Number.isInteger(size)) return false;
      const ticks = px / LOBSTER_PRICE_UNITS_PER_TICK;
      if (!Number.isSafeInteger(ticks)) return false;
      this.book.set(side, ticks, size);
    }
    return true;
  }

  private emitTrade(msg: Record<string, unknown>, localUs: LocalUs): void {
    const type = msg['type'];
    if (type !== 4 && type !== 5) return;
    const px = msg['px'];
    const size = msg['size'];
    const dir = msg['dir'];
    if (typeof px !== 'number' || typeof size !== 'number' || (dir !== 1 && dir !== -1)) return;
    // An execution of a sell limit order (dir −1) is a buyer-initiated trade.
    const aggressor: Side = dir === -1 ? 'buy' : 'sell';
    const exact = px / LOBSTER_PRICE_UNITS_PER_TICK;
    const tr = this.trade;
    tr.localUs = localUs;
    tr.exchUs = localUs;
    tr.price = aggressor === 'buy' ? Math.floor(exact) : Math.ceil(exact);
    tr.size = size;
    tr.aggressor = aggressor;
    this.sink.onTrade(tr as MarketTrade);
  }

  private untrust(localUs: LocalUs, cause: 'gap' | 'crossed' | 'snapshot-pending', detail: string): void {
    if (!this.isTrusted) return;
    this.isTrusted = false;
    this.sink.onFeedEvent({ type: 'untrusted', localUs, cause, detail });
  }

  private malformed(localUs: LocalUs, detail: string, bookRelevant: boolean): false {
    this.counters.malformed++;
    this.counters.dropped++;
    if (bookRelevant) this.untrust(localUs, 'gap', `malformed LOBSTER line: ${detail}`);
    return false;
  }
}

/** The `lobster` adapter for a symbol (instrument: tick 0.01 USD, lots of one share). */
export function createLobsterAdapter(symbolOrInstrument: string | Instrument, options: LobsterAdapterOptions = {}): LobsterAdapter {
  const instrument = typeof symbolOrInstrument === 'string' ? lobsterInstrument(symbolOrInstrument) : symbolOrInstrument;
  return new LobsterAdapter(instrument, options);
}
