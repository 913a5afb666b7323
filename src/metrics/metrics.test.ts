import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../tests/engines.ts';
import { seedKnownCases } from '../../tests/metrics-known.ts';
import type { Db } from '../store/db.ts';
import { rebuildRollups } from './rollups.ts';
import { listMetricCases, metricSeries, previousPeriod, queryMetric, queryMetricCompared } from './query.ts';
import { METRICS } from './definitions.ts';
import { topicVolumes, topicsKey } from './topics.ts';
import { metricsHooks } from './hooks.ts';
import { insertCase } from '../../tests/metrics-fixture.ts';
import { localDateTime } from '../shared/time.ts';
import { SYSTEM_ACTOR } from '../server/context.ts';

const MARCH = { from: '2026-03-01', to: '2026-03-31' };

/** For every metric, the cases listed (not just the total shown) are exactly as many as the number. */
async function expectListsMatchNumbers(db: Db, period: { from: string; to: string }) {
  for (const m of METRICS) {
    const r = await queryMetric(db, { metric: m.name, ...period });
    const list = await listMetricCases(db, { metric: m.name, ...period, pageSize: 200 });
    if (m.kind === 'count' || m.kind === 'rate') expect([list.total, list.items.length], m.name).toEqual([r.num, r.num]);
    if (m.den) {
      const d = await listMetricCases(db, { metric: m.name, ...period, part: 'denominator', pageSize: 200 });
      expect([d.total, d.items.length], m.name).toEqual([r.den, r.den]);
    }
  }
}

describe('a returned case the centre then answers itself', () => {
  it('counts as resolved online only, never also as transferred or returned', async () => {
    const db = await engines()[0].open();
    try {
      const { seedMetricsCity } = await import('../../tests/metrics-fixture.ts');
      await seedMetricsCity(db);
      const at = localDateTime('2026-03-03', 9);
      await insertCase(db, { at, category: 'T0101', district: '430102', status: 'resolved_online', closed_at: at, return_count: 1 }); // 退单后在线办结
      await insertCase(db, { at, category: 'T0101', district: '430102', status: 'received', return_count: 1 }); // 退单待重新派发
      await insertCase(db, { at, category: 'T0101', district: '430102', status: 'dispatched', unit: 'u-house', dispatched_at: at });
      await rebuildRollups(db);
      const value = async (metric: string) => (await queryMetric(db, { metric, ...MARCH })).value;
      expect(await value('resolved_online')).toBe(1);
      expect(await value('transfer_count')).toBe(2);
      expect(await value('return_rate')).toBe(50);
      expect((await queryMetric(db, { metric: 'response_rate', ...MARCH })).den).toBe(3); // each case once
      await expectListsMatchNumbers(db, MARCH);
    } finally {
      await db.close();
    }
  }, 180_000);
});

describe('环比: the period a metric is compared with', () => {
  it('is the previous whole months for whole months, the same days of last month for a month so far, else the days before', () => {
    expect(previousPeriod({ from: '2026-03-01', to: '2026-03-31' })).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(previousPeriod({ from: '2026-01-01', to: '2026-03-31' })).toEqual({ from: '2025-10-01', to: '2025-12-31' });
    expect(previousPeriod({ from: '2026-11-01', to: '2026-11-29' })).toEqual({ from: '2026-10-01', to: '2026-10-29' });
    expect(previousPeriod({ from: '2026-03-01', to: '2026-03-30' })).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(previousPeriod({ from: '2024-03-01', to: '2024-03-29' })).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(previousPeriod({ from: '2026-11-05', to: '2026-11-20' })).toEqual({ from: '2026-10-20', to: '2026-11-04' });
  });
});

for (const engine of engines()) {
  describe(`metrics on hand-made data (${engine.name})`, () => {
    let db: Db;
    let ids: Record<string, number>;
    beforeAll(async () => {
      db = await engine.open();
      ids = await seedKnownCases(db);
      await rebuildRollups(db);
    }, 180_000);
    afterAll(async () => db?.close());

    const value = async (metric: string, extra: object = {}) => (await queryMetric(db, { metric, ...MARCH, ...extra })).value;

    it('computes every metric of the glossary with the documented formula', async () => {
      expect(await value('volume')).toBe(5);
      expect(await value('resolved_online')).toBe(1);
      expect(await value('online_resolution_rate')).toBe(20);
      expect(await value('transfer_count')).toBe(3);
      expect(await value('transfer_closure_rate')).toBe(66.67);
      expect(await value('on_time_closure_rate')).toBe(50);
      expect(await value('response_rate')).toBe(50);
      expect(await value('resolution_rate')).toBe(50);
      expect(await value('satisfaction_rate')).toBe(66.67);
      expect(await value('repeat_rate')).toBe(20);
      expect(await value('return_rate')).toBe(33.33);
      expect(await value('extension_rate')).toBe(33.33);
      expect(await value('avg_handling_days')).toBe(3);
      expect(await value('callback_count')).toBe(3);
      expect(await value('unsatisfied_count')).toBe(1);
      // Partial months (daily rollup) and whole months (monthly rollup) agree.
      expect((await queryMetric(db, { metric: 'volume', from: '2026-03-02', to: '2026-03-31' })).value).toBe(5);
      expect((await queryMetric(db, { metric: 'volume', from: '2026-02-28', to: '2026-03-05' })).value).toBe(3);
      expect((await queryMetric(db, { metric: 'volume', from: '2026-02-01', to: '2026-04-01' })).value).toBe(7);
    });

    it('groups by dimensions with labels and filters by category subtree and place', async () => {
      const byCat1 = await queryMetric(db, { metric: 'volume', ...MARCH, by: 'category1' });
      expect(byCat1.groups!.map((g) => [g.key, g.label, g.value])).toEqual([['T01', '城乡建设', 3], ['T02', '环境保护', 2]]);
      const byType = await queryMetric(db, { metric: 'volume', ...MARCH, by: 'request_type' });
      expect(byType.groups!.find((g) => g.key === 'complaint')).toMatchObject({ label: '投诉', value: 3 });
      const reasons = await queryMetric(db, { metric: 'unsatisfied_count', ...MARCH, by: 'unsat_reason' });
      expect(reasons.groups).toEqual([expect.objectContaining({ key: 'unresolved', label: '问题未解决', value: 1 })]);
      expect(await value('volume', { filters: { category: 'T01' } })).toBe(3);
      expect(await value('volume', { filters: { district: '430103' } })).toBe(2);
      expect(await value('transfer_closure_rate', { filters: { unit: 'u-env' } })).toBe(50);
      expect(await value('volume', { unitScope: 'u-house' })).toBe(1);
      await expect(queryMetric(db, { metric: 'volume', ...MARCH, by: 'unsat_reason' })).rejects.toMatchObject({ code: 'validation_failed' });
      await expect(queryMetric(db, { metric: 'nope', ...MARCH })).rejects.toMatchObject({ code: 'not_found' });
    });

    it('compares with the previous month and the same month a year earlier', async () => {
      const r = await queryMetricCompared(db, { metric: 'volume', ...MARCH });
      expect(r.mom).toMatchObject({ from: '2026-02-01', to: '2026-02-28', value: 1, change: 4, changePct: 400 });
      expect(r.yoy).toMatchObject({ from: '2025-03-01', to: '2025-03-31', value: 2, change: 3, changePct: 150 });
    });

    it('gives time series by day, week and month', async () => {
      const days = await metricSeries(db, { metric: 'volume', ...MARCH, granularity: 'day' });
      expect(days.points).toHaveLength(31);
      expect(days.points.find((p) => p.bucket === '2026-03-20')!.value).toBe(1);
      const months = await metricSeries(db, { metric: 'volume', from: '2026-01-01', to: '2026-04-30', granularity: 'month' });
      expect(months.points.map((p) => p.value)).toEqual([0, 1, 5, 1]);
      const weeks = await metricSeries(db, { metric: 'volume', ...MARCH, granularity: 'week' });
      expect(weeks.points.reduce((s, p) => s + (p.value ?? 0), 0)).toBe(5);
    });

    it('lists the cases behind every number (drill-down), with paging', async () => {
      const online = await listMetricCases(db, { metric: 'online_resolution_rate', ...MARCH });
      expect(online.items.map((c) => Number(c.id))).toEqual([ids.c1]);
      const den = await listMetricCases(db, { metric: 'online_resolution_rate', ...MARCH, part: 'denominator', pageSize: 2, page: 2 });
      expect(den.total).toBe(5);
      expect(den.items).toHaveLength(2);
      await expectListsMatchNumbers(db, MARCH);
      const unsat = await listMetricCases(db, { metric: 'unsatisfied_count', ...MARCH, filters: { unsat_reason: 'unresolved' } });
      expect(unsat.items.map((c) => Number(c.id))).toEqual([ids.c3]);
    });

    it('counts priority topics, keeping past days and forgetting a day when one of its cases changes', async () => {
      const topics = [{ code: 'env', name: '环境', categories: ['T02'], keywords: [] }];
      const june = { from: '2025-06-01', to: '2025-06-30' };
      expect(await topicVolumes(db, MARCH, topics, '2026-03-21')).toEqual([{ code: 'env', name: '环境', value: 2 }]); // c3 kept, c4 (31st) live
      const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM topic_counts_daily WHERE topics_key = $1`, [topicsKey(topics)]);
      expect(n).toBe(20);
      expect((await topicVolumes(db, june, topics, '2026-04-10'))[0].value).toBe(0);
      const late = await insertCase(db, { at: localDateTime('2025-06-15', 10), category: 'T0201', status: 'received' });
      expect((await topicVolumes(db, june, topics, '2026-04-10'))[0].value).toBe(0); // kept count: the insert bypassed the hooks
      const { ctes, params } = metricsHooks.changeCtes!([{ action: 'create', before: null, after: late, actor: SYSTEM_ACTOR, at: new Date() }], 1);
      await db.query(`WITH ${ctes.join(', ')} SELECT 1`, params);
      expect((await topicVolumes(db, june, topics, '2026-04-10'))[0].value).toBe(1);
    });
  });
}
