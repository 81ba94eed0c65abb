/**
 * The Kraken received-text path (KrakenAdapter.onText: the book-update scanner, else JSON.parse + onMessage)
 * must behave exactly as onMessage(JSON.parse(text)): on every message of every real capture, and on texts
 * derived from them (truncated, a checksum digit changed, whitespace, escapes, exponent-form numbers, the
 * republish flag, a missing checksum, keys reordered or duplicated, two payload objects, a leading-zero
 * channel id, another pair). After each message both adapters must agree on the return value, a thrown
 * error, counters, trust, the requested action, the feed events, the whole book and the recomputed checksum.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeWithSharedData, sharedDataPath } from '../../../support/shared-data.js';
import { mulberry32 } from '../../../support/prng.js';
import { KrakenAdapter, knownInstrument } from '../../../../src/main/market/adapters/index.js';
import { ScannedUpdate, scanBookUpdate } from '../../../../src/main/market/adapters/kraken/book-text.js';
import type { FeedEvent } from '../../../../src/main/market/types.js';
import { allLevels, outcome } from './support.js';

const PAIRS: [string, string][] = [
  ['ADA/XBT', 'book-1000_ADA-XBT.jsonl'],
  ['SC/EUR', 'book-1000_SC-EUR.jsonl'],
  ['XBT/CHF', 'book-1000_XBT-CHF.jsonl'],
];

/** The raw `msg` text of each capture line (what the socket delivered). */
function texts(file: string): string[] {
  return readFileSync(sharedDataPath('exchanges', 'kraken_v1', file), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.slice(l.indexOf('"msg": ') + 7, -1));
}

interface Side {
  adapter: KrakenAdapter;
  events: FeedEvent[];
}

function make(symbol: string): Side {
  const adapter = new KrakenAdapter(knownInstrument('kraken', symbol)!);
  const events: FeedEvent[] = [];
  adapter.setSink({ onTrade: () => undefined, onFeedEvent: (e) => events.push(e) });
  return { adapter, events };
}

/** Feeds `text` to both paths and asserts they agree on everything observable. */
function feedBoth(objectPath: Side, textPath: Side, text: string, localUs: number, label: string, wholeBook = true): void {
  const a = outcome(() => objectPath.adapter.onMessage('ws', JSON.parse(text) as unknown, localUs));
  const b = outcome(() => textPath.adapter.onText('ws', text, localUs));
  expect(b, `${label}: result`).toBe(a);
  const x = objectPath.adapter;
  const y = textPath.adapter;
  expect(y.counters, `${label}: counters`).toEqual(x.counters);
  expect(y.trusted(), `${label}: trust`).toBe(x.trusted());
  expect(y.takeAction(), `${label}: action`).toEqual(x.takeAction());
  expect(textPath.events, `${label}: events`).toEqual(objectPath.events);
  // why: the whole book (2,000 levels) after every derived text would make the suite slow; the top 25 and
  // the level counts after each, the whole book after every real message
  const depth = wholeBook ? Infinity : 25;
  expect(allLevels(y, 'ask').slice(0, depth), `${label}: asks`).toEqual(allLevels(x, 'ask').slice(0, depth));
  expect(allLevels(y, 'bid').slice(0, depth), `${label}: bids`).toEqual(allLevels(x, 'bid').slice(0, depth));
  expect([y.book.levels('ask'), y.book.levels('bid')], `${label}: levels`).toEqual([x.book.levels('ask'), x.book.levels('bid')]);
}

const scratch = new ScannedUpdate();
const GRID = { priceDecimals: 9, priceFactor: 10, sizeDecimals: 8, sizeFactor: 1 };

describeWithSharedData('kraken text path', () => {
  for (const [symbol, file] of PAIRS) {
    it(`${symbol}: agrees with JSON.parse + onMessage after every real message, and takes the scanner for the updates`, () => {
      const all = texts(file);
      const objectPath = make(symbol);
      const textPath = make(symbol);
      let i = 0;
      for (const text of all) feedBoth(objectPath, textPath, text, 1_000_000 + i, `${symbol} #${i++}`);
      expect(textPath.adapter.counters.checksumFailures).toBe(0);
      expect(textPath.adapter.counters.applied).toBe(all.length);
      expect(textPath.adapter.checksum()).toBe(objectPath.adapter.checksum());
      // the fast path is really taken: every update of the capture scans (the grid matters not for shape)
      const adaGrid = symbol === 'ADA/XBT' ? GRID : symbol === 'SC/EUR' ? { ...GRID, priceDecimals: 6, priceFactor: 1 } : { ...GRID, priceDecimals: 5, priceFactor: 10_000 };
      const scanned = all.slice(1).filter((t) => scanBookUpdate(t, symbol, adaGrid, scratch)).length;
      expect(scanned).toBe(all.length - 1);
    });

    it(`${symbol}: agrees on derived texts (truncated, wrong checksum, whitespace, escapes, exponents, "r", reordered, duplicated, two objects)`, () => {
      const all = texts(file);
      const random = mulberry32(symbol.length * 7919);
      const objectPath = make(symbol);
      const textPath = make(symbol);
      feedBoth(objectPath, textPath, all[0]!, 1, 'snapshot');
      const mutate = (t: string, k: number): string[] => {
        const out: string[] = [];
        const cut = 1 + Math.floor(random() * (t.length - 1));
        out.push(t.slice(0, cut)); // truncated (not JSON: both throw)
        out.push(t.replace(/"c":"(\d)/, (_m, d: string) => `"c":"${(Number(d) + 1) % 10}`)); // checksum digit changed
        out.push(t.replace(',"c":', ', "c": ')); // whitespace
        out.push(t.replace(/"(\w+)\/(\w+)"\]$/, '"$1\\/$2"]')); // escaped solidus in the pair
        out.push(t.replace(/,"c":"\d+"/, '')); // no checksum
        out.push(t.replace(/\]\]/, ',"r"]]')); // republish flag
        out.push(t.replace(/\]\]/, ',"x"]]')); // another flag
        out.push(t.replace(/\[\["(\d+)\.(\d+)"/, (_m, w: string, f: string) => `[["${w}.${f}e0"`)); // exponent form
        out.push(t.replace(/\[\["(\d+)\.(\d+)"/, (_m, w: string, f: string) => `[["${w}.${f}0"`)); // one more decimal
        out.push(t.replace(/^\[(\d+)/, '[0$1')); // leading zero channel id (not JSON)
        out.push(t.replace(/\{"([ab])":(\[.*\]),"c":("\d+")\}/, '{"c":$3,"$1":$2}')); // checksum first
        out.push(t.replace(/\{"([ab])":(\[.*?\]\]),/, '{"$1":$2,"$1":[],')); // duplicated key (the last wins)
        out.push(t.replace(/\{"([ab])":(\[.*?\]\]),/, (_m, s: string, l: string) => `{"${s === 'a' ? 'b' : 'a'}":[],"${s}":${l},`)); // other side first, empty
        out.push(t.replace(/\{"([ab])":(\[.*?\]\]),("c":"\d+")\}/, '{"$1":$2},{$3}')); // two payload objects
        out.push(t.replace(/,"c":"(\d+)"/, ',"c":"0$1"')); // checksum with a leading zero
        out.push(t.replace(/"book-(\d+)"/, '"book-$1x"')); // odd channel name
        out.push(t.replace(/"(\w+)\/(\w+)"\]$/, '"$2/$1"]')); // another pair
        out.push(`${t} `); // trailing whitespace (valid JSON)
        if (k % 7 === 0) out.push('{"event":"heartbeat"}');
        return out;
      };
      for (let k = 1; k < all.length; k++) {
        const t = all[k]!;
        // derived texts first (each may distrust the book: both paths must agree), then the real one
        if (k % 3 === 1) {
          for (const [j, d] of mutate(t, k).entries()) feedBoth(objectPath, textPath, d, k * 100 + j, `${symbol} #${k} variant ${j}: ${d.slice(0, 120)}`, false);
        }
        feedBoth(objectPath, textPath, t, k * 100 + 99, `${symbol} #${k}`);
        if (k % 50 === 0) feedBoth(objectPath, textPath, all[0]!, k * 100 + 98, `${symbol} re-snapshot at #${k}`);
      }
    });
  }
});

it('the scanner takes exactly the update shape and nothing else', () => {
  const ok = '[1360,{"a":[["0.000022900","13355.87450757","1618678123.481570"]],"c":"123"},"book-1000","ADA/XBT"]';
  expect(scanBookUpdate(ok, 'ADA/XBT', GRID, scratch)).toBe(true);
  expect(scratch.count).toBe(1);
  expect(scratch.price[0]).toBe(2290);
  expect(scratch.size[0]).toBe(1335587450757);
  expect(scratch.maxLevelUs).toBe(1618678123481570);
  expect(scratch.checksum).toBe(123);
  expect(ok.slice(scratch.priceStart[0], scratch.priceEnd[0])).toBe('0.000022900');
  expect(ok.slice(scratch.sizeStart[0], scratch.sizeEnd[0])).toBe('13355.87450757');
  const two = '[1,{"b":[["0.000022900","1.00000000","1.5"]],"a":[["0.000023000","2.00000000","2.5","r"]]},{"b":[],"c":"7"},"book-10","ADA/XBT"]';
  expect(scanBookUpdate(two, 'ADA/XBT', GRID, scratch)).toBe(true);
  expect(Array.from(scratch.side.subarray(0, scratch.count))).toEqual([0, 1]); // asks before bids, as onMessage
  expect(scratch.checksum).toBe(7);
  for (const bad of [
    '[1360,{"as":[["0.000022900","1.00000000","1.5"]],"bs":[]},"book-1000","ADA/XBT"]', // snapshot
    '[1360,{"a":[["0.000022900","1.00000000","1.5"]]},"book-1000","XBT/USD"]', // another pair
    '[1360,{"a":[["0.000022900","1.00000000","1.5"]]},"trade","ADA/XBT"]',
    '[1360,{"a":[["0.000022900","1.00000000","1.5"]]},"book-1000","ADA/XBT"] ',
    '[1360,{"a":[["0.000022900","1.00000000","1.5"]]},"book-1000","ADA/XBT"',
    '[1360,{"a":[["0.00002290","1.00000000","1.5"]]},"book-1000","ADA/XBT"]', // other decimals
    '[1360,{"a":[["-0.000022900","1.00000000","1.5"]]},"book-1000","ADA/XBT"]',
    '[1360,{"a":[["0.000022900","1.00000000"]]},"book-1000","ADA/XBT"]', // no timestamp
    '[1360,{"a":[["0.000022900","1.00000000","1.5","r","x"]]},"book-1000","ADA/XBT"]',
    '[1360,{"a":[["0.000022900","1.00000000","1.5"]],"c":""},"book-1000","ADA/XBT"]',
    '[1360,{"a":[["0.000022900","1.00000000","1.5"]],"c":123},"book-1000","ADA/XBT"]',
    '[1360,{"c":"1"},"book-1000","ADA/XBT"]',
    '[1360,{"a":[]},{"b":[]},{"b":[]},"book-1000","ADA/XBT"]', // three objects
    '[-1,{"a":[]},"book-1000","ADA/XBT"]',
    '{"event":"heartbeat"}',
    '',
  ]) {
    expect(scanBookUpdate(bad, 'ADA/XBT', GRID, scratch), bad).toBe(false);
  }
});
