/**
 * Replay transport, shown only when the desk replays a recording (state.replay): play/pause, step (1 or
 * 100 events), a seek slider over the recording's time span with the position as a UTC time, the speed
 * (0.25× to 100× and max), the event counter, and a progress bar while the recording loads
 * (replay.loading). The slider seeks on release, not on every pixel dragged.
 */
import { useState } from 'react';
import type { ReplayView } from '../../shared/contract.js';
import type { RunCommand } from '../app/App.js';
import { fmtNumber, fmtPct, fmtTime } from '../desk-client/format.js';
import { useDesk, useDeskState } from '../desk-client/hooks.js';
import { barFill } from '../styles/bar-style.js';

export const REPLAY_SPEEDS: ReadonlyArray<ReplayView['speed']> = [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 'max'];

/** The next speed up (+1) or down (−1) the ladder of speeds. */
export function nextSpeed(current: ReplayView['speed'], direction: 1 | -1): ReplayView['speed'] {
  let index = REPLAY_SPEEDS.indexOf(current);
  if (index < 0) {
    // A speed set elsewhere (e.g. 3×): start from the nearest listed one.
    index = REPLAY_SPEEDS.findIndex((s) => s === 'max' || (typeof current === 'number' && s >= current));
    if (index < 0) index = REPLAY_SPEEDS.length - 1;
  }
  const next = Math.max(0, Math.min(REPLAY_SPEEDS.length - 1, index + direction));
  return REPLAY_SPEEDS[next] ?? 1;
}

function speedLabel(speed: ReplayView['speed']): string {
  return speed === 'max' ? 'max' : `${speed}×`;
}

export function ReplayTransport({ run }: { run: RunCommand }) {
  const state = useDeskState();
  const { api } = useDesk();
  const [dragMs, setDragMs] = useState<number | null>(null);
  const replay = state?.replay ?? null;
  if (!replay) return null;
  const span = Math.max(1, replay.endMs - replay.startMs);
  const position = dragMs ?? replay.positionMs;
  const loading = replay.loading;
  const commitSeek = (): void => {
    if (dragMs === null) return;
    const timeMs = dragMs;
    setDragMs(null);
    void run('Replay seek', () => api.replay({ action: 'seek', timeMs }));
  };
  return (
    <div className="replay-bar" data-testid="replay-transport" data-playing={replay.playing ? 'true' : 'false'} data-seeking={replay.seekingToMs === null ? 'false' : 'true'}>
      <span className="replay-file" title={replay.file}>
        ▶ REPLAY {replay.file.split('/').pop()}
      </span>
      {loading !== null ? (
        <div className="replay-loading" data-testid="replay-loading" data-progress={loading}>
          loading recording… {fmtPct(loading, 0)}
          <div className="bar">
            <div className="bar-fill" style={barFill(loading)} />
          </div>
        </div>
      ) : (
        <>
          <button className="btn" data-testid="replay-play" onClick={() => void run(replay.playing ? 'Replay pause' : 'Replay play', () => api.replay({ action: replay.playing ? 'pause' : 'play' }))} title="Play / pause (Space)">
            {replay.playing ? '❚❚ Pause' : '▶ Play'}
          </button>
          <button className="btn" data-testid="replay-step" onClick={() => void run('Replay step', () => api.replay({ action: 'step', count: 1 }))} title="Step one event (→)">
            Step ›
          </button>
          <button className="btn" data-testid="replay-step-100" onClick={() => void run('Replay step', () => api.replay({ action: 'step', count: 100 }))} title="Step 100 events (Shift+→)">
            +100
          </button>
          <span className="replay-time" data-testid="replay-time">
            {fmtTime(position, true)}
          </span>
          <input
            className="replay-seek"
            type="range"
            min={replay.startMs}
            max={replay.endMs}
            step={Math.max(1, Math.round(span / 1000))}
            value={position}
            data-testid="replay-seek"
            aria-label="Seek"
            onChange={(e) => setDragMs(Number(e.target.value))}
            onMouseUp={commitSeek}
            onKeyUp={commitSeek}
            onTouchEnd={commitSeek}
          />
          <span className="muted replay-end">{fmtTime(replay.endMs)}</span>
          <select
            data-testid="replay-speed"
            value={String(replay.speed)}
            onChange={(e) => {
              const speed = e.target.value === 'max' ? 'max' : Number(e.target.value);
              void run('Replay speed', () => api.replay({ action: 'speed', speed }));
            }}
            title="Speed ([ and ])"
          >
            {REPLAY_SPEEDS.includes(replay.speed) ? null : <option value={String(replay.speed)}>{speedLabel(replay.speed)}</option>}
            {REPLAY_SPEEDS.map((s) => (
              <option key={String(s)} value={String(s)}>
                {speedLabel(s)}
              </option>
            ))}
          </select>
          <span className="muted" data-testid="replay-events">
            {fmtNumber(replay.eventIndex, 0)} / {fmtNumber(replay.eventCount, 0)} · {fmtPct(replay.progress, 1)}
            {replay.finished ? ' · finished' : ''}
          </span>
          {replay.seekingToMs !== null && (
            <span className="replay-seeking" data-testid="replay-seeking" title="The desk is played to the target event by event, so its figures are exactly those of an uninterrupted replay">
              seeking to {fmtTime(replay.seekingToMs)}…
            </span>
          )}
        </>
      )}
    </div>
  );
}
