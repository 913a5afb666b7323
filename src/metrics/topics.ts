// Priority topics (重点专题: 营商环境, 蓝天保卫战, 疫情防控 …): sets of categories and keywords kept in
// settings ('metrics.topics'), counted over the cases table with one predicate that also lists their cases;
// past days' counts are kept in topic_counts_daily.
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../store/db.ts';
import { notFound } from '../shared/errors.ts';
import { addDays, localDay } from '../shared/time.ts';
import type { Period } from './query.ts';

export const TopicSchema = z.object({
  code: z.string().regex(/^[a-z0-9_-]{1,40}$/),
  name: z.string().min(1).max(40),
  categories: z.array(z.string()).default([]),
  keywords: z.array(z.string().min(1)).default([]),
});
export type Topic = z.infer<typeof TopicSchema>;

export const DEFAULT_TOPICS: Topic[] = [
  { code: 'business', name: '营商环境', categories: [], keywords: ['营商环境', '企业', '办证', '审批', '行政许可', '招商', '拖欠账款'] },
  { code: 'blue-sky', name: '蓝天保卫战', categories: [], keywords: ['大气污染', '油烟', '扬尘', '焚烧', '烟尘', '废气', '空气质量'] },
  { code: 'epidemic', name: '疫情防控', categories: [], keywords: ['疫情', '核酸', '隔离', '防控', '疫苗', '健康码'] },
];

export async function loadTopics(db: Db): Promise<Topic[]> {
  const [row] = await db.query(`SELECT value FROM settings WHERE key = 'metrics.topics'`);
  if (!row) return DEFAULT_TOPICS;
  const parsed = z.array(TopicSchema).safeParse(row.value);
  return parsed.success ? parsed.data : DEFAULT_TOPICS;
}

export async function saveTopics(db: Db, topics: Topic[]): Promise<void> {
  await db.query(`INSERT INTO settings (key, value) VALUES ('metrics.topics', $1::text::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`, [JSON.stringify(topics)]);
}

export async function getTopic(db: Db, code: string): Promise<Topic> {
  const t = (await loadTopics(db)).find((x) => x.code === code || x.name === code);
  if (!t) throw notFound(`专题 ${code} `);
  return t;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** SQL predicate over cases c for a topic, with its parameters appended to `params`. */
export function topicPredicate(t: Topic, params: unknown[]): string {
  const parts: string[] = [];
  if (t.categories.length) {
    params.push(t.categories);
    parts.push(`c.category_code IN (WITH RECURSIVE d(code) AS (SELECT unnest($${params.length}::text[]) UNION SELECT k.code FROM categories k JOIN d ON k.parent_code = d.code) SELECT code FROM d)`);
  }
  if (t.keywords.length) {
    params.push(t.keywords);
    parts.push(`c.keywords && $${params.length}::text[]`);
    params.push(t.keywords.map(escapeRe).join('|'));
    parts.push(`(coalesce(c.title, '') || ' ' || c.content) ~ $${params.length}`);
  }
  return parts.length ? `(${parts.join(' OR ')})` : 'false';
}

/** Identifies a list of topic definitions (the cache key of their daily counts). */
export function topicsKey(list: Topic[]): string {
  return crypto.createHash('sha256').update(JSON.stringify(list.map((t) => [t.code, t.categories, t.keywords]))).digest('base64url').slice(0, 16);
}

/**
 * Number of cases of each topic received in a period. Days before `today` are counted once (one scan for all
 * topics and all missing days) and kept in topic_counts_daily; today, still growing, is counted live.
 */
export async function topicVolumes(db: Db, period: Period, topics?: Topic[], today = localDay(new Date())): Promise<{ code: string; name: string; value: number }[]> {
  const list = topics ?? (await loadTopics(db));
  if (!list.length) return [];
  const totals = new Map<string, number>(list.map((t) => [t.code, 0]));
  const add = (code: string, n: number) => totals.set(code, (totals.get(code) ?? 0) + Number(n));
  const lastPast = period.to < today ? period.to : addDays(today, -1);
  if (period.from <= lastPast) {
    const key = topicsKey(list);
    const cached = await db.query(`SELECT local_day, code, n FROM topic_counts_daily WHERE topics_key = $1 AND local_day BETWEEN $2::date AND $3::date`, [key, period.from, lastPast]);
    const done = new Set(cached.map((r) => String(r.local_day)));
    for (const r of cached) add(String(r.code), Number(r.n));
    const missing: string[] = [];
    for (let d = period.from; d <= lastPast; d = addDays(d, 1)) if (!done.has(d)) missing.push(d);
    if (missing.length) {
      const counted = await countTopics(db, list, `c.local_day = ANY($1::date[])`, [missing], true);
      const byDay = new Map(counted.map((r) => [String(r.local_day), r]));
      const rows = missing.flatMap((d) => list.map((t, i) => [key, d, t.code, Number(byDay.get(d)?.[`t${i}`] ?? 0)]));
      for (const [, , code, n] of rows) add(code as string, n as number);
      for (let i = 0; i < rows.length; i += 5000) {
        const part = rows.slice(i, i + 5000);
        await db.query(`INSERT INTO topic_counts_daily (topics_key, local_day, code, n) SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::int[]) ON CONFLICT DO NOTHING`,
          [0, 1, 2, 3].map((k) => part.map((r) => r[k])));
      }
    }
  }
  const liveFrom = period.from > today ? period.from : today;
  if (liveFrom <= period.to) {
    const [row] = await countTopics(db, list, `c.local_day BETWEEN $1::date AND $2::date`, [liveFrom, period.to], false);
    list.forEach((t, i) => add(t.code, Number(row?.[`t${i}`] ?? 0)));
  }
  return list.map((t) => ({ code: t.code, name: t.name, value: totals.get(t.code) ?? 0 }));
}

function countTopics(db: Db, list: Topic[], where: string, params: unknown[], byDay: boolean) {
  const counts = list.map((t, i) => `count(*) FILTER (WHERE ${topicPredicate(t, params)})::int AS t${i}`).join(', ');
  return db.query(`SELECT ${byDay ? 'c.local_day::text AS local_day, ' : ''}${counts} FROM cases c WHERE ${where}${byDay ? ' GROUP BY 1' : ''}`, params);
}

/** Cached topic counts of these days are stale (their cases were loaded, backdated or re-tagged). */
export async function forgetTopicCounts(db: Db, range: { fromDay: string; toDay: string }): Promise<void> {
  await db.query(`DELETE FROM topic_counts_daily WHERE local_day BETWEEN $1::date AND $2::date`, [range.fromDay, range.toDay]);
}

/** forgetTopicCounts for some days, as a data-modifying CTE with its parameter at $p. */
export const forgetTopicDaysCte = (days: string[], p: number) => ({
  cte: `topic_counts_forgotten AS (DELETE FROM topic_counts_daily WHERE local_day = ANY(string_to_array($${p}, ',')::date[]) RETURNING 1)`,
  param: days.join(','),
});
