// Staff write and edit knowledge entries; validation errors name each bad field.
import type { Db } from '../store/db.ts';
import type { Actor } from '../server/context.ts';
import { notFound, validationError, type FieldErrors } from '../shared/errors.ts';
import { extractKeywords } from './terms.ts';
import { KB_COLUMNS, toKbDto, type KbEntryDto } from './dto.ts';

export interface KbInput { title?: string; content?: string; categoryCode?: string | null; keywords?: string[]; active?: boolean }

async function check(db: Db, input: KbInput, partial: boolean): Promise<void> {
  const fields: FieldErrors = {};
  if (!partial || input.title !== undefined) if (!input.title?.trim()) fields.title = '请填写标题';
  if (!partial || input.content !== undefined) if (!input.content?.trim()) fields.content = '请填写答复内容';
  if (input.title && input.title.length > 200) fields.title = '标题不能超过 200 字';
  if (input.content && input.content.length > 20000) fields.content = '内容不能超过 20000 字';
  if (input.categoryCode) {
    const [c] = await db.query('SELECT 1 FROM categories WHERE code = $1', [input.categoryCode]);
    if (!c) fields.categoryCode = '分类不存在';
  }
  if (Object.keys(fields).length) throw validationError(fields);
}

const cleanKeywords = (k: string[] | undefined) => [...new Set((k ?? []).map((x) => x.trim()).filter(Boolean))].slice(0, 20);

export async function getKnowledgeEntry(db: Db, id: number): Promise<KbEntryDto> {
  const [r] = await db.query(`SELECT ${KB_COLUMNS} FROM kb_entries k LEFT JOIN categories c ON c.code = k.category_code WHERE k.id = $1`, [id]);
  if (!r) throw notFound('知识库条目');
  return toKbDto(r);
}

export async function createKnowledgeEntry(db: Db, input: KbInput, actor: Actor): Promise<KbEntryDto> {
  await check(db, input, false);
  const title = input.title!.trim();
  const content = input.content!.trim();
  const keywords = input.keywords?.length ? cleanKeywords(input.keywords) : extractKeywords(`${title}。${content}`);
  const [r] = await db.query(
    `INSERT INTO kb_entries (title, content, category_code, source, keywords, created_by) VALUES ($1, $2, $3, 'staff', $4, $5) RETURNING id`,
    [title, content, input.categoryCode || null, keywords, actor.id],
  );
  return getKnowledgeEntry(db, Number(r.id));
}

export async function updateKnowledgeEntry(db: Db, id: number, input: KbInput, _actor: Actor): Promise<KbEntryDto> {
  await check(db, input, true);
  const rows = await db.query(
    `UPDATE kb_entries SET
       title = COALESCE($2, title), content = COALESCE($3, content),
       category_code = CASE WHEN $4::boolean THEN $5 ELSE category_code END,
       keywords = COALESCE($6, keywords), active = COALESCE($7, active), updated_at = now()
     WHERE id = $1 RETURNING id`,
    [id, input.title?.trim() ?? null, input.content?.trim() ?? null, input.categoryCode !== undefined, input.categoryCode || null, input.keywords ? cleanKeywords(input.keywords) : null, input.active ?? null],
  );
  if (!rows.length) throw notFound('知识库条目');
  return getKnowledgeEntry(db, id);
}
