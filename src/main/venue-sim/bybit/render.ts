/**
 * The local exchange's Bybit v5 shapes of its orders and executions: the order object of `/v5/order/realtime`,
 * `/v5/order/history` and the private `order` topic (`order/open-order.mdx`, `websocket/private/order.mdx`:
 * orderStatus New / PartiallyFilled / Filled / Cancelled, spot's PartiallyFilledCanceled, `cancelType`
 * CancelByUser / CancelByDCP / CancelBySmp, `rejectReason`), and the execution object of `/v5/execution/list`
 * and the `execution` topic (`execId`, `execTime`, `feeCurrency`, `leavesQty` as the fill left it). It also
 * keeps what the engine does not: each order's time in force as Bybit names it, fees per order, the rest
 * each fill left, and the post-only orders the venue accepted and cancelled at once as takers (Bybit answers
 * them `retCode` 0 and cancels with EC_PostOnlyWillTakeLiquidity; the engine keeps no trace of them). Pure
 * bookkeeping and formatting.
 */
import type { Side } from '../../../shared/units.js';
import { addDec, formatDec, type Dec } from '../../execution/venues/common/decimal.js';
import type { Formats } from '../binance/dialect.js';
import type { ExchangeOrder, ExchangeTrade, SimExchange } from '../sim-exchange.js';

export type BybitTif = 'GTC' | 'IOC' | 'PostOnly';

/** A post-only order the venue cancelled at once because it would have taken. */
export interface RefusedPostOnly {
  readonly orderId: string;
  readonly orderLinkId: string;
  readonly side: Side;
  readonly price: string;
  readonly qty: string;
  readonly timeMs: number;
}

export class BybitBook {
  readonly tif = new Map<number, BybitTif>();
  readonly fees = new Map<number, Dec>();
  readonly leaves = new Map<number, number>();
  readonly refused = new Map<string, RefusedPostOnly>();
  private refusedSeq = 0;

  constructor(
    private readonly category: 'spot' | 'linear',
    private readonly symbol: string,
    private readonly exchange: SimExchange,
    private readonly fmt: Formats,
  ) {}

  /** A venue order id for a refused post-only order (above the engine's ids). */
  refusedId(): string {
    return String(9_000_000_000 + ++this.refusedSeq);
  }

  noteTrade(order: ExchangeOrder, trade: ExchangeTrade): void {
    this.leaves.set(trade.id, order.qtyLots - order.executedLots);
    this.fees.set(order.orderId, addDec(this.fees.get(order.orderId) ?? { units: 0n, scale: 0 }, trade.commission));
  }

  private status(order: ExchangeOrder): string {
    switch (order.status) {
      case 'NEW':
        return 'New';
      case 'PARTIALLY_FILLED':
        return 'PartiallyFilled';
      case 'FILLED':
        return 'Filled';
      default:
        return this.category === 'spot' && order.executedLots > 0 ? 'PartiallyFilledCanceled' : 'Cancelled';
    }
  }

  private cancelType(order: ExchangeOrder): string {
    if (order.status === 'CANCELED') return order.endReason === 'DCP' || order.endReason === 'COUNTDOWN' ? 'CancelByDCP' : 'CancelByUser';
    if (order.status === 'EXPIRED_IN_MATCH') return 'CancelBySmp';
    return 'UNKNOWN';
  }

  private avgPrice(order: ExchangeOrder): string {
    if (order.executedLots === 0) return '';
    const qty = this.exchange.qty(order.executedLots);
    const scale = this.exchange.tick.scale + 4;
    // cumQuote / qty at the price's scale + 4 decimals, truncated
    const num = order.cumQuote.units * 10n ** BigInt(scale + qty.scale);
    const den = qty.units * 10n ** BigInt(order.cumQuote.scale);
    return formatDec({ units: num / den, scale });
  }

  order(order: ExchangeOrder): Record<string, unknown> {
    const leavesLots = order.status === 'NEW' || order.status === 'PARTIALLY_FILLED' ? order.qtyLots - order.executedLots : 0;
    const price = this.exchange.price(order.priceTicks);
    return {
      orderId: String(order.orderId),
      orderLinkId: order.clientOrderId,
      blockTradeId: '',
      symbol: this.symbol,
      price: this.fmt.price(price),
      qty: this.fmt.qty(this.exchange.qty(order.qtyLots)),
      side: order.side === 'buy' ? 'Buy' : 'Sell',
      isLeverage: '0',
      positionIdx: 0,
      orderStatus: this.status(order),
      cancelType: this.cancelType(order),
      rejectReason: 'EC_NoError',
      avgPrice: this.avgPrice(order),
      leavesQty: this.fmt.qty(this.exchange.qty(leavesLots)),
      leavesValue: formatDec({ units: price.units * this.exchange.qty(leavesLots).units, scale: price.scale + this.exchange.lot.scale }),
      cumExecQty: this.fmt.qty(this.exchange.qty(order.executedLots)),
      cumExecValue: formatDec(order.cumQuote),
      cumExecFee: formatDec(this.fees.get(order.orderId) ?? { units: 0n, scale: 0 }, 8),
      timeInForce: this.tif.get(order.orderId) ?? 'GTC',
      orderType: 'Limit',
      stopOrderType: '',
      orderIv: '',
      triggerPrice: '',
      takeProfit: '',
      stopLoss: '',
      tpTriggerBy: '',
      slTriggerBy: '',
      triggerDirection: 0,
      triggerBy: '',
      lastPriceOnCreated: '',
      reduceOnly: order.reduceOnly,
      closeOnTrigger: false,
      smpType: 'None',
      smpGroup: 0,
      smpOrderId: '',
      createdTime: String(order.createdMs),
      updatedTime: String(order.updatedMs),
    };
  }

  refusedOrder(r: RefusedPostOnly): Record<string, unknown> {
    return {
      orderId: r.orderId,
      orderLinkId: r.orderLinkId,
      blockTradeId: '',
      symbol: this.symbol,
      price: r.price,
      qty: r.qty,
      side: r.side === 'buy' ? 'Buy' : 'Sell',
      isLeverage: '0',
      positionIdx: 0,
      orderStatus: 'Cancelled',
      cancelType: 'UNKNOWN',
      rejectReason: 'EC_PostOnlyWillTakeLiquidity',
      avgPrice: '',
      leavesQty: '0',
      leavesValue: '0',
      cumExecQty: '0',
      cumExecValue: '0',
      cumExecFee: '0',
      timeInForce: 'PostOnly',
      orderType: 'Limit',
      reduceOnly: false,
      createdTime: String(r.timeMs),
      updatedTime: String(r.timeMs),
    };
  }

  execId(trade: ExchangeTrade): string {
    return `5e1c0000-0000-4000-8000-${trade.id.toString(16).padStart(12, '0')}`;
  }

  execution(trade: ExchangeTrade, order: ExchangeOrder | null): Record<string, unknown> {
    const price = this.exchange.price(trade.priceTicks);
    const qty = this.exchange.qty(trade.lots);
    const leaves = this.leaves.get(trade.id) ?? 0;
    const feeBps = trade.maker ? this.exchange.config.makerFeeBps : this.exchange.config.takerFeeBps;
    return {
      category: this.category,
      symbol: this.symbol,
      isLeverage: '0',
      orderId: String(trade.orderId),
      orderLinkId: trade.clientOrderId,
      side: trade.side === 'buy' ? 'Buy' : 'Sell',
      orderPrice: order ? this.fmt.price(this.exchange.price(order.priceTicks)) : this.fmt.price(price),
      orderQty: order ? this.fmt.qty(this.exchange.qty(order.qtyLots)) : this.fmt.qty(qty),
      leavesQty: this.fmt.qty(this.exchange.qty(leaves)),
      ...(this.category === 'linear' ? { createType: 'CreateByUser' } : {}),
      orderType: 'Limit',
      stopOrderType: '',
      execFee: formatDec(trade.commission, 8),
      execId: this.execId(trade),
      execPrice: this.fmt.price(price),
      execQty: this.fmt.qty(qty),
      execPnl: this.category === 'linear' ? formatDec(trade.realizedPnl, 8) : '0',
      execType: 'Trade',
      execValue: formatDec({ units: price.units * qty.units, scale: price.scale + qty.scale }),
      execTime: String(trade.timeMs),
      isMaker: trade.maker,
      feeRate: formatDec({ units: BigInt(feeBps), scale: 4 }),
      tradeIv: '',
      markIv: '',
      blockTradeId: '',
      markPrice: this.fmt.price(price),
      indexPrice: '',
      underlyingPrice: '',
      closedSize: '0',
      seq: trade.id,
      marketUnit: '',
      feeCurrency: trade.commissionAsset,
      extraFees: '',
    };
  }
}
