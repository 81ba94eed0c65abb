/**
 * A `VenueGateway` whose every answer the test gives by hand, in the order it chooses: the way to put a
 * lost acknowledgement, a cancel racing a fill or a stream that drops at an exact point of the order
 * lifecycle under the live venue, deterministically. Each call is recorded with its arguments and stays
 * pending until the test answers it (`answer`, `fail`); user-stream events are pushed with `emit`. The
 * wire itself is proven against the local exchange over real sockets elsewhere; this is for the live
 * venue's decisions.
 */
import { GatewayError, type GatewayEvent, type GatewayOrder, type GatewayOrderState, type GatewayTrade, type Holdings, type RateLimitUsage, type SymbolRules, type VenueGateway } from '../../../../src/main/execution/live/gateway.js';

export type CallKind = 'place' | 'cancel' | 'cancelAll' | 'query' | 'openOrders' | 'trades' | 'holdings' | 'arm';

export interface Call {
  readonly kind: CallKind;
  readonly args: readonly unknown[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  settled: boolean;
}

export const RULES: SymbolRules = {
  symbol: 'ETHUSDT',
  baseAsset: 'ETH',
  quoteAsset: 'USDT',
  tickSize: '0.01',
  stepSize: '0.001',
  minQuantity: '0.001',
  maxQuantity: '1000',
  minNotional: '5',
  percentPrice: null,
  deadMansSwitch: false,
};

export class ScriptedGateway implements VenueGateway {
  readonly venue = 'binance-spot' as const;
  readonly symbol = 'ETHUSDT';
  readonly calls: Call[] = [];
  private listener: ((event: GatewayEvent) => void) | null = null;

  /**
   * Answers calls as they come, where it returns something: a value resolves the call, an Error rejects it,
   * undefined leaves it pending for the test to answer by hand.
   */
  responder: ((kind: CallKind, args: readonly unknown[]) => unknown) | null = null;

  constructor(private readonly rules: SymbolRules = RULES) {}

  start(listener: (event: GatewayEvent) => void): Promise<SymbolRules> {
    this.listener = listener;
    return Promise.resolve(this.rules);
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  place(order: GatewayOrder): Promise<GatewayOrderState> {
    return this.record('place', [order]);
  }
  cancel(clientOrderId: string): Promise<GatewayOrderState> {
    return this.record('cancel', [clientOrderId]);
  }
  cancelAll(): Promise<GatewayOrderState[]> {
    return this.record('cancelAll', []);
  }
  query(clientOrderId: string): Promise<GatewayOrderState | null> {
    return this.record('query', [clientOrderId]);
  }
  openOrders(): Promise<GatewayOrderState[]> {
    return this.record('openOrders', []);
  }
  trades(sinceExchUs: number): Promise<GatewayTrade[]> {
    return this.record('trades', [sinceExchUs]);
  }
  holdings(): Promise<Holdings> {
    return this.record('holdings', []);
  }
  armDeadMansSwitch(timeoutMs: number): Promise<void> {
    return this.record('arm', [timeoutMs]);
  }
  usage(): RateLimitUsage {
    return { weightUsed: 0, weightLimit: 6000, weightWindowMs: 60_000, ordersUsed: 0, ordersLimit: 100, ordersWindowMs: 10_000, backOffUntilMs: null, banned: false };
  }

  /** The oldest unanswered call of that kind. */
  pending(kind: CallKind): Call {
    const call = this.calls.find((c) => c.kind === kind && !c.settled);
    if (!call) throw new Error(`no pending ${kind} call (calls: ${this.calls.map((c) => `${c.kind}${c.settled ? '✓' : ''}`).join(', ')})`);
    return call;
  }

  count(kind: CallKind): number {
    return this.calls.filter((c) => c.kind === kind).length;
  }

  answer(kind: CallKind, value: unknown): void {
    const call = this.pending(kind);
    call.settled = true;
    call.resolve(value);
  }

  fail(kind: CallKind, error: GatewayError): void {
    const call = this.pending(kind);
    call.settled = true;
    call.reject(error);
  }

  emit(event: GatewayEvent): void {
    this.listener?.(event);
  }

  private record<T>(kind: CallKind, args: unknown[]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const call: Call = { kind, args, resolve: resolve as (value: unknown) => void, reject, settled: false };
      this.calls.push(call);
      const answer = this.responder?.(kind, args);
      if (answer === undefined) return;
      call.settled = true;
      if (answer instanceof Error) reject(answer);
      else resolve(answer as T);
    });
  }
}

export function state(clientOrderId: string, status: GatewayOrderState['status'], executed = '0', overrides: Partial<GatewayOrderState> = {}): GatewayOrderState {
  return { clientOrderId, venueOrderId: `v-${clientOrderId}`, side: 'buy', price: '2500.00', quantity: '0.500', executedQuantity: executed, status, reason: null, exchUs: 1_700_000_000_000_000, ...overrides };
}

export function trade(tradeId: string, clientOrderId: string, quantity: string, overrides: Partial<GatewayTrade> = {}): GatewayTrade {
  return { tradeId, clientOrderId, venueOrderId: `v-${clientOrderId}`, side: 'buy', price: '2500.00', quantity, commission: '0.01', commissionAsset: 'USDT', maker: true, exchUs: 1_700_000_000_500_000, ...overrides };
}

export { GatewayError };
