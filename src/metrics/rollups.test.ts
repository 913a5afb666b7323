import { describe, expect, it } from 'vitest';
import { engines } from '../../tests/engines.ts';
import { insertCase, seedMetricsCity, updateCase } from '../../tests/metrics-fixture.ts';
import { localDateTime } from '../shared/time.ts';
import type { Db, Row } from '../store/db.ts';
import { COUNTERS, KEY_COLUMNS } from './indicators.ts';
import { applyCaseDelta, caseDeltaCtes, DELTA_COLUMNS, drainRollupQueue, rebuildRollups, startRollupUpkeep } from './rollups.ts';
import { queryMetric } from './query.ts';

async function snapshot(db: Db, table: string) {
  if (table.startsWith('rollup_cube')) {
    return db.query(`SELECT local_day::text, dim, key, ${COUNTERS.map((k) => `round(${k}::numeric, 3)::text AS ${k}`).join(', ')} FROM ${table}
      WHERE ${COUNTERS.map((k) => `${k} <> 0`).join(' OR ')} ORDER BY local_day, dim, key`);
  }
  const rows = await db.query(
    `SELECT ${KEY_COLUMNS.map((k) => (k === 'local_day' ? `${k}::text` : k)).join(', ')}, ${COUNTERS.map((k) => `round(${k}::numeric, 3)::text AS ${k}`).join(', ')}
     FROM ${table} WHERE ${COUNTERS.map((k) => `${k} <> 0`).join(' OR ')} ORDER BY ${KEY_COLUMNS.join(', ')}`,
  );
  return rows;
}

function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
}

for (const engine of engines()) {
  describe(`rollups on ${engine.name}`, () => {
    it('after random lifecycle sequences, incremental rollups equal a rebuild from the cases table', async () => {
      const db = await engine.open();
      try {
        await seedMetricsCity(db);
        const rand = rng(7);
        const pick = <T,>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
        const ids: number[] = [];
        const change = async (id: number, set: Record<string, unknown>) =>
          db.tx(async (tx) => {
            const [before, after] = await updateCase(tx, id, set);
            await applyCaseDelta(tx, before, after);
          });
        for (let i = 0; i < 30; i++) {
          const at = localDateTime(pick(['2026-01-30', '2026-01-31', '2026-02-01', '2026-03-15']), Math.floor(rand() * 24), 5);
          await db.tx(async (tx) => {
            const row = await insertCase(tx, { at, channel: pick(['12345', 'web', 'app']), category: pick(['T0101', 'T0102', 'T0201', null]), district: pick(['430102', '430103', null]), type: pick(['complaint', 'help', 'consultation']) });
            await applyCaseDelta(tx, null, row);
            ids.push(Number(row.id));
          });
        }
        for (let step = 0; step < 160; step++) {
          const id = pick(ids);
          const [c] = await db.query('SELECT * FROM cases WHERE id = $1', [id]);
          const t = new Date(c.received_at.getTime() + (1 + step) * 3600_000);
          switch (c.status) {
            case 'received':
              if (rand() < 0.3) await change(id, { status: 'resolved_online', closed_at: t });
              else await change(id, { status: 'dispatched', unit_id: pick(['u-house', 'u-env', 'u-frd']), dispatched_at: t, accept_due_at: new Date(t.getTime() + 86400_000 * (rand() < 0.5 ? 1 : -1)), reply_due_at: new Date(t.getTime() + 86400_000 * 5) });
              break;
            case 'dispatched':
              if (rand() < 0.2) await change(id, { status: 'received', unit_id: null, return_count: c.return_count + 1 });
              else await change(id, { status: 'accepted', accepted_at: t });
              break;
            case 'accepted':
              if (rand() < 0.2) await change(id, { extension_count: c.extension_count + 1, reply_due_at: new Date(c.reply_due_at.getTime() + 86400_000 * 3) });
              else if (rand() < 0.1) await change(id, { status: 'received', unit_id: null, return_count: c.return_count + 1 });
              else await change(id, { status: 'replied', replied_at: new Date(t.getTime() + 86400_000 * Math.floor(rand() * 10)) });
              break;
            case 'replied':
              await change(id, { status: 'closed', closed_at: t });
              break;
            case 'closed':
            case 'resolved_online':
              if (!c.callback_result) {
                const r = pick(['satisfied', 'basically_satisfied', 'unsatisfied']);
                await change(id, { callback_result: r, callback_at: t, callback_note: r === 'unsatisfied' ? pick(['问题没解决', '态度不好', '太慢了', '无']) : null });
              } else if (c.callback_result === 'unsatisfied' && c.status === 'closed' && rand() < 0.5) {
                await change(id, { status: 'dispatched', reopen_count: c.reopen_count + 1, callback_result: null, replied_at: null, closed_at: null });
              } else if (rand() < 0.1) {
                await change(id, { category_code: pick(['T0102', 'T0202']), repeat_of: ids[0] });
              }
              break;
          }
        }
        const daily = await snapshot(db, 'rollup_daily');
        const monthly = await snapshot(db, 'rollup_monthly');
        const cubeD = await snapshot(db, 'rollup_cube_daily');
        const cubeM = await snapshot(db, 'rollup_cube_monthly');
        expect(cubeD.length).toBeGreaterThan(daily.length);
        expect(daily.length).toBeGreaterThan(10);
        expect(monthly.length).toBeGreaterThan(5);
        await rebuildRollups(db);
        expect(await snapshot(db, 'rollup_daily')).toEqual(daily);
        expect(await snapshot(db, 'rollup_monthly')).toEqual(monthly);
        expect(await snapshot(db, 'rollup_cube_daily')).toEqual(cubeD);
        expect(await snapshot(db, 'rollup_cube_monthly')).toEqual(cubeM);
        // A partial rebuild of one month leaves the same numbers too.
        await rebuildRollups(db, { fromDay: '2026-02-01', toDay: '2026-02-01' });
        expect(await snapshot(db, 'rollup_daily')).toEqual(daily);
        expect(await snapshot(db, 'rollup_monthly')).toEqual(monthly);
        expect(await snapshot(db, 'rollup_cube_monthly')).toEqual(cubeM);
      } finally {
        await db.close();
      }
    }, 300_000);
  });
}

describe('metrics case hooks', () => {
  it('rebuilds the rollups of the loaded range after a bulk load', async () => {
    const { registerMetricsHooks } = await import('./hooks.ts');
    const { caseHooks } = await import('../cases/hooks.ts');
    registerMetricsHooks();
    registerMetricsHooks(); // idempotent
    const hooks = caseHooks().filter((h) => h.name === 'metrics');
    expect(hooks).toHaveLength(1);
    const db = await engines()[0].open();
    try {
      await seedMetricsCity(db);
      const at = localDateTime('2026-06-10', 9);
      await db.copyRows('cases', ['case_no', 'channel', 'received_at', 'local_day', 'content', 'status'], [['B1', '12345', at, '2026-06-10', '内容', 'received'], ['B2', 'web', at, '2026-06-10', '内容', 'resolved_online']]);
      await hooks[0].afterBulkLoad!({ db } as any, { fromDay: '2026-06-10', toDay: '2026-06-10' });
      const [r] = await db.query(`SELECT received, resolved_online FROM rollup_cube_monthly WHERE dim = 'all' AND local_day = '2026-06-01'`);
      expect(r).toEqual({ received: 2, resolved_online: 1 });
    } finally {
      await db.close();
    }
  }, 180_000);

  it('rebuildMetrics (the `metrics rebuild` command) covers every day holding cases when no range is given', async () => {
    const { rebuildMetrics } = await import('./rollups.ts');
    const db = await engines()[0].open();
    try {
      await seedMetricsCity(db);
      expect(await rebuildMetrics(db)).toEqual({ dailyRows: 0, monthlyRows: 0 });
      const rows = [['R1', '2026-03-31', 'received'], ['R2', '2026-05-02', 'resolved_online'], ['R3', '2026-05-02', 'received']].map(([no, day, status]) => [no, '12345', localDateTime(day, 10), day, '内容', status]);
      await db.copyRows('cases', ['case_no', 'channel', 'received_at', 'local_day', 'content', 'status'], rows);
      const r = await rebuildMetrics(db);
      expect(r.range).toEqual({ fromDay: '2026-03-31', toDay: '2026-05-02' });
      const got = await db.query(`SELECT local_day::text AS m, received, resolved_online FROM rollup_cube_monthly WHERE dim = 'all' ORDER BY 1`);
      expect(got).toEqual([{ m: '2026-03-01', received: 1, resolved_online: 0 }, { m: '2026-05-01', received: 2, resolved_online: 1 }]);
    } finally {
      await db.close();
    }
  }, 180_000);
});

const queueDelta = async (tx: Db, before: Row | null, after: Row | null) => {
  const { ctes, params } = caseDeltaCtes([{ before, after }], 1);
  if (ctes.length) await tx.query(`WITH ${ctes.join(', ')} SELECT 1`, params);
};
const queued = async (db: Db) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM rollup_queue'))[0]!.n;

for (const engine of engines()) {
  describe(`the rollup queue on ${engine.name}`, () => {
    it('holds each change from its commit; reads drain what this process queued, the upkeep drains what others left', async () => {
      const db = await engine.open();
      try {
        await seedMetricsCity(db);
        const day = '2026-04-08';
        const period = { from: day, to: day };
        const add = (tx: Db, channel: string) => insertCase(tx, { at: localDateTime(day, 9), channel, category: 'T0101', district: '430102', type: 'complaint' }).then((row) => queueDelta(tx, null, row).then(() => row));
        await db.tx((tx) => add(tx, '12345'));
        const web = await db.tx((tx) => add(tx, 'web'));
        await expect(db.tx(async (tx) => { await add(tx, 'app'); throw new Error('rolled back'); })).rejects.toThrow('rolled back');
        expect(await queued(db)).toBe(2); // the rolled-back change queued nothing
        // A change that moves no rollup column (a reminder) queues nothing either.
        await db.tx(async (tx) => queueDelta(tx, web, { ...web, reminder_count: 1 }));
        expect(await queued(db)).toBe(2);
        expect(await db.query(`SELECT 1 FROM rollup_cube_daily WHERE local_day = $1`, [day])).toEqual([]);

        // A metrics read first applies what this process queued.
        expect((await queryMetric(db, { metric: 'volume', ...period })).value).toBe(2);
        expect(await queued(db)).toBe(0);

        // Rows another process queued (this process's count does not know them): the first read through a new
        // connection applies them, and so does the upkeep's first tick.
        const foreign = `INSERT INTO rollup_queue (sign, local_day, channel, status, received_at, return_count, extension_count, reopen_count) VALUES (1, $1, '12345', 'received', $2, 0, 0, 0)`;
        await db.query(foreign, [day, localDateTime(day, 10)]);
        expect((await queryMetric(db, { metric: 'volume', ...period })).value).toBe(2);
        expect((await queryMetric({ ...db }, { metric: 'volume', ...period })).value).toBe(3);
        await db.query(`INSERT INTO rollup_queue (sign, local_day, channel, status, received_at, return_count, extension_count, reopen_count) VALUES (1, $1, '12345', 'received', $2, 0, 0, 0)`, [day, localDateTime(day, 10)]);
        const errors: unknown[] = [];
        const stop = startRollupUpkeep(db, { everyMs: 20, onError: (e) => errors.push(e) });
        try {
          for (let i = 0; i < 250 && (await queued(db)) > 0; i++) await new Promise((r) => setTimeout(r, 20));
        } finally {
          stop();
        }
        expect(errors).toEqual([]);
        expect(await queued(db)).toBe(0);
        expect((await queryMetric(db, { metric: 'volume', ...period })).value).toBe(4);
      } finally {
        await db.close();
      }
    }, 180_000);

    it('has a column for every case column the rollup keys, counters and place dimensions read', async () => {
      const db = await engine.open();
      try {
        // json_populate_recordset drops keys the table lacks: a counter reading a new column would count nothing.
        const cols = await db.query<{ c: string }>(`SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'rollup_queue' ORDER BY ordinal_position`);
        expect(cols.map((r) => r.c)).toEqual(['sign', ...DELTA_COLUMNS]);
      } finally {
        await db.close();
      }
    });

    if (engine.name === 'postgres') {
      it('loses and doubles nothing when changes queue concurrently with drains and a rebuild', async () => {
        const db = await engine.open();
        try {
          await seedMetricsCity(db);
          const days = ['2026-05-06', '2026-05-07'];
          const create = (i: number) => db.tx(async (tx) => {
            const row = await insertCase(tx, { at: localDateTime(days[i % 2]!, 8 + (i % 10)), channel: i % 3 ? '12345' : 'web', category: i % 2 ? 'T0101' : 'T0201', district: '430102', type: 'complaint' });
            await queueDelta(tx, null, row);
            return Number(row.id);
          });
          const resolve = (id: number) => db.tx(async (tx) => {
            const [before, after] = await updateCase(tx, id, { status: 'resolved_online', closed_at: new Date() });
            await queueDelta(tx, before, after);
          });
          const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => create(i)));
          await Promise.all([
            ...ids.map((id, i) => (i % 2 ? resolve(id) : create(100 + i))),
            ...Array.from({ length: 6 }, () => drainRollupQueue(db)),
            rebuildRollups(db, { fromDay: days[0]!, toDay: days[0]! }),
            ...Array.from({ length: 20 }, (_, i) => create(200 + i)),
          ]);
          await drainRollupQueue(db);
          const live = [await snapshot(db, 'rollup_daily'), await snapshot(db, 'rollup_cube_daily')];
          expect((await queryMetric(db, { metric: 'volume', from: days[0]!, to: days[1]! })).value).toBe(40 + 20 + 20);
          await rebuildRollups(db);
          expect([await snapshot(db, 'rollup_daily'), await snapshot(db, 'rollup_cube_daily')]).toEqual(live);
        } finally {
          await db.close();
        }
      }, 180_000);
    }
  });
}
