// Reference data of the synthetic Changsha: divisions, compounds and roads, units, the request taxonomy and
// dispatch catalogue v1. Idempotent (ON CONFLICT DO NOTHING), parameterised multi-row inserts on both engines.
import type { Db } from '../store/db.ts';
import { loadGazetteer } from './gazetteer.ts';
import { loadTaxonomy } from './taxonomy.ts';
import { CITY_UNITS, unitId } from './units-data.ts';

export interface ReferenceCounts { divisions: number; compounds: number; units: number; categories: number; rules: number }

export async function seedReference(db: Db): Promise<ReferenceCounts> {
  const g = loadGazetteer();
  const { categories, leaves } = loadTaxonomy();
  const divisions = [g.city, ...g.districts, ...g.streets, ...g.communities].map((d) => [d.code, d.name, d.level, d.parentCode, d.lng, d.lat]);
  const places = [...g.compounds, ...g.roads].map((p) => [p.id, p.name, p.aliases, p.kind, p.communityCode, p.lng, p.lat]);
  const units: unknown[][] = [
    ...CITY_UNITS.map((u) => [unitId.city(u.key), u.name, u.kind, u.parent ? unitId.city(u.parent) : null, null]),
    ...g.districts.map((d) => [unitId.district(d.code), `${d.name}人民政府`, 'district', null, d.code]),
    ...g.streets.map((s) => [unitId.street(s.code), `${g.byCode.get(s.parentCode!)!.name}${s.name}${s.name.endsWith('镇') || s.name.endsWith('乡') ? '人民政府' : '办事处'}`, 'street', unitId.district(s.parentCode!), s.code]),
  ];
  // Parents first: units reference their parent unit.
  units.sort((a, b) => (a[3] === null ? 0 : 1) - (b[3] === null ? 0 : 1));
  const cats = categories.map((c) => [c.code, c.name, c.parentCode, c.level, c.path]);
  const rules: unknown[][] = [];
  for (const l of leaves) {
    if (l.unitKey === 'district' || l.unitKey === 'street') {
      for (const d of g.districts) rules.push([1, l.code, d.code, unitId.district(d.code), l.unitKey === 'street']);
    } else rules.push([1, l.code, '', unitId.city(l.unitKey), false]);
  }
  return db.tx(async (tx) => {
    // Channels belong to the cases migration; the same rows here (no-op when present) keep the city loadable alone.
    await insertMany(tx, 'channels', ['code', 'name', 'kind'], CHANNELS, 'code');
    const counts: ReferenceCounts = {
      divisions: await insertMany(tx, 'divisions', ['code', 'name', 'level', 'parent_code', 'lng', 'lat'], divisions, 'code'),
      compounds: await insertMany(tx, 'compounds', ['id', 'name', 'aliases', 'kind', 'community_code', 'lng', 'lat'], places, 'id'),
      units: await insertMany(tx, 'units', ['id', 'name', 'kind', 'parent_id', 'division_code'], units, 'id'),
      categories: await insertMany(tx, 'categories', ['code', 'name', 'parent_code', 'level', 'path'], cats, 'code'),
      rules: 0,
    };
    const has = await tx.query('SELECT 1 FROM dispatch_catalogues WHERE version = 1');
    if (!has.length) {
      const active = await tx.query('SELECT 1 FROM dispatch_catalogues WHERE active');
      await tx.query('INSERT INTO dispatch_catalogues (version, note, active) VALUES (1, $1, $2)', ['派单目录 v1（合成长沙）', active.length === 0]);
    }
    counts.rules = await insertMany(tx, 'dispatch_rules', ['version', 'category_code', 'district_code', 'unit_id', 'to_street'], rules, 'version, category_code, district_code');
    return counts;
  });
}

/** Whether the database has no divisions yet (start-up seeds then). */
export async function isReferenceEmpty(db: Db): Promise<boolean> {
  return (await db.query('SELECT 1 FROM divisions LIMIT 1')).length === 0;
}

const CHANNELS = [
  ['12345', '12345热线电话', 'phone'], ['web', '网站留言', 'web'], ['letter', '来信', 'letter'], ['app', '手机APP', 'app'],
  ['wechat', '微信公众号', 'wechat'], ['12315', '12315市场监管热线', 'merged'], ['12333', '12333人社热线', 'merged'], ['import', '批量导入', 'import'],
];

async function insertMany(db: Db, table: string, columns: string[], rows: unknown[][], conflict: string): Promise<number> {
  let inserted = 0;
  const per = Math.floor(2000 / columns.length);
  for (let i = 0; i < rows.length; i += per) {
    const batch = rows.slice(i, i + per);
    const params: unknown[] = [];
    const values = batch.map((r) => `(${r.map((v) => `$${params.push(v)}`).join(',')})`).join(',');
    const res = await db.query(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${values} ON CONFLICT (${conflict}) DO NOTHING RETURNING 1 AS x`, params);
    inserted += res.length;
  }
  return inserted;
}
