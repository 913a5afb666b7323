// The big screen: one call with today's numbers, this month's rates, hot categories, district volumes for
// the map, 24-hour and 30-day trends and the priority-topic panels. Every number comes from the same
// metric functions as the dashboard and the reports.
import type { Db } from '../store/db.ts';
import { addDays, localDay, monthStart } from '../shared/time.ts';
import { queryMetric, queryMetricCompared, queryMetrics, metricSeries, dimensionLabels, topCubeKeys, type Period } from './query.ts';
import { topicVolumes } from './topics.ts';

/** Top places by volume, from the rollups (streets and communities from the cube's place dimensions); a unit's
 *  own top streets / communities come from its cases (the cube has no unit × place). */
export async function topPlaces(db: Db, q: Period & { level?: 'district' | 'street' | 'community'; n?: number; unitScope?: string | null }): Promise<{ code: string; name: string; value: number }[]> {
  const n = Math.min(100, q.n ?? 10);
  if (!q.level || q.level === 'district') {
    const r = await queryMetric(db, { metric: 'volume', from: q.from, to: q.to, by: 'district', unitScope: q.unitScope });
    return r.groups!.filter((g) => g.key).slice(0, n).map((g) => ({ code: g.key, name: g.label, value: g.num }));
  }
  const col = q.level === 'street' ? 'street_code' : 'community_code';
  const rows = q.unitScope
    ? (await db.query(
        `SELECT c.${col} AS key, count(*)::int AS value FROM cases c WHERE c.unit_id = $4 AND c.local_day BETWEEN $1::date AND $2::date AND c.${col} IS NOT NULL
         GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT $3`, [q.from, q.to, n, q.unitScope])).map((r) => ({ key: String(r.key), value: Number(r.value) }))
    : await topCubeKeys(db, q.level, 'received', q, n);
  const names = await dimensionLabels(db, 'district', rows.map((r) => r.key));
  return rows.map((r) => ({ code: r.key, name: names.get(r.key) ?? r.key, value: r.value }));
}

export async function topCategories(db: Db, q: Period & { n?: number; level?: 1 | 'leaf'; unitScope?: string | null }) {
  const r = await queryMetric(db, { metric: 'volume', from: q.from, to: q.to, by: q.level === 1 ? 'category1' : 'category', unitScope: q.unitScope });
  return r.groups!.filter((g) => g.key).slice(0, Math.min(100, q.n ?? 10)).map((g) => ({ code: g.key, name: g.label, value: g.num }));
}

export async function bigScreenSummary(db: Db, now = new Date()) {
  const today = localDay(now);
  const month: Period = { from: monthStart(today), to: today };
  const day: Period = { from: today, to: today };
  const [todayVolume, todayRates, monthVolume, monthRates, hot, districts, trend30, topics, hours] = await Promise.all([
    queryMetricCompared(db, { metric: 'volume', ...day }),
    queryMetrics(db, ['online_resolution_rate'], day),
    queryMetricCompared(db, { metric: 'volume', ...month }),
    queryMetrics(db, ['online_resolution_rate', 'transfer_closure_rate', 'satisfaction_rate'], month),
    topCategories(db, { ...month, n: 10 }),
    topPlaces(db, { ...month, level: 'district', n: 100 }),
    metricSeries(db, { metric: 'volume', from: addDays(today, -29), to: today, granularity: 'day' }),
    topicVolumes(db, month, undefined, today),
    db.query(`SELECT to_char(date_trunc('hour', received_at AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM-DD"T"HH24:00') AS hour, count(*)::int AS n
              FROM cases WHERE received_at > $1 AND received_at <= $2 GROUP BY 1`, [new Date(now.getTime() - 24 * 3600_000), now]),
  ]);
  const byHour = new Map(hours.map((r) => [r.hour, r.n]));
  const trend24h = [];
  for (let i = 23; i >= 0; i--) {
    const t = new Date(now.getTime() - i * 3600_000 + 8 * 3600_000).toISOString().slice(0, 13) + ':00';
    trend24h.push({ hour: t, value: byHour.get(t) ?? 0 });
  }
  return {
    generatedAt: now.toISOString(),
    today: { day: today, volume: todayVolume.value, volumeMom: todayVolume.mom, onlineResolutionRate: todayRates.online_resolution_rate.value },
    month: {
      ...month, volume: monthVolume.value, volumeMom: monthVolume.mom, volumeYoy: monthVolume.yoy,
      onlineResolutionRate: monthRates.online_resolution_rate.value, transferClosureRate: monthRates.transfer_closure_rate.value, satisfactionRate: monthRates.satisfaction_rate.value,
    },
    hotCategories: hot,
    districts,
    trend24h,
    trend30d: trend30.points.map((p) => ({ day: p.bucket, value: p.value })),
    topics,
  };
}
