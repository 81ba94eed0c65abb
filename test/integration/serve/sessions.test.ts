/**
 * Choosing the market at runtime through `quotedesk serve`: stop the session, start the simulated market
 * again, replay a recording from the recordings folder with the transport, refuse a file outside it, and
 * refuse recording on a market that is not a live venue — all over the real HTTP API with the token.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DeskState, RecordingView, SessionView } from '../../../src/shared/contract.js';
import { importLobster } from '../../../src/main/market/lobster/import.js';
import { describeWithSharedData, sharedDataPath } from '../../support/shared-data.js';
import { removeDir, startServe, type ServeHandle } from '../../support/serve-process.js';

async function until<T>(what: string, probe: () => Promise<T | null | false | undefined>): Promise<T> {
  for (let i = 0; i < 2_000; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describeWithSharedData('sessions chosen at runtime', () => {
  let serve: ServeHandle;
  let dir: string;
  let recording: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quotedesk-sessions-'));
    const recordings = join(dir, 'recordings');
    mkdirSync(recordings);
    const slice = sharedDataPath('lobster', 'GOOG_2012-06-21_L10_first2000rows');
    recording = join(recordings, 'lobster_GOOG_2012-06-21.jsonl.gz');
    await importLobster({
      messages: join(slice, 'GOOG_2012-06-21_34200000_57600000_message_10.first2000.csv'),
      orderbook: join(slice, 'GOOG_2012-06-21_34200000_57600000_orderbook_10.first2000.csv'),
      out: recording,
    });
    serve = await startServe({ dir, args: ['--recordings', recordings] });
  });

  afterAll(async () => {
    await serve?.stop();
    removeDir(dir);
  });

  it('lists the recordings folder', async () => {
    const list = await serve.get<RecordingView[]>('/api/recordings');
    expect(list.map((r) => r.path)).toEqual([recording]);
    expect(list[0]).toMatchObject({ venue: 'lobster', symbol: 'GOOG', name: 'lobster_GOOG_2012-06-21.jsonl.gz' });
  });

  it('stops the session (every order cancelled, the session ended) and starts the simulated market again', async () => {
    const first = await serve.get<SessionView>('/api/session');
    expect(first).toMatchObject({ status: 'running', spec: { venue: 'sim' } });
    expect((await serve.send('DELETE', '/api/session', undefined, { auth: false })).status).toBe(401);
    const stopped = await serve.send('DELETE', '/api/session');
    expect(stopped.status).toBe(200);
    expect((await serve.get<SessionView>('/api/session')).status).toBe('stopped');
    expect((await fetch(`${serve.baseUrl}/api/state`)).status).toBe(503);
    expect((await serve.send('DELETE', '/api/session')).status).toBe(409);

    const started = await serve.send('POST', '/api/session', { venue: 'sim' });
    expect(started.status).toBe(200);
    const session = await serve.get<SessionView>('/api/session');
    expect(session.status).toBe('running');
    expect(session.sessionId).toBeGreaterThan(first.sessionId ?? 0);
    const sessions = await serve.get<Array<{ id: number; endedMs: number | null }>>('/api/sessions');
    expect(sessions.find((s) => s.id === first.sessionId)?.endedMs).not.toBeNull();
  });

  it('replays a recording from the folder with play, pause, step, seek and speed', async () => {
    expect((await serve.send('POST', '/api/session', { venue: 'sim', recording: '/etc/passwd' })).status).toBe(400);
    const started = await serve.send('POST', '/api/session', { venue: 'sim', recording, speed: 'max' });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const state = await serve.get<DeskState>('/api/state');
    expect(state.mode).toBe('replay');
    expect(state.venue).toBe('lobster');
    expect(state.replay?.eventCount).toBe(2000);

    await until('the end of the replay', async () => (await serve.get<DeskState>('/api/state')).replay?.finished);
    expect((await serve.send('POST', '/api/replay', { action: 'seek', timeMs: state.replay!.startMs })).status).toBe(200);
    expect((await serve.send('POST', '/api/replay', { action: 'pause' })).status).toBe(200);
    const before = (await serve.get<DeskState>('/api/state')).replay!.eventIndex;
    expect((await serve.send('POST', '/api/replay', { action: 'step', count: 10 })).status).toBe(200);
    expect((await serve.get<DeskState>('/api/state')).replay!.eventIndex).toBe(before + 10);
    expect((await serve.send('POST', '/api/replay', { action: 'speed', speed: 4 })).status).toBe(200);
    expect((await serve.get<DeskState>('/api/state')).replay!.speed).toBe(4);
    const bad = await serve.send('POST', '/api/replay', { action: 'speed', speed: 1000 });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ field: 'speed' });
  });

  it('refuses to record a market that is not a live venue', async () => {
    const result = await serve.send('POST', '/api/record', { on: true });
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ field: 'on' });
    expect((await serve.send('POST', '/api/record', { on: 'yes' })).status).toBe(400);
  });
});
