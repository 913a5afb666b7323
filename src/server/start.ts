// Process start: config → database (migrated) → reference data and demo on an empty database → HTTP.
import type { Config } from '../config.ts';
import { openDatabase } from '../store/open.ts';
import { createSecrets, loadOrCreateSecret } from '../shared/secrets.ts';
import type { AppContext } from './context.ts';
import { buildApp } from './app.ts';
import { registerCaseHooks } from '../cases/hooks.ts';
import { knowledgeHooks } from '../knowledge/hooks.ts';
import { prepareOnStart } from '../city/start-demo.ts';
import { registerAuthJobs, ensureUsers } from '../auth/jobs.ts';
import { startWorker } from '../jobs/registry.ts';
import { startSearchIndexUpkeep } from '../cases/search-index.ts';
import { checkDataDir } from '../ops/preflight.ts';
import { installCrashGuard } from '../ops/crash-guard.ts';
import { startTagging, warmTagging } from '../tagging/hooks.ts';
import { defaultTaggingThreads, setTaggingThreads } from '../tagging/tag-in-worker.ts';
import { scheduleDailyWarning, warmIncrementalWarning, warningHooks } from '../warning/run.ts';
import { registerMetricsHooks } from '../metrics/hooks.ts';
import { startRollupUpkeep } from '../metrics/rollups.ts';
import { registerMetricsJobs } from '../metrics/close-months.ts';
import { registerReportJobs } from '../reports/schedule.ts';

/** Registers every domain's case hooks and background jobs (same in `serve` and `worker` processes). */
export function setupDomains(): void {
  registerAuthJobs();
  registerMetricsHooks();
  registerMetricsJobs();
  registerReportJobs();
  registerCaseHooks(knowledgeHooks);
}

export async function createContext(config: Config): Promise<AppContext> {
  setupDomains();
  checkDataDir(config); // a full disk or read-only directory says so, instead of a WASM abort
  const db = await openDatabase(config);
  const secrets = createSecrets(loadOrCreateSecret(config.secret, config.dataDir));
  return { db, config, secrets };
}

export async function startServer(config: Config, opts: { jobs?: boolean } = {}): Promise<{ url: string; close: () => Promise<void> }> {
  installCrashGuard();
  const ctx = await createContext(config);
  setTaggingThreads(config.taggingThreads ?? defaultTaggingThreads(ctx.db.engine));
  await startTagging(ctx); // hooks first: the demo bulk load trains the first model
  let warnErr = (e: unknown) => console.error('预警运行失败', e);
  registerCaseHooks(warningHooks({ onError: (e) => warnErr(e) })); // before the demo load: its afterBulkLoad schedules a first run
  await prepareOnStart(ctx);
  await ensureUsers(ctx); // after the reference data: demo unit staff belong to a real unit
  await Promise.all([warmTagging(ctx), warmIncrementalWarning(ctx)]);
  const app = await buildApp(ctx, { logger: true });
  warnErr = (e: unknown) => app.log.error({ err: e }, '预警运行失败');
  // With `serve --no-jobs` the timers below run in `minsheng worker` processes instead (as leased jobs).
  const runJobs = opts.jobs !== false || ctx.db.engine === 'pglite';
  const stopWarning = runJobs ? scheduleDailyWarning(ctx, { onError: warnErr }) : () => {};
  await app.listen({ port: config.port, host: config.host });
  // Background jobs run here too unless disabled (`serve --no-jobs` next to `minsheng worker` processes);
  // leases keep them from running twice. The embedded database has only this process, so it always runs them.
  const worker = runJobs ? startWorker(ctx, { log: (m) => app.log.warn(m) }) : null;
  const stopSearchUpkeep = startSearchIndexUpkeep(ctx.db, { onError: (e) => app.log.warn({ err: e }, '检索索引整理失败') });
  const stopRollupUpkeep = startRollupUpkeep(ctx.db, { onError: (e) => app.log.warn({ err: e }, '统计汇总更新失败') });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://localhost:${port}`;
  const close = async () => {
    await worker?.stop();
    stopWarning();
    stopSearchUpkeep();
    stopRollupUpkeep();
    await app.close();
    await ctx.db.close();
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void close().then(() => process.exit(0)));
  return { url, close };
}
