/**
 * The recent desk events (operator actions, state changes, breaker trips, parameter changes, feed
 * trouble), newest first, filling what room the side column has left; fills are left to the blotter.
 * Only the newest entries that can be seen are rendered.
 */
import { useMemo } from 'react';
import { fmtTime } from '../desk-client/format.js';
import { useEvents } from '../desk-client/hooks.js';
import { eventKey } from '../desk-client/store.js';

const SHOWN = 60;

export function EventLog() {
  const events = useEvents();
  const recent = useMemo(() => {
    const out = [];
    for (let i = events.length - 1; i >= 0 && out.length < SHOWN; i--) {
      const event = events[i];
      if (event) out.push(event);
    }
    return out;
  }, [events]);
  return (
    <section className="panel side-panel event-log" data-testid="event-log">
      <div className="panel-head">
        <h3>Events</h3>
        <span className="muted">operator · state · breakers · feed</span>
      </div>
      <div className="event-list">
        {recent.length === 0 && <div className="muted event-row">nothing yet</div>}
        {recent.map((event) => (
          <div key={eventKey(event)} className="event-row">
            <span className="muted">{fmtTime(event.timeMs)}</span> <span className={`kind kind-${event.kind}`}>{event.kind}</span> {event.text}
          </div>
        ))}
      </div>
    </section>
  );
}
