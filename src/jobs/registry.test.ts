// Two workers on one database never run the same job at once nor the same period twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../tests/engines.ts';
import { loadConfig } from '../config.ts';
import { createSecrets } from '../shared/secrets.ts';
import type { AppContext } from '../server/context.ts';
import type { Db } from '../store/db.ts';
import { openPostgres } from '../store/postgres-db.ts';
import { claimJob, registerJob, runDueJobs, type Job } from './registry.ts';

const ctxOf = (db: Db): AppContext => ({ db, config: loadConfig({ dataDir: '/tmp/minsheng-jobs-test' }), secrets: createSecrets('j'.repeat(32)) });

for (const engine of engines()) {
  describe(`job registry (${engine.name})`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await engine.open();
    });
    afterAll(async () => db?.close());

    it('a claimed job is not due again within its period', async () => {
      const job: Job = { name: `t.once.${engine.name}`, everyMs: 60_000, run: async () => {} };
      expect(await claimJob(ctxOf(db), job, 'w1')).toBe(true);
      expect(await claimJob(ctxOf(db), job, 'w2')).toBe(false);
    });

    it('concurrent workers run a due job exactly once', async () => {
      let runs = 0;
      let active = 0;
      registerJob({
        name: `t.count.${engine.name}`, everyMs: 60_000,
        run: async () => {
          active++;
          expect(active).toBe(1);
          runs++;
          await new Promise((r) => setTimeout(r, 50));
          active--;
        },
      });
      // On a real server: separate connection pools stand for separate processes.
      const others: Db[] = engine.name === 'postgres' ? await Promise.all([1, 2, 3].map(async () => openPostgres(await urlOf(db)))) : [db, db, db];
      try {
        await Promise.all(others.map((d, i) => runDueJobs(ctxOf(d), { owner: `w${i}` })));
      } finally {
        if (engine.name === 'postgres') await Promise.all(others.map((d) => d.close()));
      }
      expect(runs).toBe(1);
      const [lease] = await db.query('SELECT runs, last_finished, lease_until FROM job_leases WHERE name = $1', [`t.count.${engine.name}`]);
      expect(lease.runs).toBe(1);
      expect(lease.last_finished).toBeTruthy();
      expect(lease.lease_until).toBeNull();
    });
  });
}

/** A connection URL to the same test database (postgres engine), for extra independent pools. */
async function urlOf(db: Db): Promise<string> {
  const [{ name }] = await db.query<{ name: string }>('SELECT current_database() AS name');
  const u = new URL(process.env.TEST_DATABASE_URL!);
  u.pathname = `/${name}`;
  return u.toString();
}
