// After a case change committed: NOTIFY 'case_changed' and run the afterCommit hooks (errors are logged,
// never thrown). NOTIFY is sent after commit and coalesced: one statement carries every notification queued
// while the previous one ran. (A NOTIFY inside each intake transaction would serialise all commits on
// PostgreSQL's notify queue lock, ruling out group commit.)
import type { Db } from '../store/db.ts';
import type { AppContext } from '../server/context.ts';
import { caseHooks, type CaseChange } from './hooks.ts';

interface Queue { pending: string[]; running: Promise<void> | null }
const queues = new WeakMap<Db, Queue>();

export function notifyCaseChanged(db: Db, payload: { id: number; action: string; status: string }): void {
  let q = queues.get(db);
  if (!q) queues.set(db, (q = { pending: [], running: null }));
  q.pending.push(JSON.stringify(payload));
  if (!q.running) q.running = drain(db, q);
}

const COALESCE_MS = 25; // live-update latency traded for one statement per burst instead of one per case

async function drain(db: Db, q: Queue): Promise<void> {
  await new Promise((r) => setTimeout(r, COALESCE_MS));
  while (q.pending.length) {
    const batch = q.pending.splice(0, 1000);
    try {
      await db.query(`SELECT count(pg_notify('case_changed', p)) FROM unnest(string_to_array($1, E'\\x1e')) AS p`, [batch.join('\x1e')]);
    } catch (err) {
      console.error('[cases] NOTIFY case_changed failed:', (err as Error).message);
    }
  }
  q.running = null;
}

/** Resolves when every queued notification has been sent (tests, shutdown). */
export async function flushCaseNotifications(db: Db): Promise<void> {
  while (queues.get(db)?.running) await queues.get(db)!.running;
}

export function runAfterCommit(ctx: AppContext, change: CaseChange): void {
  notifyCaseChanged(ctx.db, { id: Number(change.after.id), action: change.action, status: change.after.status });
  for (const h of caseHooks()) {
    if (!h.afterCommit) continue;
    h.afterCommit(ctx, change).catch((err) => console.error(`[cases] afterCommit hook ${h.name} failed:`, err));
  }
}
