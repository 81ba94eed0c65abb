/**
 * The monitor's keyboard shortcuts: one table (keys, what they do) that both the key handler and the help
 * overlay read, so the overlay can never disagree with the handler. Shortcuts are ignored while typing
 * in an input, a select or a text area — except the kill switch chord (Ctrl/Cmd+Shift+K) and Escape,
 * which must work from anywhere.
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
  | 'blotterTab';

export interface ShortcutSpec {
  readonly action: ShortcutAction;
  readonly keys: string;
  readonly description: string;
}

export const SHORTCUTS: readonly ShortcutSpec[] = [
  { action: 'kill', keys: 'K  ·  Ctrl/⌘+Shift+K', description: 'Kill switch: halt and cancel every order (no dialog)' },
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
  { action: 'help', keys: '?', description: 'This help' },
  { action: 'close', keys: 'Esc', description: 'Close a dialog' },
];

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
  if ((event.ctrlKey || event.metaKey) && event.shiftKey && key.toLowerCase() === 'k') return 'kill';
  if (key === 'Escape') return 'close';
  if (isTyping(event.target)) return null;
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
    default:
      return null;
  }
}

/** Installs the window key handler; the latest `handle` is always the one called. */
export function useShortcuts(handle: (action: ShortcutAction) => boolean): void {
  const ref = useRef(handle);
  useEffect(() => {
    ref.current = handle;
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.repeat) return;
      const action = actionFor(event);
      if (action && ref.current(action)) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
