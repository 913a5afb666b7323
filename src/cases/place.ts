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

// Places come from a snapshot of the divisions and compounds (code → level and parent), taken at most once a
// minute: intake meets thousands of distinct places, and one lookup statement per case was among the
// embedded database's largest intake costs. A code missing from the snapshot is looked up in the database,
// so reference data added since is accepted at once; a changed parent shows within the minute.
const SNAPSHOT_MS = 60_000;
interface Snapshot { divisions: Map<string, Division>; compoundCommunity: Map<string, string>; at: number }
interface Division { level: string; parent_code: string | null }
const snapshots = new WeakMap<Db, { current: Snapshot | null; loading: Promise<Snapshot> | null }>();

export async function resolvePlace(db: Db, p: Place): Promise<Place> {
  if (!p.districtCode && !p.streetCode && !p.communityCode && !p.compoundId) return p;
  const snap = await snapshotOf(db);
  const known = [p.districtCode, p.streetCode, p.communityCode].every((c) => !c || snap.divisions.has(c)) && (!p.compoundId || snap.compoundCommunity.has(p.compoundId));
  if (known) return placeFrom(p, snap.divisions, snap.compoundCommunity.get(p.compoundId ?? ''));
  return lookUpPlace(db, p);
}

/** The current snapshot; an expired one keeps serving while its successor loads (one load at a time). */
async function snapshotOf(db: Db): Promise<Snapshot> {
  let s = snapshots.get(db);
  if (!s) snapshots.set(db, (s = { current: null, loading: null }));
  const state = s;
  if (!state.current || Date.now() - state.current.at > SNAPSHOT_MS) {
    state.loading ??= loadSnapshot(db)
      .then((snap) => (state.current = snap))
      .finally(() => (state.loading = null));
    if (!state.current) return state.loading;
    state.loading.catch(() => {}); // a failed refresh leaves the old snapshot; the next request retries
  }
  return state.current;
}

async function loadSnapshot(db: Db): Promise<Snapshot> {
  const at = Date.now();
  const divisions = await db.query<{ code: string; level: string; parent_code: string | null }>('SELECT code, level, parent_code FROM divisions');
  const compounds = await db.query<{ id: string; community_code: string }>('SELECT id, community_code FROM compounds');
  return {
    divisions: new Map(divisions.map((d) => [d.code, { level: d.level, parent_code: d.parent_code }])),
    compoundCommunity: new Map(compounds.map((c) => [c.id, c.community_code])),
    at,
  };
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
  return placeFrom(p, div, rows.find((r) => r.kind === 'compound')?.parent_code ?? undefined);
}

/** Validates the codes against `div` (code → level, parent) and the compound's community, fills missing parents. */
function placeFrom(p: Place, div: Map<string, Division>, compoundCommunity: string | undefined): Place {
  const fields: FieldErrors = {};
  const check = (field: keyof Place, level: string, label: string) => {
    const v = p[field];
    if (v && div.get(v)?.level !== level) fields[field] = `${label}不存在: ${v}`;
  };
  check('districtCode', 'district', '区县代码');
  check('streetCode', 'street', '街道代码');
  check('communityCode', 'community', '社区代码');
  if (p.compoundId && !compoundCommunity) fields.compoundId = `小区不存在: ${p.compoundId}`;
  if (Object.keys(fields).length) throw validationError(fields);

  const out: Place = { ...p };
  const fill = (child: keyof Place, parentField: keyof Place, parent: string | null | undefined, label: string) => {
    if (!parent) return;
    if (!out[parentField]) out[parentField] = parent;
    else if (out[parentField] !== parent) fields[child] = `${label}不属于所填的上级区划`;
  };
  fill('compoundId', 'communityCode', compoundCommunity, '小区');
  fill('communityCode', 'streetCode', out.communityCode ? div.get(out.communityCode)?.parent_code : null, '社区');
  fill('streetCode', 'districtCode', out.streetCode ? div.get(out.streetCode)?.parent_code : null, '街道');
  if (Object.keys(fields).length) throw validationError(fields);
  return out;
}
