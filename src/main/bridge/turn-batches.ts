/**
 * Work that arrives in a crowd, done a few items per event-loop turn: the first `perTurn` items of a turn
 * run at once, the rest wait in arrival order for the next turns (a `setImmediate` each). Between turns the
 * loop reads its sockets, so a command arriving in the middle of a crowd (a kill in a storm of stream
 * connections) is handled between batches rather than after the whole crowd. Knows nothing of what the
 * items are.
 */
export class TurnBatches {
  private readonly waiting: Array<() => void> = [];
  private ranThisTurn = 0;
  private turn: ReturnType<typeof setImmediate> | null = null;

  constructor(private readonly perTurn: number) {}

  /** Items accepted and not yet run. */
  get pending(): number {
    return this.waiting.length;
  }

  /** Runs `item` now if this turn has room and nothing waits before it, else in a later turn. */
  add(item: () => void): void {
    if (this.ranThisTurn < this.perTurn && this.waiting.length === 0) {
      this.ranThisTurn++;
      item();
    } else {
      this.waiting.push(item);
    }
    this.schedule();
  }

  /** Drops every waiting item (the host is closing). */
  clear(): void {
    this.waiting.length = 0;
    if (this.turn !== null) clearImmediate(this.turn);
    this.turn = null;
    this.ranThisTurn = 0;
  }

  private schedule(): void {
    if (this.turn !== null) return;
    this.turn = setImmediate(() => {
      this.turn = null;
      this.ranThisTurn = 0;
      while (this.waiting.length > 0 && this.ranThisTurn < this.perTurn) {
        this.ranThisTurn++;
        (this.waiting.shift() as () => void)();
      }
      if (this.waiting.length > 0 || this.ranThisTurn > 0) this.schedule();
    });
  }
}
