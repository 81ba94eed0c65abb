/**
 * The Binance received-text path (BinanceAdapter.onText: the depth scanner for REST snapshots and for depth
 * events of a synced book, else JSON.parse + onMessage) must behave exactly as onMessage(JSON.parse(text)):
 * on every message of the spot and USD-M captures, and on texts derived from them (truncated, raw instead of
 * combined-stream, whitespace, reordered, duplicated, extra or missing keys, escapes, exponents, off-grid
 * and non-numeric levels, crossed, gapped and stale events, another symbol; snapshots too old, malformed,
 * error answers). After each message both adapters must agree on the return value, a thrown error,
 * counters, trust, the requested action, the feed events, the update id and the book.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeWithSharedData, sharedDataPath } from '../../../support/shared-data.js';
import { mulberry32 } from '../../../support/prng.js';
import { DecimalGrid } from '../../../../src/shared/units.js';
import { BinanceAdapter, knownInstrument } from '../../../../src/main/market/adapters/index.js';
import { StepReader } from '../../../../src/main/market/adapters/decimal-text.js';
import { ScannedDepth, scanDepthSnapshot, scanDepthUpdate } from '../../../../src/main/market/adapters/binance/depth-text.js';
import type { DepthReaders } from '../../../../src/main/market/adapters/binance/depth-text.js';
import type { BookSideName, FeedEvent } from '../../../../src/main/market/types.js';
import { allLevels, outcome } from './support.js';

interface Market {
  readonly market: 'spot' | 'usdm';
  readonly venue: 'binance-spot' | 'binance-usdm';
  readonly symbol: string;
  readonly file: string[];
  /** A bid price far above the book (crosses it) and a size, as the venue prints them. */
  readonly highBid: [string, string];
}

const MARKETS: Market[] = [
  { market: 'spot', venue: 'binance-spot', symbol: 'NKNUSDT', file: ['exchanges', 'binance_spot', 'NKNUSDT_session.jsonl'], highBid: ['9.00000000', '1.00000000'] },
  { market: 'usdm', venue: 'binance-usdm', symbol: 'SUSHIUSDT', file: ['exchanges', 'binance_usdm', 'SUSHIUSDT_session.jsonl'], highBid: ['99.0000', '1'] },
];

interface Frame {
  kind: 'ws' | 'rest';
  text: string;
}

/** The raw `msg` text of each capture line (what the socket or the REST answer delivered). */
function frames(m: Market): Frame[] {
  return readFileSync(sharedDataPath(...m.file), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => ({ kind: l.includes('"kind": "rest"') ? 'rest' : 'ws', text: l.slice(l.indexOf('"msg": ') + 7, -1) }));
}

interface Side {
  adapter: BinanceAdapter;
  events: FeedEvent[];
  /** Events already compared with the other path's. */
  compared: number;
}

function make(m: Market): Side {
  const adapter = new BinanceAdapter(m.market, knownInstrument(m.venue, m.symbol)!);
  const events: FeedEvent[] = [];
  adapter.setSink({ onTrade: () => undefined, onFeedEvent: (e) => events.push(e) });
  return { adapter, events, compared: 0 };
}

function readers(m: Market): DepthReaders {
  const instrument = knownInstrument(m.venue, m.symbol)!;
  return { price: new StepReader(new DecimalGrid(instrument.tickSize)), size: new StepReader(new DecimalGrid(instrument.lotSize)) };
}

/** Feeds `f` to both paths and asserts they agree on everything observable. */
function feedBoth(objectPath: Side, textPath: Side, f: Frame, localUs: number, label: string, wholeBook = true): void {
  const a = outcome(() => objectPath.adapter.onMessage(f.kind, JSON.parse(f.text) as unknown, localUs));
  const b = outcome(() => textPath.adapter.onText(f.kind, f.text, localUs));
  expect(b, `${label}: result`).toBe(a);
  const x = objectPath.adapter;
  const y = textPath.adapter;
  expect(y.counters, `${label}: counters`).toEqual(x.counters);
  expect(y.trusted(), `${label}: trust`).toBe(x.trusted());
  expect(y.updateId, `${label}: update id`).toBe(x.updateId);
  expect(y.takeAction(), `${label}: action`).toEqual(x.takeAction());
  // the events this message added (the earlier ones were compared when they were added)
  expect(textPath.events.length, `${label}: events`).toBe(objectPath.events.length);
  expect(textPath.events.slice(textPath.compared), `${label}: events`).toEqual(objectPath.events.slice(textPath.compared));
  textPath.compared = textPath.events.length;
  // why: the whole book (up to 2,000 levels) after every derived text would make the suite slow; the top
  // 25 and the level counts after each, the whole book after every real message
  for (const side of ['bid', 'ask'] as BookSideName[]) {
    const n = wholeBook ? Math.max(x.book.levels(side), y.book.levels(side)) : 25;
    expect(bookText(y, side, n), `${label}: ${side}s`).toBe(bookText(x, side, n));
    expect(y.book.levels(side), `${label}: ${side} levels`).toBe(x.book.levels(side));
  }
}

/** The best `n` levels of a side as one "price x size" line each (a string compares fast). */
function bookText(adapter: BinanceAdapter, side: BookSideName, n: number): string {
  const prices = new Float64Array(n);
  const sizes = new Float64Array(n);
  const k = adapter.book.top(side, n, prices, sizes);
  let out = '';
  for (let i = 0; i < k; i++) out += `${prices[i]} x ${sizes[i]}\n`;
  return out;
}

/** A REST snapshot text of `source`'s book at its update id, as the venue prints it. */
function snapshotText(m: Market, source: BinanceAdapter): string {
  const instrument = source.instrument;
  const tick = new DecimalGrid(instrument.tickSize);
  const lot = new DecimalGrid(instrument.lotSize);
  const [pd, sd] = m.market === 'spot' ? [8, 8] : [4, 0];
  const levels = (side: BookSideName): string[][] => allLevels(source, side).map(([p, q]) => [tick.toNumber(p).toFixed(pd), lot.toNumber(q).toFixed(sd)]);
  return JSON.stringify({ lastUpdateId: source.updateId, bids: levels('bid'), asks: levels('ask') });
}

const isDepth = (f: Frame): boolean => f.kind === 'ws' && f.text.includes('"e":"depthUpdate"');

/**
 * Texts derived from a depth event `t` (the previous real event is `previous`), each with whether the scanner
 * takes it (else the JSON.parse path decides).
 */
function updateVariants(m: Market, t: string, previous: string, random: () => number): [string, boolean][] {
  const data = t.replace(/^\{"stream":"[^"]*","data":/, '').slice(0, -1);
  const [hp, hq] = m.highBid;
  const shift = (key: string, by: number) => (s: string): string => s.replace(new RegExp(`"${key}":(\\d+)`), (_x, n: string) => `"${key}":${Number(n) + by}`);
  const out: [string, boolean][] = [
    [t.slice(0, 1 + Math.floor(random() * (t.length - 1))), false], // truncated (not JSON: both throw)
    [data, true], // raw stream, no combined-stream wrapper
    [t.replace('"u":', '"u": '), false], // whitespace
    [`${t} `, false], // trailing whitespace (valid JSON)
    [t.replace(/"b":(\[.*?\]\]|\[\]),"a":(\[.*?\]\]|\[\])/, '"a":$2,"b":$1'), true], // asks before bids
    [t.replace(/"U":(\d+),"u":(\d+)/, '"u":$2,"U":$1'), true], // ids reordered
    [t.replace(/"u":(\d+)/, '"u":$1,"u":$1'), false], // duplicated key (the last wins)
    [t.replace(/"u":(\d+)/, '"u":$1,"x":1'), false], // unknown key
    [t.replace(/"U":\d+,/, ''), false], // missing U
    [t.replace(/"U":(\d+)/, '"U":"$1"'), false], // U as a string
    [t.replace(/"E":(\d+)/, '"E":$1.5'), false], // fractional event time
    [t.replace(/"U":(\d+)/, '"U":0$1'), false], // leading zero (not JSON)
    [t.replace(/"E":\d+,/, ''), true], // no event time
    [t.replace(/\[\["(\d+)\.(\d+)"/, '[["$1.$2e0"'), false], // exponent form
    [t.replace(/\[\["(\d)/, '[["\\u003$1'), false], // escaped digit (the same string once decoded)
    [t.replace(/\[\["(\d+)\.(\d+)"/, '[["0$1.$2"'), true], // leading zero in a price (a plain decimal)
    [t.replace(/\[\["(\d+)\.(\d+)"/, (_x, w: string, f: string) => `[["${w}.${f.slice(0, -1)}7"`), false], // off the grid
    [t.replace(/\[\["([\d.]+)","[\d.]+"/, '[["$1","abc"'), false], // non-numeric size
    [t.replace(/\[\["([\d.]+)","[\d.]+"/, '[["$1","-1"'), false], // negative size
    [t.replace(/\[\["([\d.]+)","([\d.]+)"\]/, '[["$1","$2","x"]'), false], // level with a third element
    [t.replace(/\[\["([\d.]+)","([\d.]+)"\]/, '[["$1"]'), false], // level without a size
    [t.replace(/\[\["([\d.]+)","([\d.]+)"\]/, '[[1,"$2"]'), false], // numeric price
    [t.replace(/"b":\[(\]?)/, (_x, close: string) => `"b":[["${hp}","${hq}"]${close === ']' ? ']' : ','}`), true], // crossed
    [shift('U', 1000)(shift('u', 1000)(shift('pu', 1000)(t))), true], // gap
    [previous, true], // stale: already applied
    [t.replace(/"pu":\d+,/, ''), true], // no pu (usdm: a gap, decided by the JSON.parse path)
    [t.replace(`"s":"${m.symbol}"`, '"s":"BTCUSDT"'), false], // another symbol
    [t.replace(`"s":"${m.symbol}"`, `"s":"${m.symbol.slice(0, 3)}\\u00${m.symbol.charCodeAt(3).toString(16)}${m.symbol.slice(4)}"`), false], // escaped symbol letter
    [t.replace('"e":"depthUpdate"', '"e":"depthUpdates"'), false], // another event type
    [t.replace(/"b":\[.*?\]\],"a":\[.*?\]\]|"b":\[\],"a":\[.*?\]\]|"b":\[.*?\]\],"a":\[\]/, '"b":[],"a":[]'), true], // no levels
    [`${t.slice(0, -1)},"extra":1}`, false], // combined-stream wrapper with another key
    [t.replace(/"data":\{/, '"data":{"data":1,'), false], // a data key inside the event
    [`[${t}]`, false], // not an object
  ];
  return out.filter(([v]) => v !== t);
}

describeWithSharedData('binance text path', () => {
  for (const m of MARKETS) {
    it(`${m.venue} ${m.symbol}: agrees with JSON.parse + onMessage after every real message, and scans every depth text`, () => {
      const all = frames(m);
      const objectPath = make(m);
      const textPath = make(m);
      all.forEach((f, i) => feedBoth(objectPath, textPath, f, 1_000_000 + i, `${m.symbol} #${i}`));
      expect(textPath.adapter.trusted()).toBe(true);
      expect(textPath.adapter.counters.gaps).toBe(0);
      // the fast path is really taken: the snapshot and every depth event scan
      const r = readers(m);
      const scratch = new ScannedDepth();
      const rest = all.filter((f) => f.kind === 'rest');
      expect(rest.length).toBeGreaterThan(0);
      for (const f of rest) expect(scanDepthSnapshot(f.text, r, scratch)).toBe(true);
      const depth = all.filter(isDepth);
      expect(depth.filter((f) => scanDepthUpdate(f.text, m.symbol, r, scratch)).length).toBe(depth.length);
    });

    it(`${m.venue} ${m.symbol}: agrees on derived depth events (whitespace, order, keys, escapes, exponents, levels, crossed, gap, stale)`, () => {
      const all = frames(m);
      const random = mulberry32(m.symbol.length * 7919);
      const r = readers(m);
      const scratch = new ScannedDepth();
      const clean = make(m); // real messages only: the book a resync snapshot is taken from
      const objectPath = make(m);
      const textPath = make(m);
      let previous = '';
      let variants = 0;
      for (let k = 0; k < all.length; k++) {
        const f = all[k]!;
        if (isDepth(f) && clean.adapter.trusted() && previous !== '' && k % 3 === 1) {
          let resync: Frame | undefined;
          for (const [j, [d, scans]] of updateVariants(m, f.text, previous, random).entries()) {
            expect(scanDepthUpdate(d, m.symbol, r, scratch), `${m.symbol} #${k} variant ${j} scans: ${d.slice(0, 160)}`).toBe(scans);
            feedBoth(objectPath, textPath, { kind: 'ws', text: d }, k * 100 + j, `${m.symbol} #${k} variant ${j}: ${d.slice(0, 160)}`, false);
            variants++;
            if (objectPath.adapter.updateId !== clean.adapter.updateId || !objectPath.adapter.trusted()) {
              // back to the clean book: a new connection and a fresh snapshot at its id, through both paths
              // (the text one scans it); without the reset a buffered gapped event would outdate the snapshot
              resync ??= { kind: 'rest', text: snapshotText(m, clean.adapter) };
              objectPath.adapter.reset(k * 100 + 50 + j);
              textPath.adapter.reset(k * 100 + 50 + j);
              feedBoth(objectPath, textPath, resync, k * 100 + 50 + j, `${m.symbol} #${k} resync after variant ${j}`, false);
            }
          }
        }
        clean.adapter.onMessage(f.kind, JSON.parse(f.text) as unknown, k * 100 + 99);
        feedBoth(objectPath, textPath, f, k * 100 + 99, `${m.symbol} #${k}`);
        if (isDepth(f)) previous = f.text;
      }
      expect(variants).toBeGreaterThan(1000);
      expect(allLevels(textPath.adapter, 'bid')).toEqual(allLevels(clean.adapter, 'bid'));
      expect(allLevels(textPath.adapter, 'ask')).toEqual(allLevels(clean.adapter, 'ask'));
    });

    it(`${m.venue} ${m.symbol}: agrees on derived snapshots (too old, malformed, error answer, keys, whitespace, levels)`, () => {
      const all = frames(m);
      const at = all.findIndex((f) => f.kind === 'rest');
      const s = all[at]!.text;
      const firstU = Number(/"U":(\d+)/.exec(all.slice(0, at).find(isDepth)!.text)![1]);
      const variants = [
        s,
        s.slice(0, 1 + Math.floor(s.length / 2)), // truncated
        s.replace(/"lastUpdateId":\d+/, `"lastUpdateId":${firstU - 1}`), // predates the buffered events
        s.replace(/"lastUpdateId":\d+/, `"lastUpdateId":${firstU}`), // exactly at the first buffered U
        s.replace(/"lastUpdateId":(\d+)/, '"lastUpdateId":"$1"'), // id as a string
        s.replace(/"lastUpdateId":\d+,/, ''), // no id
        s.replace(/"lastUpdateId":(\d+)/, '"lastUpdateId":$1,"E":1626992741264,"T":1626992741261'), // usdm's stamps
        s.replace(/"lastUpdateId":(\d+)/, '"lastUpdateId":$1,"E":1.5'), // fractional stamp
        s.replace(/"lastUpdateId":(\d+)/, '"lastUpdateId":$1,"x":[]'), // unknown key
        s.replace(/"lastUpdateId":(\d+)/, '"lastUpdateId":$1,"b":[]'), // a depth event's key
        s.replace(/"bids":(\[.*?\]\]),"asks":(\[.*\]\])\}/, '"asks":$2,"bids":$1}'), // asks first
        s.replace('"bids":', '"bids" : '), // whitespace
        s.replace(/("bids":\[\["[\d.]+","[\d.]+"\],)(\["[\d.]+","[\d.]+"\])/, '$1$2,$2'), // a repeated level
        s.replace(/"asks":\[\["([\d.]+)"/, '"asks":[["$1e0"'), // exponent form
        s.replace(/"asks":\[\["(\d+)\.(\d+)"/, (_x, w: string, f: string) => `"asks":[["${w}.${f.slice(0, -1)}3"`), // off the grid mid-message
        s.replace(/"asks":\[\["([\d.]+)","[\d.]+"/, '"asks":[["$1","x"'), // non-numeric size mid-message
        s.replace(/"asks":\[\["([\d.]+)","([\d.]+)"\]/, '"asks":[["$1","$2"],[]'), // empty level
        s.replace(/"asks":\[/, `"asks":[["0.00001000","1"],`), // crossed: an ask below the bids
        `${s}\n`, // trailing newline
        '{"code":-1121,"msg":"Invalid symbol."}', // error answer
        '{"lastUpdateId":1,"bids":[],"asks":[]}', // empty book
        '[]',
        '',
      ];
      for (const [j, v] of variants.entries()) {
        const objectPath = make(m);
        const textPath = make(m);
        const label = `${m.symbol} snapshot variant ${j}: ${v.slice(0, 120)}`;
        for (let k = 0; k < at; k++) feedBoth(objectPath, textPath, all[k]!, k, `${label} (before #${k})`, false);
        feedBoth(objectPath, textPath, { kind: 'rest', text: v }, at, label);
        // the events after it are decided from the state it left
        for (let k = at + 1; k < Math.min(all.length, at + 40); k++) feedBoth(objectPath, textPath, all[k]!, k, `${label} (then #${k})`, false);
      }
    });
  }
});

it('the scanners take exactly the depth shapes and nothing else', () => {
  const spot = MARKETS[0]!;
  const r = readers(spot);
  const out = new ScannedDepth();
  const raw = '{"e":"depthUpdate","E":1633998512568,"s":"NKNUSDT","U":499869753,"u":499869754,"b":[["0.35170000","4265.00000000"]],"a":[["0.35290000","10968.00000000"],["0.3530","0.1"]]}';
  expect(scanDepthUpdate(raw, 'NKNUSDT', r, out)).toBe(true);
  expect([out.first, out.final, out.eventMs, out.pu]).toEqual([499869753, 499869754, 1633998512568, Number.NaN]);
  expect([out.bids.count, out.bids.price[0], out.bids.size[0]]).toEqual([1, 35170, 42650]);
  expect([out.asks.count, out.asks.price[1], out.asks.size[1]]).toEqual([2, 35300, 1]);
  expect(scanDepthUpdate(`{"stream":"nknusdt@depth@100ms","data":${raw}}`, 'NKNUSDT', r, out)).toBe(true);
  const usdm = '{"e":"depthUpdate","E":1,"T":2,"s":"NKNUSDT","U":3,"u":4,"pu":0,"b":[],"a":[]}';
  expect(scanDepthUpdate(usdm, 'NKNUSDT', r, out)).toBe(true);
  expect([out.pu, out.bids.count, out.asks.count]).toEqual([0, 0, 0]);
  // a snapshot larger than the scratch's first capacity
  const levels = Array.from({ length: 300 }, (_, i) => `["0.${String(10000 + i)}","${i}.5"]`).join(',');
  expect(scanDepthSnapshot(`{"lastUpdateId":7,"bids":[${levels}],"asks":[]}`, r, out)).toBe(true);
  expect([out.lastUpdateId, out.bids.count, out.bids.price[299], out.bids.size[299]]).toEqual([7, 300, 10299, 2995]);
  for (const bad of [
    raw.replace('"e":"depthUpdate"', '"e":"trade"'),
    raw.replace('NKNUSDT', 'NKNUSDC'),
    raw.replace('"b":', '"bids":'),
    raw.replace('"U":499869753', '"U":-1'),
    raw.replace('"U":499869753', '"U":1234567890123456'), // 16 digits: left to JSON.parse
    raw.replace('"0.35170000"', '"0.35170001"'), // beyond the tick
    raw.replace('"0.35170000"', '"0..3517"'),
    raw.replace('"0.35170000"', '""'),
    raw.replace('"4265.00000000"', '"4265.05"'), // beyond the lot
    raw.replace('"4265.00000000"', '"1e3"'),
    raw.replace('"4265.00000000"', '"4265\\u0030"'),
    raw.replace(/"a":\[.*\]\]/, '"a":[[]]'),
    raw.replace(/"a":\[.*\]\]/, '"a":{}'),
    `${raw} `,
    raw.slice(0, -1),
    `{"stream":"x\\"y","data":${raw}}`,
    `{"stream":"x","data":${raw},"x":1}`,
    `{"data":${raw},"stream":"x"}`,
    '{"e":"depthUpdate"}',
    '{}',
    '',
  ]) {
    expect(scanDepthUpdate(bad, 'NKNUSDT', r, out), bad).toBe(false);
  }
  for (const bad of [
    '{"lastUpdateId":7,"bids":[]}',
    '{"lastUpdateId":7,"bids":[],"asks":[],"bids":[]}',
    '{"lastUpdateId":7,"b":[],"a":[]}',
    '{"lastUpdateId":7,"bids":[],"asks":[],"s":"NKNUSDT"}',
    '{"lastUpdateId":7.0,"bids":[],"asks":[]}',
    '{"lastUpdateId":7,"bids":[],"asks":[]} ',
    '{"code":-1121,"msg":"Invalid symbol."}',
  ]) {
    expect(scanDepthSnapshot(bad, r, out), bad).toBe(false);
  }
});

it('StepReader reads exactly what DecimalGrid.toSteps reads', () => {
  const random = mulberry32(42);
  const alphabet = '0123456789..';
  for (const increment of ['0.00001', '0.1', '1', '0.001', '0.5', '0.25', '5', '0.00000001']) {
    const grid = new DecimalGrid(increment);
    const reader = new StepReader(grid);
    for (let k = 0; k < 3000; k++) {
      let s = '';
      const n = Math.floor(random() * 14);
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(random() * alphabet.length)];
      const steps = reader.read(`"${s}"`, 1);
      const expected = grid.toSteps(s);
      expect(steps, `${increment} "${s}"`).toBe(expected);
      if (!Number.isNaN(steps)) expect(reader.end, `${increment} "${s}" end`).toBe(s.length + 1);
    }
  }
});
