// Process start: config → database (migrated) → reference data and demo on an empty database → HTTP.
import type { Config } from '../config.ts';
import { openDatabase } from '../store/open.ts';
import { createSecrets, loadOrCreateSecret } from '../shared/secrets.ts';
import type { AppContext } from './context.ts';
import { buildApp } from './app.ts';
import { prepareOnStart } from '../city/start-demo.ts';
import { registerCaseHooks } from '../cases/hooks.ts';
import { scheduleDailyWarning, warningHooks } from '../warning/run.ts';

export async function createContext(config: Config): Promise<AppContext> {
  const db = await openDatabase(config);
  const secrets = createSecrets(loadOrCreateSecret(config.secret, config.dataDir));
  return { db, config, secrets };
}

export async function startServer(config: Config): Promise<{ url: string; close: () => Promise<void> }> {
  const ctx = await createContext(config);
  let warnErr = (e: unknown) => console.error('预警运行失败', e);
  registerCaseHooks(warningHooks({ onError: (e) => warnErr(e) })); // before the demo load: its afterBulkLoad schedules a first run
  await prepareOnStart(ctx);
  const app = await buildApp(ctx, { logger: true });
  warnErr = (e: unknown) => app.log.error({ err: e }, '预警运行失败');
  const stopWarning = scheduleDailyWarning(ctx, { onError: warnErr });
  await app.listen({ port: config.port, host: config.host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://localhost:${port}`;
  const close = async () => {
    stopWarning();
    await app.close();
    await ctx.db.close();
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void close().then(() => process.exit(0)));
  return { url, close };
}
