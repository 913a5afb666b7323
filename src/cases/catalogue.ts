// Units and the versioned dispatch catalogue (category [+ district] → responsible unit, one active version).
import { z } from 'zod';
import type { Db, Row } from '../store/db.ts';
import { conflict, notFound, validationError, type FieldErrors } from '../shared/errors.ts';

/**
 * The unit the active catalogue proposes for a category and place: the most specific category on the path
 * from the category up to its root wins; at equal depth a district-specific rule beats a city-wide one. A rule
 * marked to_street (local matters) goes to the street office of the case's street when there is one, else to
 * the rule's unit (the district government).
 */
export async function proposeUnit(
  db: Db,
  categoryCode: string | null | undefined,
  districtCode: string | null | undefined,
  streetCode?: string | null,
): Promise<{ unitId: string; unitName: string; version: number; categoryCode: string; districtCode: string; toStreet: boolean } | null> {
  if (!categoryCode) return null;
  const [r] = await db.query(
    `WITH RECURSIVE up AS (SELECT code, parent_code, level FROM categories WHERE code = $1
       UNION SELECT k.code, k.parent_code, k.level FROM categories k JOIN up ON k.code = up.parent_code)
     SELECT coalesce(s.id, r.unit_id) AS unit_id, coalesce(s.name, u.name) AS unit_name, r.version, r.category_code, r.district_code, r.to_street
     FROM dispatch_rules r JOIN dispatch_catalogues v ON v.version = r.version AND v.active
     JOIN up ON up.code = r.category_code JOIN units u ON u.id = r.unit_id AND u.active
     LEFT JOIN LATERAL (SELECT id, name FROM units WHERE r.to_street AND $3::text IS NOT NULL AND division_code = $3 AND kind = 'street' AND active ORDER BY id LIMIT 1) s ON true
     WHERE r.district_code = '' OR r.district_code = $2
     ORDER BY up.level DESC, (r.district_code <> '') DESC LIMIT 1`,
    [categoryCode, districtCode ?? '', streetCode ?? null],
  );
  return r ? { unitId: r.unit_id, unitName: r.unit_name, version: r.version, categoryCode: r.category_code, districtCode: r.district_code, toStreet: !!r.to_street } : null;
}

export interface UnitNode {
  id: string;
  name: string;
  kind: string;
  divisionCode: string | null;
  active: boolean;
  children: UnitNode[];
}

export function buildTree<T extends { children: T[] }>(rows: Row[], key: string, parent: string, map: (r: Row) => T): T[] {
  const nodes = new Map<string, T>();
  for (const r of rows) nodes.set(r[key], map(r));
  const roots: T[] = [];
  for (const r of rows) {
    const node = nodes.get(r[key])!;
    const p = r[parent] ? nodes.get(r[parent]) : undefined;
    (p ? p.children : roots).push(node);
  }
  return roots;
}

export async function listUnits(db: Db, opts: { flat?: boolean } = {}): Promise<UnitNode[]> {
  const rows = await db.query(`SELECT id, name, kind, parent_id, division_code, active FROM units ORDER BY kind, id`);
  const map = (r: Row): UnitNode => ({ id: r.id, name: r.name, kind: r.kind, divisionCode: r.division_code, active: r.active, children: [] });
  return opts.flat ? rows.map(map) : buildTree(rows, 'id', 'parent_id', map);
}

export async function getCatalogue(db: Db, version?: number) {
  const [v] = await db.query(
    version ? `SELECT * FROM dispatch_catalogues WHERE version = $1` : `SELECT * FROM dispatch_catalogues WHERE active`,
    version ? [version] : [],
  );
  if (!v) throw notFound('派单目录');
  const rules = await db.query(
    `SELECT r.category_code, k.path AS category_path, r.district_code, d.name AS district_name, r.unit_id, u.name AS unit_name, r.to_street
     FROM dispatch_rules r JOIN categories k ON k.code = r.category_code JOIN units u ON u.id = r.unit_id
     LEFT JOIN divisions d ON d.code = r.district_code WHERE r.version = $1 ORDER BY r.category_code, r.district_code`,
    [v.version],
  );
  const versions = await db.query(`SELECT version, note, active, created_at FROM dispatch_catalogues ORDER BY version`);
  return {
    version: v.version as number,
    note: v.note as string | null,
    active: v.active as boolean,
    createdAt: new Date(v.created_at).toISOString(),
    versions: versions.map((x) => ({ version: x.version, note: x.note, active: x.active, createdAt: new Date(x.created_at).toISOString() })),
    rules: rules.map((r) => ({ categoryCode: r.category_code, categoryPath: r.category_path, districtCode: r.district_code || null, districtName: r.district_name ?? null, unitId: r.unit_id, unitName: r.unit_name, toStreet: !!r.to_street })),
  };
}

export const PublishCatalogueSchema = z.object({
  note: z.string().max(500).optional(),
  rules: z
    .array(z.object({ categoryCode: z.string().min(1).max(64), districtCode: z.string().max(64).nullish(), unitId: z.string().min(1).max(64), toStreet: z.boolean().optional().describe('属地事项：转到案件所在街道办事处') }))
    .min(1, { error: '派单目录至少需要一条规则' })
    .max(50_000),
});

/** Publishes a new catalogue version and makes it the active one (the previous versions stay for audit). */
export async function publishCatalogue(db: Db, input: z.infer<typeof PublishCatalogueSchema>) {
  const rules = input.rules.map((r) => ({ ...r, districtCode: r.districtCode ?? '' }));
  const seen = new Set<string>();
  const fields: FieldErrors = {};
  rules.forEach((r, i) => {
    const k = `${r.categoryCode}|${r.districtCode}`;
    if (seen.has(k)) fields[`rules.${i}`] = '同一分类与区县的规则重复';
    seen.add(k);
  });
  const codes = await db.query<{ kind: string; code: string }>(
    `SELECT 'category' AS kind, code FROM categories WHERE code = ANY(string_to_array($1, E'\\x1f'))
     UNION ALL SELECT 'unit', id FROM units WHERE id = ANY(string_to_array($2, E'\\x1f'))
     UNION ALL SELECT 'district', code FROM divisions WHERE code = ANY(string_to_array($3, E'\\x1f'))`,
    [rules.map((r) => r.categoryCode).join('\x1f'), rules.map((r) => r.unitId).join('\x1f'), rules.map((r) => r.districtCode).filter(Boolean).join('\x1f')],
  );
  const known = new Set(codes.map((c) => `${c.kind}:${c.code}`));
  rules.forEach((r, i) => {
    if (!known.has(`category:${r.categoryCode}`)) fields[`rules.${i}.categoryCode`] = `分类不存在: ${r.categoryCode}`;
    if (!known.has(`unit:${r.unitId}`)) fields[`rules.${i}.unitId`] = `承办单位不存在: ${r.unitId}`;
    if (r.districtCode && !known.has(`district:${r.districtCode}`)) fields[`rules.${i}.districtCode`] = `区县不存在: ${r.districtCode}`;
  });
  if (Object.keys(fields).length) throw validationError(fields);
  const version = await db.tx(async (tx) => {
    const [m] = await tx.query<{ v: number }>(`SELECT coalesce(max(version), 0) + 1 AS v FROM dispatch_catalogues`);
    const v = m!.v;
    await tx.query(`UPDATE dispatch_catalogues SET active = false WHERE active`);
    await tx.query(`INSERT INTO dispatch_catalogues (version, note, active) VALUES ($1, $2, true)`, [v, input.note ?? null]);
    await tx.query(
      `INSERT INTO dispatch_rules (version, category_code, district_code, unit_id, to_street)
       SELECT $1, x.category_code, x.district_code, x.unit_id, coalesce(x.to_street, false)
       FROM jsonb_to_recordset($2::text::jsonb) AS x(category_code text, district_code text, unit_id text, to_street boolean)`,
      [v, JSON.stringify(rules.map((r) => ({ category_code: r.categoryCode, district_code: r.districtCode, unit_id: r.unitId, to_street: r.toStreet ?? false })))],
    );
    return v;
  }).catch((err) => {
    if ((err as { code?: string }).code === '23505') throw conflict('catalogue_conflict', '另一个派单目录版本正在发布，请重试');
    throw err;
  });
  return getCatalogue(db, version);
}
