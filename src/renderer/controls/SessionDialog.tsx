/**
 * Session control: which market the desk runs — the simulated market, a live venue and symbol, or a
 * recording to replay at a chosen speed — with start and stop, the session's status (starting, loading a
 * recording with its progress, running, stopped, failed with the reason), and recording the live feed. On
 * a live venue, paper or LIVE execution (`LiveSessionFields`: keys, mainnet switch, typed confirmation).
 * The spec is checked with the contract's schema before it is sent; the desk's refusal is shown here, in
 * its words, beside the field it names.
 */
import { useEffect, useState } from 'react';
import { SESSION_SPEC_SCHEMA, VENUES, describeSchemaError, type RecordingView, type SessionSpec, type VenueName } from '../../shared/contract.js';
import type { RunCommand } from '../app/App.js';
import { fmtDateTime, fmtPct } from '../desk-client/format.js';
import { useDesk, usePacedState, useSession } from '../desk-client/hooks.js';
import { REPLAY_SPEEDS } from '../replay/ReplayTransport.js';
import { barFill } from '../styles/bar-style.js';
import { LiveSessionFields, type LiveChoice } from './LiveSessionFields.js';

type Source = 'sim' | 'live' | 'recording';

function sizeText(bytes: number): string {
  return bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} kB`;
}

export function SessionDialog({ run, onClose }: { run: RunCommand; onClose: () => void }) {
  const { api, canWrite } = useDesk();
  const session = useSession();
  const state = usePacedState();
  const [source, setSource] = useState<Source>(session?.spec?.recording ? 'recording' : session?.spec && session.spec.venue !== 'sim' ? 'live' : 'sim');
  const [venue, setVenue] = useState<VenueName>(session?.spec && session.spec.venue !== 'sim' ? session.spec.venue : 'binance-spot');
  const [symbol, setSymbol] = useState(session?.spec?.symbol ?? '');
  const [recordings, setRecordings] = useState<readonly RecordingView[] | null>(null);
  const [recording, setRecording] = useState('');
  const [speed, setSpeed] = useState<string>('1');
  const [error, setError] = useState<{ error: string; field: string } | null>(null);
  const [live, setLive] = useState<LiveChoice>({ execution: session?.spec?.execution === 'live' ? 'live' : 'paper', mainnet: false, confirm: '' });

  useEffect(() => {
    api.getRecordings().then(
      (list) => {
        setRecordings(list);
        setRecording((r) => r || list[0]?.path || '');
      },
      (e: unknown) => setError({ error: `recordings: ${(e as Error).message}`, field: '' }),
    );
  }, [api]);

  const spec = (): SessionSpec | { error: string; field: string } => {
    const candidate: Record<string, unknown> = { venue: source === 'live' ? venue : 'sim' };
    if (source === 'recording') {
      const chosen = recordings?.find((r) => r.path === recording);
      candidate.venue = chosen?.venue && (VENUES as readonly string[]).includes(chosen.venue) ? chosen.venue : 'sim';
      candidate.recording = recording;
      candidate.speed = speed === 'max' ? 'max' : Number(speed);
    } else if (symbol.trim() !== '') {
      candidate.symbol = symbol.trim();
    }
    // why: the confirmation is sent as typed, even empty: the engine decides, and its refusal is shown.
    if (source === 'live' && live.execution === 'live') {
      candidate.execution = 'live';
      candidate.confirm = live.confirm;
      if (live.mainnet) candidate.mainnet = true;
    }
    const parsed = SESSION_SPEC_SCHEMA.safeParse(candidate);
    return parsed.success ? parsed.data : describeSchemaError(parsed.error);
  };

  const start = async (): Promise<void> => {
    const built = spec();
    if ('error' in built) return setError(built);
    const result = await run('Start session', () => api.startSession(built));
    if (result.ok) onClose();
    else setError({ error: result.error, field: result.field ?? '' });
  };

  const status = session?.status ?? 'running';
  const recordingOn = state?.recording !== null && state?.recording !== undefined;
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal session-dialog" role="dialog" aria-label="Session" data-testid="session-dialog" onClick={(e) => e.stopPropagation()}>
        <h2>Session</h2>
        <div className={`session-status status-${status}`} data-testid="session-status" data-status={status}>
          <b>{status.toUpperCase()}</b>{' '}
          {session?.spec ? `${session.spec.venue}${session.spec.symbol ? ` ${session.spec.symbol}` : ''}${session.spec.recording ? ` · replay ${session.spec.recording.split('/').pop()}` : ''}` : state ? `${state.venue} ${state.symbol}` : ''}
          {session?.sessionId ? ` · #${session.sessionId}` : ''}
          {session?.error && <div className="field-error">{session.error}</div>}
          {session?.loading !== null && session?.loading !== undefined && (
            <div className="bar" data-testid="session-loading" title={`loading ${fmtPct(session.loading, 0)}`}>
              <div className="bar-fill" style={barFill(session.loading)} />
            </div>
          )}
        </div>
        <fieldset className="style-choice">
          <legend>Market</legend>
          <label>
            <input type="radio" name="source" checked={source === 'sim'} onChange={() => setSource('sim')} data-testid="session-source-sim" /> Simulated market
          </label>
          <label>
            <input type="radio" name="source" checked={source === 'live'} onChange={() => setSource('live')} data-testid="session-source-live" /> Live venue (paper or live execution)
          </label>
          <label>
            <input type="radio" name="source" checked={source === 'recording'} onChange={() => setSource('recording')} data-testid="session-source-recording" /> Replay a recording
          </label>
        </fieldset>
        {source === 'live' && (
          <label className="field">
            <span>Venue</span>
            <select value={venue} onChange={(e) => setVenue(e.target.value as VenueName)} data-testid="session-venue">
              {VENUES.filter((v) => v !== 'sim').map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </label>
        )}
        {source !== 'recording' && (
          <label className="field">
            <span>Symbol{source === 'sim' ? ' (optional)' : ''}</span>
            <input value={symbol} onChange={(e) => setSymbol(e.target.value)} placeholder={source === 'live' ? 'e.g. BTCUSDT' : 'SIM-USD'} data-testid="session-symbol" />
            {error?.field === 'symbol' && <span className="field-error">{error.error}</span>}
          </label>
        )}
        {source === 'live' && <LiveSessionFields venue={venue} symbol={symbol} choice={live} onChange={setLive} error={error} />}
        {source === 'recording' && (
          <>
            <label className="field">
              <span>Recording</span>
              <select value={recording} onChange={(e) => setRecording(e.target.value)} data-testid="session-recording">
                {(recordings ?? []).map((r) => (
                  <option key={r.path} value={r.path}>
                    {r.name} — {r.venue ?? '?'} {r.symbol ?? ''} · {sizeText(r.bytes)} · {fmtDateTime(r.modifiedMs)}
                  </option>
                ))}
              </select>
              {recordings !== null && recordings.length === 0 && <span className="muted">No recordings found.</span>}
            </label>
            <label className="field">
              <span>Speed</span>
              <select value={speed} onChange={(e) => setSpeed(e.target.value)} data-testid="session-speed">
                {REPLAY_SPEEDS.map((s) => (
                  <option key={String(s)} value={String(s)}>
                    {s === 'max' ? 'max' : `${s}×`}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
        {error && !['symbol', 'confirm', 'execution', 'mainnet'].includes(error.field) && (
          <p className="field-error" data-testid="session-error">
            {error.error}
          </p>
        )}
        <div className="modal-actions">
          {state?.mode === 'live' && state.venue !== 'sim' && (
            <button className="btn" data-testid="session-record" disabled={!canWrite} onClick={() => void run(recordingOn ? 'Stop recording' : 'Record feed', () => api.setRecording(!recordingOn))}>
              {recordingOn ? '■ Stop recording' : '● Record feed'}
            </button>
          )}
          <button className="btn" data-testid="session-stop" disabled={!canWrite || status === 'stopped'} onClick={() => void run('Stop session', () => api.stopSession())}>
            Stop session
          </button>
          <button className="btn" onClick={onClose}>
            Close
          </button>
          <button
            className={`btn ${source === 'live' && live.execution === 'live' ? 'btn-danger' : 'btn-primary'}`}
            data-testid="session-start"
            disabled={!canWrite || (source === 'recording' && !recording)}
            onClick={() => void start()}
          >
            {source === 'live' && live.execution === 'live' ? `${status === 'running' ? 'Stop current & start' : 'Start'} LIVE trading` : status === 'running' ? 'Stop current & start' : 'Start'}
          </button>
        </div>
      </div>
    </div>
  );
}
