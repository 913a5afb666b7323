// Place codes of a case: validates district / street / community / compound against the divisions and
// fills missing parents (a compound gives its community, a community its street, a street its district).
import type { Db } from '../store/db.ts';
import { validationError, type FieldErrors } from '../shared/errors.ts';

export interface Place {
  districtCode?: string | null;
  streetCode?: string | null;
  communityCode?: string | null;
  compoundId?: string | null;
}

// Valid places are remembered for a minute (intake resolves the same few thousand places over and over);
// an unknown code is always looked up again, so newly added reference data is accepted at once.
const CACHE_MS = 60_000;
const cache = new WeakMap<Db, Map<string, { place: Place; until: number }>>();

export async function resolvePlace(db: Db, p: Place): Promise<Place> {
  if (!p.districtCode && !p.streetCode && !p.communityCode && !p.compoundId) return p;
  const key = [p.districtCode, p.streetCode, p.communityCode, p.compoundId].join('|');
  let known = cache.get(db);
  if (!known) cache.set(db, (known = new Map()));
  const hit = known.get(key);
  if (hit && hit.until > Date.now()) return { ...p, ...hit.place };
  const out = await lookUpPlace(db, p);
  if (known.size >= 10_000) known.clear();
  known.set(key, { place: { districtCode: out.districtCode, streetCode: out.streetCode, communityCode: out.communityCode, compoundId: out.compoundId }, until: Date.now() + CACHE_MS });
  return out;
}

async function lookUpPlace(db: Db, p: Place): Promise<Place> {
  const rows = await db.query<{ kind: string; code: string; level: string; parent_code: string | null }>(
    `WITH RECURSIVE start AS (
       SELECT code FROM divisions WHERE code = ANY(ARRAY[$1, $2, $3]::text[])
       UNION SELECT community_code FROM compounds WHERE id = $4),
     chain AS (
       SELECT d.code, d.level, d.parent_code FROM divisions d JOIN start s ON s.code = d.code
       UNION SELECT d.code, d.level, d.parent_code FROM divisions d JOIN chain ON d.code = chain.parent_code)
     SELECT 'division' AS kind, code, level, parent_code FROM chain
     UNION ALL SELECT 'compound', id, 'compound', community_code FROM compounds WHERE id = $4`,
    [p.districtCode ?? null, p.streetCode ?? null, p.communityCode ?? null, p.compoundId ?? null],
  );
  const div = new Map(rows.filter((r) => r.kind === 'division').map((r) => [r.code, r]));
  const compound = rows.find((r) => r.kind === 'compound');
  const fields: FieldErrors = {};
  const check = (field: keyof Place, level: string, label: string) => {
    const v = p[field];
    if (v && div.get(v)?.level !== level) fields[field] = `${label}不存在: ${v}`;
  };
  check('districtCode', 'district', '区县代码');
  check('streetCode', 'street', '街道代码');
  check('communityCode', 'community', '社区代码');
  if (p.compoundId && !compound) fields.compoundId = `小区不存在: ${p.compoundId}`;
  if (Object.keys(fields).length) throw validationError(fields);

  const out: Place = { ...p };
  const fill = (child: keyof Place, parentField: keyof Place, parent: string | null | undefined, label: string) => {
    if (!parent) return;
    if (!out[parentField]) out[parentField] = parent;
    else if (out[parentField] !== parent) fields[child] = `${label}不属于所填的上级区划`;
  };
  fill('compoundId', 'communityCode', compound?.parent_code, '小区');
  fill('communityCode', 'streetCode', out.communityCode ? div.get(out.communityCode)?.parent_code : null, '社区');
  fill('streetCode', 'districtCode', out.streetCode ? div.get(out.streetCode)?.parent_code : null, '街道');
  if (Object.keys(fields).length) throw validationError(fields);
  return out;
}
