/**
 * Feed health and limits: the market connection (state, trusted or not) and its two silences told apart —
 * the connection's (no frame, no answer to our ping: stale, the breaker trips) and the market's (no
 * message: quiet, nothing trips) — the message rate, venue-to-local latency, and the counters of trouble (gaps, resyncs, checksum failures,
 * crossed books, reconnects, dropped) with the last error; then one usage bar per risk limit
 * (state.limits: inventory, session and daily loss, order rate, fill burst) turning amber at 75 % and red
 * at 100 %, so a breach is seen coming.
 */
import type { FeedHealthView, LimitUsageView } from '../../shared/contract.js';
import { fmtDuration, fmtNumber } from '../desk-client/format.js';
import { usePacedState } from '../desk-client/hooks.js';
import { barFill } from '../styles/bar-style.js';

const LIMIT_LABEL: Record<string, string> = {
  inventory: 'Inventory',
  softInventory: 'Soft inventory',
  sessionLoss: 'Session loss',
  dailyLoss: 'Daily loss',
  orderRate: 'Order rate',
  fillBurst: 'Fill burst',
};

function feedTone(feed: FeedHealthView): string {
  if (!feed.connected || feed.state === 'disconnected' || feed.state === 'closed' || feed.state === 'stale') return 'bad';
  if (feed.state === 'quiet') return 'quiet';
  if (feed.state !== 'connected' || !feed.trusted) return 'warn';
  return 'good';
}

function LimitBar({ limit }: { limit: LimitUsageView }) {
  const tone = limit.fraction >= 1 ? 'bad' : limit.fraction >= 0.75 ? 'warn' : 'good';
  const value = (v: number): string => (limit.unit === 'quote' ? fmtNumber(v, 2) : fmtNumber(v, Number.isInteger(v) ? 0 : 1));
  return (
    <div className={`limit tone-${tone}`} data-testid={`limit-${limit.name}`} data-fraction={limit.fraction}>
      <span className="limit-name">{LIMIT_LABEL[limit.name] ?? limit.name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase())}</span>
      <div className="bar">
        <div className="bar-fill" style={barFill(limit.fraction)} />
      </div>
      <span className="limit-value">
        {value(limit.used)} / {value(limit.limit)} <span className="muted">{limit.unit === 'quote' ? '' : limit.unit}</span>
      </span>
    </div>
  );
}

export function FeedHealthPanel() {
  const state = usePacedState();
  if (!state) return <section className="panel side-panel" data-testid="feed-health" />;
  const feed = state.feed;
  const tone = feedTone(feed);
  const counters: Array<[id: string, label: string, value: number, title: string]> = [
    ['gaps', 'gaps', feed.gaps, 'Sequence gaps detected'],
    ['resyncs', 'resyncs', feed.resyncs, 'Book resynchronisations'],
    ['checksum', 'cksum', feed.checksumFailures, 'Checksum failures'],
    ['crossed', 'crossed', feed.crossedBooks, 'Crossed books seen'],
    ['reconnects', 'reconn', feed.reconnects, 'Reconnects'],
    ['dropped', 'dropped', feed.dropped, 'Messages dropped'],
  ];
  return (
    <section className="panel side-panel feed" data-testid="feed-health">
      <div className="panel-head">
        <h3>Feed &amp; limits</h3>
        <span className={`pill tone-${tone}`} data-testid="feed-state" data-state={feed.state}>
          {feed.state}
          {feed.trusted ? '' : ' · untrusted'}
        </span>
      </div>
      <div className="feed-grid">
        <div title="The connection: how long since it last showed life (a frame, or the answer to our ping). Past the stale limit the breaker trips.">
          <label>link</label>
          <b data-testid="feed-link" data-silent-ms={feed.silentMs ?? ''} className={feed.silentMs === null || feed.silentMs > state.params.risk.staleFeedMs / 2 ? 'warn' : ''}>
            {feed.silentMs === null ? 'down' : feed.silentMs > state.params.risk.staleFeedMs ? `silent ${fmtDuration(feed.silentMs)}` : 'alive'}
          </b>
        </div>
        <div title="The market: how long since its last message. A quiet market on a live link trips nothing.">
          <label>market</label>
          <b data-testid="feed-age" data-quiet={feed.quiet ? 'true' : 'false'} className={feed.quiet ? 'quiet' : ''}>
            {feed.quiet ? `quiet ${fmtDuration(feed.lastMessageAgeMs)}` : fmtDuration(feed.lastMessageAgeMs)}
          </b>
        </div>
        <div>
          <label>rate</label>
          <b data-testid="feed-rate" data-value={feed.messagesPerSec}>
            {fmtNumber(feed.messagesPerSec, 0)}/s
          </b>
        </div>
        <div>
          <label>latency</label>
          <b data-testid="feed-latency">{fmtDuration(feed.latencyMs)}</b>
        </div>
        <div>
          <label>msgs</label>
          <b data-testid="feed-messages" data-value={feed.messages}>
            {fmtNumber(feed.messages, 0)}
          </b>
        </div>
        {counters.map(([id, name, value, title]) => (
          <div key={id} title={title}>
            <label>{name}</label>
            <b data-testid={`feed-${id}`} data-value={value} className={value > 0 ? 'warn' : ''}>
              {value}
            </b>
          </div>
        ))}
      </div>
      {feed.lastError && (
        <div className="feed-error" data-testid="feed-error">
          {feed.lastError}
        </div>
      )}
      <div className="limits" data-testid="limits">
        {state.limits.map((limit) => (
          <LimitBar key={limit.name} limit={limit} />
        ))}
      </div>
    </section>
  );
}
