/**
 * A crowd of work done a few items per event-loop turn: the first items of a turn run at once, the rest in
 * arrival order over the next turns, with the loop free between them (a callback queued behind the first
 * batch runs before the second); clearing drops what waits.
 */
import { describe, expect, it } from 'vitest';
import { TurnBatches } from '../../../src/main/bridge/turn-batches.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('TurnBatches', () => {
  it('runs three at once, the rest three per turn in order, with other work between batches', async () => {
    const batches = new TurnBatches(3);
    const ran: string[] = [];
    for (let i = 0; i < 8; i++) batches.add(() => ran.push(`item ${i}`));
    expect(ran).toEqual(['item 0', 'item 1', 'item 2']);
    expect(batches.pending).toBe(5);
    // Work queued now (as a socket's callback would be) runs before the next batch's second turn.
    setImmediate(() => ran.push('other'));
    while (!ran.includes('other')) await nextTurn();
    // The second batch ran in the turn after the first; the other work came before the third batch.
    expect(ran).toEqual(['item 0', 'item 1', 'item 2', 'item 3', 'item 4', 'item 5', 'other']);
    while (batches.pending > 0) await nextTurn();
    expect(ran.filter((r) => r.startsWith('item'))).toEqual(Array.from({ length: 8 }, (_, i) => `item ${i}`));
  });

  it('clear drops what waits and lets the next item run at once', async () => {
    const batches = new TurnBatches(1);
    const ran: number[] = [];
    for (let i = 0; i < 4; i++) batches.add(() => ran.push(i));
    batches.clear();
    expect(batches.pending).toBe(0);
    batches.add(() => ran.push(9));
    await nextTurn();
    await nextTurn();
    expect(ran).toEqual([0, 9]);
  });
});
