/**
 * The monitor's alerts: `useAlerts` watches what the desk streams (alert-model.ts) and, for each alert
 * whose kind is not muted, shows a desktop notification (the host's: Electron's Notification, or the
 * browser's API once the trader allowed it with a click) and plays a short tone when sound is on; every
 * alert, muted or not, goes into the history. `AlertsMenu` is the bell in the top bar: the history,
 * newest first, and the settings (mute per kind, sound, desktop notifications), which are preferences.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ALERT_KINDS, ALERT_KIND_TEXT, type AlertKind, type Preferences } from '../../shared/preferences.js';
import { fmtTime } from '../desk-client/format.js';
import { useConnection, useDesk, useEvents, usePacedState } from '../desk-client/hooks.js';
import { AlertDetector, type Alert } from './alert-model.js';

/** Alerts kept in the history. */
export const ALERT_HISTORY = 100;

export interface AlertEntry extends Alert {
  readonly id: number;
  /** Wall time it was raised on this page (ms since the epoch). */
  readonly atMs: number;
  readonly muted: boolean;
  readonly notified: boolean;
  readonly sounded: boolean;
}

let audio: AudioContext | null = null;

/** A short two-tone chirp (WebAudio: no sound file to ship). Needs a page the trader has clicked once. */
function chirp(): boolean {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
    const now = audio.currentTime;
    for (const [offset, frequency] of [[0, 880], [0.16, 660]] as const) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, now + offset);
      gain.gain.exponentialRampToValueAtTime(0.2, now + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.14);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(now + offset);
      oscillator.stop(now + offset + 0.15);
    }
    return true;
  } catch {
    return false;
  }
}

export interface AlertsHandle {
  readonly history: readonly AlertEntry[];
  readonly unread: number;
  markRead(): void;
}

export function useAlerts(preferences: Preferences): AlertsHandle {
  const { api } = useDesk();
  const events = useEvents();
  const state = usePacedState();
  const connection = useConnection();
  const detector = useRef(new AlertDetector());
  const prefs = useRef(preferences);
  prefs.current = preferences;
  const nextId = useRef(1);
  const [history, setHistory] = useState<readonly AlertEntry[]>([]);
  const [unread, setUnread] = useState(0);

  const raise = useCallback(
    (alerts: readonly Alert[]) => {
      if (alerts.length === 0) return;
      const { muted, sound, desktop } = prefs.current.alerts;
      const entries: AlertEntry[] = [];
      for (const alert of alerts) {
        const quiet = muted.includes(alert.kind);
        const sounded = !quiet && sound && chirp();
        const id = nextId.current++;
        entries.push({ ...alert, id, atMs: Date.now(), muted: quiet, notified: false, sounded });
        if (!quiet && desktop) {
          api.notify({ kind: alert.kind, title: alert.title, body: alert.body }).then(
            (shown) => {
              if (shown) setHistory((list) => list.map((e) => (e.id === id ? { ...e, notified: true } : e)));
            },
            () => undefined,
          );
        }
      }
      setHistory((list) => [...entries.reverse(), ...list].slice(0, ALERT_HISTORY));
      setUnread((n) => n + entries.filter((e) => !e.muted).length);
    },
    [api],
  );

  useEffect(() => raise(detector.current.events(events)), [events, raise]);
  useEffect(() => {
    if (state) raise(detector.current.state(state));
  }, [state, raise]);
  useEffect(() => raise(detector.current.connectionChanged(connection.status)), [connection.status, raise]);

  return { history, unread, markRead: useCallback(() => setUnread(0), []) };
}

function permission(): NotificationPermission | 'host' {
  return typeof Notification === 'undefined' ? 'host' : Notification.permission;
}

export function AlertsMenu({ alerts, preferences, update }: { alerts: AlertsHandle; preferences: Preferences; update: (change: (p: Preferences) => Preferences) => void }) {
  const { transport } = useDesk();
  const [open, setOpen] = useState(false);
  // Read once (lazily): the permission is a call into the browser, and this menu renders at reading pace.
  const [allowed, setAllowed] = useState(permission);
  const settings = preferences.alerts;
  const setAlerts = (change: Partial<Preferences['alerts']>): void => update((p) => ({ ...p, alerts: { ...p.alerts, ...change } }));
  const toggleMute = (kind: AlertKind): void =>
    setAlerts({ muted: settings.muted.includes(kind) ? settings.muted.filter((k) => k !== kind) : [...settings.muted, kind] });
  const askPermission = (): void => {
    if (typeof Notification === 'undefined') return;
    void Notification.requestPermission().then(setAllowed);
  };
  const { unread, markRead, history } = alerts;
  return (
    <div className="alerts">
      <button
        className={`btn alerts-bell ${unread > 0 ? 'has-unread' : ''}`}
        data-testid="alerts-open"
        data-unread={unread}
        title="Alerts: history and settings"
        onClick={() => {
          setOpen((o) => !o);
          markRead();
        }}
      >
        Alerts{unread > 0 && <span className="alerts-count">{unread > 99 ? '99+' : unread}</span>}
      </button>
      {open && (
        <div className="alerts-panel" data-testid="alerts-panel" role="dialog" aria-label="Alerts">
          <div className="alerts-settings">
            <b>Alert on</b>
            {ALERT_KINDS.map((kind) => (
              <label key={kind} className="toggle">
                <input type="checkbox" data-testid={`alert-kind-${kind}`} checked={!settings.muted.includes(kind)} onChange={() => toggleMute(kind)} />
                {ALERT_KIND_TEXT[kind]}
              </label>
            ))}
            <label className="toggle">
              <input
                type="checkbox"
                data-testid="alert-sound"
                checked={settings.sound}
                onChange={(e) => {
                  // The click is the gesture the browser needs before it lets a page make a sound.
                  if (e.target.checked) chirp();
                  setAlerts({ sound: e.target.checked });
                }}
              />
              sound
            </label>
            <label className="toggle">
              <input type="checkbox" data-testid="alert-desktop" checked={settings.desktop} onChange={(e) => setAlerts({ desktop: e.target.checked })} />
              desktop notifications
            </label>
            {transport === 'http' && settings.desktop && allowed !== 'granted' && (
              <button className="btn btn-small" data-testid="alert-permission" onClick={askPermission} disabled={allowed === 'denied'}>
                {allowed === 'denied' ? 'notifications blocked by the browser' : 'allow notifications'}
              </button>
            )}
          </div>
          <div className="alerts-history" data-testid="alerts-history">
            {history.length === 0 && <div className="muted">no alert yet</div>}
            {history.map((entry) => (
              <div
                key={entry.id}
                className={`alert-row kind-${entry.kind} ${entry.muted ? 'muted-alert' : ''}`}
                data-testid="alert-row"
                data-kind={entry.kind}
                data-muted={entry.muted ? 'true' : 'false'}
                data-notified={entry.notified ? 'true' : 'false'}
                data-sounded={entry.sounded ? 'true' : 'false'}
              >
                <span className="muted">{fmtTime(entry.deskTimeMs ?? entry.atMs)}</span> <b>{entry.title}</b>
                {entry.muted && <span className="muted"> (muted)</span>}
                <div className="alert-body">{entry.body}</div>
              </div>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}
