/**
 * The replay transport against a real `quotedesk serve --recording` replaying a real LOBSTER slice (GOOG,
 * 2,000 rows, converted by `quotedesk import-lobster` into a temporary recording): the transport shows
 * the recording's position and event count as `/api/state` reports them; pause, step, speed, seek and the
 * Space / arrow shortcuts change the replay as the API then shows; the ladder picks a tick grouping that
 * fits GOOG's wide spread. Skipped, with a message, only when ../shared/data is absent.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeskState } from '../../src/shared/contract.js';
import { removeDir } from '../support/serve-process.js';
import { expect, monitorUrl, test } from './fixtures.js';
import { GOOG_SLICE, hasGoogSlice, importGoogSlice } from './recordings.js';

const available = hasGoogSlice();
const dir = mkdtempSync(join(tmpdir(), 'quotedesk-replay-e2e-'));
const recording = available ? importGoogSlice(dir) : join(dir, 'goog.jsonl');
test.afterAll(() => removeDir(dir));
test.skip(!available, `../shared/data/lobster/${GOOG_SLICE} is absent: the replay e2e needs the real LOBSTER slice`);
test.use({ serveArgs: ['--recording', recording, '--speed', '1'] });

const replayOf = async (serve: { get<T>(path: string): Promise<T> }) => {
  const state = await serve.get<DeskState>('/api/state');
  if (!state.replay) throw new Error('the desk is not replaying');
  return state.replay;
};

test('the transport plays, pauses, steps, changes speed and seeks as /api/state shows', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  const transport = page.getByTestId('replay-transport');
  await expect(transport).toBeVisible();
  await expect(transport).toHaveAttribute('data-playing', 'true');
  await expect(page.getByTestId('replay-events')).toContainText('/ 2,000');
  // The ladder chose a grouping that keeps GOOG's wide spread on screen, and shows both sides.
  const ladder = page.getByTestId('ladder');
  await expect.poll(async () => Number(await ladder.getAttribute('data-group'))).toBeGreaterThan(1);
  await expect(ladder.locator('[data-testid="ladder-row"][data-bid]').first()).toBeVisible();
  await expect(ladder.locator('[data-testid="ladder-row"][data-ask]').first()).toBeVisible();

  // Space pauses; the API agrees and the position stops.
  await page.keyboard.press(' ');
  await expect(transport).toHaveAttribute('data-playing', 'false');
  const paused = await replayOf(serve);
  expect(paused.playing).toBe(false);

  // Step one event (button) and one by the arrow key: the event index moves by exactly two.
  await page.getByTestId('replay-step').click();
  await expect.poll(async () => (await replayOf(serve)).eventIndex).toBe(paused.eventIndex + 1);
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await replayOf(serve)).eventIndex).toBe(paused.eventIndex + 2);
  await expect(page.getByTestId('replay-events')).toContainText(`${(paused.eventIndex + 2).toLocaleString('en-US')} / 2,000`);

  // Speed from the select.
  await page.getByTestId('replay-speed').selectOption('10');
  await expect.poll(async () => (await replayOf(serve)).speed).toBe(10);
  // The page shows the speed the desk streamed back; `]` steps up from there.
  await expect(page.getByTestId('replay-speed')).toHaveValue('10');
  await page.keyboard.press(']');
  await expect.poll(async () => (await replayOf(serve)).speed).toBe(25);
  await expect(page.getByTestId('replay-speed')).toHaveValue('25');

  // Seek with the slider: the desk's position jumps to (about) the chosen time.
  const target = paused.startMs + (paused.endMs - paused.startMs) * 0.5;
  const seek = page.getByTestId('replay-seek');
  await seek.evaluate((element, value) => {
    const input = element as unknown as { value: string; dispatchEvent(event: unknown): boolean };
    const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(element), 'value')?.set;
    setter?.call(element, String(value));
    input.dispatchEvent(new (globalThis as unknown as { Event: new (type: string, init: object) => unknown }).Event('input', { bubbles: true }));
  }, target);
  await seek.dispatchEvent('mouseup');
  await expect.poll(async () => Math.abs((await replayOf(serve)).positionMs - target)).toBeLessThan(5_000);

  // Space plays again.
  await page.keyboard.press(' ');
  await expect.poll(async () => (await replayOf(serve)).playing).toBe(true);
  await expect(transport).toHaveAttribute('data-playing', 'true');
});

test('REPLAY is unmistakable, and a seek back and forth rebuilds position, PnL, statistics and fills exactly', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  await expect(page.getByTestId('execution-mode')).toHaveAttribute('data-mode', 'replay');
  await expect(page.getByTestId('execution-mode')).toContainText('REPLAY');
  expect((await serve.send('POST', '/api/replay', { action: 'pause' })).status).toBe(200);
  const view = await replayOf(serve);
  const figures = async (): Promise<{ inventory: number; pnl: DeskState['pnl']; metrics: unknown }> => {
    const state = await serve.get<DeskState>('/api/state');
    const metrics = await serve.get<Record<string, unknown>>('/api/metrics');
    // The Sharpe basis and daily figures depend on the position only; everything is compared.
    return { inventory: state.inventory, pnl: state.pnl, metrics };
  };
  // To the end: the fills of the slice and the inventory they leave.
  expect((await serve.send('POST', '/api/replay', { action: 'seek', timeMs: view.endMs })).status).toBe(200);
  const end = await figures();
  expect(end.inventory).not.toBe(0);
  await expect(page.getByTestId('inventory')).toHaveAttribute('data-value', String(end.inventory));
  const fillsAtEnd = await serve.get<Array<{ fillId: string; timeMs: number }>>('/api/fills?limit=100');
  expect(fillsAtEnd.length).toBeGreaterThan(0);
  await expect(page.getByTestId('fills-blotter-row')).toHaveCount(fillsAtEnd.length);
  // Back to the first event: nothing had happened yet — no position, no PnL, no fill, no hour with either.
  expect((await serve.send('POST', '/api/replay', { action: 'seek', timeMs: view.startMs })).status).toBe(200);
  const start = await figures();
  expect(start.inventory).toBe(0);
  expect(start.pnl).toEqual({ total: 0, realized: 0, unrealized: 0, fees: 0 });
  expect((start.metrics as { numFills: number; hourly: unknown[] }).numFills).toBe(0);
  for (const row of (start.metrics as { hourly: Array<{ fills: number; pnl: number }> }).hourly) expect(row).toMatchObject({ fills: 0, pnl: 0 });
  expect(await serve.get<unknown[]>('/api/fills?limit=100')).toEqual([]);
  await expect(page.getByTestId('inventory')).toHaveAttribute('data-value', '0');
  await expect(page.getByTestId('fills-blotter-row')).toHaveCount(0);
  // Forward again: the same figures, to the last digit, and the same fills.
  expect((await serve.send('POST', '/api/replay', { action: 'seek', timeMs: view.endMs })).status).toBe(200);
  expect(await figures()).toEqual(end);
  expect(await serve.get<Array<{ fillId: string }>>('/api/fills?limit=100')).toEqual(fillsAtEnd);
  await expect(page.getByTestId('fills-blotter-row')).toHaveCount(fillsAtEnd.length);
});
