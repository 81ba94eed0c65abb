/**
 * The monitor renders at most once per animation frame however many stream messages arrive: over a
 * measured window, the store's published frames never exceed the browser's animation frames, and with the
 * desk streaming the page keeps painting (frames advance with messages). Counted in real Chromium against
 * a real `quotedesk serve`.
 */
import { expect, monitorUrl, test } from './fixtures.js';

interface Stats {
  messages: number;
  frames: number;
  catchUpFrames: number;
}

test('stream messages are applied as they come and published at most once per animation frame', async ({ page, serve }) => {
  await page.goto(monitorUrl(serve));
  await expect(page.getByTestId('our-bid')).toHaveCount(1);
  const result = await page.evaluate(async () => {
    const page = globalThis as unknown as { __quotedeskStats: Stats; requestAnimationFrame(callback: () => void): number };
    const stats = page.__quotedeskStats;
    const before = { messages: stats.messages, frames: stats.frames, catchUpFrames: stats.catchUpFrames };
    let animationFrames = 0;
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        animationFrames++;
        if (performance.now() - started >= 2_000) resolve();
        else page.requestAnimationFrame(tick);
      };
      page.requestAnimationFrame(tick);
    });
    return { messages: stats.messages - before.messages, frames: stats.frames - before.frames, catchUpFrames: stats.catchUpFrames - before.catchUpFrames, animationFrames };
  });
  expect(result.messages).toBeGreaterThan(10);
  expect(result.frames).toBeGreaterThan(0);
  expect(result.frames).toBeLessThanOrEqual(result.animationFrames + 1);
  // Every published frame was asked for by a message, or by the store's catch-up of figures held back by the
  // reading pace (at most four a second).
  expect(result.catchUpFrames).toBeLessThanOrEqual(2_000 / 250 + 1);
  expect(result.frames).toBeLessThanOrEqual(result.messages + result.catchUpFrames + 1);
});
