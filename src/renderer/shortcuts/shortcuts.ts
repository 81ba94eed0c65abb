/**
 * The monitor's keyboard shortcuts: one table (keys, what they do) that both the key handler and the help
 * overlay read, so the overlay can never disagree with the handler. Shortcuts are ignored while typing
 * in an input, a select or a text area — except the kill chords (Ctrl/Cmd+Shift+K, and Ctrl/Cmd+Alt+Shift+K
 * for every desk) and Escape, which must work from anywhere. With several desks, Alt+digit and Alt+[ / Alt+]
 * move between desks and Esc (no dialog open) goes back to the overview; the overview has keys of its own
 * (`OVERVIEW_SHORTCUTS`, `overviewActionFor`).
 */
import { useEffect, useRef } from 'react';

export type ShortcutAction =
  | 'kill'
  | 'pauseResume'
  | 'reduce'
  | 'rearm'
  | 'flatten'
  | 'params'
  | 'session'
  | 'help'
  | 'close'
  | 'replayPlayPause'
  | 'replayStep'
  | 'replayStepBig'
  | 'replayBack'
  | 'replayFaster'
  | 'replaySlower'
  | 'ladderCentre'
  | 'ladderGroup'
  | 'blotterTab'
  | 'killAll'
  | 'overview'
  | 'prevDesk'
  | 'nextDesk'
  | DeskDigitAction;

/** Alt+1 … Alt+9: the desk at that place of the overview. */
export type DeskDigitAction = `desk${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9}`;

/** The overview's place (0-based) of a desk-digit action, or null for any other action. */
export function deskDigitIndex(action: ShortcutAction): number | null {
  const match = /^desk([1-9])$/.exec(action);
  return match ? Number(match[1]) - 1 : null;
}

export interface ShortcutSpec {
  readonly action: ShortcutAction;
  readonly keys: string;
  readonly description: string;
}

export const SHORTCUTS: readonly ShortcutSpec[] = [
  { action: 'kill', keys: 'K  ·  Ctrl/⌘+Shift+K', description: 'Kill switch: halt and cancel every order of this desk (no dialog; on the overview: every desk)' },
  { action: 'killAll', keys: 'Ctrl/⌘+Alt+Shift+K', description: 'Several desks: kill all at once (no dialog; the strip’s KILL ALL button asks first), then each desk’s answer' },
  { action: 'pauseResume', keys: 'P', description: 'Pause quoting / resume' },
  { action: 'reduce', keys: 'D', description: 'Reduce-only (only orders that shrink |inventory|); again: back to active' },
  { action: 'rearm', keys: 'R', description: 'Re-arm after a halt (asks for confirmation)' },
  { action: 'flatten', keys: 'F', description: 'Flatten dialog (style, slippage cap, duration)' },
  { action: 'params', keys: 'E', description: 'Parameter editor' },
  { action: 'session', keys: 'S', description: 'Session: choose the market (simulated, live, replay), start / stop' },
  { action: 'replayPlayPause', keys: 'Space', description: 'Replay: play / pause' },
  { action: 'replayStep', keys: '→', description: 'Replay: step one event' },
  { action: 'replayStepBig', keys: 'Shift+→', description: 'Replay: step 100 events' },
  { action: 'replayBack', keys: '←', description: 'Replay: seek back 5 s' },
  { action: 'replayFaster', keys: ']', description: 'Replay: faster' },
  { action: 'replaySlower', keys: '[', description: 'Replay: slower' },
  { action: 'ladderCentre', keys: 'C', description: 'Ladder: auto-centre on / off' },
  { action: 'ladderGroup', keys: 'G', description: 'Ladder: tick grouping auto → 1 → 2 → 5 → 10' },
  { action: 'blotterTab', keys: 'T', description: 'Blotter: next tab' },
  { action: 'overview', keys: 'Esc  ·  O', description: 'Several desks: back to the overview (Esc when no dialog is open)' },
  { action: 'prevDesk', keys: 'Alt+[  ·  Alt+↑', description: 'Several desks: the previous desk' },
  { action: 'nextDesk', keys: 'Alt+]  ·  Alt+↓', description: 'Several desks: the next desk' },
  { action: 'desk1', keys: 'Alt+1 … Alt+9', description: 'Several desks: the desk at that row of the overview' },
  { action: 'help', keys: '?', description: 'This help' },
  { action: 'close', keys: 'Esc', description: 'Close a dialog' },
];

/** What a key does on the overview. */
export type OverviewAction = 'up' | 'down' | 'first' | 'last' | 'open' | 'killAll' | 'askKillAll' | 'help' | 'close' | DeskDigitAction;

export const OVERVIEW_SHORTCUTS: ReadonlyArray<{ readonly action: OverviewAction; readonly keys: string; readonly description: string }> = [
  { action: 'up', keys: '↑  ·  ↓', description: 'Select the desk above / below' },
  { action: 'first', keys: 'Home  ·  End', description: 'Select the first / last desk' },
  { action: 'open', keys: 'Enter', description: 'Open the selected desk (a click on its row too)' },
  { action: 'desk1', keys: 'Alt+1 … Alt+9', description: 'Open the desk at that row' },
  { action: 'askKillAll', keys: 'K', description: 'Kill all: asks (Enter confirms, Esc cancels), then each desk’s state and answer' },
  { action: 'killAll', keys: 'Ctrl/⌘+Shift+K  ·  Ctrl/⌘+Alt+Shift+K', description: 'Kill all at once, without asking; then each desk’s answer' },
  { action: 'help', keys: '?', description: 'This help' },
];

/** Alt+digit, Alt+[ / Alt+] and Alt+↑ / Alt+↓ (by key position, so any layout and macOS's Option work). */
function deskKey(event: KeyboardEvent): ShortcutAction | null {
  if (!event.altKey || event.ctrlKey || event.metaKey) return null;
  const digit = /^Digit([1-9])$/.exec(event.code);
  if (digit) return `desk${Number(digit[1]) as 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9}`;
  if (event.code === 'BracketLeft' || event.key === 'ArrowUp') return 'prevDesk';
  if (event.code === 'BracketRight' || event.key === 'ArrowDown') return 'nextDesk';
  return null;
}

/** Maps a key event on the overview to an action, or null. */
export function overviewActionFor(event: KeyboardEvent): OverviewAction | null {
  const key = event.key;
  if ((event.ctrlKey || event.metaKey) && event.shiftKey && key.toLowerCase() === 'k') return 'killAll';
  if (key === 'Escape') return 'close';
  if (isTyping(event.target)) return null;
  const desk = deskKey(event);
  if (desk !== null) return deskDigitIndex(desk) !== null ? (desk as DeskDigitAction) : null;
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  switch (key) {
    case 'ArrowUp':
      return 'up';
    case 'ArrowDown':
      return 'down';
    case 'Home':
      return 'first';
    case 'End':
      return 'last';
    case 'Enter':
      return 'open';
    case 'k':
    case 'K':
      return 'askKillAll';
    case '?':
      return 'help';
    default:
      return null;
  }
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'range'].includes(type);
  }
  return false;
}

/** Maps a key event to an action, or null. */
export function actionFor(event: KeyboardEvent): ShortcutAction | null {
  const key = event.key;
  if ((event.ctrlKey || event.metaKey) && event.altKey && event.shiftKey && (key.toLowerCase() === 'k' || event.code === 'KeyK')) return 'killAll';
  if ((event.ctrlKey || event.metaKey) && event.shiftKey && key.toLowerCase() === 'k') return 'kill';
  if (key === 'Escape') return 'close';
  if (isTyping(event.target)) return null;
  const desk = deskKey(event);
  if (desk !== null) return desk;
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  switch (key) {
    case 'k':
    case 'K':
      return 'kill';
    case 'p':
    case 'P':
      return 'pauseResume';
    case 'd':
    case 'D':
      return 'reduce';
    case 'r':
    case 'R':
      return 'rearm';
    case 'f':
    case 'F':
      return 'flatten';
    case 'e':
    case 'E':
      return 'params';
    case 's':
    case 'S':
      return 'session';
    case '?':
      return 'help';
    case ' ':
      return 'replayPlayPause';
    case 'ArrowRight':
      return event.shiftKey ? 'replayStepBig' : 'replayStep';
    case 'ArrowLeft':
      return 'replayBack';
    case ']':
      return 'replayFaster';
    case '[':
      return 'replaySlower';
    case 'c':
    case 'C':
      return 'ladderCentre';
    case 'g':
    case 'G':
      return 'ladderGroup';
    case 't':
    case 'T':
      return 'blotterTab';
    case 'o':
    case 'O':
      return 'overview';
    default:
      return null;
  }
}

/** Installs the window key handler; the latest `handle` is always the one called. */
export function useShortcuts(handle: (action: ShortcutAction) => boolean): void {
  useKeys(actionFor, handle);
}

/** The overview's key handler (`overviewActionFor`). */
export function useOverviewShortcuts(handle: (action: OverviewAction) => boolean): void {
  useKeys(overviewActionFor, handle);
}

function useKeys<A>(map: (event: KeyboardEvent) => A | null, handle: (action: A) => boolean): void {
  const ref = useRef(handle);
  useEffect(() => {
    ref.current = handle;
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.repeat) return;
      const action = map(event);
      if (action !== null && ref.current(action)) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [map]);
}
