import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/open.ts';
import { backupDatabase, restoreDatabase } from './backup.ts';

describe('backup and restore of the embedded database', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'minsheng-backup-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('round-trips: backup, change, restore brings the backed-up state back; old database kept aside', async () => {
    const config = { dataDir: path.join(root, 'data') };
    let db = await openDatabase(config);
    await db.query(`INSERT INTO settings (key, value) VALUES ('probe', '"before"')`);
    await db.close();

    const file = path.join(root, 'b.tar.gz');
    const r = await backupDatabase(config, file);
    expect(r.bytes).toBeGreaterThan(1000);
    expect(fs.existsSync(file)).toBe(true);

    db = await openDatabase(config);
    await db.query(`UPDATE settings SET value = '"after"' WHERE key = 'probe'`);
    await db.close();

    const restored = await restoreDatabase(config, file);
    expect(restored.cases).toBe(0);
    expect(restored.movedAside && fs.existsSync(restored.movedAside)).toBe(true);
    db = await openDatabase(config);
    const [row] = await db.query(`SELECT value FROM settings WHERE key = 'probe'`);
    expect(row.value).toBe('before');
    await db.close();
  }, 240_000); // three on-disk PGlite starts: slow on a busy 2-core machine

  it('refuses a broken file without touching the database, and a server database', async () => {
    const config = { dataDir: path.join(root, 'data2') };
    const db = await openDatabase(config);
    await db.close();
    const junk = path.join(root, 'junk.tar.gz');
    fs.writeFileSync(junk, 'not a backup');
    await expect(restoreDatabase(config, junk)).rejects.toThrow(/无法恢复/);
    expect(fs.existsSync(path.join(config.dataDir, 'pg', 'PG_VERSION'))).toBe(true);
    await expect(backupDatabase({ ...config, databaseUrl: 'postgres://x@localhost/db' }, junk)).rejects.toThrow(/pg_dump/);
  }, 240_000);
});
