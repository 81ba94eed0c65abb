/**
 * The fleet's wire contract and its edges: record batches parse only when whole and ordered, subjects
 * parse back to desk and table, NATS URLs and credentials come from the URL, the environment or a creds
 * file with one line naming the flag when wrong, and a desk's summary is built from the stream's texts.
 */
import { describe, expect, it } from 'vitest';
import { buildSummary, newestFillMs } from '../../../src/main/fleet/desk-summary.js';
import { FleetInputError, parseNatsTarget } from '../../../src/main/fleet/nats-connection.js';
import { DESK_SUMMARY_SCHEMA, parseRecordSubject, recordBatchSchema, subjects } from '../../../src/shared/fleet.js';

const event = (seq: number) => ({ seq, sessionId: 1, clientOrderId: `q${seq}`, type: 'sent', localUs: 1_000 + seq, detail: '{}' });

describe('record batches', () => {
  const schema = recordBatchSchema('events');
  it('parse when whole and in order', () => {
    expect(schema.safeParse({ v: 1, desk: 'd', table: 'events', first: 4, last: 6, rows: [event(4), event(5), event(6)] }).success).toBe(true);
  });
  it('are refused with the field at fault otherwise', () => {
    const issue = (value: unknown): string => {
      const parsed = schema.safeParse(value);
      return parsed.success ? 'accepted' : `${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`;
    };
    expect(issue({ v: 1, desk: 'd', table: 'events', first: 4, last: 5, rows: [event(5), event(4)] })).toMatch(/^rows: rows must be in increasing seq order/);
    expect(issue({ v: 1, desk: 'd', table: 'events', first: 3, last: 5, rows: [event(4), event(5)] })).toMatch(/^first: /);
    expect(issue({ v: 1, desk: 'd', table: 'fills', first: 4, last: 4, rows: [event(4)] })).toMatch(/^table: /);
    expect(issue({ v: 1, desk: 'a.b', table: 'events', first: 4, last: 4, rows: [event(4)] })).toMatch(/^desk: /);
    expect(issue({ v: 1, desk: 'd', table: 'events', first: 4, last: 4, rows: [{ ...event(4), extra: 1 }] })).toMatch(/^rows\.0: /);
    expect(issue({ v: 1, desk: 'd', table: 'events', first: 4, last: 4, rows: [] })).toMatch(/^rows: /);
  });
  it('name their desk and table in the subject', () => {
    expect(parseRecordSubject(subjects.records('desk-1', 'audit'))).toEqual({ desk: 'desk-1', table: 'audit' });
    expect(parseRecordSubject('qd.desk.x.state')).toBeNull();
    expect(parseRecordSubject('qd.desk.x.fills.more')).toBeNull();
  });
});

describe('NATS targets', () => {
  it('take servers and credentials from the URL, else the environment', () => {
    expect(parseNatsTarget('nats://u:p%40ss@a:4000,nats://u:p%40ss@b', '--nats', {})).toEqual({ servers: ['a:4000', 'b:4222'], user: 'u', pass: 'p@ss' });
    expect(parseNatsTarget('nats://s3cret@a:1', '--nats', {})).toEqual({ servers: ['a:1'], token: 's3cret' });
    expect(parseNatsTarget('a:1', '--nats', { QUOTEDESK_NATS_USER: 'x', QUOTEDESK_NATS_PASSWORD: 'y' })).toEqual({ servers: ['a:1'], user: 'x', pass: 'y' });
    expect(parseNatsTarget('nats://a:1', '--nats', { QUOTEDESK_NATS_TOKEN: 't' })).toEqual({ servers: ['a:1'], token: 't' });
    expect(parseNatsTarget('nats://a:1', '--nats', { QUOTEDESK_NATS_TOKEN: 't' }, '/x.creds')).toEqual({ servers: ['a:1'], credsFile: '/x.creds' });
  });
  it('refuse bad URLs with one line naming the flag, never printing a password', () => {
    const message = (text: string, creds?: string): string => {
      try {
        parseNatsTarget(text, '--fleet', {}, creds);
        return 'accepted';
      } catch (error) {
        expect(error).toBeInstanceOf(FleetInputError);
        return (error as Error).message;
      }
    };
    expect(message('http://u:secret@a:1')).toBe('--fleet: "http://***@a:1" must start with nats:// (got http://)');
    expect(message('nats://a:1/path')).toMatch(/^--fleet: "nats:\/\/a:1\/path" has a path/);
    expect(message(' , ')).toBe('--fleet needs at least one nats://host:port');
    expect(message('nats://u:p@a:1,nats://v:q@b:1')).toBe('--fleet: the URLs carry different credentials');
    expect(message('nats://u:p@a:1', '/x.creds')).toBe('--fleet: give credentials in the URL or --nats-creds, not both');
  });
});

describe('the desk summary', () => {
  const session = { status: 'running' as const, spec: { venue: 'sim' as const }, loading: null, error: null, sessionId: 2 };
  const state = {
    sessionId: 2,
    execution: 'paper',
    venue: 'sim',
    symbol: 'SIM-USD',
    mode: 'live',
    clockMs: 10_000,
    quotes: { bid: { price: 99.9, size: 1 }, ask: null },
    mid: 100,
    inventory: 7,
    pnl: { total: 1.25, realized: 1, unrealized: 0.5, fees: 0.25 },
    tradingState: 'active',
    reasons: { bid: [], ask: ['inventory-limit'] },
    feed: { connected: true, state: 'connected', trusted: true, lastMessageAgeMs: 3 },
    limits: [
      { name: 'inventory', used: 9, limit: 10, fraction: 0.9, unit: 'lots' },
      { name: 'sessionLoss', used: 1, limit: 100, fraction: 0.01, unit: 'USD' },
    ],
    reconciled: true,
  };
  it('carries the overview figures, the sides quoting, the nearest limits and alerts', () => {
    const summary = buildSummary({
      name: 'd1',
      instance: 'i',
      sentMs: 123,
      session,
      stateText: JSON.stringify(state),
      metricsText: JSON.stringify({ adverseSelectionRate: 0.375, numFills: 8 }),
      lastFillMs: newestFillMs([JSON.stringify({ timeMs: 9_000 }), JSON.stringify({ timeMs: 8_500 })], null),
      linkAlerts: ['fills not published: reason'],
    });
    expect(DESK_SUMMARY_SCHEMA.parse(summary)).toEqual(summary);
    expect(summary).toMatchObject({
      venue: 'sim',
      execution: 'paper',
      tradingState: 'active',
      inventory: 7,
      pnl: { total: 1.25 },
      quoting: { bid: true, ask: false, bidReason: null, askReason: 'inventory-limit' },
      adverseRate: 0.375,
      numFills: 8,
      lastFillAgoMs: 1_000,
      limits: [
        { name: 'inventory', fraction: 0.9 },
        { name: 'sessionLoss', fraction: 0.01 },
      ],
      alerts: ['inventory at 90 % of its limit', 'fills not published: reason'],
    });
  });
  it('says only what it knows before the desk runs', () => {
    const summary = buildSummary({ name: 'd1', instance: 'i', sentMs: 1, session: { ...session, status: 'failed', error: 'no feed' }, stateText: null, metricsText: null, lastFillMs: null, linkAlerts: [] });
    expect(DESK_SUMMARY_SCHEMA.parse(summary)).toMatchObject({ session: 'failed', venue: 'sim', tradingState: null, inventory: null, pnl: null, alerts: ['session failed: no feed'] });
  });
});
