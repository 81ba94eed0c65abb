/**
 * The monitor's panels against a real `quotedesk serve` on the simulated market, in Debian's Chromium:
 * every figure shown agrees with what `/api/state` and `/api/metrics` report (polled until the two are
 * read at the same moment, since the market moves), the statistics carry their definitions, the blotter
 * is virtualised and sortable, the session history opens a session's fills, and CSV export downloads.
 */
import type { Locator } from '@playwright/test';
import type { DeskMetrics, DeskState, FillView } from '../../src/shared/contract.js';
import { expect, monitorUrl, test } from './fixtures.js';

const num = async (locator: Locator, attribute = 'data-value'): Promise<number> => Number(await locator.getAttribute(attribute));

test('ladder, inventory and PnL show what /api/state reports', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  const ladder = page.getByTestId('ladder');
  await expect(ladder.getByTestId('our-bid')).toHaveCount(1);

  // Our quotes sit on the rows of the prices the desk reports, with the queue estimate it reports.
  await expect
    .poll(async () => {
      const state = await serve.get<DeskState>('/api/state');
      const bidRow = ladder.getByTestId('ladder-row').filter({ has: page.getByTestId('our-bid') });
      const shown = Number(await bidRow.getAttribute('data-price'));
      return state.quotes.bid !== null && Math.abs(shown - state.quotes.bid.price) < 1e-9;
    })
    .toBe(true);
  const state = await serve.get<DeskState>('/api/state');
  const decimals = state.instrument.priceDecimals;
  const prices = await ladder.getByTestId('ladder-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-price') ?? ''));
  // Prices are formatted to the instrument's precision, one tick apart, descending.
  for (const text of prices) expect(text).toMatch(new RegExp(`^\\d+\\.\\d{${decimals}}$`));
  const tick = Number(state.instrument.tickSize);
  expect(Number(prices[0]) - Number(prices[1])).toBeCloseTo(tick, 9);

  // The canvas draws what the text rows list: our bid's badge on its row in the left column, our ask's on
  // its row in the right one (pixels read back from the canvas; polled, since the rows list at reading pace).
  const badgePixels = (): Promise<{ bid: string; ask: string }> =>
    ladder.evaluate((element) => {
      const rows = [...element.querySelectorAll('[data-testid="ladder-row"]')];
      const canvas = element.querySelector('canvas');
      const context = canvas?.getContext('2d');
      if (!canvas || !context) return { bid: 'no canvas', ask: 'no canvas' };
      const ratio = canvas.width / canvas.clientWidth;
      // Just below the badge's top border, above its text; our columns are 70 px wide, the right one left of
      // the 52 px volume column when it shows.
      const at = (testid: string, x: number): string => {
        const index = rows.findIndex((row) => row.querySelector(`[data-testid="${testid}"]`) !== null);
        if (index < 0) return 'no row';
        const pixel = context.getImageData(Math.round(x * ratio), Math.round((index * 18 + 2.5) * ratio), 1, 1).data;
        return `${pixel[0]},${pixel[1]},${pixel[2]}`;
      };
      const volume = canvas.getAttribute('data-volume-column') === 'true' ? 52 : 0;
      return { bid: at('our-bid', 35), ask: at('our-ask', canvas.clientWidth - volume - 35) };
    });
  // #0f5132 and #5c1414: the fills of our bid and our ask badges.
  await expect.poll(badgePixels).toEqual({ bid: '15,81,50', ask: '92,20,20' });

  await expect.poll(async () => (await num(page.getByTestId('inventory'))) === (await serve.get<DeskState>('/api/state')).inventory).toBe(true);
  // The gauge's needle is drawn where the shown inventory lies between −hard and +hard: it moves by a transform,
  // so this reads where Chromium actually put it (polled: the needle glides for 0.15 s after each reading).
  const hard = state.params.risk.maxInventoryLots * Number(state.instrument.lotSize);
  await expect
    .poll(async () => {
      const shown = await num(page.getByTestId('inventory'));
      const across = await page.getByTestId('inventory-gauge').evaluate((gauge) => {
        const needle = gauge.querySelector('.gauge-needle')?.getBoundingClientRect();
        const box = gauge.getBoundingClientRect();
        return needle ? (needle.left + needle.width / 2 - box.left - gauge.clientLeft) / gauge.clientWidth : Number.NaN;
      });
      return Math.abs(across - Math.max(0, Math.min(1, (shown + hard) / (2 * hard))));
    })
    .toBeLessThan(0.01);
  await expect.poll(async () => (await num(page.getByTestId('pnl-realized'))) === (await serve.get<DeskState>('/api/state')).pnl.realized).toBe(true);
  await expect
    .poll(async () => {
      const shown = await num(page.getByTestId('pnl-total'));
      const api = (await serve.get<DeskState>('/api/state')).pnl.total;
      return Math.abs(shown - api) < 1e-6;
    })
    .toBe(true);
  await expect(page.getByTestId('reasons-bid')).toHaveAttribute('data-reasons', '');
  await expect(page.getByTestId('reasons-bid')).toContainText('quoting');
  // Fair value and reservation price are marked on the ladder and in the chart legend.
  await expect(ladder.getByTestId('mark-fv')).toHaveCount(1);
  await expect(page.getByTestId('skew-chart').locator('canvas').first()).toBeVisible();
});

test('the quote chart shows a fixed 90 s window from the first seconds, newest at the right', async ({ page, serve }) => {
  const testStartedMs = Date.now();
  await page.goto(monitorUrl(serve));
  await expect(page.getByTestId('our-bid')).toHaveCount(1);
  // Columns of the top pane's main canvas (the largest canvas, first in its cell) holding line pixels: neither
  // the background (#0d1117) nor the grid (#1a2130). A fresh desk holds a few seconds of history, so its lines
  // fill only the right edge of a 90 s window; zoomed to the points loaded, they would span the whole pane.
  const inkedFraction = (): Promise<{ from: number; to: number }> =>
    page.getByTestId('skew-chart').evaluate((element) => {
      const pane = [...element.querySelectorAll('canvas')].sort((a, b) => b.width * b.height - a.width * a.height)[0];
      const context = pane?.getContext('2d');
      if (!pane || !context) return { from: -1, to: -1 };
      const { data, width, height } = context.getImageData(0, 0, pane.width, pane.height);
      const near = (i: number, r: number, g: number, b: number): boolean => Math.abs(data[i]! - r) + Math.abs(data[i + 1]! - g) + Math.abs(data[i + 2]! - b) < 40;
      let from = width;
      let to = -1;
      for (let x = 0; x < width; x++) {
        for (let y = 0; y < height; y++) {
          const i = (y * width + x) * 4;
          if (near(i, 13, 17, 23) || near(i, 26, 33, 48)) continue;
          from = Math.min(from, x);
          to = Math.max(to, x);
          break;
        }
      }
      return { from: from / width, to: to / width };
    });
  await expect.poll(async () => (await inkedFraction()).to, { timeout: 15_000 }).toBeGreaterThan(0.9);
  const { from } = await inkedFraction();
  // The lines start no further left than the history's share of the window: the desk started when the
  // fixture's server did, at most 15 s before this test (a generous bound on its start-up).
  const historyS = (Date.now() - testStartedMs) / 1_000 + 15;
  expect(from).toBeGreaterThan(1 - historyS / 90);
});

test('the quote chart marks our fills, an operator action and the state change it caused', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  await expect(page.getByTestId('our-bid')).toHaveCount(1);
  const chart = page.getByTestId('skew-chart-canvas');
  // Fills from the desk's own blotter: the chart marks them (the newest 80 at most).
  await expect.poll(async () => (await serve.get<FillView[]>('/api/fills')).length, { timeout: 45_000 }).toBeGreaterThan(0);
  await expect(chart).toHaveAttribute('data-markers', /fill \d+/, { timeout: 10_000 });
  await page.getByTestId('kill-switch').click();
  await expect(chart).toHaveAttribute('data-markers', /operator \d+.*state \d+|state \d+.*operator \d+/);
  await expect(chart).toHaveAttribute('aria-label', /markers: .*operator \d+/);
  // The flags are drawn: the operator (#ffca28) or state (#b388ff) colour on the top edge of the top pane,
  // where no line runs (the two events share a time, so one flag covers the other).
  const flagPixels = (): Promise<number> =>
    chart.evaluate((element) => {
      const canvases = [...element.querySelectorAll('canvas')];
      const largest = Math.max(...canvases.map((c) => c.width * c.height));
      let count = 0;
      for (const canvas of canvases.filter((c) => c.width * c.height === largest)) {
        const context = canvas.getContext('2d');
        if (!context) continue;
        const rows = Math.round(6 * (canvas.height / canvas.clientHeight));
        const { data } = context.getImageData(0, 0, canvas.width, rows);
        const near = (i: number, r: number, g: number, b: number): boolean => Math.abs(data[i]! - r) + Math.abs(data[i + 1]! - g) + Math.abs(data[i + 2]! - b) < 30;
        for (let i = 0; i < data.length; i += 4) if (near(i, 255, 202, 40) || near(i, 179, 136, 255)) count++;
      }
      return count;
    });
  await expect.poll(flagPixels).toBeGreaterThan(10);
});

test('tick grouping and auto-centre change the ladder', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  const ladder = page.getByTestId('ladder');
  await expect(ladder.getByTestId('our-bid')).toHaveCount(1);
  await page.getByTestId('ladder-group-5').click();
  await expect(ladder).toHaveAttribute('data-group', '5');
  const state = await serve.get<DeskState>('/api/state');
  const tick = Number(state.instrument.tickSize);
  const prices = await ladder.getByTestId('ladder-row').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-price'))));
  expect(prices[0]! - prices[1]!).toBeCloseTo(5 * tick, 9);
  for (const price of prices) expect(Math.round(price / tick) % 5).toBe(0);
  // The keyboard cycles the grouping (5 → 10) and toggles auto-centre.
  await page.keyboard.press('g');
  await expect(ladder).toHaveAttribute('data-group', '10');
  await page.keyboard.press('c');
  await expect(ladder).toHaveAttribute('data-auto-centre', 'false');
  await expect(page.getByTestId('ladder-autocentre')).not.toBeChecked();
});

test('statistics show the article table with definitions and agree with /api/metrics', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  await expect.poll(async () => (await serve.get<DeskMetrics>('/api/metrics')).numFills, { timeout: 45_000 }).toBeGreaterThan(0);
  const table = page.getByTestId('stats-table');
  const names = ['Daily PnL', 'Sharpe Ratio', 'Win Rate', 'Avg Spread Captured', 'Adverse Selection Rate', 'Avg Inventory', 'Max Inventory', 'Inventory Turnover'];
  for (const name of names) await expect(table.getByText(name, { exact: true })).toBeVisible();
  const metrics = await serve.get<DeskMetrics>('/api/metrics');
  await expect(table.getByText('Sharpe Ratio', { exact: true })).toHaveAttribute('title', new RegExp(escape(metrics.sharpeBasis.slice(0, 30))));
  await expect(table.getByText('Win Rate', { exact: true })).toHaveAttribute('title', /markout/);
  for (const name of names) expect(((await table.getByText(name, { exact: true }).getAttribute('title')) ?? '').length).toBeGreaterThan(20);

  const pairs: Array<[string, keyof DeskMetrics]> = [
    ['stat-max-inventory', 'maxInventory'],
    ['stat-spread-captured', 'avgSpreadCapturedBps'],
    ['stat-adverse-rate', 'adverseSelectionRate'],
    ['stat-win-rate', 'winRate'],
  ];
  // A figure the API reports as null (n/a) is shown as "n/a (condition)", with no value; any other as its value.
  const shownAs = async (testid: string): Promise<number | null> => {
    const value = await page.getByTestId(testid).getAttribute('data-value');
    return value === null || value === '' ? null : Number(value);
  };
  for (const [testid, key] of pairs) {
    await expect.poll(async () => (await shownAs(testid)) === (await serve.get<DeskMetrics>('/api/metrics'))[key]).toBe(true);
  }
  await expect.poll(async () => (await shownAs('adverse-rate')) === (await serve.get<DeskMetrics>('/api/metrics')).adverseSelectionRate).toBe(true);
  await expect(page.getByTestId('hourly-row').first()).toBeVisible();
  await expect(page.getByTestId('markout-curves')).toBeVisible();
  const state = await serve.get<DeskState>('/api/state');
  // Each threshold's tick sits at its rate along the bar (the bar spans 0 to 100 %).
  for (const [testid, rate] of [
    ['adverse-widen-threshold', state.params.strategy.adverseSelection.threshold],
    ['adverse-breaker-threshold', state.params.risk.adverseBreakerRate],
  ] as const) {
    const at = await page.getByTestId(testid).evaluate((tick) => {
      const bar = tick.parentElement?.getBoundingClientRect();
      return bar ? (tick.getBoundingClientRect().left - bar.left) / bar.width : Number.NaN;
    });
    expect(at, testid).toBeCloseTo(rate, 2);
  }
  // The thresholds' words, from the desk's parameters, side by side and inside the panel: labels placed at
  // their ticks (60 % and 90 % of a bar squeezed by "n/a (…)") overlapped and ran out of the panel.
  const legend = page.getByTestId('adverse-threshold-legend');
  await expect(legend).toHaveText(
    `widen ${Math.round(state.params.strategy.adverseSelection.threshold * 100)}%breaker ${Math.round(state.params.risk.adverseBreakerRate * 100)}% (${state.params.risk.adverseBreakerAction})`,
  );
  const boxes = await legend.evaluate((element) => {
    const box = (e: Element): { left: number; right: number } => {
      const r = e.getBoundingClientRect();
      return { left: r.left, right: r.right };
    };
    const panel = element.closest('[data-testid="adverse-panel"]');
    return { items: [...element.children].map(box), panel: panel ? box(panel) : null };
  });
  const [widen, breaker] = boxes.items;
  expect(widen && breaker && boxes.panel).toBeTruthy();
  if (!widen || !breaker || !boxes.panel) return;
  expect(widen.right).toBeLessThanOrEqual(breaker.left);
  expect(widen.left).toBeGreaterThanOrEqual(boxes.panel.left);
  expect(breaker.right).toBeLessThanOrEqual(boxes.panel.right);
});

test('feed health and limit usage agree with /api/state', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  const state = await serve.get<DeskState>('/api/state');
  await expect(page.getByTestId('feed-state')).toHaveAttribute('data-state', state.feed.state);
  for (const limit of state.limits) await expect(page.getByTestId(`limit-${limit.name}`)).toBeVisible();
  await expect.poll(async () => num(page.getByTestId('feed-messages'))).toBeGreaterThan(state.feed.messages);
  await expect.poll(async () => (await num(page.getByTestId('feed-gaps'))) === (await serve.get<DeskState>('/api/state')).feed.gaps).toBe(true);
  await expect
    .poll(async () => {
      const shown = await num(page.getByTestId('limit-inventory'), 'data-fraction');
      const api = (await serve.get<DeskState>('/api/state')).limits.find((l) => l.name === 'inventory');
      return api !== undefined && Math.abs(shown - api.fraction) < 1e-12;
    })
    .toBe(true);
  // Each usage bar is filled to its fraction as Chromium drew it (a scaled fill: read its box, not its style).
  await expect
    .poll(async () =>
      page.getByTestId('limit-orderRate').evaluate((limit) => {
        const fill = limit.querySelector('.bar-fill')?.getBoundingClientRect();
        const bar = limit.querySelector('.bar')?.getBoundingClientRect();
        const fraction = Number(limit.getAttribute('data-fraction'));
        return fill && bar ? Math.abs(fill.width / bar.width - Math.max(0, Math.min(1, fraction))) : Number.NaN;
      }),
    )
    .toBeLessThan(0.02);
});

test.describe('with a busier market', () => {
  // The default simulated market can make a single fill in 45 s (it is calibrated to the article's figures):
  // four times its flow, seeded, makes the fills this test reads within seconds.
  test.use({ serveArgs: ['--sim-flow', '4', '--seed', '5'] });

  test('the fills blotter is virtualised, sortable and agrees with /api/fills; open orders agree with /api/state', async ({ page, serve }) => {
    await page.goto(monitorUrl(serve));
    await expect.poll(async () => (await serve.get<FillView[]>('/api/fills?limit=1000')).length, { timeout: 45_000 }).toBeGreaterThan(2);
    const blotter = page.getByTestId('fills-blotter');
    await expect
      .poll(async () => {
        const fills = await serve.get<FillView[]>('/api/fills?limit=5000');
        return Number(await blotter.getAttribute('data-rows')) === fills.length;
      })
      .toBe(true);
    const fills = await serve.get<FillView[]>('/api/fills?limit=5000');
    // Newest first by default: the top row is the newest fill the desk reports (or newer).
    const topOrder = await blotter.getByTestId('fills-blotter-row').first().locator('[data-col="order"]').textContent();
    expect(fills.map((f) => f.clientOrderId)).toContain(topOrder);
    // Sort by price ascending: rows come in price order.
    await page.getByTestId('fills-blotter-sort-price').click();
    await page.getByTestId('fills-blotter-sort-price').click();
    const shownPrices = await blotter.getByTestId('fills-blotter-row').locator('[data-col="price"]').allTextContents();
    const numeric = shownPrices.map(Number);
    expect(numeric).toEqual([...numeric].sort((a, b) => a - b));
    // Windowed: never more DOM rows than fit (plus overscan), whatever the fill count.
    expect(await blotter.getByTestId('fills-blotter-row').count()).toBeLessThanOrEqual(60);

    await page.getByTestId('tab-orders').click();
    await expect
      .poll(async () => {
        const state = await serve.get<DeskState>('/api/state');
        return Number(await page.getByTestId('orders-table').getAttribute('data-rows')) === state.openOrders.length;
      })
      .toBe(true);
  });
});

test('session history opens a session\'s fills, and CSV export downloads the file', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  await expect.poll(async () => (await serve.get<FillView[]>('/api/fills?limit=10')).length, { timeout: 45_000 }).toBeGreaterThan(0);
  const state = await serve.get<DeskState>('/api/state');
  await page.getByTestId('tab-sessions').click();
  await expect(page.getByTestId('sessions-table-row').first()).toBeVisible();
  await page.getByTestId(`open-session-${state.sessionId}`).click();
  await expect(page.getByTestId('past-session')).toHaveAttribute('data-session', String(state.sessionId));
  expect(Number(await page.getByTestId('fills-blotter').getAttribute('data-rows'))).toBeGreaterThan(0);
  await page.getByTestId('back-to-live').click();
  await expect(page.getByTestId('past-session')).toHaveCount(0);

  const download = page.waitForEvent('download');
  await page.getByTestId('export-fills').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`quotedesk-fills-session-${state.sessionId}.csv`);
  const path = await file.path();
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(path, 'utf8');
  expect(text.split('\n')[0]).toMatch(/fill/i);
  expect(text.trim().split('\n').length).toBeGreaterThan(1);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
