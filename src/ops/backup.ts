// Backup and restore of the embedded database (PGlite): a consistent dump of its data directory as one
// .tar.gz file, and a restore that never overwrites a database in place (the old one is moved aside).
// For a real PostgreSQL server use pg_dump / PITR (see README): this refuses and says so.
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import type { Config } from '../config.ts';

const SERVER_HINT = '当前配置为 PostgreSQL 服务器 (DATABASE_URL)：请使用 pg_dump / pg_restore 或 PITR（见 README“备份与恢复”）';

export function defaultBackupFile(now = new Date()): string {
  return `minsheng-backup-${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-')}.tar.gz`;
}

/** Dumps dataDir/pg to `out`; the server must be stopped (PGlite allows one process). Returns bytes and case count. */
export async function backupDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>, out: string): Promise<{ file: string; bytes: number; cases: number }> {
  if (config.databaseUrl) throw new Error(SERVER_HINT);
  const dir = path.join(config.dataDir, 'pg');
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) throw new Error(`没有找到嵌入式数据库: ${dir}`);
  const pg = await PGlite.create({ dataDir: dir, extensions: { pg_trgm, btree_gin } });
  try {
    const [{ n }] = (await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM cases`)).rows;
    await pg.query('CHECKPOINT');
    const blob = await pg.dumpDataDir('gzip');
    const buf = Buffer.from(await blob.arrayBuffer());
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    const tmp = `${out}.partial`;
    fs.writeFileSync(tmp, buf);
    fs.renameSync(tmp, out); // a crash never leaves a half-written file under the final name
    return { file: path.resolve(out), bytes: buf.length, cases: n };
  } finally {
    await pg.close();
  }
}

/** Restores a backup into dataDir/pg. An existing database is moved to pg.before-restore-<time> first. */
export async function restoreDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>, file: string): Promise<{ cases: number; movedAside?: string }> {
  if (config.databaseUrl) throw new Error(SERVER_HINT);
  if (!fs.existsSync(file)) throw new Error(`备份文件不存在: ${file}`);
  const dir = path.join(config.dataDir, 'pg');
  const staging = `${dir}.restoring`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const blob = new Blob([fs.readFileSync(file)]);
  let cases: number;
  try {
    const pg = await PGlite.create({ dataDir: staging, loadDataDir: blob, extensions: { pg_trgm, btree_gin } });
    cases = (await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM cases`)).rows[0].n;
    await pg.close();
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new Error(`备份文件无法恢复（损坏或不是民生备份）: ${(err as Error).message}`);
  }
  let movedAside: string | undefined;
  if (fs.existsSync(dir)) {
    movedAside = `${dir}.before-restore-${Date.now()}`;
    fs.renameSync(dir, movedAside);
  }
  fs.renameSync(staging, dir);
  return { cases, movedAside };
}
