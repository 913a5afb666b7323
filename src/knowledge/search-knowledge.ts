// Chinese knowledge search: the query is cut into terms (jieba); an entry scores for every term found in its
// title (×3), keywords (×2) or answer (×1), plus pg_trgm word similarity of the whole query to the title.
import type { Db } from '../store/db.ts';
import { searchTerms } from './terms.ts';
import { KB_COLUMNS, toKbDto, type KbEntryDto } from './dto.ts';

export interface KbSearch { q?: string; categoryCode?: string; source?: 'staff' | 'past_reply'; limit?: number; offset?: number }

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

export async function searchKnowledge(db: Db, s: KbSearch): Promise<{ items: KbEntryDto[]; total: number; terms: string[] }> {
  const limit = Math.min(Math.max(s.limit ?? 10, 1), 100);
  const offset = Math.max(s.offset ?? 0, 0);
  const q = (s.q ?? '').trim();
  const terms = q ? searchTerms(q) : [];
  if (q && !terms.length) terms.push(q.slice(0, 50));
  const params: unknown[] = [];
  const p = (v: unknown) => (params.push(v), `$${params.length}`);
  const where = ['k.active'];
  if (s.categoryCode) where.push(`(k.category_code = ${p(s.categoryCode)} OR k.category_code LIKE ${p(likeEscape(s.categoryCode) + '%')})`);
  if (s.source) where.push(`k.source = ${p(s.source)}`);
  let score = '0';
  if (terms.length) {
    const likes = terms.map((t) => p(`%${likeEscape(t)}%`));
    const arr = p(terms);
    const qp = p(q);
    score = [
      ...likes.map((l) => `(CASE WHEN k.title ILIKE ${l} THEN 3 ELSE 0 END + CASE WHEN k.content ILIKE ${l} THEN 1 ELSE 0 END)`),
      `2 * cardinality(ARRAY(SELECT unnest(k.keywords) INTERSECT SELECT unnest(${arr}::text[])))`,
      `word_similarity(${qp}, k.title)`,
    ].join(' + ');
    where.push(`(${likes.map((l) => `k.title ILIKE ${l} OR k.content ILIKE ${l}`).join(' OR ')} OR k.keywords && ${arr}::text[] OR ${qp} <% k.title)`);
  }
  const sql = `SELECT ${KB_COLUMNS}, ${score} AS score, count(*) OVER () AS total
    FROM kb_entries k LEFT JOIN categories c ON c.code = k.category_code
    WHERE ${where.join(' AND ')}
    ORDER BY score DESC, (k.source = 'staff') DESC, k.updated_at DESC, k.id DESC
    LIMIT ${p(limit)} OFFSET ${p(offset)}`;
  const rows = await db.query(sql, params);
  return { items: rows.map((r) => toKbDto(terms.length ? r : { ...r, score: undefined })), total: rows.length ? Number(rows[0].total) : 0, terms };
}
