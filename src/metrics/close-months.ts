// Closing months of the rollups: at the start of a month the months before it move from "read from the daily
// rollups" to "read from the monthly rollups" — their monthly rows summed once from the daily ones. Until then
// intake writes no monthly rows (migration 0080). Run hourly by the job workers; harmless to run any time.
import type { Db } from '../store/db.ts';
import { registerJob } from '../jobs/registry.ts';
import { localDay, monthStart } from '../shared/time.ts';
import { monthlyFromDailySql } from './rollups.ts';

/** Closes every month before the month of `today` (local day) not closed yet; returns the new first open month. */
export async function closeRollupMonths(db: Db, today = localDay(new Date())): Promise<{ openFrom: string; closed: number }> {
  const openFrom = monthStart(today);
  const [state] = await db.query<{ open_from: string }>(`SELECT open_from::text FROM rollup_months`);
  if (state && state.open_from >= openFrom) return { openFrom: state.open_from, closed: 0 };
  return db.tx(async (tx) => {
    // Case changes write the monthly tables (their CTEs take ROW EXCLUSIVE when planned, before their snapshot):
    // this lock waits for those in flight and holds the next ones until the new boundary is committed, so no
    // change is summed twice or missed — it lands either in the daily rows summed here or in the monthly row.
    await tx.exec('LOCK TABLE rollup_monthly, rollup_cube_monthly IN SHARE ROW EXCLUSIVE MODE');
    const [{ open_from: from }] = await tx.query<{ open_from: string }>(`SELECT open_from::text FROM rollup_months FOR UPDATE`);
    if (from >= openFrom) return { openFrom: from, closed: 0 };
    const range = [from, openFrom];
    const where = `local_day >= $1::date AND local_day < $2::date`;
    // Normally empty: a month's monthly rows are only written once it is closed.
    await tx.query(`DELETE FROM rollup_monthly WHERE ${where}`, range);
    await tx.query(`DELETE FROM rollup_cube_monthly WHERE ${where}`, range);
    for (const sql of monthlyFromDailySql(where)) await tx.query(sql, range);
    await tx.query(`UPDATE rollup_months SET open_from = $1::date`, [openFrom]);
    const [{ n }] = await tx.query<{ n: number }>(`SELECT count(DISTINCT date_trunc('month', local_day))::int AS n FROM rollup_cube_monthly WHERE ${where}`, range);
    return { openFrom, closed: n };
  });
}

export function registerMetricsJobs(): void {
  registerJob({ name: 'metrics.close-months', everyMs: 3600_000, run: async (ctx) => void (await closeRollupMonths(ctx.db)) });
}
