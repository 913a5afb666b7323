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

// Intake checks a place for every case: the divisions and compounds (a few thousand rows) are read once and
// kept for a minute, so a known place costs no statement. A code missing from that copy is looked up in the
// database, so newly added reference data is accepted at once.
const SNAPSHOT_MS = 60_000;
interface Division { code: string; level: string; parent_code: string | null }
interface Snapshot { divisions: Map<string, Division>; compounds: Map<string, string | null>; until: number }
const snapshots = new WeakMap<Db, Promise<Snapshot>>();

function snapshotOf(db: Db): Promise<Snapshot> {
  const s = snapshots.get(db);
  if (s) return s.then((x) => (x.until > Date.now() ? x : reload(db)));
  return reload(db);
}

function reload(db: Db): Promise<Snapshot> {
  const p = (async () => {
    const [divs, comps] = [await db.query<Division>(`SELECT code, level, parent_code FROM divisions`), await db.query<{ id: string; community_code: string | null }>(`SELECT id, community_code FROM compounds`)];
    return { divisions: new Map(divs.map((d) => [d.code, d])), compounds: new Map(comps.map((c) => [c.id, c.community_code])), until: Date.now() + SNAPSHOT_MS };
  })();
  snapshots.set(db, p);
  p.catch(() => snapshots.delete(db));
  return p;
}

export async function resolvePlace(db: Db, p: Place): Promise<Place> {
  if (!p.districtCode && !p.streetCode && !p.communityCode && !p.compoundId) return p;
  const snap = await snapshotOf(db);
  const codes = [p.districtCode, p.streetCode, p.communityCode].filter((c): c is string => !!c);
  if (codes.every((c) => snap.divisions.has(c)) && (!p.compoundId || snap.compounds.has(p.compoundId))) {
    const div = new Map<string, Division>();
    const climb = (code: string | null | undefined) => {
      for (let d = code ? snap.divisions.get(code) : undefined; d && !div.has(d.code); d = d.parent_code ? snap.divisions.get(d.parent_code) : undefined) div.set(d.code, d);
    };
    codes.forEach(climb);
    const compound = p.compoundId ? { parent_code: snap.compounds.get(p.compoundId) ?? null } : undefined;
    climb(compound?.parent_code);
    return checkAndFill(p, div, compound);
  }
  return lookUpPlace(db, p);
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
  return checkAndFill(p, new Map(rows.filter((r) => r.kind === 'division').map((r) => [r.code, r])), rows.find((r) => r.kind === 'compound'));
}

/** Checks each code's level against the divisions found (and their parents), then fills missing parents. */
function checkAndFill(p: Place, div: Map<string, Division>, compound: { parent_code: string | null } | undefined): Place {
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
