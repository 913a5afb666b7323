import type { Config } from '../config.ts';
import type { Db } from './db.ts';
import { openPglite } from './pglite-db.ts';
import { openPostgres } from './postgres-db.ts';
import { migrate } from './migrate.ts';

/** Opens the configured database (real server if DATABASE_URL is set, else embedded in dataDir) and migrates it. */
export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>, opts: { migrate?: boolean } = {}): Promise<Db> {
  let db: Db;
  try {
    db = config.databaseUrl ? await openPostgres(config.databaseUrl) : await openPglite(`${config.dataDir}/pg`);
  } catch (err) {
    const where = config.databaseUrl ? redactUrl(config.databaseUrl) : `${config.dataDir}/pg`;
    throw new Error(`无法打开数据库 ${where}: ${(err as Error).message}`, { cause: err });
  }
  if (opts.migrate !== false) await migrate(db);
  return db;
}

export const redactUrl = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
