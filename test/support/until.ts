/**
 * Waits on a state, not for a time: `until` asks `probe` again every `everyMs` until it returns something
 * truthy (returned) or `timeoutMs` passes (an error naming what never happened, with the probe's last
 * error). For states nobody announces (a process's row in a table, a count in a database).
 */
export async function until<T>(what: string, probe: () => Promise<T | null | false | undefined> | T | null | false | undefined, options: { timeoutMs?: number; everyMs?: number } = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const everyMs = options.everyMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
