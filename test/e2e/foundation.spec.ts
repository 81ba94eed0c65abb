/**
 * The foundation loop seen by a user, in real Chromium against a real `quotedesk serve` on the simulated
 * market: the monitor loads, the ladder shows bids below asks with our quotes at their prices, the kill
 * switch halts trading with no open order left (and it stays halted until re-armed), pause and resume work.
 */
import type { DeskState } from '../../src/shared/contract.js';
import { expect, monitorUrl, test } from './fixtures.js';

test('the monitor shows a live ladder with bids below asks and our quotes on it', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  await expect(page.getByTestId('trading-state')).toHaveAttribute('data-state', 'active');
  const ladder = page.getByTestId('ladder');
  await expect(ladder.getByTestId('our-bid')).toHaveCount(1);
  await expect(ladder.getByTestId('our-ask')).toHaveCount(1);

  const rows = await ladder.getByTestId('ladder-row').evaluateAll((elements) =>
    elements.map((el) => ({ price: Number(el.getAttribute('data-price')), bid: el.hasAttribute('data-bid'), ask: el.hasAttribute('data-ask') })),
  );
  const bidPrices = rows.filter((row) => row.bid).map((row) => row.price);
  const askPrices = rows.filter((row) => row.ask).map((row) => row.price);
  expect(bidPrices.length).toBeGreaterThan(5);
  expect(askPrices.length).toBeGreaterThan(5);
  expect(Math.max(...bidPrices)).toBeLessThan(Math.min(...askPrices));

  const state = await serve.get<DeskState>('/api/state');
  expect(state.quotes.bid).not.toBeNull();
  expect(state.quotes.ask).not.toBeNull();
  // Our quotes are shown on the rows of their prices.
  const ourBidRow = ladder.getByTestId('ladder-row').filter({ has: page.getByTestId('our-bid') });
  await expect(ourBidRow).toHaveCount(1);
  const ourBidPrice = Number(await ourBidRow.getAttribute('data-price'));
  const ourAskPrice = Number(await ladder.getByTestId('ladder-row').filter({ has: page.getByTestId('our-ask') }).getAttribute('data-price'));
  expect(ourBidPrice).toBeLessThan(ourAskPrice);
});

test('the kill switch halts trading with no open order left, latched until re-armed with confirmation', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  await expect(page.getByTestId('trading-state')).toHaveAttribute('data-state', 'active');
  await expect.poll(async () => (await serve.get<DeskState>('/api/state')).openOrders.length).toBeGreaterThan(0);

  await page.getByTestId('kill-switch').click();
  await expect(page.getByTestId('trading-state')).toHaveAttribute('data-state', 'halted');
  await expect.poll(async () => (await serve.get<DeskState>('/api/state')).openOrders.length).toBe(0);
  const halted = await serve.get<DeskState>('/api/state');
  expect(halted.tradingState).toBe('halted');
  expect(halted.reasons.bid).toContain('halted');
  expect(halted.reasons.ask).toContain('halted');
  expect(halted.quotes).toEqual({ bid: null, ask: null });

  // Still halted a while later: nothing re-arms it but the operator.
  await expect(page.getByTestId('trading-state')).toHaveAttribute('data-state', 'halted');
  expect((await serve.get<DeskState>('/api/state')).openOrders).toEqual([]);

  await page.getByTestId('rearm').click();
  await expect(page.getByTestId('rearm-dialog')).toBeVisible();
  await page.getByTestId('rearm-confirm').click();
  await expect(page.getByTestId('trading-state')).toHaveAttribute('data-state', 'active');
  await expect.poll(async () => (await serve.get<DeskState>('/api/state')).openOrders.length).toBeGreaterThan(0);
});

test('pause pulls the quotes and keeps the state; resume quotes again', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  await expect(page.getByTestId('trading-state')).toHaveAttribute('data-state', 'active');
  await expect.poll(async () => (await serve.get<DeskState>('/api/state')).openOrders.length).toBeGreaterThan(0);

  await page.getByTestId('pause').click();
  await expect(page.getByTestId('trading-state')).toHaveAttribute('data-state', 'paused');
  await expect.poll(async () => (await serve.get<DeskState>('/api/state')).openOrders.length).toBe(0);
  const paused = await serve.get<DeskState>('/api/state');
  expect(paused.reasons.bid).toContain('paused');

  await page.getByTestId('resume').click();
  await expect(page.getByTestId('trading-state')).toHaveAttribute('data-state', 'active');
  await expect.poll(async () => (await serve.get<DeskState>('/api/state')).openOrders.length).toBeGreaterThan(0);
});
