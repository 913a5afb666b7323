// Process start: config → database (migrated) → reference data and demo on an empty database → HTTP.
import type { Config } from '../config.ts';
import { openDatabase } from '../store/open.ts';
import { createSecrets, loadOrCreateSecret } from '../shared/secrets.ts';
import type { AppContext } from './context.ts';
import { buildApp } from './app.ts';
import { registerMetricsHooks } from '../metrics/hooks.ts';
import { startReportSchedule } from '../reports/schedule.ts';

export async function createContext(config: Config): Promise<AppContext> {
  registerMetricsHooks();
  const db = await openDatabase(config);
  const secrets = createSecrets(loadOrCreateSecret(config.secret, config.dataDir));
  return { db, config, secrets };
}

export async function startServer(config: Config): Promise<{ url: string; close: () => Promise<void> }> {
  const ctx = await createContext(config);
  const app = await buildApp(ctx, { logger: true });
  await app.listen({ port: config.port, host: config.host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://localhost:${port}`;
  const stopReports = startReportSchedule(ctx, (msg) => app.log.info(msg));
  const close = async () => {
    stopReports();
    await app.close();
    await ctx.db.close();
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void close().then(() => process.exit(0)));
  return { url, close };
}
