// Warning runs: the daily batch (`minsheng warn run`, the server's scheduled job) and the incremental run
// that case hooks trigger (debounced; concentrated + emerging over the recent window only) so that an alert
// appears within a minute of the request that tips it.
// Detection is read-only and may run in several workers; writes go through upsertAlerts under an advisory
// lock with deterministic incident keys, so two workers never raise the same alert twice.
import type { AppContext } from '../server/context.ts';
import { SYSTEM_ACTOR } from '../server/context.ts';
import type { CaseHooks } from '../cases/hooks.ts';
import { localDay } from '../shared/time.ts';
import { detectAll, type WarningOptions } from './detect.ts';
import { detectInWorkers, snapshotAndDetectInWorker, warmWarningWorkers, type KindTimings } from './detect-in-worker.ts';
import { loadWarningInput, snapshotSize } from './load-input.ts';
import { upsertAlerts } from './alerts.ts';

export interface RunSummary {
  day: string;
  detections: number;
  created: number;
  updated: number;
  byKind: Record<string, number>;
  snapshot: { countRows: number; recentCases: number; texts: number };
  seconds: { load: number; detect: number; write: number; byKind: KindTimings };
}

/**
 * One run: read the snapshot (SQL does the counting), detect in worker threads, upsert alerts. Trending
 * compares whole local days with their expected counts, so it belongs to the daily run over complete days;
 * a run without it (the incremental one) reads only the recent window.
 */
export async function runWarning(ctx: AppContext, o: { day?: string; now?: Date; options?: WarningOptions; inWorkers?: boolean; readInWorker?: string; generation?: number } = {}): Promise<RunSummary> {
  const now = o.now ?? new Date();
  const day = o.day ?? localDay(now);
  const kinds = o.options?.kinds ?? ['trending', 'concentrated', 'emerging'];
  // An incremental run (no day given, no trending) follows the last one over the same window: its detectors keep
  // what the next can reuse.
  const incremental = !o.day && !kinds.includes('trending');
  const options: WarningOptions = { ...o.options, keep: incremental };
  const t0 = performance.now();
  const s = (ms: number) => Math.round(ms) / 1000;
  // An incremental run on a database server is read and detected in a worker with its own connection.
  const inWorker = o.readInWorker && incremental
    ? await snapshotAndDetectInWorker({ url: o.readInWorker, day, upTo: now.getTime(), generation: o.generation ?? 0 }, options)
    : null;
  let detections, snapshot, seconds;
  if (inWorker) {
    ({ detections, snapshot } = inWorker);
    seconds = { load: s(inWorker.loadMs), detect: s(inWorker.detectMs) };
  } else {
    const input = await loadWarningInput(ctx.db, day, { upTo: o.day ? undefined : now, counts: kinds.includes('trending'), cache: incremental ? { generation: o.generation ?? 0 } : undefined });
    const t1 = performance.now();
    // Worker threads pay off on a city's volume; a small snapshot is detected here faster than a worker starts.
    const inWorkers = o.inWorkers ?? input.recent.id.length + input.counts.day.length >= WORKER_MIN_ROWS;
    const r = inWorkers ? await detectInWorkers(input, options) : { detections: detectAll(input, options), timings: {} };
    detections = r.detections;
    snapshot = snapshotSize(input);
    seconds = { load: s(t1 - t0), detect: s(performance.now() - t1), byKind: r.timings };
  }
  const t2 = performance.now();
  const res = await upsertAlerts(ctx.db, detections, SYSTEM_ACTOR);
  const byKind: Record<string, number> = {};
  for (const d of detections) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
  return { day, detections: detections.length, created: res.created, updated: res.updated, byKind, snapshot, seconds: { byKind: {}, ...seconds, write: s(performance.now() - t2) } };
}

/** Snapshots with fewer rows (recent cases + count rows) are detected on the calling thread. */
const WORKER_MIN_ROWS = 50_000;

/** Incremental runs: the families that react to single requests (trending waits for the day to complete). */
export const INCREMENTAL_KINDS: NonNullable<WarningOptions['kinds']> = ['concentrated', 'emerging'];

/** The database an incremental run reads in its worker (a server's, not embedded PGlite, which lives in this
 *  process), unless the caller keeps detection on this thread. */
const readInWorker = (ctx: AppContext, inWorkers?: boolean) => (ctx.db.engine === 'postgres' && inWorkers !== false ? ctx.config.databaseUrl : undefined);
/** Readies the incremental run's worker threads (a serving process, at start). */
export const warmIncrementalWarning = (ctx: AppContext) => {
  const url = readInWorker(ctx);
  return url ? warmWarningWorkers(['snapshot'], url) : warmWarningWorkers(INCREMENTAL_KINDS);
};
/** Incremental runs are spaced by at least this many times the last run's duration. */
export const DUTY = 1;
/** A new case schedules the incremental run this long after it (cases arriving meanwhile join the run). Each run
 *  detects over the whole recent window (seconds of CPU on a city's volume), so while cases keep coming this sets
 *  the detectors' share of the machine: 20 s instead of 10 s measured p99 109–115 ms against 143–199 ms and
 *  0.07 CPU-ms less per case at 1,000 cases/s (bench intake, open loop, session 6); 30 s instead of 20 s ≈ 6 % less
 *  CPU per case and 4–7 % more cases/s (closed loop, 16 clients, 40 s, two alternating pairs, session 7). Worst case
 *  for an alert: T + 30 s + T, ≈ 43 s with the 6.7 s runs measured on a year of a city's cases (target ≤ 60 s). */
export const DEBOUNCE_MS = 30_000;

/**
 * Case hook: after a case is created, schedule one run `debounceMs` later (requests arriving meanwhile join
 * the same run). A run in progress is followed by at most one more.
 */
export function warningHooks(o: { debounceMs?: number; options?: WarningOptions; now?: () => Date; inWorkers?: boolean; onRun?: (s: RunSummary) => void; onError?: (e: unknown) => void } = {}): CaseHooks & { flush(): Promise<void> } {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let lastCtx: AppContext | null = null;
  let lastRunMs = 0;
  let lastRunEnd = 0;
  /** Bulk loads so far: they may bring cases with old timestamps, which the cached snapshot would not see. */
  let generation = 0;
  const fire = async () => {
    timer = null;
    if (running) { again = true; return; }
    running = (async () => {
      const started = Date.now();
      try {
        // In a serving process detection runs in the (persistent) worker threads whatever the volume: even a small
        // centre's snapshot takes tens to hundreds of ms, which on the event loop would stall every request. On a
        // database server the snapshot is read there too (at 1,000 cases/s its rows stalled intake by 100+ ms).
        const s = await runWarning(lastCtx!, { options: { kinds: INCREMENTAL_KINDS, ...o.options }, now: o.now?.(), inWorkers: o.inWorkers ?? true, readInWorker: readInWorker(lastCtx!, o.inWorkers), generation });
        o.onRun?.(s);
      } catch (e) {
        o.onError?.(e);
      } finally {
        lastRunEnd = Date.now();
        lastRunMs = lastRunEnd - started;
        running = null;
        if (again) { again = false; schedule(); }
      }
    })();
    await running;
  };
  // Duty cycle: detection runs in worker threads but still takes CPU from the machine, so the next run waits
  // at least DUTY × the last one's duration — the detectors never take more than about 1/(DUTY+1) of it.
  // Worst case for a request arriving just after a run started: T + max(debounce, DUTY·T) + T.
  const schedule = () => {
    if (timer) return;
    const wait = Math.max(o.debounceMs ?? DEBOUNCE_MS, DUTY * lastRunMs - (Date.now() - lastRunEnd));
    timer = setTimeout(() => void fire(), wait);
    timer.unref?.();
  };
  return {
    name: 'warning',
    async afterCommit(ctx, change) {
      if (change.action !== 'create') return;
      lastCtx = ctx;
      schedule();
    },
    async afterBulkLoad(ctx) {
      lastCtx = ctx;
      generation++;
      schedule();
    },
    async flush() {
      if (timer) { clearTimeout(timer); await fire(); }
      while (running) await running;
    },
  };
}

/** Daily batch at a fixed local hour (default 01:00); returns a stop function. */
export function scheduleDailyWarning(ctx: AppContext, o: { hour?: number; onRun?: (s: RunSummary) => void; onError?: (e: unknown) => void } = {}): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout;
  const next = () => {
    const now = Date.now();
    const hour = o.hour ?? 1;
    const local = new Date(now + 8 * 3600_000);
    const target = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), hour) - 8 * 3600_000;
    const at = target > now ? target : target + 86400_000;
    timer = setTimeout(async () => {
      if (stopped) return;
      try {
        // yesterday, complete
        o.onRun?.(await runWarning(ctx, { day: localDay(Date.now() - 86400_000) }));
      } catch (e) {
        o.onError?.(e);
      }
      next();
    }, at - now);
    timer.unref?.();
  };
  next();
  return () => { stopped = true; clearTimeout(timer); };
}
