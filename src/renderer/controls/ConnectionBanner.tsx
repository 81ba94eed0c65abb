/**
 * The "disconnected" banner: shown across the top while the stream to the desk is down, with the retry
 * countdown, so a frozen picture is never mistaken for a calm market. On reconnect the server sends a
 * fresh snapshot and the banner goes.
 */
import { useLayoutEffect, useState } from 'react';
import { useConnection } from '../desk-client/hooks.js';

export function ConnectionBanner() {
  const connection = useConnection();
  const [now, setNow] = useState(() => Date.now());
  // The clock restarts before the banner is painted: kept from the last outage (or from mount), the first
  // frame of a new one said "Retrying in 59.2 s" for a 250 ms retry.
  useLayoutEffect(() => {
    if (connection.status === 'open') return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [connection.status, connection.retryAtMs]);
  if (connection.status === 'open') return null;
  const retryIn = connection.retryAtMs ? Math.max(0, connection.retryAtMs - now) : null;
  return (
    <div className={`connection-banner conn-${connection.status}`} data-testid="disconnected-banner" role="alert">
      {connection.status === 'connecting' && connection.attempts === 0
        ? 'Connecting to the desk…'
        : `DISCONNECTED from the desk — figures below are frozen. ${
            connection.status === 'connecting' ? 'Reconnecting…' : `Retrying in ${((retryIn ?? 0) / 1000).toFixed(1)} s (attempt ${connection.attempts})`
          }`}
    </div>
  );
}
