/**
 * Bybit v5 public order book adapter (spot and linear): `orderbook.{depth}.{symbol}` and `publicTrade.{symbol}`.
 *
 * Rules (../shared/reference/book-rules.md): a `snapshot` resets the local book (also the `u`=1 snapshot
 * sent after a service restart); a `delta` sets absolute sizes, 0 deletes; each delta's `u` is the previous
 * `u` + 1, so a jump is a gap → untrusted at once and `resubscribe` requested. Until the new snapshot the
 * book is still maintained best-effort for display, but it is not trusted. A delta whose `u` is not above
 * the last one is a duplicate and is dropped. Trades carry the taker side (`S`). Pure: no I/O.
 */
import type { Instrument, LocalUs } from '../../../../shared/units.js';
import { BaseAdapter, isRecord } from '../base.js';
import type { AdapterOptions } from '../base.js';

export type BybitCategory = 'spot' | 'linear';

export class BybitAdapter extends BaseAdapter {
  private readonly bookTopic: string | null;
  private readonly bookTopicSuffix: string;
  private readonly tradeTopic: string;
  private lastU = 0;
  private haveBook = false;

  constructor(category: BybitCategory, instrument: Instrument, options: AdapterOptions = {}) {
    super(category === 'spot' ? 'bybit-spot' : 'bybit-linear', instrument, options);
    this.bookTopic = options.depth === undefined ? null : `orderbook.${options.depth}.${instrument.symbol}`;
    this.bookTopicSuffix = `.${instrument.symbol}`;
    this.tradeTopic = `publicTrade.${instrument.symbol}`;
  }

  protected resetState(): void {
    this.lastU = 0;
    this.haveBook = false;
  }

  private isBookTopic(topic: string): boolean {
    if (this.bookTopic !== null) return topic === this.bookTopic;
    return topic.startsWith('orderbook.') && topic.endsWith(this.bookTopicSuffix);
  }

  protected handle(_kind: 'ws' | 'rest', msg: unknown, localUs: LocalUs): boolean {
    if (!isRecord(msg)) {
      this.malformed(localUs, 'message is not a JSON object', true);
      return false;
    }
    const topic = msg['topic'];
    if (typeof topic !== 'string') {
      // op answers (subscribe, pong)
      this.counters.dropped++;
      return false;
    }
    if (this.isBookTopic(topic)) return this.onBook(msg, localUs);
    if (topic === this.tradeTopic) {
      this.onTrades(msg, localUs);
      return false;
    }
    this.counters.dropped++;
    return false;
  }

  private onBook(msg: Record<string, unknown>, localUs: LocalUs): boolean {
    const data = msg['data'];
    const type = msg['type'];
    if (!isRecord(data) || typeof data['u'] !== 'number' || (type !== 'snapshot' && type !== 'delta')) {
      this.malformed(localUs, 'orderbook message without data.u or a known type', true);
      return false;
    }
    const u = data['u'];
    const ts = msg['ts'];
    if (typeof ts === 'number') this.stamp(ts * 1000, localUs);
    if (type === 'snapshot' || u === 1) {
      this.book.clear();
      if (!this.applyLevels('bid', data['b']) || !this.applyLevels('ask', data['a'])) {
        this.book.clear();
        this.haveBook = false;
        this.malformed(localUs, `snapshot u=${u} has a malformed level`, true);
        return true;
      }
      this.lastU = u;
      this.haveBook = true;
      this.counters.applied++;
      this.retrust(localUs);
      this.checkCrossed(localUs);
      return true;
    }
    if (!this.haveBook) {
      this.counters.dropped++;
      return false;
    }
    if (u <= this.lastU) {
      this.counters.dropped++;
      return false;
    }
    if (u !== this.lastU + 1) this.gap(localUs, `delta u=${u} after u=${this.lastU}`);
    this.lastU = u;
    if (!this.applyLevels('bid', data['b']) || !this.applyLevels('ask', data['a'])) {
      this.malformed(localUs, `delta u=${u} has a malformed level`, true);
      return true;
    }
    this.counters.applied++;
    this.checkCrossed(localUs);
    return true;
  }

  private onTrades(msg: Record<string, unknown>, localUs: LocalUs): void {
    const data = msg['data'];
    if (!Array.isArray(data)) {
      this.malformed(localUs, 'publicTrade without a data array', false);
      return;
    }
    const ts = msg['ts'];
    if (typeof ts === 'number') this.stamp(ts * 1000, localUs);
    for (let i = 0; i < data.length; i++) {
      const t: unknown = data[i];
      if (!isRecord(t)) {
        this.malformed(localUs, 'publicTrade entry is not an object', false);
        continue;
      }
      const side = t['S'];
      const tradeMs = t['T'];
      const ok = this.deliverTrade(
        localUs,
        typeof tradeMs === 'number' ? tradeMs * 1000 : null,
        t['p'],
        t['v'],
        side === 'Buy' ? 'buy' : side === 'Sell' ? 'sell' : null,
      );
      if (!ok) this.malformed(localUs, 'publicTrade entry without a valid price/size', false);
    }
  }
}
