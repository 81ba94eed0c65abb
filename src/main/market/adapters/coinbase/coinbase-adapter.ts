/**
 * Coinbase Advanced Trade adapter: `level2` (messages on channel `l2_data`) and `market_trades`, filtered
 * to the adapter's product_id; `ticker`, `heartbeats`, `subscriptions`, `candles` only advance the sequence.
 *
 * Rules (../shared/reference/book-rules.md): `snapshot` events carry the whole book, `update` events set
 * `new_quantity` absolutely ("0" removes); sides are `bid` / `offer`. `sequence_num` is ONE counter per
 * connection across all channels: a jump means a message was missed → untrusted at once and `resubscribe`
 * requested (option `sequenceGaps: 'count'` only counts it, for captures whose other channels were
 * filtered out); a number at or below the last one is a duplicate or late message and is dropped. Until
 * the next snapshot the book is maintained best-effort for display but not trusted. Public trades report
 * the MAKER side, so the aggressor is the opposite. The message `timestamp` (ISO, ns) gives the latency.
 * Pure: no I/O.
 */
import type { Instrument, LocalUs } from '../../../../shared/units.js';
import type { BookSideName } from '../../types.js';
import { BaseAdapter, isRecord, isoToUs } from '../base.js';
import type { AdapterOptions } from '../base.js';

export class CoinbaseAdapter extends BaseAdapter {
  private readonly countOnly: boolean;
  private lastSeq = Number.NaN;
  private haveBook = false;

  constructor(instrument: Instrument, options: AdapterOptions = {}) {
    super('coinbase', instrument, options);
    this.countOnly = options.sequenceGaps === 'count';
  }

  protected resetState(): void {
    this.lastSeq = Number.NaN;
    this.haveBook = false;
  }

  protected handle(_kind: 'ws' | 'rest', msg: unknown, localUs: LocalUs): boolean {
    if (!isRecord(msg)) {
      this.malformed(localUs, 'message is not a JSON object', true);
      return false;
    }
    const seq = msg['sequence_num'];
    if (typeof seq === 'number') {
      if (seq <= this.lastSeq) {
        this.counters.dropped++;
        return false;
      }
      if (seq !== this.lastSeq + 1 && this.lastSeq === this.lastSeq && this.haveBook) {
        if (this.countOnly) this.counters.gaps++;
        else this.gap(localUs, `sequence_num ${seq} after ${this.lastSeq}`);
      }
      this.lastSeq = seq;
    }
    const channel = msg['channel'];
    if (channel === 'l2_data') return this.onLevel2(msg, localUs);
    if (channel === 'market_trades') {
      this.onTrades(msg, localUs);
      return false;
    }
    if (typeof channel !== 'string') {
      this.malformed(localUs, 'message without a channel', false);
      return false;
    }
    this.counters.dropped++;
    return false;
  }

  private onLevel2(msg: Record<string, unknown>, localUs: LocalUs): boolean {
    const events = msg['events'];
    if (!Array.isArray(events)) {
      this.malformed(localUs, 'l2_data without events', true);
      return false;
    }
    const symbol = this.instrument.symbol;
    let changed = false;
    let snapshot = false;
    for (let e = 0; e < events.length; e++) {
      const ev: unknown = events[e];
      if (!isRecord(ev)) {
        this.malformed(localUs, 'l2_data event is not an object', true);
        return changed;
      }
      if (ev['product_id'] !== symbol) continue;
      const type = ev['type'];
      if (type === 'snapshot') {
        this.book.clear();
        snapshot = true;
      } else if (type !== 'update') {
        this.malformed(localUs, `l2_data event type ${String(type)}`, true);
        return changed;
      } else if (!this.haveBook && !snapshot) {
        continue;
      }
      if (!this.applyUpdates(ev['updates'])) {
        if (snapshot) {
          this.book.clear();
          this.haveBook = false;
        }
        this.malformed(localUs, `l2_data ${String(type)} has a malformed level`, true);
        return true;
      }
      changed = true;
    }
    if (!changed) {
      this.counters.dropped++;
      return false;
    }
    this.stamp(isoToUs(msg['timestamp']), localUs);
    this.counters.applied++;
    if (snapshot) {
      this.haveBook = true;
      this.retrust(localUs);
    }
    this.checkCrossed(localUs);
    return true;
  }

  private applyUpdates(updates: unknown): boolean {
    if (!Array.isArray(updates)) return false;
    const book = this.book;
    for (let i = 0; i < updates.length; i++) {
      const u: unknown = updates[i];
      if (!isRecord(u)) return false;
      const sideText = u['side'];
      let side: BookSideName;
      if (sideText === 'bid') side = 'bid';
      else if (sideText === 'offer' || sideText === 'ask') side = 'ask';
      else return false;
      const p = this.price(u['price_level']);
      const q = this.size(u['new_quantity']);
      if (!Number.isSafeInteger(p) || !(q >= 0)) return false;
      book.set(side, p, q);
    }
    return true;
  }

  private onTrades(msg: Record<string, unknown>, localUs: LocalUs): void {
    const events = msg['events'];
    if (!Array.isArray(events)) {
      this.malformed(localUs, 'market_trades without events', false);
      return;
    }
    this.stamp(isoToUs(msg['timestamp']), localUs);
    const symbol = this.instrument.symbol;
    for (let e = 0; e < events.length; e++) {
      const ev: unknown = events[e];
      const trades = isRecord(ev) ? ev['trades'] : undefined;
      if (!Array.isArray(trades)) {
        this.malformed(localUs, 'market_trades event without trades', false);
        continue;
      }
      for (let i = 0; i < trades.length; i++) {
        const t: unknown = trades[i];
        if (!isRecord(t)) continue;
        if (t['product_id'] !== symbol) continue;
        const makerSide = t['side'];
        const exchUs = isoToUs(t['time']);
        const ok = this.deliverTrade(
          localUs,
          exchUs === exchUs ? exchUs : null,
          t['price'],
          t['size'],
          makerSide === 'BUY' ? 'sell' : makerSide === 'SELL' ? 'buy' : null,
        );
        if (!ok) this.malformed(localUs, 'market trade without a valid price/size', false);
      }
    }
  }
}
