/**
 * Moving between desks when several run: what a drilled-in view can do (back to the overview, the
 * previous or next desk, the desk at a place of the overview, the kill-all) and the keys that do it,
 * shared by the desk monitor and the fleet's drill-in. No state: the shell owns where the page is.
 */
import { deskDigitIndex, type ShortcutAction } from '../shortcuts/shortcuts.js';

/** How a drilled-in desk moves between desks (null with a single desk). */
export interface DeskNav {
  readonly current: string;
  back(): void;
  open(name: string): void;
  /** The previous (-1) or next (+1) desk of the overview. */
  step(delta: -1 | 1): void;
  /** The desk at this place of the overview (0-based). */
  openAt(index: number): void;
  /** Halts every desk at once (the kill chords). */
  killAll(): void;
  /** Asks to halt every desk (the KILL ALL button). */
  askKillAll(): void;
}

/** The navigation keys a drilled-in view shares; true when `action` was one. */
export function navigate(nav: DeskNav, action: ShortcutAction): boolean {
  const digit = deskDigitIndex(action);
  if (digit !== null) {
    nav.openAt(digit);
    return true;
  }
  switch (action) {
    case 'close':
    case 'overview':
      nav.back();
      return true;
    case 'prevDesk':
      nav.step(-1);
      return true;
    case 'nextDesk':
      nav.step(1);
      return true;
    case 'killAll':
      nav.killAll();
      return true;
    default:
      return false;
  }
}

