/**
 * The quoting rules on a real book: the GOOG 2012-06-21 LOBSTER slice (2 000 messages, 10 levels), read
 * from ../shared/data. Every row becomes a book (prices in LOBSTER units of $0.0001 → ticks of $0.01), the
 * mids feed the volatility estimator and executions feed the intensity calibration, and every model's
 * decision after every row must keep the invariants: grid, bid < ask, passive, sizes within the room to the
 * hard limit, finite diagnostics.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { describeWithSharedData, sharedDataPath } from '../../support/shared-data.js';
import { createStrategy } from '../../../src/main/strategy/strategy.js';
import { emptyDecision } from '../../../src/main/strategy/types.js';
import type { QuotingModel } from '../../../src/shared/params.js';
import { inputs, validated } from './helpers.js';
import { DEFAULT_PARAMS } from '../../../src/shared/params.js';
import { TestBook } from './test-book.js';

const DIR = 'lobster/GOOG_2012-06-21_L10_first2000rows';
const DAY_US = Date.UTC(2012, 5, 21) * 1_000;
const UNITS_PER_TICK = 100; // LOBSTER prices are dollars × 10 000; GOOG's tick is $0.01

function readCsv(name: string): number[][] {
  const text = readFileSync(sharedDataPath(DIR, name), 'utf8');
  return text.trim().split('\n').map((line) => line.split(',').map(Number));
}

describeWithSharedData('strategy on the GOOG LOBSTER slice', () => {
  // why: read in beforeAll, never while vitest collects the suite (a fresh clone has no ../shared).
  let messageFile: string | undefined;
  let bookFile: string | undefined;
  beforeAll(() => {
    const files = readdirSync(sharedDataPath(DIR));
    messageFile = files.find((f) => f.includes('message'));
    bookFile = files.find((f) => f.includes('orderbook'));
  });

  for (const model of ['heuristic', 'avellaneda-stoikov', 'glft'] as QuotingModel[]) {
    it(`${model}: every decision keeps the invariants`, () => {
      expect(messageFile).toBeDefined();
      expect(bookFile).toBeDefined();
      const messages = readCsv(messageFile ?? '');
      const rows = readCsv(bookFile ?? '');
      expect(rows.length).toBe(messages.length);
      const params = structuredClone(DEFAULT_PARAMS);
      params.strategy.model = model;
      params.strategy.avellanedaStoikov.gamma = 0.01;
      params.strategy.glft.gamma = 0.01;
      const strategy = createStrategy(validated(params), { intensity: { minTrades: 10 } });
      const out = emptyDecision();
      let mid = Number.NaN;
      let inventory = 0;
      let quoted = 0;
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r] ?? [];
        const message = messages[r] ?? [];
        const nowUs = DAY_US + Math.round((message[0] ?? 0) * 1e6);
        const type = message[1];
        if ((type === 4 || type === 5) && Number.isFinite(mid)) {
          strategy.observeTrade({ localUs: nowUs, exchUs: null, price: (message[4] ?? 0) / UNITS_PER_TICK, size: message[3] ?? 0, aggressor: null }, mid);
        }
        const book = new TestBook(32);
        for (let level = 0; level < 10; level++) {
          const askPrice = row[4 * level] ?? 0;
          const askSize = row[4 * level + 1] ?? 0;
          const bidPrice = row[4 * level + 2] ?? 0;
          const bidSize = row[4 * level + 3] ?? 0;
          if (askPrice > 0 && askPrice < 9_999_999_999) book.set('ask', askPrice / UNITS_PER_TICK, askSize);
          if (bidPrice > 0) book.set('bid', bidPrice / UNITS_PER_TICK, bidSize);
        }
        const bestBid = book.bestBid();
        const bestAsk = book.bestAsk();
        if (!(bestBid < bestAsk)) continue;
        mid = (bestBid + bestAsk) / 2;
        strategy.observeMid(nowUs, mid);
        // A slowly wandering inventory within ±1 200 lots (beyond the 1 000 limit at times).
        inventory = Math.round(1_200 * Math.sin(r / 150));
        strategy.quote(inputs(book, { nowUs, inventoryLots: inventory, adverseRate: 0.38 }), out);
        quoted++;
        const max = params.risk.maxInventoryLots;
        // Checked with plain conditions (expect per row would dominate the run time); the first breach fails.
        const broken =
          !(out.bidSize >= 0 && out.askSize >= 0) ? 'negative size'
          : out.bidSize > Math.max(0, max - inventory) || out.askSize > Math.max(0, max + inventory) ? 'size beyond the room to the limit'
          : !(Number.isInteger(out.bidPrice) && Number.isInteger(out.askPrice)) ? 'off the tick grid'
          : !(out.askPrice - out.bidPrice >= 1) ? 'bid not below ask'
          : !(out.bidPrice <= bestAsk - 1 && out.askPrice >= bestBid + 1) ? 'crossing the market'
          : !(Number.isFinite(out.fairValue) && Number.isFinite(out.reservation)) ? 'non-finite diagnostics'
          : null;
        if (broken !== null) expect.fail(`row ${r}: ${broken}: ${JSON.stringify({ bestBid, bestAsk, inventory, ...out })}`);
      }
      expect(quoted).toBeGreaterThan(1_900);
      // About 2.5 minutes of GOOG: the estimator has samples and gives a plausible annualised figure.
      const vol = strategy.volatility.volAnnual();
      expect(vol).toBeGreaterThan(0.01);
      expect(vol).toBeLessThan(10);
    });
  }
});
