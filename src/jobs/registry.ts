// Background jobs (early-warning batch, monthly reports, rollup compaction, auth cleanup …): domains register
// them once; any number of worker processes run them. A run is claimed under a PostgreSQL advisory lock by
// moving the job's lease row, so two workers never run the same job at once, nor the same period twice.
import os from 'node:os';
import crypto from 'node:crypto';
import type { AppContext } from '../server/context.ts';

export interface Job {
  name: string;
  /** Minimum time between the starts of two runs. */
  everyMs: number;
  /** Longest a run may take before another worker may take over (default 10 × everyMs, at most 1 h). */
  leaseMs?: number;
  run(ctx: AppContext, signal: AbortSignal): Promise<void>;
}

const jobs = new Map<string, Job>();

export function registerJob(job: Job): void {
  if (!/^[a-z0-9_.:-]+$/.test(job.name)) throw new Error(`invalid job name: ${job.name}`);
  jobs.set(job.name, job);
}

export function registeredJobs(): Job[] {
  return [...jobs.values()];
}

export const WORKER_ID = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;

/** 64-bit advisory lock key of a job (stable across processes). */
export function jobLockKey(name: string): string {
  return BigInt.asIntN(64, BigInt('0x' + crypto.createHash('sha256').update(`job:${name}`).digest('hex').slice(0, 16))).toString();
}

/**
 * Claims one run of a job if it is due and no live lease exists. The advisory transaction lock serialises
 * claimers; the lease row carries the claim past the transaction, so the job itself runs outside it.
 */
export async function claimJob(ctx: AppContext, job: Job, owner = WORKER_ID): Promise<boolean> {
  const leaseMs = job.leaseMs ?? Math.min(10 * job.everyMs, 3600_000);
  return ctx.db.tx(async (tx) => {
    const [{ locked }] = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [jobLockKey(job.name)]);
    if (!locked) return false;
    await tx.query('INSERT INTO job_leases (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [job.name]);
    const rows = await tx.query(
      `UPDATE job_leases SET owner = $2, lease_until = now() + make_interval(secs => $3), last_started = now(), runs = runs + 1
        WHERE name = $1 AND (lease_until IS NULL OR lease_until < now())
          AND (last_started IS NULL OR last_started <= now() - make_interval(secs => $4))
        RETURNING name`,
      [job.name, owner, leaseMs / 1000, job.everyMs / 1000],
    );
    return rows.length === 1;
  });
}

async function finishJob(ctx: AppContext, job: Job, owner: string, error: string | null): Promise<void> {
  await ctx.db.query(
    `UPDATE job_leases SET lease_until = NULL, last_finished = now(), last_error = $3 WHERE name = $1 AND owner = $2`,
    [job.name, owner, error],
  );
}

/** Runs every due job once (claimed); returns the names that ran. */
export async function runDueJobs(ctx: AppContext, opts: { owner?: string; signal?: AbortSignal; log?: (msg: string) => void } = {}): Promise<string[]> {
  const owner = opts.owner ?? WORKER_ID;
  const signal = opts.signal ?? new AbortController().signal;
  const ran: string[] = [];
  for (const job of jobs.values()) {
    if (signal.aborted) break;
    let claimed = false;
    try {
      claimed = await claimJob(ctx, job, owner);
    } catch (err) {
      opts.log?.(`任务 ${job.name} 领取失败: ${(err as Error).message}`);
      continue;
    }
    if (!claimed) continue;
    let error: string | null = null;
    try {
      await job.run(ctx, signal);
    } catch (err) {
      error = (err as Error).message ?? String(err);
      opts.log?.(`任务 ${job.name} 失败: ${error}`);
    }
    ran.push(job.name);
    await finishJob(ctx, job, owner, error).catch(() => {});
  }
  return ran;
}

/** The worker loop: checks due jobs every `tickMs` until stopped. */
export function startWorker(ctx: AppContext, opts: { tickMs?: number; log?: (msg: string) => void } = {}): { stop: () => Promise<void> } {
  const ac = new AbortController();
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const tick = () => {
    if (busy || ac.signal.aborted) return;
    busy = true;
    running = runDueJobs(ctx, { signal: ac.signal, log: opts.log })
      .catch((e) => opts.log?.(`任务调度失败: ${(e as Error).message}`))
      .finally(() => (busy = false));
  };
  const timer = setInterval(tick, opts.tickMs ?? 1000);
  timer.unref?.();
  tick();
  return {
    stop: async () => {
      ac.abort();
      clearInterval(timer);
      await running;
    },
  };
}
