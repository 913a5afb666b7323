// One contract suite, run against embedded PGlite and a real PostgreSQL server.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { engines } from '../../tests/engines.ts';
import type { Db } from './db.ts';

for (const engine of engines()) {
  describe(`store contract on ${engine.name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await engine.open();
    });
    afterAll(async () => {
      await db?.close();
    });

    it('runs migrations to a schema with the core tables', async () => {
      const rows = await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`,
      );
      const names = rows.map((r) => r.table_name);
      for (const t of ['cases', 'case_events', 'units', 'divisions', 'categories', 'schema_migrations']) expect(names).toContain(t);
    });

    it('returns the same JS types on both engines', async () => {
      const [r] = await db.query(
        `SELECT 42::int8 AS big, '2026-11-28'::date AS day, '2026-11-28T01:02:03Z'::timestamptz AS at, ARRAY['a','b'] AS arr, '{"x":1}'::jsonb AS j, NULL::text AS n`,
      );
      expect(r.big).toBe(42);
      expect(r.day).toBe('2026-11-28');
      expect(r.at).toBeInstanceOf(Date);
      expect((r.at as Date).toISOString()).toBe('2026-11-28T01:02:03.000Z');
      expect(r.arr).toEqual(['a', 'b']);
      expect(r.j).toEqual({ x: 1 });
      expect(r.n).toBeNull();
    });

    it('returns the same JS types from statements with parameters, on every call', async () => {
      for (let i = 0; i < 3; i++) {
        const [r] = await db.query(
          `SELECT $1::int8 AS big, $2::date AS day, $3::timestamptz AS at, $4::text[] AS arr, $5::text::jsonb AS j, $6::text AS n, $7::bool AS b`,
          [42 + i, '2026-11-28', new Date('2026-11-28T01:02:03Z'), ['a', 'b'], JSON.stringify({ x: i }), null, true],
        );
        expect(r).toEqual({ big: 42 + i, day: '2026-11-28', at: new Date('2026-11-28T01:02:03Z'), arr: ['a', 'b'], j: { x: i }, n: null, b: true });
      }
    });

    it('reports constraint violations with their SQLSTATE and constraint name', async () => {
      await db.exec(`CREATE TABLE IF NOT EXISTS contract_unique (v int CONSTRAINT contract_unique_v PRIMARY KEY)`);
      await db.query('INSERT INTO contract_unique VALUES ($1) ON CONFLICT DO NOTHING', [1]);
      const err = await db.query('INSERT INTO contract_unique VALUES ($1)', [1]).catch((e) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err.code).toBe('23505');
      expect(err.constraint ?? err.constraint_name).toBe('contract_unique_v');
      // the statement still works afterwards
      expect(await db.query('SELECT count(*)::int AS n FROM contract_unique WHERE v = $1', [1])).toEqual([{ n: 1 }]);
    });

    it('binds parameters, never splicing strings', async () => {
      const evil = "x'); DROP TABLE cases; --";
      const [r] = await db.query('SELECT $1::text AS v', [evil]);
      expect(r.v).toBe(evil);
    });

    it('commits a transaction and rolls back a failed one entirely', async () => {
      await db.exec(`CREATE TEMP TABLE IF NOT EXISTS t_tx (v int)`).catch(() => {});
      await db.exec(`CREATE TABLE IF NOT EXISTS contract_tx (v int PRIMARY KEY)`);
      await db.exec(`DELETE FROM contract_tx`);
      await db.tx(async (tx) => {
        await tx.query('INSERT INTO contract_tx VALUES ($1)', [1]);
      });
      await expect(
        db.tx(async (tx) => {
          await tx.query('INSERT INTO contract_tx VALUES ($1)', [2]);
          await tx.query('INSERT INTO contract_tx VALUES ($1)', [1]); // duplicate key
        }),
      ).rejects.toThrow();
      const rows = await db.query('SELECT v FROM contract_tx ORDER BY v');
      expect(rows.map((r) => r.v)).toEqual([1]);
    });

    it('bulk-loads rows with COPY, including quotes, commas, newlines, arrays, JSON and NULL', async () => {
      await db.exec(`CREATE TABLE IF NOT EXISTS contract_copy (id int, s text, a text[], j jsonb, n text)`);
      await db.exec(`DELETE FROM contract_copy`);
      const rows: unknown[][] = [];
      for (let i = 0; i < 2500; i++) rows.push([i, `他说:"你好",\n第${i}行`, ['甲', 'b"c'], { k: i }, null]);
      const n = await db.copyRows('contract_copy', ['id', 's', 'a', 'j', 'n'], rows);
      expect(n).toBe(2500);
      const [r] = await db.query('SELECT count(*)::int AS c FROM contract_copy');
      expect(r.c).toBe(2500);
      const [x] = await db.query('SELECT * FROM contract_copy WHERE id = 7');
      expect(x.s).toBe('他说:"你好",\n第7行');
      expect(x.a).toEqual(['甲', 'b"c']);
      expect(x.j).toEqual({ k: 7 });
      expect(x.n).toBeNull();
      // Plain values go unquoted; the ones that must be quoted round-trip exactly (empty string is not NULL).
      const tricky = ['', ' 前后空格 ', '\\.', 'a\\b', 'x,y', '\r\n', 'NULL', '普通文本'];
      await db.copyRows('contract_copy', ['id', 's'], tricky.map((t, i) => [10_000 + i, t]));
      const back = await db.query<{ s: string | null }>('SELECT s FROM contract_copy WHERE id >= 10000 ORDER BY id');
      expect(back.map((b) => b.s)).toEqual(tricky);
    });

    it('delivers NOTIFY to a listener', async () => {
      const got: string[] = [];
      const stop = await db.listen('contract_channel', (p) => got.push(p));
      await db.notify('contract_channel', 'hello 你好');
      for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await stop();
      expect(got).toEqual(['hello 你好']);
    });

    it('applies migrations once (re-running is a no-op)', async () => {
      const { migrate } = await import('./migrate.ts');
      expect(await migrate(db)).toEqual([]);
    });
  });
}
