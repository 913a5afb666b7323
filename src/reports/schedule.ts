// The monthly schedule: early each month, the previous month's report is generated once into
// <dataDir>/reports/, whichever worker gets there first (advisory lock + a unique report_runs row).
import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../server/context.ts';
import { localDay, monthStart } from '../shared/time.ts';
import { shiftMonths } from '../metrics/query.ts';
import { generateReport } from './generate-report.ts';
import { registerJob } from '../jobs/registry.ts';
import type { ReportFormat } from './model.ts';

const LOCK_KEY = 7_312_346;

/** Generates last month's reports if not done yet; returns the files written now. */
export async function runMonthlyReports(ctx: AppContext, now = new Date(), formats: ReportFormat[] = ['docx', 'pdf']): Promise<string[]> {
  const month = shiftMonths(monthStart(localDay(now)), -1).slice(0, 7);
  const written: string[] = [];
  for (const format of formats) {
    const claimed = await ctx.db.tx(async (tx) => {
      const [{ ok }] = await tx.query('SELECT pg_try_advisory_xact_lock($1) AS ok', [LOCK_KEY]);
      if (!ok) return false;
      const rows = await tx.query(`INSERT INTO report_runs (kind, period, format) VALUES ('monthly', $1, $2) ON CONFLICT DO NOTHING RETURNING period`, [month, format]);
      return rows.length > 0;
    });
    if (!claimed) continue;
    try {
      const r = await generateReport(ctx.db, { kind: 'monthly', month }, format);
      const dir = path.join(ctx.config.dataDir, 'reports');
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, r.fileName);
      fs.writeFileSync(file, r.data);
      await ctx.db.query(`UPDATE report_runs SET status = 'done', file = $3, done_at = now() WHERE kind = 'monthly' AND period = $1 AND format = $2`, [month, format, file]);
      written.push(file);
    } catch (err) {
      await ctx.db.query(`UPDATE report_runs SET status = 'failed', error = $3, done_at = now() WHERE kind = 'monthly' AND period = $1 AND format = $2`, [month, format, String((err as Error).message).slice(0, 500)]);
    }
  }
  return written;
}

/** The monthly report job: checked hourly by the job workers (src/jobs/registry.ts); the report_runs row makes
 * each month's report happen once even across workers and restarts. */
export function registerReportJobs(): void {
  registerJob({ name: 'reports.monthly', everyMs: 3600_000, leaseMs: 1800_000, run: async (ctx) => void (await runMonthlyReports(ctx)) });
}
