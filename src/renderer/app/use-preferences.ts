/**
 * The monitor's preferences in the page: read once from the host (`DeskApi.loadPreferences`: a JSON file
 * in Electron's user data, localStorage in a browser), changed by the panels through `update`, and kept
 * again by the host a moment after the last change (a splitter drag is one save, not one per pixel). The
 * time zone is applied to the formatters here. Holds no figures of the desk.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { DEFAULT_PREFERENCES, type Preferences } from '../../shared/preferences.js';
import { setTimeZone } from '../desk-client/format.js';
import type { StreamingDeskApi } from '../desk-client/streaming-api.js';

/** A change is kept this long after the last one (a drag or a burst of clicks is one save). */
const SAVE_AFTER_MS = 250;

export interface PreferencesHandle {
  readonly preferences: Preferences;
  /** Whether the host's copy has been read (until then the defaults show). */
  readonly loaded: boolean;
  update(change: (current: Preferences) => Preferences): void;
  /** The host's answer to the last save, when it refused it. */
  readonly saveError: string | null;
}

export function usePreferences(api: StreamingDeskApi): PreferencesHandle {
  const [preferences, setPreferences] = useState<Preferences>(DEFAULT_PREFERENCES);
  const [loaded, setLoaded] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef<Preferences>(DEFAULT_PREFERENCES);

  useEffect(() => {
    let live = true;
    api.loadPreferences().then(
      (stored) => {
        if (!live) return;
        latest.current = stored;
        setTimeZone(stored.timeZone);
        setPreferences(stored);
        setLoaded(true);
      },
      () => {
        if (live) setLoaded(true); // an older host: the defaults, unsaved
      },
    );
    return () => {
      live = false;
    };
  }, [api]);

  const save = useCallback(() => {
    timer.current = null;
    api.savePreferences(latest.current).then(
      (result) => setSaveError(result.ok ? null : `preferences not kept: ${result.error}`),
      (error: unknown) => setSaveError(`preferences not kept: ${(error as Error).message}`),
    );
  }, [api]);

  const update = useCallback(
    (change: (current: Preferences) => Preferences) => {
      const next = change(latest.current);
      if (next === latest.current) return;
      latest.current = next;
      setTimeZone(next.timeZone);
      setPreferences(next);
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = setTimeout(save, SAVE_AFTER_MS);
    },
    [save],
  );

  // A change still waiting is kept when the page goes away.
  useEffect(() => {
    const flush = (): void => {
      if (timer.current !== null) {
        clearTimeout(timer.current);
        save();
      }
    };
    window.addEventListener('pagehide', flush);
    return () => window.removeEventListener('pagehide', flush);
  }, [save]);

  return { preferences, loaded, update, saveError };
}
