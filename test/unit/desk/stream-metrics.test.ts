/**
 * The stream's statistics never go stale because another reader asked first: `/api/metrics`, the
 * Prometheus scrape and the CLI read the desk's metrics between two publishes, and the next update still
 * carries every change since the stream's last one (a page once kept "0 of 30 intervals" while the API said
 * 6, because the API's read had marked the change as seen).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeskMetrics, StreamMessage } from '../../../src/shared/contract.js';
import { harness, simDesk } from '../risk/sim-support.js';

describe('metrics on the stream', () => {
  const { open, closeAll } = harness();
  afterEach(closeAll);

  it('an update carries changed metrics even when an API read came between the change and the publish', async () => {
    const desk = await simDesk(open);
    let shown: DeskMetrics | null = null;
    let withMetrics = 0;
    desk.desk.subscribe((m: StreamMessage) => {
      if (m.type === 'snapshot') shown = m.metrics;
      else if (m.type === 'update' && m.metrics) {
        shown = m.metrics;
        withMetrics++;
      }
    });
    const sim = desk.sim!;
    const end = sim.now() + 30 * 1_000_000;
    for (let tick = 1; sim.now() < end; tick++) {
      sim.advanceTo(sim.now() + 10_000);
      // Another reader (an HTTP client) reads the figures before the publish timer fires.
      const api = desk.desk.metrics();
      desk.desk.publishTick();
      expect(shown, `tick ${tick}`).toEqual(api);
      if (tick % 100 === 0) await desk.store.whenCommitted();
    }
    expect(desk.desk.metrics().numFills).toBeGreaterThan(0);
    expect(withMetrics).toBeGreaterThan(1);
  });
});
