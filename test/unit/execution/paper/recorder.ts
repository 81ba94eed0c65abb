/**
 * A VenueListener that records what the venue said, in order, for assertions.
 */
import type { Fill, VenueListener } from '../../../../src/main/execution/types.js';

export type Heard =
  | { type: 'ack'; id: string; t: number }
  | { type: 'reject'; id: string; reason: string; t: number }
  | { type: 'fill'; fill: Fill }
  | { type: 'done'; id: string; remaining: number; why: string; t: number };

export class Recorder implements VenueListener {
  readonly heard: Heard[] = [];
  readonly queue = new Map<string, number[]>();

  onAck(id: string, t: number): void {
    this.heard.push({ type: 'ack', id, t });
  }
  onReject(id: string, reason: string, t: number): void {
    this.heard.push({ type: 'reject', id, reason, t });
  }
  onFill(fill: Fill): void {
    this.heard.push({ type: 'fill', fill });
  }
  onDone(id: string, remaining: number, why: string, t: number): void {
    this.heard.push({ type: 'done', id, remaining, why, t });
  }
  onQueue(id: string, ahead: number): void {
    const list = this.queue.get(id) ?? [];
    list.push(ahead);
    this.queue.set(id, list);
  }

  fills(): Fill[] {
    return this.heard.flatMap((h) => (h.type === 'fill' ? [h.fill] : []));
  }

  /** Fills as [price, size, liquidity] for compact assertions. */
  fillTriples(): Array<[number, number, string]> {
    return this.fills().map((f) => [f.price, f.size, f.liquidity]);
  }
}
