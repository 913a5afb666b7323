// Priority topics (重点专题: 营商环境, 蓝天保卫战, 疫情防控 …): sets of categories and keywords kept in
// settings ('metrics.topics'), counted over the cases table with one predicate that also lists their cases.
import { z } from 'zod';
import type { Db } from '../store/db.ts';
import { notFound } from '../shared/errors.ts';
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

/** Number of cases of each topic received in a period (one scan for all topics). */
export async function topicVolumes(db: Db, period: Period, topics?: Topic[]): Promise<{ code: string; name: string; value: number }[]> {
  const list = topics ?? (await loadTopics(db));
  if (!list.length) return [];
  const params: unknown[] = [period.from, period.to];
  const counts = list.map((t, i) => `count(*) FILTER (WHERE ${topicPredicate(t, params)})::int AS t${i}`).join(', ');
  const [row] = await db.query(`SELECT ${counts} FROM cases c WHERE c.local_day BETWEEN $1::date AND $2::date`, params);
  return list.map((t, i) => ({ code: t.code, name: t.name, value: Number(row?.[`t${i}`] ?? 0) }));
}
