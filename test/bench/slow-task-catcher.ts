/**
 * Diagnosis for the monitor bench (`--catch-slow-tasks`): keeps a Chromium trace running in a ring buffer and,
 * at each harvest, explains every main-thread task of the page that ran longer than a threshold. A long task
 * is rare (a few in 30 minutes), so a trace of a fixed window seldom holds one; the ring buffer always holds
 * the last seconds. For each slow task it prints the wall time against the thread's own CPU time (a task that
 * ran 60 ms of wall time on 15 ms of CPU spent the rest waiting for a core: preemption, not page work), where
 * the time went by trace event (self time, so the parts add up), the garbage collections inside it, and how
 * much CPU the other Chromium threads used in the same interval.
 */
import type { CDPSession } from '@playwright/test';
import { startTrace, threadNames, type TraceEvent } from './trace-events.js';

const CATEGORIES = ['toplevel', 'devtools.timeline', 'blink', 'cc', 'v8.execute', 'disabled-by-default-v8.gc', 'blink_gc'].join(',');
const TOP_LEVEL_TASK = /^(ThreadControllerImpl::RunTask|RunTask)$/;
const GC_EVENT = /GC|gc|Scavenge|MarkCompact|Oilpan|ThreadState/;

export class SlowTaskCatcher {
  private stopTrace: (() => Promise<TraceEvent[]>) | null = null;
  /** Slow tasks seen over the run, by what dominated them (for the summary). */
  readonly verdicts = new Map<string, number>();

  constructor(
    private readonly cdp: CDPSession,
    private readonly thresholdMs: number,
  ) {}

  async start(): Promise<void> {
    this.stopTrace = await startTrace(this.cdp, { traceConfig: { recordMode: 'recordContinuously', traceBufferSizeInKb: 400_000, includedCategories: CATEGORIES.split(',') } });
  }

  /** Ends the trace, returns report lines for the slow tasks in it, and (unless told not to) starts a fresh one. */
  async harvest(atLabel: string, restart = true): Promise<string[]> {
    const stop = this.stopTrace;
    if (!stop) return [];
    this.stopTrace = null;
    const lines = this.explain(await stop(), atLabel);
    if (restart) await this.start();
    return lines;
  }

  private explain(events: readonly TraceEvent[], atLabel: string): string[] {
    const threads = threadNames(events);
    const main = [...threads.entries()].find(([, name]) => name === 'CrRendererMain');
    if (!main) return [`  [${atLabel}] trace: no renderer main thread`];
    const [mainKey] = main;
    const rendererPid = Number(mainKey.split(':')[0]);
    const complete = events.filter((e) => e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
    const onMain = complete.filter((e) => `${e.pid}:${e.tid}` === mainKey);
    const spanS = onMain.length > 0 ? ((onMain[onMain.length - 1]?.ts ?? 0) - (onMain[0]?.ts ?? 0)) / 1e6 : 0;
    const lines: string[] = [];
    let endUs = Number.NEGATIVE_INFINITY;
    for (const task of onMain) {
      if (task.ts < endUs || !TOP_LEVEL_TASK.test(task.name)) continue;
      endUs = task.ts + (task.dur ?? 0);
      if ((task.dur ?? 0) < this.thresholdMs * 1_000) continue;
      lines.push(...this.explainTask(task, onMain, complete, threads, rendererPid, mainKey));
    }
    return [`  [${atLabel}] trace held ${spanS.toFixed(1)} s of the main thread; tasks over ${this.thresholdMs} ms: ${lines.filter((l) => l.startsWith('    task')).length}`, ...lines];
  }

  private explainTask(task: TraceEvent, onMain: readonly TraceEvent[], all: readonly TraceEvent[], threads: ReadonlyMap<string, string>, rendererPid: number, mainKey: string): string[] {
    const start = task.ts;
    const end = task.ts + (task.dur ?? 0);
    const inside = onMain.filter((e) => e !== task && e.ts >= start && e.ts + (e.dur ?? 0) <= end);
    // Self time per event name: each event's duration less its direct children's.
    const self = new Map<string, number>();
    const stack: TraceEvent[] = [];
    const childUs = new Map<TraceEvent, number>();
    const close = (e: TraceEvent): void => {
      self.set(e.name, (self.get(e.name) ?? 0) + (e.dur ?? 0) - (childUs.get(e) ?? 0));
    };
    for (const e of inside) {
      while (stack.length > 0 && e.ts >= (stack[stack.length - 1]?.ts ?? 0) + (stack[stack.length - 1]?.dur ?? 0)) close(stack.pop() as TraceEvent);
      const parent = stack[stack.length - 1];
      if (parent) childUs.set(parent, (childUs.get(parent) ?? 0) + (e.dur ?? 0));
      else childUs.set(task, (childUs.get(task) ?? 0) + (e.dur ?? 0));
      stack.push(e);
    }
    while (stack.length > 0) close(stack.pop() as TraceEvent);
    const untraced = (task.dur ?? 0) - (childUs.get(task) ?? 0);
    const parts = [...self.entries(), ['(untraced)', untraced] as [string, number]].filter(([, us]) => us >= 1_000).sort((a, b) => b[1] - a[1]).slice(0, 7);
    const gc = inside.filter((e) => GC_EVENT.test(e.name) || (e.cat ?? '').includes('gc'));
    const gcTop = gc.filter((e) => !gc.some((o) => o !== e && o.ts <= e.ts && o.ts + (o.dur ?? 0) >= e.ts + (e.dur ?? 0)));
    const gcMs = gcTop.reduce((s, e) => s + (e.dur ?? 0), 0) / 1_000;
    const cpuMs = task.tdur !== undefined ? task.tdur / 1_000 : Number.NaN;
    const wallMs = (task.dur ?? 0) / 1_000;
    // CPU the other Chromium threads used in the same interval (their top-level tasks overlapping it, pro rata).
    const others = new Map<string, number>();
    const seenEnd = new Map<string, number>();
    for (const e of all) {
      const key = `${e.pid}:${e.tid}`;
      if (key === mainKey || !TOP_LEVEL_TASK.test(e.name) || e.tdur === undefined) continue;
      const eEnd = e.ts + (e.dur ?? 0);
      if (eEnd <= start || e.ts >= end || e.ts < (seenEnd.get(key) ?? Number.NEGATIVE_INFINITY)) continue;
      seenEnd.set(key, eEnd);
      const overlap = Math.min(eEnd, end) - Math.max(e.ts, start);
      const name = `${threads.get(key) ?? key}${e.pid === rendererPid ? '' : ' (other process)'}`;
      others.set(name, (others.get(name) ?? 0) + (e.tdur * overlap) / Math.max(1, e.dur ?? 1));
    }
    const otherCpu = [...others.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([name, us]) => `${name} ${(us / 1_000).toFixed(0)}`).join(', ');
    const ranShare = Number.isFinite(cpuMs) ? cpuMs / wallMs : Number.NaN;
    const verdict = ranShare < 0.6 ? 'waited for a core' : gcMs > wallMs / 3 ? 'garbage collection' : (parts[0]?.[0] ?? '?');
    this.verdicts.set(verdict, (this.verdicts.get(verdict) ?? 0) + 1);
    return [
      `    task ${wallMs.toFixed(0)} ms wall, ${Number.isFinite(cpuMs) ? cpuMs.toFixed(0) : '?'} ms CPU (ran ${Number.isFinite(ranShare) ? (100 * ranShare).toFixed(0) : '?'} % of it) → ${verdict}`,
      `      self time: ${parts.map(([name, us]) => `${name} ${(us / 1_000).toFixed(1)}`).join(', ')}`,
      `      GC inside: ${gcTop.length === 0 ? 'none' : `${gcMs.toFixed(1)} ms (${gcTop.map((e) => `${e.name} ${((e.dur ?? 0) / 1_000).toFixed(1)}`).join(', ')})`}`,
      `      other Chromium threads' CPU meanwhile (ms): ${otherCpu || 'none traced'}`,
    ];
  }
}
