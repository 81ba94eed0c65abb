/**
 * Orders, fills and the execution venue interface: what the order manager sends and what comes back.
 *
 * A venue (the paper venue on live data and replays, the simulated exchange in `sim` mode, later a live
 * venue's order gateway) accepts requests and answers asynchronously through a `VenueListener`, always on
 * the desk's clock. Client order ids are unique per session and are the key the store journals BEFORE a
 * request leaves. Prices in ticks, sizes in lots, money in quote currency.
 */
import type { ExchUs, LocalUs, Lots, Side, Ticks } from '../../shared/units.js';

export type TimeInForce = 'gtc' | 'ioc';
export type OrderPurpose = 'quote' | 'flatten';

export interface OrderRequest {
  readonly clientOrderId: string;
  readonly side: Side;
  readonly price: Ticks;
  readonly size: Lots;
  readonly timeInForce: TimeInForce;
  /** Post-only: reject instead of taking liquidity. */
  readonly postOnly: boolean;
  readonly purpose: OrderPurpose;
}

export interface Fill {
  /** Venue-unique fill id: the store inserts it idempotently. */
  readonly fillId: string;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly price: Ticks;
  readonly size: Lots;
  /** Fee in quote currency (negative: rebate). */
  readonly fee: number;
  readonly liquidity: 'maker' | 'taker';
  /**
   * When the fill was executed: the venue's stamp live, the match instant on paper and in the simulator
   * (both on the desk's clock). Markouts and the mid at the fill are taken here.
   */
  readonly exchUs: ExchUs;
  /** When the fill report reached the desk (execution + the ack latency on paper): inventory changes here. */
  readonly localUs: LocalUs;
}

export interface VenueListener {
  onAck(clientOrderId: string, localUs: LocalUs): void;
  onReject(clientOrderId: string, reason: string, localUs: LocalUs): void;
  onFill(fill: Fill): void;
  /** The order is no longer working (cancelled, expired or IOC remainder); `remaining` lots were not filled. */
  onDone(clientOrderId: string, remaining: Lots, why: 'cancelled' | 'expired' | 'ioc-remainder', localUs: LocalUs): void;
  /** Queue estimate changed (volume ahead of our order at its price), where the venue models it. */
  onQueue?(clientOrderId: string, aheadLots: Lots): void;
}

export interface VenueOpenOrder {
  readonly clientOrderId: string;
  readonly side: Side;
  readonly price: Ticks;
  readonly size: Lots;
  readonly filled: Lots;
}

export interface ExecutionVenue {
  readonly name: string;
  setListener(listener: VenueListener): void;
  submit(request: OrderRequest, localUs: LocalUs): void;
  cancel(clientOrderId: string, localUs: LocalUs): void;
  /** The venue's own view of our working orders, for reconciliation and kill-switch confirmation. */
  openOrders(): VenueOpenOrder[];
  /** Every fill the venue has for us since `sinceUs`, for reconciliation after a restart. */
  fillsSince(sinceUs: LocalUs): Fill[];
}
