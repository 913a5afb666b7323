// Seeds the knowledge base from past replies: answers of cases resolved on the line (在线办结), one entry per
// distinct answer, newest case first. Idempotent: reruns add only answers not seen before.
import type { Db } from '../store/db.ts';
import { extractKeywords } from './terms.ts';

export async function seedKnowledge(db: Db, opts: { limit?: number; minLength?: number } = {}): Promise<number> {
  const limit = opts.limit ?? 5000;
  const minLength = opts.minLength ?? 10;
  const rows = await db.query(
    `SELECT DISTINCT ON (md5(c.resolution)) c.id, c.title, c.content, c.resolution, c.category_code, c.keywords, md5(c.resolution) AS hash
       FROM cases c
      WHERE c.status = 'resolved_online' AND c.resolution IS NOT NULL AND char_length(c.resolution) >= $1
        AND NOT EXISTS (SELECT 1 FROM kb_entries k WHERE k.source = 'past_reply' AND k.content_hash = md5(c.resolution))
        AND NOT EXISTS (SELECT 1 FROM kb_entries k WHERE k.source_case_id = c.id)
      ORDER BY md5(c.resolution), c.received_at DESC
      LIMIT $2`,
    [minLength, limit],
  );
  if (!rows.length) return 0;
  const now = new Date();
  const entries = rows.map((r) => {
    const title = (r.title?.trim() || String(r.content).replace(/\s+/g, ' ').slice(0, 40)).slice(0, 200);
    const keywords = r.keywords?.length ? r.keywords.slice(0, 10) : extractKeywords(`${r.title ?? ''}。${r.content}`);
    return [title, r.resolution, r.category_code ?? null, 'past_reply', keywords, Number(r.id), r.hash, 'system', now, now];
  });
  return db.copyRows('kb_entries', ['title', 'content', 'category_code', 'source', 'keywords', 'source_case_id', 'content_hash', 'created_by', 'created_at', 'updated_at'], entries);
}
