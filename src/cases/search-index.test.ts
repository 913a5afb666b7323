import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../tests/engines.ts';
import { seededContext } from '../../tests/fixtures/context.ts';
import type { Db } from '../store/db.ts';
import type { AppContext } from '../server/context.ts';
import { SYSTEM_ACTOR } from '../server/context.ts';
import { createCase } from './create-case.ts';
import { listCases, ListCasesQuery } from './list-cases.ts';
import { startSearchIndexUpkeep } from './search-index.ts';

for (const engine of engines()) {
  describe(`case search index upkeep (${engine.name})`, () => {
    let db: Db;
    let ctx: AppContext;
    beforeAll(async () => {
      ({ db, ctx } = await seededContext(engine));
    });
    afterAll(async () => {
      await db?.close();
    });
    const addCases = (tag: string, n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => createCase(ctx, { channel: '12345', content: `${tag}小区第${i}号楼下水道堵塞` }, SYSTEM_ACTOR)));
    /** Pending-list pages merged by a manual clean (0: nothing was pending). */
    const cleanNow = async () => (await db.query<{ n: number }>(`SELECT gin_clean_pending_list('cases_search_trgm'::regclass)::int AS n`))[0]!.n;

    it('new cases wait in the pending list (the inserting statement no longer merges small lists)', async () => {
      await addCases('待合并', 40);
      expect(await cleanNow()).toBeGreaterThan(0);
    });

    it('the timer merges the list while cases come in; searches find the cases before and after', async () => {
      await addCases('翠湖', 40);
      const errors: unknown[] = [];
      const found = async () => (await listCases(ctx, ListCasesQuery.parse({ q: '翠湖小区', pageSize: 100 }), SYSTEM_ACTOR)).total;
      expect(await found()).toBe(40); // read from the pending list
      const stop = startSearchIndexUpkeep(db, { everyMs: 20, onError: (e) => errors.push(e) });
      try {
        await new Promise((r) => setTimeout(r, 300));
      } finally {
        stop();
      }
      expect(errors).toEqual([]);
      expect(await cleanNow()).toBe(0); // nothing left for anyone else to merge
      expect(await found()).toBe(40); // now from the index proper
    });
  });
}
