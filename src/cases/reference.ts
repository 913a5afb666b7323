// Reference lists for forms and filters: channels, the category tree, the division tree.
import type { Db, Row } from '../store/db.ts';
import { buildTree } from './catalogue.ts';

export async function listChannels(db: Db) {
  const rows = await db.query(`SELECT code, name, kind, active FROM channels ORDER BY CASE WHEN code = '12345' THEN 0 ELSE 1 END, code`);
  return rows.map((r) => ({ code: r.code, name: r.name, kind: r.kind, active: r.active }));
}

interface CategoryNode { code: string; name: string; level: number; path: string[]; active: boolean; children: CategoryNode[] }
export async function listCategories(db: Db, opts: { flat?: boolean } = {}): Promise<CategoryNode[]> {
  const rows = await db.query(`SELECT code, name, parent_code, level, path, active FROM categories ORDER BY level, code`);
  const map = (r: Row): CategoryNode => ({ code: r.code, name: r.name, level: r.level, path: r.path, active: r.active, children: [] });
  return opts.flat ? rows.map(map) : buildTree(rows, 'code', 'parent_code', map);
}

interface DivisionNode { code: string; name: string; level: string; lng: number | null; lat: number | null; children: DivisionNode[] }
export async function listDivisions(db: Db, opts: { flat?: boolean; parentCode?: string; level?: string } = {}): Promise<DivisionNode[]> {
  const rows = await db.query(
    `SELECT code, name, level, parent_code, lng, lat FROM divisions
     WHERE ($1::text IS NULL OR parent_code = $1) AND ($2::text IS NULL OR level = $2) ORDER BY code`,
    [opts.parentCode ?? null, opts.level ?? null],
  );
  const map = (r: Row): DivisionNode => ({ code: r.code, name: r.name, level: r.level, lng: r.lng, lat: r.lat, children: [] });
  return opts.flat || opts.parentCode || opts.level ? rows.map(map) : buildTree(rows, 'code', 'parent_code', map);
}
