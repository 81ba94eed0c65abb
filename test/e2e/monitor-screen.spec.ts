/**
 * "The screen never lies" (issue 16), in Chromium against a real `quotedesk serve` on the simulated market
 * with quotes that fill often: every control does what its label says (reduce-only works the position down
 * and back to active in one key, the banner says NOT QUOTING with the reasons when nothing works, one-sided
 * quoting says which side and why), the ladder a trader reads (our orders in view or marked at the edge
 * with the distance in ticks, size and queue labelled, traded volume at price as the desk streams it, our
 * order cancelled by a click, with or without a question, audited), the tape with our fills, alerts (desktop
 * notification through the real browser API, sound, mute, history), the layout and preferences surviving a
 * reload, and honest surroundings (PAPER, chart tags only for working orders, grouped chart labels, the PnL
 * breakdown adding up, flatten progress ending with its flatten, prices in events, greyed panels with the
 * last update's age when the desk is gone, a usable 1280×800).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { NOT_QUOTING_TEXT, type DeskState, type FillView, type StreamMessage, type VolumeAtPrice } from '../../src/shared/contract.js';
import type { Page } from '@playwright/test';
import { removeDir, type ServeHandle } from '../support/serve-process.js';
import { expect, monitorUrl, test } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'quotedesk-screen-e2e-'));
const paramsFile = join(dir, 'params.json');
writeFileSync(
  paramsFile,
  JSON.stringify({
    strategy: { spread: { baseBps: 0.5, volatility: { enabled: false } }, size: { baseLots: 20 }, adverseSelection: { enabled: false } },
    risk: { maxInventoryLots: 400, softInventoryLots: 300, fillBurstCount: 10_000, priceBandBps: 10_000 },
  }),
);
test.afterAll(() => removeDir(dir));
// A busier market than the default, so a position builds within seconds whatever the seed does.
test.use({ serveArgs: ['--params', paramsFile, '--seed', '5', '--sim-flow', '4'] });

const stateOf = (serve: ServeHandle): Promise<DeskState> => serve.get<DeskState>('/api/state');

/**
 * Every piece of text on the monitor that is cut: wider than its own box (an ellipsis), or running out of an
 * ancestor that clips it sideways. A sideways scroller (a wide table in a narrow window) is not a cut; the
 * ladder's accessible mirror (visually hidden on purpose) and the charts' own canvases are not read.
 */
async function cutText(page: Page): Promise<string[]> {
  return page.getByTestId('desk').evaluate((root) => {
    const cut: string[] = [];
    const describe = (e: Element): string => `${e.tagName.toLowerCase()} in ${e.closest('[data-testid]')?.getAttribute('data-testid') ?? '?'} "${(e.textContent ?? '').trim().slice(0, 30)}"`;
    for (const e of root.querySelectorAll('*')) {
      if (!(e instanceof HTMLElement) || e.closest('.ladder-mirror, .tv-lightweight-charts')) continue;
      if (![...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '')) continue;
      const rect = e.getBoundingClientRect();
      const style = getComputedStyle(e);
      if (rect.width === 0 || rect.height === 0 || style.visibility === 'hidden') continue;
      if (e.scrollWidth > e.clientWidth + 1 && style.overflowX !== 'auto' && style.overflowX !== 'scroll') {
        cut.push(`${describe(e)} needs ${e.scrollWidth} px, has ${e.clientWidth}`);
        continue;
      }
      for (let a = e.parentElement; a !== null && a !== root.parentElement; a = a.parentElement) {
        const overflow = getComputedStyle(a).overflowX;
        if (overflow === 'visible') continue;
        if (overflow === 'auto' || overflow === 'scroll') break;
        const box = a.getBoundingClientRect();
        if (rect.left < box.left - 1 || rect.right > box.right + 1) {
          cut.push(`${describe(e)} runs out of ${describe(a)}`);
          break;
        }
      }
    }
    return cut;
  });
}

async function withInventory(serve: ServeHandle, atLeast: number): Promise<DeskState> {
  await expect.poll(async () => Math.abs((await stateOf(serve)).inventory), { timeout: 45_000 }).toBeGreaterThanOrEqual(atLeast);
  return stateOf(serve);
}

/** The canvas point at the centre of our order's badge on the ladder (`side` bid or ask). */
async function ourBadgePoint(page: Page, side: 'bid' | 'ask'): Promise<{ x: number; y: number; ids: string[] }> {
  const ladder = page.getByTestId('ladder');
  return ladder.evaluate((element, which) => {
    const rows = [...element.querySelectorAll('[data-testid="ladder-row"]')];
    const index = rows.findIndex((row) => row.querySelector(`[data-testid="our-${which}"]`) !== null);
    const canvas = element.querySelector('canvas')!;
    const box = canvas.getBoundingClientRect();
    const volume = canvas.getAttribute('data-volume-column') === 'true' ? 52 : 0;
    const ids = (rows[index]?.querySelector(`[data-testid="our-${which}"]`)?.getAttribute('data-ids') ?? '').split(' ').filter(Boolean);
    const x = which === 'bid' ? box.left + 35 : box.left + box.width - volume - 35;
    return { x, y: box.top + index * 18 + 9, ids };
  }, side);
}

test('reduce-only works a position larger than the strategy size down, and one key returns to active', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  await withInventory(serve, 30);
  // Paused, the position holds still; the strategy's size then outgrows it.
  await page.keyboard.press('p');
  await expect(page.getByTestId('trading-state')).toHaveAttribute('data-state', 'paused');
  await expect.poll(async () => (await stateOf(serve)).openOrders.length).toBe(0);
  const start = await stateOf(serve);
  expect(Math.abs(start.inventory)).toBeGreaterThan(0);
  expect((await serve.send('PUT', '/api/params', { strategy: { size: { baseLots: 500 } } })).status).toBe(200);
  expect(start.params.strategy.size.baseLots).toBeLessThan(500);
  await page.keyboard.press('d');
  const banner = page.getByTestId('trading-state');
  await expect(banner).toHaveAttribute('data-state', 'reducing');
  const reducing = start.inventory > 0 ? 'ask' : 'bid';
  const growing = reducing === 'ask' ? 'bid' : 'ask';
  // The growing side says why it does not quote, in words; the reducing side is never refused.
  await expect(page.getByTestId(`reasons-${growing}`)).toContainText(NOT_QUOTING_TEXT.reducing);
  await expect(page.getByTestId(`reasons-${reducing}`)).not.toContainText(NOT_QUOTING_TEXT['would-not-reduce']);
  // It works the position down: orders sized to the position, only on the reducing side, never past zero.
  await expect.poll(async () => Math.abs((await stateOf(serve)).inventory), { timeout: 30_000 }).toBeLessThan(Math.abs(start.inventory));
  const side = reducing === 'ask' ? 'sell' : 'buy';
  const db = new Database(serve.dbPath, { readonly: true, fileMustExist: true });
  try {
    await expect.poll(() => (db.prepare('SELECT COUNT(*) AS n FROM orders WHERE created_us > ?').get(start.clockMs * 1_000) as { n: number }).n).toBeGreaterThan(0);
    const orders = db.prepare('SELECT side, size_lots AS size FROM orders WHERE created_us > ?').all(start.clockMs * 1_000) as Array<{ side: string; size: number }>;
    for (const order of orders) {
      expect(order.side).toBe(side);
      expect(order.size).toBeLessThanOrEqual(Math.abs(start.inventory));
    }
    const after = db.prepare('SELECT inventory_after AS inv FROM fills WHERE local_us > ? ORDER BY seq').all(start.clockMs * 1_000) as Array<{ inv: number }>;
    for (const fill of after) expect(fill.inv * Math.sign(start.inventory)).toBeGreaterThanOrEqual(0);
  } finally {
    db.close();
  }
  expect((await stateOf(serve)).reasons[reducing]).not.toContain('would-not-reduce');
  // One action back: the button says so, and D again does it too.
  await expect(page.getByTestId('back-to-active')).toBeVisible();
  await page.keyboard.press('d');
  await expect(banner).toHaveAttribute('data-state', 'active');
  expect((await stateOf(serve)).tradingState).toBe('active');
  await expect(page.getByTestId('reduce')).toBeVisible();
});

test('the banner says NOT QUOTING with the reasons whenever active and nothing works; one side says which', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  const banner = page.getByTestId('trading-state');
  await expect(banner).toHaveAttribute('data-quoting', 'both');
  await expect(page.getByTestId('trading-state-cause')).toHaveText('quoting both sides');
  // A schedule that does not quote at any hour: active, yet nothing works.
  expect((await serve.send('PUT', '/api/params', { strategy: { schedule: [{ fromMinuteUtc: 0, toMinuteUtc: 1440, spreadMultiplier: 1, quote: false }] } })).status).toBe(200);
  await expect(banner).toHaveAttribute('data-quoting', 'none');
  await expect(banner).toHaveAttribute('data-state', 'active');
  await expect(banner).toHaveClass(/state-idle/);
  await expect(banner.locator('.state-name')).toHaveText('NOT QUOTING');
  const state = await stateOf(serve);
  expect(state.quotes).toEqual({ bid: null, ask: null });
  for (const reason of state.reasons.bid) await expect(page.getByTestId('trading-state-cause')).toContainText(NOT_QUOTING_TEXT[reason]);
  // Quoting again; then a hard limit below the position: one side at the limit, the other reduces.
  expect((await serve.send('PUT', '/api/params', { strategy: { schedule: [] } })).status).toBe(200);
  await expect(banner).toHaveAttribute('data-quoting', 'both');
  await withInventory(serve, 25);
  // A hard limit of one lot, far below the position: only the reducing side may quote until the position is
  // worked off (a limit of half the position let the fills bring it back under within the wait).
  expect((await serve.send('PUT', '/api/params', { risk: { maxInventoryLots: 1, softInventoryLots: 1 } })).status).toBe(200);
  const held = await stateOf(serve);
  expect(Math.abs(held.inventory)).toBeGreaterThan(1);
  const side = held.inventory > 0 ? 'ask' : 'bid';
  await expect(banner).toHaveAttribute('data-quoting', side);
  await expect(page.getByTestId('trading-state-cause')).toContainText(`quoting the ${side} only`);
  await expect(page.getByTestId('trading-state-cause')).toContainText(NOT_QUOTING_TEXT['inventory-limit']);
});

test('the ladder: our orders kept in view or marked at the edge with their distance; size and queue labelled', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  const ladder = page.getByTestId('ladder');
  await expect(ladder.getByTestId('our-bid')).toHaveCount(1);
  await expect(ladder.getByTestId('our-ask')).toHaveCount(1);
  // Size and queue ahead in words, never two bare numbers.
  await expect(ladder.getByTestId('our-bid')).toHaveText(/^\d[\d,.]* \(\d[\d,.]* ahead\)$|^\d[\d,.]*$/);
  // One tick a row, centred far above the market by the wheel: our orders are below the rows, marked.
  await page.getByTestId('ladder-group-1').click();
  const body = ladder.locator('.ladder-body');
  for (let i = 0; i < 12; i++) await body.dispatchEvent('wheel', { deltaY: -120, shiftKey: true });
  await expect(ladder).toHaveAttribute('data-auto-centre', 'false');
  const marker = ladder.getByTestId('ladder-offscreen').filter({ has: page.locator('[data-side="buy"]') }).or(ladder.locator('[data-testid="ladder-offscreen"][data-side="buy"]'));
  await expect(marker.first()).toBeAttached();
  await expect(marker.first()).toHaveAttribute('data-edge', 'bottom');
  // The distance is what the rows and the desk's price say: bottom row's price − our bid, in ticks.
  await expect
    .poll(async () => {
      const state = await stateOf(serve);
      const tick = Number(state.instrument.tickSize);
      const rows = await ladder.getByTestId('ladder-row').evaluateAll((r) => r.map((row) => Number(row.getAttribute('data-price'))));
      const bottom = Math.round(rows[rows.length - 1]! / tick);
      const shown = await ladder.locator('[data-testid="ladder-offscreen"][data-side="buy"]').first().evaluate((m) => ({ ticks: Number(m.getAttribute('data-ticks')), price: Number(m.getAttribute('data-price')) }));
      return shown.ticks === bottom - Math.round(shown.price / tick) && state.openOrders.some((o) => o.side === 'buy' && Math.abs(o.price - shown.price) < 1e-9);
    })
    .toBe(true);
  await expect(ladder.locator('[data-testid="ladder-offscreen"]').first()).toContainText(/ticks? (below|above)/);
  // Automatic grouping with auto-centre keeps them on the rows again.
  await page.getByTestId('ladder-group-auto').click();
  await page.getByTestId('ladder-autocentre').check();
  await expect(ladder.getByTestId('ladder-offscreen')).toHaveCount(0);
  await expect(ladder.getByTestId('our-bid')).toHaveCount(1);
});

test('the ladder shows the volume traded at each price as the desk streams it, and the tape shows trades and our fills', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  await page.getByTestId('ladder-group-1').click();
  const cells = page.getByTestId('ladder-volume-cell');
  await expect.poll(() => cells.count(), { timeout: 20_000 }).toBeGreaterThan(2);
  // Volumes only grow: between two snapshots of the stream, the page shows at least the first and at most the second.
  const snapshot = (): Promise<Map<number, VolumeAtPrice>> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`${serve.baseUrl.replace(/^http/, 'ws')}/api/stream`, ['quotedesk']);
      ws.on('message', (data) => {
        const message = JSON.parse(data.toString()) as StreamMessage;
        if (message.type !== 'snapshot') return;
        ws.close();
        resolve(new Map(message.volume.map((row) => [row[0], row])));
      });
      ws.on('error', reject);
    });
  const before = await snapshot();
  // The ladder's list follows at reading pace: two readings on, it is newer than `before`.
  const readings = await page.evaluate<number>('window.__quotedeskStats.readingFrames');
  await page.waitForFunction((n) => (window as unknown as { __quotedeskStats: { readingFrames: number } }).__quotedeskStats.readingFrames >= n + 2, readings);
  const shown = await cells.evaluateAll((list) => list.map((cell) => ({ price: Number(cell.closest('[data-testid="ladder-row"]')!.getAttribute('data-price')), total: Number(cell.getAttribute('data-total')) })));
  const after = await snapshot();
  expect(shown.length).toBeGreaterThan(2);
  for (const { price, total } of shown) {
    const key = [...after.keys()].find((p) => Math.abs(p - price) < 1e-9)!;
    expect(after.get(key)![3]).toBeGreaterThanOrEqual(total - 1e-9);
    const earlier = [...before.keys()].find((p) => Math.abs(p - price) < 1e-9);
    if (earlier !== undefined) expect(total).toBeGreaterThanOrEqual(before.get(earlier)![3] - 1e-9);
  }
  // The volume column can be switched off (a preference).
  await page.getByTestId('ladder-volume').uncheck();
  await expect(cells).toHaveCount(0);

  // The tape: trades newest first with their aggressor; our fills among them, highlighted, as the desk has them.
  const tape = page.getByTestId('tape');
  await expect(tape.getByTestId('tape-trade').first()).toBeVisible();
  // Read in one evaluation inside the tape: rows are keyed by position, so between a locator's query and its
  // evaluation a re-render can turn a trade row into a fill row (Playwright's evaluateAll is two steps).
  const aggressors = await tape.evaluate((el) => [...el.querySelectorAll('[data-testid="tape-trade"]')].map((r) => r.getAttribute('data-aggressor')));
  expect(aggressors.every((a) => a === 'buy' || a === 'sell')).toBe(true);
  await expect(tape.getByTestId('tape-fill').first()).toBeVisible({ timeout: 30_000 });
  const fillIds = await tape.evaluate((el) => [...el.querySelectorAll('[data-testid="tape-fill"]')].map((r) => r.getAttribute('data-fill-id')));
  const fills = await serve.get<FillView[]>('/api/fills?limit=500');
  for (const id of fillIds) expect(fills.some((f) => f.fillId === id)).toBe(true);
  await expect(tape.locator('.tape-row.ours').first()).toHaveCSS('font-weight', '700');
});

test('clicking our order cancels it through the validated command, audited; with confirmation on, only after yes', async ({ page, serve }) => {
  // Quotes that stay where they are (wide, kept within 50 ticks), and a ladder that does not move: a click
  // lands on the order the rows show.
  expect((await serve.send('PUT', '/api/params', { strategy: { spread: { baseBps: 30 } }, execution: { requoteThresholdTicks: 50 } })).status).toBe(200);
  // Pulled and placed again: the quotes start out wide, where fills are rare.
  expect((await serve.send('POST', '/api/control/pause')).status).toBe(200);
  expect((await serve.send('POST', '/api/control/resume')).status).toBe(200);
  await page.goto(monitorUrl(serve));
  await expect(page.getByTestId('our-bid')).toHaveCount(1);
  await page.getByTestId('ladder-group-2').click();
  await page.getByTestId('ladder-autocentre').uncheck();
  const working = async (ids: readonly string[]): Promise<boolean> => (await stateOf(serve)).openOrders.some((o) => ids.includes(o.clientOrderId) && o.status === 'working');
  // The rows as listed name working orders (the list follows the canvas at reading pace).
  const target = async (side: 'bid' | 'ask'): Promise<{ x: number; y: number; ids: string[] }> => {
    let point = await ourBadgePoint(page, side);
    await expect.poll(async () => {
      point = await ourBadgePoint(page, side);
      return point.ids.length > 0 && (await working(point.ids));
    }, { timeout: 20_000 }).toBe(true);
    return point;
  };
  const ask = await target('ask');
  await page.mouse.click(ask.x, ask.y);
  await expect(page.getByTestId('command-status')).toHaveAttribute('data-ok', 'true');
  await expect(page.getByTestId('command-status')).toContainText(`Cancel ${ask.ids[0]}: done`);
  await expect.poll(() => working(ask.ids)).toBe(false);
  const db = new Database(serve.dbPath, { readonly: true, fileMustExist: true });
  const cancelled = (): string[] => (db.prepare("SELECT who, detail_json AS d FROM audit WHERE action = 'cancel-order' ORDER BY seq").all() as Array<{ who: string; d: string }>).map((r) => `${r.who} ${JSON.parse(r.d).clientOrderId as string}`);
  try {
    await expect.poll(cancelled).toEqual(ask.ids.map((id) => `operator:http ${id}`));
    // With the confirmation preference on, a click asks; "Keep it" sends nothing.
    await page.getByTestId('ladder-confirm-cancel').check();
    const bid = await target('bid');
    await page.mouse.click(bid.x, bid.y);
    await expect(page.getByTestId('cancel-confirm')).toContainText('Cancel our bid');
    await page.getByTestId('cancel-keep').click();
    await expect(page.getByTestId('cancel-confirm')).toHaveCount(0);
    // The yes: asked again, and then the order is cancelled and audited.
    const again = await target('bid');
    expect(cancelled()).toHaveLength(ask.ids.length);
    await page.mouse.click(again.x, again.y);
    await page.getByTestId('cancel-confirm-yes').click();
    await expect.poll(cancelled).toEqual([...ask.ids, ...again.ids].map((id) => `operator:http ${id}`));
  } finally {
    db.close();
  }
});

test('alerts: a kill and a breaker trip notify through the browser and chime; a muted kind goes to the history only', async ({ browser, serve }) => {
  const context = await browser.newContext({ permissions: ['notifications'] });
  // The page's real Notification API, watched: each notification it shows is recorded on its way through.
  await context.addInitScript(() => {
    const Real = window.Notification;
    const shown: string[] = [];
    (window as unknown as { __notifications: string[] }).__notifications = shown;
    class Watched extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push(title);
      }
    }
    Object.defineProperty(window, 'Notification', { value: Watched, configurable: true });
  });
  const page = await context.newPage();
  await page.goto(monitorUrl(serve));
  await expect(page.getByTestId('trading-state')).toHaveAttribute('data-state', 'active');
  await page.getByTestId('alerts-open').click();
  await page.getByTestId('alert-sound').check();
  await expect(page.getByTestId('alert-desktop')).toBeChecked();
  await page.keyboard.press('k');
  const rows = page.getByTestId('alert-row');
  await expect(rows.first()).toHaveAttribute('data-kind', 'kill');
  await expect(rows.first()).toHaveAttribute('data-notified', 'true');
  await expect(rows.first()).toHaveAttribute('data-sounded', 'true');
  expect(await page.evaluate(() => (window as unknown as { __notifications: string[] }).__notifications)).toEqual(['Kill switch: trading halted']);
  // A breaker: a fill burst of one fill.
  expect((await serve.send('POST', '/api/control/rearm')).status).toBe(200);
  expect((await serve.send('PUT', '/api/params', { risk: { fillBurstCount: 1, fillBurstWindowSec: 10 } })).status).toBe(200);
  await expect(rows.filter({ has: page.locator('b', { hasText: 'Breaker tripped: fill-burst' }) }).first()).toBeAttached({ timeout: 30_000 });
  // Mute kills: the next kill is in the history, marked muted, with no notification.
  await page.getByTestId('alert-kind-kill').uncheck();
  const before = (await page.evaluate(() => (window as unknown as { __notifications: string[] }).__notifications)).length;
  await serve.send('POST', '/api/control/kill');
  await expect(rows.first()).toHaveAttribute('data-kind', 'kill');
  await expect(rows.first()).toHaveAttribute('data-muted', 'true');
  expect((await page.evaluate(() => (window as unknown as { __notifications: string[] }).__notifications)).length).toBe(before);
  await context.close();
});

test('layout and preferences survive a reload: grouping, tab, panel size, muted alerts, time zone', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  await expect(page.getByTestId('desk')).toHaveAttribute('data-prefs-loaded', 'true');
  await page.getByTestId('ladder-group-5').click();
  await page.getByTestId('tab-orders').click();
  const splitter = page.getByTestId('split-ladder');
  const width = Number(await splitter.getAttribute('aria-valuenow'));
  await splitter.focus();
  await page.keyboard.press('Shift+ArrowRight');
  await expect(splitter).toHaveAttribute('aria-valuenow', String(width + 50));
  await page.getByTestId('alerts-open').click();
  await page.getByTestId('alert-kind-breaker').uncheck();
  await page.getByTestId('alerts-open').click();
  await page.getByTestId('desk-clock').click();
  await expect(page.getByTestId('desk-clock')).toHaveAttribute('data-zone', 'local');
  // Kept by the browser, as the shared schema says.
  await expect.poll(() => page.evaluate(() => window.localStorage.getItem('quotedesk.preferences'))).toContain('"timeZone":"local"');
  await page.reload();
  await expect(page.getByTestId('desk')).toHaveAttribute('data-prefs-loaded', 'true');
  await expect(page.getByTestId('ladder')).toHaveAttribute('data-group-mode', '5');
  await expect(page.getByTestId('tab-orders')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('split-ladder')).toHaveAttribute('aria-valuenow', String(width + 50));
  expect(await page.locator('.area-ladder').evaluate((e) => e.getBoundingClientRect().width)).toBeCloseTo(width + 50, 0);
  await expect(page.getByTestId('desk-clock')).toHaveAttribute('data-zone', 'local');
  await page.getByTestId('alerts-open').click();
  await expect(page.getByTestId('alert-kind-breaker')).not.toBeChecked();
  await expect(page.getByTestId('alert-kind-kill')).toBeChecked();
  // Garbage in storage is refused whole: the defaults.
  await page.evaluate(() => window.localStorage.setItem('quotedesk.preferences', '{"version":1,"ladder":"nope"}'));
  await page.reload();
  await expect(page.getByTestId('desk')).toHaveAttribute('data-prefs-loaded', 'true');
  await expect(page.getByTestId('ladder')).toHaveAttribute('data-group-mode', 'auto');
});

test('honest surroundings: PAPER, chart tags only for working orders, grouped labels, a PnL that adds up, prices in events, a flatten that ends', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  await expect(page.getByTestId('execution-mode')).toHaveAttribute('data-mode', 'paper');
  await expect(page.getByTestId('execution-mode')).toContainText('PAPER');
  const chart = page.getByTestId('skew-chart-canvas');
  await expect(chart).toHaveAttribute('data-tag-bid', 'shown');
  // Paused: no order works, the tags go; three state changes in a breath share one label.
  const trading = page.getByTestId('trading-state');
  await page.keyboard.press('p');
  await expect(trading).toHaveAttribute('data-state', 'paused');
  await expect(chart).toHaveAttribute('data-tag-bid', 'hidden');
  await expect(chart).toHaveAttribute('data-tag-ask', 'hidden');
  // P toggles from the state the screen shows: each press waits for the last one's state to show.
  await page.keyboard.press('p');
  await expect(trading).toHaveAttribute('data-state', 'active');
  await page.keyboard.press('p');
  await expect(trading).toHaveAttribute('data-state', 'paused');
  await expect(chart).toHaveAttribute('data-labels', /\+\d/);
  await page.keyboard.press('p');
  await expect(trading).toHaveAttribute('data-state', 'active');
  await expect(chart).toHaveAttribute('data-tag-bid', 'shown');

  // The breakdown is a sum: realised + unrealised + fees as they count = the total, as shown.
  const held = await withInventory(serve, 10);
  expect(held.pnl.total).not.toBe(0);
  const shownValue = async (id: string): Promise<number> => Number((await page.getByTestId(id).innerText()).replace(/[,+]/g, '').replace('−', '-'));
  await expect
    .poll(async () => {
      const [r, u, f, sum, total] = await Promise.all(['pnl-realized', 'pnl-unrealized', 'pnl-fees', 'pnl-sum', 'pnl-total'].map(shownValue));
      return Math.abs(r! + u! + f! - sum!) <= 0.015 && sum === total;
    })
    .toBe(true);

  // A flatten: its words are prices, its progress ends with it.
  await page.keyboard.press('p');
  await page.keyboard.press('f');
  await page.getByTestId('flatten-style-aggressive').check();
  await page.getByTestId('flatten-slippage').fill('500');
  await page.getByTestId('flatten-confirm').click();
  await expect(page.getByTestId('flatten-progress')).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
  await expect(page.getByTestId('flatten-progress')).toHaveCount(0, { timeout: 20_000 });
  const events = await page.getByTestId('event-log').innerText();
  expect(events).toMatch(/flatten: IOC (buy|sell) \d+ at \d+\.\d{2} or better/);
  expect(events).not.toMatch(/ticks/);
});

test('when the desk is gone every panel greys with the age of the last update, and an alert says so', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  await expect(page.getByTestId('trading-state')).toHaveAttribute('data-state', 'active');
  await expect(page.getByTestId('desk')).toHaveAttribute('data-stale', 'false');
  await serve.stop();
  await expect(page.getByTestId('desk')).toHaveAttribute('data-stale', 'true');
  await expect.poll(() => page.getByTestId('desk').evaluate((e) => getComputedStyle(e).getPropertyValue('--stale-text'))).toMatch(/last update [1-9]\d* s ago/);
  // The greying is drawn on every panel.
  const grey = await page.locator('.area-ladder > .ladder').evaluate((e) => getComputedStyle(e).filter);
  expect(grey).toContain('grayscale');
  await page.getByTestId('alerts-open').click();
  await expect(page.getByTestId('alert-row').first()).toHaveAttribute('data-kind', 'disconnect');
});

test('at 1280×800 every panel is on screen and readable: nothing cut, the event log shows several rows', async ({ page, serve }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(monitorUrl(serve));
  await expect(page.getByTestId('our-bid')).toHaveCount(1);
  for (const id of ['ladder', 'tape', 'skew-chart', 'inventory-panel', 'pnl-panel', 'blotter', 'stats-panel', 'adverse-panel', 'feed-health', 'event-log']) {
    const box = await page.getByTestId(id).boundingBox();
    expect(box, id).not.toBeNull();
    expect(box!.x, id).toBeGreaterThanOrEqual(0);
    expect(box!.y + box!.height, id).toBeLessThanOrEqual(800 + 0.5);
    expect(box!.x + box!.width, id).toBeLessThanOrEqual(1280 + 0.5);
  }
  // The side column: nothing pushed below its bottom; the event log has room for at least four rows.
  const side = await page.locator('.area-side').evaluate((e) => ({ overflow: e.scrollHeight - e.clientHeight }));
  expect(side.overflow).toBeLessThanOrEqual(0);
  const log = await page.getByTestId('event-log').boundingBox();
  expect(log!.height).toBeGreaterThanOrEqual(4 * 16 + 26);
  // The top bar's controls all fit.
  for (const id of ['kill-switch', 'alerts-open', 'execution-mode', 'flatten', 'params-open']) {
    const box = await page.getByTestId(id).boundingBox();
    expect(box!.x + box!.width, id).toBeLessThanOrEqual(1280);
  }
  // No figure or word is cut, with fills in the blotter and every panel filled in: at 1280×800 the fees,
  // "Inv after", the limits' figures, the chart legend's skew and the feed's rate all were.
  await expect(page.getByTestId('fills-blotter-row').first()).toBeVisible({ timeout: 45_000 });
  await expect(page.getByTestId('legend-skew')).toBeVisible();
  expect(await cutText(page)).toEqual([]);
  await page.setViewportSize({ width: 1600, height: 1000 });
  await expect.poll(() => page.evaluate(() => window.innerWidth)).toBe(1600);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  expect(await cutText(page)).toEqual([]);
});
