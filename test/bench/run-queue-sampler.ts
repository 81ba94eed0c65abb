/**
 * Where a long task's wall time went, from the kernel's own accounting: samples one thread's
 * `/proc/<pid>/task/<tid>/schedstat` (nanoseconds run on a CPU, nanoseconds spent runnable but waiting in a
 * run queue) every few milliseconds, and answers, for an interval of wall time, how much of it the thread ran
 * and how much it waited for a core. The monitor bench samples the page's renderer main thread: a 60 ms long
 * task in which the thread ran 15 ms and waited 45 ms was the machine's other work holding the cores, not the
 * page's. Reading a tiny proc file a few hundred times a second costs well under 1 % of a core, and unlike a
 * trace it adds nothing to the page. `ThreadCensus` picks the machine's busiest threads, so a long task can
 * also say who held the cores meanwhile.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface RunAndWait {
  readonly ranMs: number;
  readonly waitedMs: number;
}

export class RunQueueSampler {
  private readonly atMs: number[] = [];
  /** Per thread, per sample: [ran ns, waited ns]; NaN once a thread has ended. */
  private readonly ranNs: number[][];
  private readonly waitedNs: number[][];
  private timer: ReturnType<typeof setInterval> | null = null;

  /** `retainMs`: how far back an interval may be asked about (the bench asks within seconds). */
  constructor(
    readonly threads: readonly NamedThread[],
    private readonly everyMs = 4,
    private readonly retainMs = 60_000,
  ) {
    this.ranNs = threads.map(() => []);
    this.waitedNs = threads.map(() => []);
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Ran and waited by thread `index` over [fromMs, toMs] (epoch ms), from the samples bracketing it (so an
   * interval may read a few ms wider than asked); null when the samples do not cover it.
   */
  over(index: number, fromMs: number, toMs: number): RunAndWait | null {
    const first = this.lastAtOrBefore(fromMs);
    const last = this.firstAtOrAfter(toMs);
    const ran = this.ranNs[index];
    const waited = this.waitedNs[index];
    if (first < 0 || last < 0 || last <= first || !ran || !waited) return null;
    const result = { ranMs: ((ran[last] ?? 0) - (ran[first] ?? 0)) / 1e6, waitedMs: ((waited[last] ?? 0) - (waited[first] ?? 0)) / 1e6 };
    return Number.isFinite(result.ranMs) && Number.isFinite(result.waitedMs) ? result : null;
  }

  private sample(): void {
    this.atMs.push(performance.timeOrigin + performance.now());
    this.threads.forEach((thread, i) => {
      let ran = Number.NaN;
      let waited = Number.NaN;
      try {
        [ran = Number.NaN, waited = Number.NaN] = readFileSync(thread.schedstatPath, 'utf8').trim().split(/\s+/).map(Number);
      } catch {
        // the thread ended
      }
      this.ranNs[i]?.push(ran);
      this.waitedNs[i]?.push(waited);
    });
    // Drop what is older than the retention, a second's worth of samples at a time.
    const stale = this.firstAtOrAfter((this.atMs[this.atMs.length - 1] ?? 0) - this.retainMs);
    if (stale > 250) {
      this.atMs.splice(0, stale);
      for (const series of [...this.ranNs, ...this.waitedNs]) series.splice(0, stale);
    }
  }

  /** Index of the last sample taken at or before `t`, or -1. */
  private lastAtOrBefore(t: number): number {
    return this.firstAfter(t, true) - 1;
  }

  /** Index of the first sample taken at or after `t`, or -1. */
  private firstAtOrAfter(t: number): number {
    const i = this.firstAfter(t, false);
    return i < this.atMs.length ? i : -1;
  }

  /** Index of the first sample later than `t` (or at it, unless `strictly`); the length when none is. */
  private firstAfter(t: number, strictly: boolean): number {
    let lo = 0;
    let hi = this.atMs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.atMs[mid] ?? Number.POSITIVE_INFINITY;
      if (at < t || (strictly && at === t)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** A thread by its schedstat path, with a readable name ("chromium gpu-process/VizCompositorTh"). */
export interface NamedThread {
  readonly name: string;
  readonly schedstatPath: string;
}

function ranNs(path: string): number {
  try {
    return Number(readFileSync(path, 'utf8').split(' ')[0]);
  } catch {
    return Number.NaN;
  }
}

/**
 * The threads of the given processes that ran the most over `sampleMs` (at least `minShare` of a core), so
 * the bench samples only the few that matter. `label` names a process ("server", "renderer"…).
 */
export async function busiestThreads(processes: ReadonlyMap<number, string>, sampleMs: number, minShare: number): Promise<NamedThread[]> {
  const threads: { name: string; path: string; before: number }[] = [];
  for (const [pid, label] of processes) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const path = `/proc/${pid}/task/${tid}/schedstat`;
      let comm = tid;
      try {
        comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      } catch {
        // ended
      }
      threads.push({ name: `${label}/${comm}${tid === String(pid) ? ' (main)' : ''}`, path, before: ranNs(path) });
    }
  }
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
  return threads
    .map((t) => ({ name: t.name, schedstatPath: t.path, share: (ranNs(t.path) - t.before) / (sampleMs * 1e6) }))
    .filter((t) => t.share >= minShare)
    .sort((a, b) => b.share - a.share)
    .map(({ name, schedstatPath }) => ({ name, schedstatPath }));
}
