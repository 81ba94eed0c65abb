/**
 * Properties of the ledger over random fill sequences (fast-check): inventory is the signed sum of the
 * fills, and realised + unrealised − fees equals cash (fees included) + inventory × mark, whatever the
 * flips, partial closes, fees and rebates.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAnalytics, type AnalyticsFill } from '../../../src/main/analytics/index.js';

const T0 = Date.UTC(2024, 2, 1, 10, 0, 0) * 1_000;

const fillArb = fc.record({
  side: fc.constantFrom('buy' as const, 'sell' as const),
  price: fc.integer({ min: 9_000, max: 11_000 }),
  size: fc.integer({ min: 1, max: 500 }),
  fee: fc.double({ min: -1, max: 1, noNaN: true }),
  dtUs: fc.integer({ min: 0, max: 3_000_000 }),
  midOffset: fc.integer({ min: -3, max: 3 }),
});

describe('ledger properties', () => {
  it('inventory = signed sum of fills; realised + unrealised − fees = cash + inventory × mark', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(['0.01', '1'], ['0.5', '0.001'], ['0.1', '0.00001']),
        fc.array(fillArb, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 8_000, max: 12_000 }),
        ([tick, lot], fills, mark) => {
          const a = createAnalytics({ tickSize: tick, lotSize: lot, sessionStartUs: T0, adverseHorizonSec: 5, fillCapacity: 16 });
          const tickValue = Number(tick);
          const lotValue = Number(lot);
          let t = T0;
          let signed = 0;
          let fees = 0;
          let volume = 0;
          fills.forEach((f, i) => {
            t += f.dtUs;
            const af: AnalyticsFill = {
              fillId: `p${i}`,
              clientOrderId: `o${i}`,
              side: f.side,
              price: f.price,
              size: f.size,
              fee: f.fee,
              liquidity: 'maker',
              exchUs: t,
              localUs: t,
              midAtFill: f.price + f.midOffset,
              fairValueAtFill: f.price,
            };
            a.onFill(af);
            a.onMark(t + 1, f.price);
            signed += f.side === 'buy' ? f.size : -f.size;
            fees += f.fee;
            volume += f.size;
          });
          const pos = a.position();
          expect(pos.inventoryLots).toBe(signed);
          const pnl = a.pnl(mark);
          const identity = pos.cash + pos.inventoryLots * mark * tickValue * lotValue;
          const scale = 12_000 * tickValue * lotValue * volume + 1;
          expect(Math.abs(pnl.realized + pnl.unrealized - pnl.fees - identity)).toBeLessThan(scale * 1e-9);
          expect(Math.abs(pnl.total - identity)).toBeLessThan(scale * 1e-9);
          expect(pnl.fees).toBeCloseTo(fees, 9);
          if (pos.inventoryLots === 0) expect(pnl.unrealized).toBe(0);
          const m = a.metrics(t + 1);
          expect(m.volumeTraded).toBeCloseTo(volume * lotValue, 6);
          expect(m.maxInventory + 1e-12).toBeGreaterThanOrEqual(Math.abs(signed) * lotValue);
          expect(m.maxDrawdown).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });
});
