/**
 * Recording a Chromium trace over CDP for the monitor bench, shared by the window traces (`--trace`) and the
 * slow-task catcher (`--catch-slow-tasks`): start tracing with the given parameters, and a stop function that
 * ends it and resolves with every event collected. Also the trace's thread names, keyed "pid:tid".
 */
import type { CDPSession } from '@playwright/test';

export interface TraceEvent {
  name: string;
  cat?: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** Thread (CPU) time, µs: present on 'X' events where the platform records it. */
  tdur?: number;
  args?: { name?: string };
}

/** Starts a trace (events reported over CDP); the returned function ends it and gives its events. */
export async function startTrace(cdp: CDPSession, params: Record<string, unknown>): Promise<() => Promise<TraceEvent[]>> {
  const events: TraceEvent[] = [];
  const collect = (data: { value: Record<string, unknown>[] }): void => {
    for (const e of data.value) events.push(e as unknown as TraceEvent);
  };
  cdp.on('Tracing.dataCollected', collect);
  await cdp.send('Tracing.start', { ...params, transferMode: 'ReportEvents' });
  return async () => {
    const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
    await cdp.send('Tracing.end');
    await complete;
    cdp.off('Tracing.dataCollected', collect);
    return events;
  };
}

/** Thread names by "pid:tid", from the trace's metadata events. */
export function threadNames(events: readonly TraceEvent[]): Map<string, string> {
  const threads = new Map<string, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name) threads.set(`${e.pid}:${e.tid}`, e.args.name);
  return threads;
}
