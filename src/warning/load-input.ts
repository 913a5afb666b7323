// Reads the snapshot the detectors need from the database: daily counts (grouped in SQL) over the history,
// and the recent cases one by one (places, texts, caller hashes) for the scan and emerging topics.
import type { Db } from '../store/db.ts';
import { addDays } from '../shared/time.ts';
import type { PlaceInfo, WarningInput } from './detect.ts';

export async function loadWarningInput(db: Db, today: string, o: { historyDays?: number; recentDays?: number; upTo?: Date } = {}): Promise<WarningInput> {
  const historyDays = o.historyDays ?? 365;
  const recentDays = o.recentDays ?? 56;
  const firstDay = addDays(today, -(historyDays - 1));
  const recentFrom = addDays(today, -(recentDays - 1));
  const upTo = o.upTo ?? new Date(Date.UTC(9999, 0, 1));
  const codes = () => {
    const list: string[] = [];
    const map = new Map<string, number>();
    const idx = (c: string | null) => {
      if (!c) return -1;
      let i = map.get(c);
      if (i === undefined) { map.set(c, (i = list.length)); list.push(c); }
      return i;
    };
    return { list, idx };
  };
  const cats = codes(), dists = codes(), streets = codes();
  const names = new Map<string, string>();
  const catParent = new Map<string, string | null>();
  for (const c of await db.query<{ code: string; name: string; parent_code: string | null }>('SELECT code, name, parent_code FROM categories')) {
    names.set(c.code, c.name);
    catParent.set(c.code, c.parent_code);
  }
  const divisions = new Map<string, { name: string; lng: number | null; lat: number | null; parent: string | null; level: string }>();
  for (const d of await db.query('SELECT code, name, level, parent_code, lng, lat FROM divisions')) {
    names.set(d.code, d.name);
    divisions.set(d.code, { name: d.name, lng: d.lng, lat: d.lat, parent: d.parent_code, level: d.level });
  }
  const compounds = new Map<string, { name: string; lng: number | null; lat: number | null; community: string }>();
  for (const c of await db.query('SELECT id, name, lng, lat, community_code FROM compounds')) compounds.set(c.id, { name: c.name, lng: c.lng, lat: c.lat, community: c.community_code });

  const rows = await db.query<{ d: string; c: string; di: string | null; s: string | null; n: number }>(
    `SELECT local_day::text AS d, category_code AS c, district_code AS di, street_code AS s, count(*)::int AS n FROM cases
      WHERE local_day BETWEEN $1::date AND $2::date AND category_code IS NOT NULL AND received_at <= $3 GROUP BY 1, 2, 3, 4`,
    [firstDay, today, upTo],
  );
  const base = Date.parse(firstDay);
  const dayIdx = (d: string) => Math.round((Date.parse(d) - base) / 86400_000);
  const counts = {
    day: Int32Array.from(rows, (r) => dayIdx(r.d)),
    cat: Int32Array.from(rows, (r) => cats.idx(r.c)),
    district: Int32Array.from(rows, (r) => dists.idx(r.di)),
    street: Int32Array.from(rows, (r) => streets.idx(r.s)),
    n: Float64Array.from(rows, (r) => r.n),
  };

  const recentRows = await db.query(
    `SELECT id, received_at, local_day::text AS d, category_code, district_code, street_code, community_code, compound_id, lng, lat,
            coalesce(title, '') || ' ' || content AS text, caller_phone_hash
       FROM cases WHERE local_day BETWEEN $1::date AND $2::date AND received_at <= $3 ORDER BY received_at`,
    [recentFrom, today, upTo],
  );
  const places: PlaceInfo[] = [];
  const placeIdx = new Map<string, number>();
  const placeOf = (r: any): number => {
    const key = r.compound_id ?? r.community_code;
    if (!key) return -1;
    let i = placeIdx.get(key);
    if (i !== undefined) return i;
    const comp = r.compound_id ? compounds.get(r.compound_id) : undefined;
    const communityCode = comp?.community ?? r.community_code ?? null;
    const comm = communityCode ? divisions.get(communityCode) : undefined;
    const lng = comp?.lng ?? comm?.lng ?? r.lng, lat = comp?.lat ?? comm?.lat ?? r.lat;
    if (lng == null || lat == null) return -1;
    const streetCode = r.street_code ?? comm?.parent ?? null;
    places.push({
      key, name: comp?.name ?? comm?.name ?? key, lng, lat, compoundId: r.compound_id ?? null, communityCode,
      streetCode, districtCode: r.district_code ?? (streetCode ? divisions.get(streetCode)?.parent ?? null : null),
    });
    placeIdx.set(key, (i = places.length - 1));
    return i;
  };
  const recent = {
    id: Float64Array.from(recentRows, (r) => Number(r.id)),
    day: Int32Array.from(recentRows, (r) => dayIdx(r.d)),
    at: Float64Array.from(recentRows, (r) => new Date(r.received_at).getTime()),
    cat: Int32Array.from(recentRows, (r) => cats.idx(r.category_code)),
    district: Int32Array.from(recentRows, (r) => dists.idx(r.district_code)),
    street: Int32Array.from(recentRows, (r) => streets.idx(r.street_code)),
    place: Int32Array.from(recentRows, placeOf),
    text: recentRows.map((r) => r.text as string),
    person: recentRows.map((r) => (r.caller_phone_hash as string | null) ?? null),
  };
  return { today, firstDay, counts, catCodes: cats.list, districtCodes: dists.list, streetCodes: streets.list, catParent, names, recent, places };
}
