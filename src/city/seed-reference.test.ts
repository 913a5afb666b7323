// Reference data and a small demo load on both engines (PGlite always; PostgreSQL with TEST_DATABASE_URL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../tests/engines.ts';
import type { Db } from '../store/db.ts';
import type { AppContext } from '../server/context.ts';
import { createSecrets } from '../shared/secrets.ts';
import { loadConfig } from '../config.ts';
import { registerCaseHooks } from '../cases/hooks.ts';
import { seedReference } from './seed-reference.ts';
import { loadDemo } from './load-demo.ts';
import { loadTaxonomy } from './taxonomy.ts';
import { runLive } from './live.ts';
import { prepareOnStart } from './start-demo.ts';

const bulkLoads: { fromDay: string; toDay: string }[] = [];
registerCaseHooks({ name: 'city-test-bulk', afterBulkLoad: async (_ctx, range) => void bulkLoads.push(range) });

for (const engine of engines()) {
  describe(`city reference and demo load on ${engine.name}`, { timeout: 180_000 }, () => {
    let db: Db;
    let ctx: AppContext;
    beforeAll(async () => {
      db = await engine.open();
      ctx = { db, config: loadConfig({ dataDir: '/tmp/minsheng-city-test' }, {}), secrets: createSecrets('city-test-secret-0123456789') };
    });
    afterAll(async () => db?.close());

    it('seeds Changsha: divisions with GB/T 2260 codes, compounds, units, 3-level taxonomy, catalogue v1 (idempotent)', async () => {
      const first = await seedReference(db);
      expect(first.divisions).toBe(1 + 9 + 172 + 1649);
      const again = await seedReference(db);
      expect(again).toEqual({ divisions: 0, compounds: 0, units: 0, categories: 0, rules: 0 });
      const levels = await db.query<{ level: string; n: number }>('SELECT level, count(*)::int AS n FROM divisions GROUP BY level ORDER BY level');
      expect(Object.fromEntries(levels.map((r) => [r.level, r.n]))).toEqual({ city: 1, district: 9, street: 172, community: 1649 });
      const [fr] = await db.query('SELECT name, parent_code FROM divisions WHERE code = $1', ['430102']);
      expect(fr).toEqual({ name: '芙蓉区', parent_code: '4301' });
      const [bbox] = await db.query('SELECT min(lng) AS x0, max(lng) AS x1, min(lat) AS y0, max(lat) AS y1 FROM divisions WHERE level = $1', ['community']);
      expect(bbox.x0).toBeGreaterThan(111.8);
      expect(bbox.x1).toBeLessThan(114.3);
      expect(bbox.y0).toBeGreaterThan(27.8);
      expect(bbox.y1).toBeLessThan(28.8);
      const [cats] = await db.query<{ l1: number; l2: number; l3: number }>(`SELECT count(*) FILTER (WHERE level = 1)::int AS l1, count(*) FILTER (WHERE level = 2)::int AS l2, count(*) FILTER (WHERE level = 3)::int AS l3 FROM categories`);
      expect(cats.l1).toBeGreaterThanOrEqual(15);
      expect(cats.l2).toBeGreaterThanOrEqual(75);
      expect(cats.l3).toBeGreaterThanOrEqual(240);
      // Every leaf has a rule; local matters have one per district.
      const [uncovered] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM categories c WHERE level = 3 AND NOT EXISTS (SELECT 1 FROM dispatch_rules r WHERE r.category_code = c.code AND r.version = 1)`);
      expect(uncovered.n).toBe(0);
      const units = await db.query<{ kind: string; n: number }>('SELECT kind, count(*)::int AS n FROM units GROUP BY kind');
      const byKind = Object.fromEntries(units.map((r) => [r.kind, r.n]));
      expect(byKind.district).toBe(9);
      expect(byKind.street).toBe(172);
      expect(byKind.bureau).toBeGreaterThanOrEqual(25);
      const [c] = await db.query<{ name: string; aliases: string[] }>(`SELECT name, aliases FROM compounds WHERE kind = 'compound' AND array_length(aliases, 1) >= 1 LIMIT 1`);
      expect(c.aliases.length).toBeGreaterThan(0);
      expect((await db.query(`SELECT 1 FROM dispatch_catalogues WHERE version = 1 AND active`)).length).toBe(1);
      expect(loadTaxonomy().leaves.length).toBe(cats.l3);
    });

    it('bulk-loads a few days with events, moves sequences and counters, calls afterBulkLoad', async () => {
      const r = await loadDemo(ctx, { seed: 5, start: '2026-05-01', days: 3, perDay: 150, incidents: { concentrated: 1, trending: 1, emerging: 1 } });
      const [n] = await db.query<{ cases: number; events: number }>('SELECT (SELECT count(*) FROM cases)::int AS cases, (SELECT count(*) FROM case_events)::int AS events');
      expect(n).toEqual({ cases: r.cases, events: r.events });
      expect(bulkLoads).toContainEqual({ fromDay: '2026-05-01', toDay: '2026-05-03' });
      // Phones are never stored in plain text.
      const [one] = await db.query('SELECT caller_phone_enc, caller_phone_masked, caller_phone_hash FROM cases LIMIT 1');
      expect(one.caller_phone_enc).toMatch(/^v1:/);
      expect(one.caller_phone_masked).toMatch(/\*\*\*\*/);
      expect(ctx.secrets.decrypt(one.caller_phone_enc)).toMatch(/^\d{3}|^0731/);
      // The identity sequence continues after the generated ids; counters continue the case numbers.
      const [next] = await db.query<{ id: number }>(`INSERT INTO cases (case_no, channel, received_at, local_day, content, status) VALUES ('X-1', '12345', now(), '2026-05-03', '测试', 'received') RETURNING id`);
      expect(Number(next.id)).toBe(r.cases + 1);
      const [ctr] = await db.query<{ last: number }>(`SELECT last FROM case_number_counters WHERE day = '2026-05-03'`);
      const [maxNo] = await db.query<{ n: string }>(`SELECT max(case_no) AS n FROM cases WHERE local_day = '2026-05-03' AND case_no LIKE '20260503-%'`);
      expect(ctr.last).toBe(Number(maxNo.n.slice(9)));
      // The secondary indexes dropped for the load are back.
      const ix = await db.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'cases' AND indexname = 'cases_search_trgm'`);
      expect(ix).toHaveLength(1);
      // So are the foreign keys dropped for the load, validated (a bad reference would have failed the load).
      const fks = await db.query<{ conname: string; convalidated: boolean }>(
        `SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('cases'::regclass, 'case_events'::regclass) ORDER BY conname`);
      expect(fks.map((f) => f.conname)).toContain('case_events_case_id_fkey');
      expect(fks.map((f) => f.conname)).toContain('cases_repeat_of_fkey');
      expect(fks.length).toBeGreaterThanOrEqual(9);
      expect(fks.every((f) => f.convalidated)).toBe(true);
      await expect(db.query(`INSERT INTO case_events (case_id, at, actor, action) VALUES (987654321, now(), 'x', 'create')`)).rejects.toThrow();
      // A second load appends after the first.
      const r2 = await loadDemo(ctx, { seed: 6, start: '2026-05-04', days: 1, perDay: 100, worker: true }); // (big loads generate in a worker thread)
      const [m] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases');
      expect(m.n).toBe(r.cases + 1 + r2.cases);
    });

    it('live mode adds requests now, with a create event and a case_changed notification', async () => {
      const heard: string[] = [];
      const unlisten = await db.listen('case_changed', (p) => heard.push(p));
      const before = Date.now();
      const added = await runLive(ctx, { seed: 1, rate: 60_000, limit: 3 });
      expect(added).toBe(3);
      const rows = await db.query<{ id: number; status: string; received_at: Date; n: number }>(
        `SELECT c.id, c.status, c.received_at, (SELECT count(*)::int FROM case_events e WHERE e.case_id = c.id) AS n FROM cases c ORDER BY c.id DESC LIMIT 3`);
      for (const r of rows) {
        expect(r.status).toBe('received');
        expect(r.n).toBe(1);
        expect(r.received_at.getTime()).toBeGreaterThanOrEqual(before - 1000);
      }
      for (let i = 0; i < 50 && heard.length < 3; i++) await new Promise((res) => setTimeout(res, 20));
      await unlisten();
      expect(heard.map((p) => JSON.parse(p).action)).toEqual(['create', 'create', 'create']);
    });

    it('start-up seeds reference data on an empty database (demo off)', async () => {
      const fresh = await engine.open();
      try {
        const logs: string[] = [];
        await prepareOnStart({ ...ctx, db: fresh, config: { ...ctx.config, demoOnEmpty: false } }, (m) => logs.push(m));
        const [d] = await fresh.query<{ n: number }>('SELECT count(*)::int AS n FROM divisions');
        expect(d.n).toBe(1831);
        expect(logs.join('\n')).toContain('参考数据');
        expect((await fresh.query('SELECT 1 FROM cases LIMIT 1')).length).toBe(0);
      } finally {
        await fresh.close();
      }
    });
  });
}
