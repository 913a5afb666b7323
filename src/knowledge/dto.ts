import type { Row } from '../store/db.ts';

export interface KbEntryDto {
  id: number; title: string; content: string; categoryCode: string | null; categoryName: string | null;
  source: 'staff' | 'past_reply'; keywords: string[]; sourceCaseId: number | null; active: boolean; score?: number; updatedAt: string;
}

export const KB_COLUMNS = `k.id, k.title, k.content, k.category_code, c.name AS category_name, k.source, k.keywords, k.source_case_id, k.active, k.updated_at`;

export function toKbDto(r: Row): KbEntryDto {
  return {
    id: Number(r.id), title: r.title, content: r.content, categoryCode: r.category_code ?? null, categoryName: r.category_name ?? null,
    source: r.source, keywords: r.keywords ?? [], sourceCaseId: r.source_case_id === null || r.source_case_id === undefined ? null : Number(r.source_case_id),
    active: r.active, ...(r.score !== undefined ? { score: Math.round(Number(r.score) * 1000) / 1000 } : {}),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}
