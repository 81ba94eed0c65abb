/**
 * Capture reader and writer on real files in a temp dir: round trip in the exact format (plain and gzip),
 * strict vs tolerant handling of a malformed line (error names file and line), streaming equals loading,
 * and a writer that never leaves a half recording under the final name.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureWriter, formatCaptureLine, loadCapture, readCapture } from '../../../../src/main/market/capture/index.js';
import type { CaptureFormatError, CaptureFrame } from '../../../../src/main/market/capture/index.js';
import { describeWithSharedData, sharedDataPath } from '../../../support/shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'qd-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(file: string, mode: 'strict' | 'tolerant' = 'strict', errors: CaptureFormatError[] = []): Promise<CaptureFrame[]> {
  const out: CaptureFrame[] = [];
  for await (const f of readCapture(file, { mode, onError: (e) => errors.push(e) })) out.push(f);
  return out;
}

describe('capture format', () => {
  it('formats a frame exactly like the shared captures', () => {
    expect(formatCaptureLine({ recvTs: 1633998512.0633569, kind: 'ws', conn: 'BINANCE.ws.1', msg: { a: [1] } })).toBe(
      '{"recv_ts": 1633998512.0633569, "kind": "ws", "conn": "BINANCE.ws.1", "msg": {"a":[1]}}',
    );
    expect(formatCaptureLine({ recvTs: 5, kind: 'rest', url: 'https://x/y?z=1', conn: 'c', rawMsg: '{"lastUpdateId":1}' })).toBe(
      '{"recv_ts": 5.0, "kind": "rest", "url": "https://x/y?z=1", "conn": "c", "msg": {"lastUpdateId":1}}',
    );
  });

  for (const ext of ['.jsonl', '.jsonl.gz']) {
    it(`writes and reads back frames (${ext}), renaming the temp file only on close`, async () => {
      const file = join(dir, `rt${ext}`);
      const w = await CaptureWriter.open(file, { flushIntervalMs: 10 });
      w.write({ recvTs: 1.5, kind: 'ws', conn: 'a', msg: { x: 1 } });
      w.write({ recvTs: 2.25, kind: 'rest', url: 'https://r', conn: 'b', rawMsg: '[1,2]' });
      w.flush();
      expect(existsSync(file)).toBe(false);
      expect(existsSync(w.tempFile)).toBe(true);
      await w.close();
      expect(existsSync(w.tempFile)).toBe(false);
      const frames = await collect(file);
      expect(frames).toEqual([
        { recvTs: 1.5, localUs: 1_500_000, kind: 'ws', conn: 'a', msg: { x: 1 } },
        { recvTs: 2.25, localUs: 2_250_000, kind: 'rest', url: 'https://r', conn: 'b', msg: [1, 2] },
      ]);
      expect((await loadCapture(file)).frames).toEqual(frames);
    });
  }

  it('abort leaves nothing behind', async () => {
    const file = join(dir, 'aborted.jsonl');
    const w = await CaptureWriter.open(file);
    w.write({ recvTs: 1, kind: 'ws', conn: 'a', msg: 1 });
    await w.abort();
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir).some((n) => n.includes('aborted'))).toBe(false);
  });

  it('refuses a folder that does not exist', async () => {
    await expect(CaptureWriter.open(join(dir, 'nope', 'x.jsonl'))).rejects.toThrow(/does not exist/);
  });

  it('strict mode names the file and line of a malformed line; tolerant mode skips and reports it', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, ['{"recv_ts": 1, "kind": "ws", "conn": "c", "msg": 1}', '{"recv_ts": 2, "kind": "ws", "co', '{"recv_ts": 3, "kind": "tcp", "conn": "c", "msg": 1}', '{"recv_ts": 4, "kind": "ws", "conn": "c", "msg": 4}', ''].join('\n'));
    await expect(collect(file)).rejects.toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2: invalid JSON`));
    await expect(loadCapture(file)).rejects.toThrow(/bad\.jsonl:2:/);
    const errors: CaptureFormatError[] = [];
    const frames = await collect(file, 'tolerant', errors);
    expect(frames.map((f) => f.msg)).toEqual([1, 4]);
    expect(errors.map((e) => e.line)).toEqual([2, 3]);
    expect(errors[1]!.message).toMatch(/"kind"/);
    const loaded = await loadCapture(file, undefined, { mode: 'tolerant' });
    expect(loaded.errors.map((e) => e.line)).toEqual([2, 3]);
  });

  it('a missing file is a clear error', async () => {
    await expect(loadCapture(join(dir, 'missing.jsonl'))).rejects.toThrow(/not found/);
  });
});

describeWithSharedData('capture reader on the shared captures', () => {
  it('streams and loads the Coinbase capture identically, reports progress, and rewrites it byte for byte', async () => {
    const src = sharedDataPath('exchanges', 'coinbase_advanced', 'level2_ticker_BTC-USD_ETH-USD.jsonl');
    const progress: number[] = [];
    const loaded = await loadCapture(src, (p) => progress.push(p));
    expect(loaded.frames.length).toBe(965);
    expect(progress[progress.length - 1]).toBe(1);
    const streamed = await collect(src);
    expect(streamed).toEqual(loaded.frames);
    const out = join(dir, 'copy.jsonl');
    const w = await CaptureWriter.open(out);
    for (const f of loaded.frames) w.write(f.url === undefined ? { recvTs: f.recvTs, kind: f.kind, conn: f.conn, msg: f.msg } : { recvTs: f.recvTs, kind: f.kind, url: f.url, conn: f.conn, msg: f.msg });
    await w.close();
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(src, 'utf8'));
  });
});
