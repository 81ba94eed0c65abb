/**
 * A fleet program asking a JetStream cluster that is still electing its leader or placing replicas asks
 * again rather than exiting: transient answers are retried (each logged), anything else is final at once,
 * and patience runs out into the last error.
 */
import { describe, expect, it } from 'vitest';
import { withClusterPatience } from '../../../src/main/fleet/streams.js';

function failing(messages: string[], value = 'ok'): () => Promise<string> {
  let calls = 0;
  return async () => {
    const message = messages[calls++];
    if (message !== undefined) throw new Error(message);
    return value;
  };
}

describe('cluster patience', () => {
  it('retries a timeout and a placement failure, logging each, then returns what succeeded', async () => {
    const log: string[] = [];
    const value = await withClusterPatience('the records stream', failing(['TimeoutError: timeout', 'no suitable peers for placement']), (line) => log.push(line));
    expect(value).toBe('ok');
    expect(log).toEqual([
      'the records stream: the JetStream cluster is not ready (TimeoutError: timeout); asking again',
      'the records stream: the JetStream cluster is not ready (no suitable peers for placement); asking again',
    ]);
  });

  it('gives up at once on an answer that asking again cannot fix', async () => {
    const log: string[] = [];
    await expect(withClusterPatience('the records stream', failing(['stream name already in use with a different configuration']), (line) => log.push(line))).rejects.toThrow(/different configuration/);
    expect(log).toEqual([]);
  });

  it('gives up with the last error once its patience is spent', async () => {
    const log: string[] = [];
    await expect(withClusterPatience('the archive consumer', failing(Array.from({ length: 50 }, () => 'TimeoutError: timeout')), (line) => log.push(line), 300)).rejects.toThrow(/timeout/);
    expect(log.length).toBeGreaterThanOrEqual(1);
    expect(log.length).toBeLessThan(50);
  });
});
