// Warning runs: the daily batch (`minsheng warn run`, the server's scheduled job) and the incremental run
// that case hooks trigger (debounced) so that an alert appears within a minute of the request that tips it.
// Detection is read-only and may run in several workers; writes go through upsertAlerts under an advisory
// lock with deterministic incident keys, so two workers never raise the same alert twice.
import type { AppContext } from '../server/context.ts';
import { SYSTEM_ACTOR } from '../server/context.ts';
import type { CaseHooks } from '../cases/hooks.ts';
import { localDay } from '../shared/time.ts';
import { detectAll, type WarningOptions } from './detect.ts';
import { loadWarningInput } from './load-input.ts';
import { upsertAlerts } from './alerts.ts';
import { detectOffThread } from './detect-off-thread.ts';

export interface RunSummary {
  day: string;
  detections: number;
  created: number;
  updated: number;
  byKind: Record<string, number>;
  seconds: { load: number; detect: number; write: number };
}

/** One run: snapshot → detectors → alerts. `offThread`: detect in the worker thread (serving processes). */
export async function runWarning(ctx: AppContext, o: { day?: string; now?: Date; options?: WarningOptions; offThread?: boolean } = {}): Promise<RunSummary> {
  const now = o.now ?? new Date();
  const day = o.day ?? localDay(now);
  const t0 = performance.now();
  const input = await loadWarningInput(ctx.db, day, { upTo: o.day ? undefined : now });
  const t1 = performance.now();
  const detections = o.offThread ? await detectOffThread(input, o.options) : detectAll(input, o.options);
  const t2 = performance.now();
  const res = await upsertAlerts(ctx.db, detections, SYSTEM_ACTOR);
  const t3 = performance.now();
  const byKind: Record<string, number> = {};
  for (const d of detections) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
  const s = (a: number, b: number) => Math.round(b - a) / 1000;
  return { day, detections: detections.length, created: res.created, updated: res.updated, byKind, seconds: { load: s(t0, t1), detect: s(t1, t2), write: s(t2, t3) } };
}

/** Incremental runs are spaced by at least this many times the last run's duration. */
const DUTY = 4;

/**
 * Case hook: after a case is created, schedule one run `debounceMs` later (requests arriving meanwhile join
 * the same run). A run in progress is followed by at most one more.
 */
export function warningHooks(o: { debounceMs?: number; options?: WarningOptions; now?: () => Date; onRun?: (s: RunSummary) => void; onError?: (e: unknown) => void } = {}): CaseHooks & { flush(): Promise<void> } {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let lastCtx: AppContext | null = null;
  let lastRunMs = 0;
  let lastRunEnd = 0;
  const fire = async () => {
    timer = null;
    if (running) { again = true; return; }
    running = (async () => {
      const started = Date.now();
      try {
        const s = await runWarning(lastCtx!, { options: o.options, now: o.now?.(), offThread: true });
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
  // Duty cycle: a run over a large history is long and CPU-bound in this process, so the next one waits at
  // least DUTY × its duration — detection never takes more than about 1/DUTY of the serving process.
  const schedule = () => {
    if (timer) return;
    const wait = Math.max(o.debounceMs ?? 10_000, DUTY * lastRunMs - (Date.now() - lastRunEnd));
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
        o.onRun?.(await runWarning(ctx, { day: localDay(Date.now() - 86400_000), offThread: true }));
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
