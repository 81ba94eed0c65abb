/**
 * Preloaded into a backtest child process (`node --import`) by the determinism tests: moves the process's
 * wall clock (`Date.now()`, `new Date()`) by CLOCK_SHIFT_MS so the same backtest can be run "years later"
 * and its fills compared bit for bit (seed-notes defect 10). Nothing else is changed.
 */
const shiftMs = Number(process.env.CLOCK_SHIFT_MS ?? '0');
if (!Number.isFinite(shiftMs)) throw new Error(`CLOCK_SHIFT_MS must be a number, got ${process.env.CLOCK_SHIFT_MS}`);
const RealDate = globalThis.Date;

class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + shiftMs);
    else super(...args);
  }
  static now() {
    return RealDate.now() + shiftMs;
  }
}

globalThis.Date = ShiftedDate;
