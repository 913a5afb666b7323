// Closing months: open months live only in the daily rollups, closed ones in the monthly rollups too; numbers read
// the same before and after a month closes, and the monthly rows equal a rebuild — also when case changes run
// concurrently with the close (real PostgreSQL).
import { describe, expect, it } from 'vitest';
import { engines } from '../../tests/engines.ts';
import { insertCase, seedMetricsCity, updateCase } from '../../tests/metrics-fixture.ts';
import { localDateTime } from '../shared/time.ts';
import { closeRollupMonths } from './close-months.ts';
import { COUNTERS } from './indicators.ts';
import { queryMetric } from './query.ts';
import { applyCaseDelta, drainRollupQueue, rebuildRollups } from './rollups.ts';
import { metricsHooks } from './hooks.ts';
import { SYSTEM_ACTOR } from '../server/context.ts';
import type { Db, Row } from '../store/db.ts';

const nonZero = COUNTERS.map((k) => `${k} <> 0`).join(' OR ');
const snapshot = async (db: Db) => ({
  monthly: await db.query(`SELECT * FROM rollup_monthly WHERE ${nonZero} ORDER BY 1, 2, 3, 4, 5, 6, 7`),
  cube: await db.query(`SELECT * FROM rollup_cube_monthly WHERE ${nonZero} ORDER BY 1, 2, 3`),
});
const monthsIn = async (db: Db) =>
  (await db.query<{ m: string }>(`SELECT DISTINCT local_day::text AS m FROM rollup_cube_monthly WHERE ${nonZero} ORDER BY 1`)).map((r) => r.m);

async function newCase(db: Db, day: string, hour: number, category = 'T0101'): Promise<number> {
  return db.tx(async (tx) => {
    const row = await insertCase(tx, { at: localDateTime(day, hour), channel: '12345', category, district: '430102', type: 'complaint' });
    await applyCaseDelta(tx, null, row);
    return Number(row.id);
  });
}
/** A metrics test city whose monthly rollups hold January 2026 at most (February onwards open). */
async function openCity(open: () => Promise<Db>): Promise<Db> {
  const db = await open();
  await seedMetricsCity(db);
  await db.query(`UPDATE rollup_months SET open_from = '2026-02-01'`);
  return db;
}
const resolveOnline = (db: Db, id: number) =>
  db.tx(async (tx) => {
    const [before, after] = await updateCase(tx, id, { status: 'resolved_online', closed_at: new Date() });
    await applyCaseDelta(tx, before, after);
  });

for (const engine of engines()) {
  describe(`closing rollup months (${engine.name})`, () => {
    it('keeps open months out of the monthly rollups, and the numbers equal before and after the close', async () => {
      const db = await openCity(engine.open);
      try {
        const ids = [];
        for (const [day, n] of [['2026-01-20', 3], ['2026-02-03', 4], ['2026-02-27', 2], ['2026-03-05', 1]] as const) {
          for (let i = 0; i < n; i++) ids.push(await newCase(db, day, 8 + i));
        }
        await resolveOnline(db, ids[0]!); // a January case (closed month) changes: its monthly rows follow
        await resolveOnline(db, ids[4]!);
        expect(await monthsIn(db)).toEqual(['2026-01-01']);
        const feb = { metric: 'volume', from: '2026-02-01', to: '2026-02-28' };
        const online = { metric: 'online_resolution_rate', from: '2026-01-01', to: '2026-03-31' };
        const before = [await queryMetric(db, feb), await queryMetric(db, online), await queryMetric(db, { ...feb, by: 'district' })];
        expect(before[0]!.value).toBe(6);

        expect(await closeRollupMonths(db, '2026-03-10')).toEqual({ openFrom: '2026-03-01', closed: 1 });
        expect(await monthsIn(db)).toEqual(['2026-01-01', '2026-02-01']);
        expect([await queryMetric(db, feb), await queryMetric(db, online), await queryMetric(db, { ...feb, by: 'district' })]).toEqual(before);
        expect(await closeRollupMonths(db, '2026-03-31')).toEqual({ openFrom: '2026-03-01', closed: 0 });

        await resolveOnline(db, ids[5]!); // February is closed now: the change reaches its monthly rows
        const live = await snapshot(db);
        await rebuildRollups(db);
        expect(await snapshot(db)).toEqual(live);
        expect(await monthsIn(db)).toEqual(['2026-01-01', '2026-02-01']);
      } finally {
        await db.close();
      }
    }, 180_000);

    it("a change's statement only queues its delta; the drain writes monthly rows for closed months' days only", async () => {
      const db = await openCity(engine.open);
      try {
        const now = new Date();
        const spec = { channel: '12345', category: 'T0101', district: '430102', type: 'complaint' } as const;
        const [today1, today2] = [await insertCase(db, { ...spec, at: now }), await insertCase(db, { ...spec, at: now })];
        const january = await insertCase(db, { ...spec, at: localDateTime('2026-01-21', 9) });
        const created = (after: Row) => ({ action: 'create', before: null, after, actor: SYSTEM_ACTOR, at: now });
        const apply = async (rows: Row[]) => {
          const { ctes, params } = metricsHooks.changeCtes!(rows.map(created), 1);
          await db.query(`WITH ${ctes.join(', ')} SELECT 1`, params);
          return ctes.join(' ');
        };
        expect(await apply([today1])).not.toMatch(/rollup_(daily|monthly|cube)/);
        await apply([january, today2]);
        const all = async () => ({ ...(await snapshot(db)), daily: await db.query(`SELECT * FROM rollup_cube_daily WHERE ${nonZero} ORDER BY 1, 2, 3`) });
        expect((await all()).daily).toEqual([]); // queued, not applied yet
        await drainRollupQueue(db);
        const live = await all();
        expect(live.monthly.length).toBeGreaterThan(0);
        expect(await monthsIn(db)).toEqual(['2026-01-01']); // January's case: a closed month; this month's: none
        await rebuildRollups(db);
        expect(await all()).toEqual(live);
      } finally {
        await db.close();
      }
    }, 180_000);

    if (engine.name === 'postgres') {
      it('loses and doubles nothing when case changes run concurrently with the close', async () => {
        const db = await openCity(engine.open);
        try {
          const ids = [];
          for (let i = 0; i < 40; i++) ids.push(await newCase(db, i % 2 ? '2026-02-10' : '2026-03-02', 9));
          await Promise.all([
            ...ids.map((id, i) => (i % 3 ? resolveOnline(db, id) : newCase(db, '2026-02-11', 10, 'T0102'))),
            closeRollupMonths(db, '2026-03-20'),
            ...ids.slice(0, 10).map(() => newCase(db, '2026-02-12', 11, 'T0201')),
          ]);
          const live = await snapshot(db);
          await rebuildRollups(db);
          expect(await snapshot(db)).toEqual(live);
          expect((await queryMetric(db, { metric: 'volume', from: '2026-02-01', to: '2026-02-28' })).value).toBe(20 + 14 + 10);
        } finally {
          await db.close();
        }
      }, 180_000);
    }
  });
}
