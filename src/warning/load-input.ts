// Reads the snapshot the detectors need from the database: daily counts (grouped in SQL) over the history,
// and the recent cases one by one (places; texts and caller hashes for the emerging window only).
import type { Db, Row } from '../store/db.ts';
import { addDays } from '../shared/time.ts';
import { TRENDING_HISTORY_DAYS, type PlaceInfo, type WarningInput } from './detect.ts';

/**
 * The snapshot of `today`. With `cache` (the incremental runs, every few seconds under load) the reference data and
 * the recent cases are kept between runs and only the cases changed since are read (every update of a case sets
 * updated_at; index cases_updated_at). The whole window is read again when the day or window moves, when the
 * caller's generation moves on (it counts bulk loads, which may carry older timestamps), and every RELOAD_MS.
 */
export async function loadWarningInput(db: Db, today: string, o: { historyDays?: number; recentDays?: number; textDays?: number; upTo?: Date; counts?: boolean; cache?: { generation: number }; pageRows?: number } = {}): Promise<WarningInput> {
  const historyDays = o.historyDays ?? TRENDING_HISTORY_DAYS;
  const recentDays = o.recentDays ?? 56;
  const withCounts = o.counts ?? true;
  // Without the counts, day 0 is the first recent day: the snapshot is the recent window only.
  const firstDay = addDays(today, -((withCounts ? historyDays : recentDays) - 1));
  const recentFrom = addDays(today, -(recentDays - 1));
  const textFrom = addDays(today, -((o.textDays ?? 28) - 1));
  const upTo = o.upTo ?? new Date(Date.UTC(9999, 0, 1));
  const { columns, rows } = await recentCases(db, [firstDay, recentFrom, today, textFrom, upTo], o.cache, o.pageRows);
  const { cats, dists, streets } = columns;

  // Daily counts for the trending series, aggregated in SQL: category × district (the city-wide and parent
  // category series are sums of these), and street × top-level category (street series; leaf × street is too
  // thin to watch). Only the daily run needs them: the incremental run skips the year of history.
  type CountRow = { d: number; c: string; di: string | null; s: string | null; n: number };
  const countRows: CountRow[] = !withCounts ? [] : [
    ...(await db.query<CountRow>(
      `SELECT (local_day - $1::date)::int AS d, category_code AS c, district_code AS di, NULL::text AS s, count(*)::int AS n FROM cases
        WHERE local_day BETWEEN $1::date AND $2::date AND category_code IS NOT NULL AND received_at <= $3 GROUP BY 1, 2, 3`,
      [firstDay, today, upTo],
    )),
    ...(await db.query<CountRow>(
      `WITH RECURSIVE roots AS (SELECT code, code AS root FROM categories WHERE parent_code IS NULL
                                UNION ALL SELECT c.code, r.root FROM categories c JOIN roots r ON c.parent_code = r.code)
       SELECT (x.local_day - $1::date)::int AS d, r.root AS c, x.district_code AS di, x.street_code AS s, count(*)::int AS n
         FROM cases x JOIN roots r ON r.code = x.category_code
        WHERE x.local_day BETWEEN $1::date AND $2::date AND x.street_code IS NOT NULL AND x.received_at <= $3 GROUP BY 1, 2, 3, 4`,
      [firstDay, today, upTo],
    )),
  ];
  const counts = {
    day: Int32Array.from(countRows, (r) => r.d),
    cat: Int32Array.from(countRows, (r) => cats.idx(r.c)),
    district: Int32Array.from(countRows, (r) => dists.idx(r.di)),
    street: Int32Array.from(countRows, (r) => streets.idx(r.s)),
    n: Float64Array.from(countRows, (r) => r.n),
  };

  // Recent cases one by one for the scan window (texts and callers only for the emerging window).
  for (const r of rows) columns.put(r);
  const { names, catParent } = columns.reference;
  return { today, firstDay, counts, catCodes: cats.list, districtCodes: dists.list, streetCodes: streets.list, catParent, names, recent: columns.recent(), places: columns.places.slice() };
}

/** Code lists (categories, districts, streets): a code's index is its place in the list, given at first sight. */
function codes() {
  const list: string[] = [];
  const map = new Map<string, number>();
  const idx = (c: string | null) => {
    if (!c) return -1;
    let i = map.get(c);
    if (i === undefined) { map.set(c, (i = list.length)); list.push(c); }
    return i;
  };
  return { list, idx };
}

/**
 * The recent cases as the detectors' columns, filled row by row: a row seen before (by id) is written again in
 * its place, a new one appended. The incremental runs keep them between runs and put only the rows changed since —
 * rebuilding the columns of 534,000 cached rows took 0.7–0.9 s a run (measured in isolation). The code lists and
 * places only grow: a run's snapshot is read before the next run puts rows.
 */
class RecentColumns {
  readonly cats = codes();
  readonly dists = codes();
  readonly streets = codes();
  readonly places: PlaceInfo[] = [];
  private placeIdx = new Map<string, number>();
  private posOf = new Map<string, number>();
  private n = 0;
  private id = new Float64Array(1024);
  private day = new Int32Array(1024);
  private at = new Float64Array(1024);
  private cat = new Int32Array(1024);
  private district = new Int32Array(1024);
  private street = new Int32Array(1024);
  private place = new Int32Array(1024);
  private text: string[] = [];
  private person: (string | null)[] = [];

  constructor(readonly reference: Reference) {}

  put(r: Row): void {
    const key = String(r.id);
    let k = this.posOf.get(key);
    if (k === undefined) {
      if (this.n === this.id.length) this.grow();
      this.posOf.set(key, (k = this.n++));
    }
    this.id[k] = Number(r.id);
    this.day[k] = r.d;
    this.at[k] = new Date(r.received_at).getTime();
    this.cat[k] = this.cats.idx(r.category_code);
    this.district[k] = this.dists.idx(r.district_code);
    this.street[k] = this.streets.idx(r.street_code);
    this.place[k] = this.placeOf(r);
    this.text[k] = (r.text as string | null) ?? '';
    this.person[k] = (r.person as string | null) ?? null;
  }

  /** Views of the columns as they are now (the next put may write into them). */
  recent(): WarningInput['recent'] {
    const n = this.n;
    return {
      id: this.id.subarray(0, n), day: this.day.subarray(0, n), at: this.at.subarray(0, n), cat: this.cat.subarray(0, n),
      district: this.district.subarray(0, n), street: this.street.subarray(0, n), place: this.place.subarray(0, n),
      text: this.text.slice(0, n), person: this.person.slice(0, n),
    };
  }

  private grow(): void {
    const twice = <T extends Float64Array | Int32Array>(a: T): T => { const g = new (a.constructor as new (n: number) => T)(a.length * 2); g.set(a); return g; };
    this.id = twice(this.id); this.day = twice(this.day); this.at = twice(this.at); this.cat = twice(this.cat);
    this.district = twice(this.district); this.street = twice(this.street); this.place = twice(this.place);
  }

  private placeOf(r: Row): number {
    const key = r.compound_id ?? r.community_code;
    if (!key) return -1;
    let i = this.placeIdx.get(key);
    if (i !== undefined) return i;
    const { compounds, divisions } = this.reference;
    const comp = r.compound_id ? compounds.get(r.compound_id) : undefined;
    const communityCode = comp?.community ?? r.community_code ?? null;
    const comm = communityCode ? divisions.get(communityCode) : undefined;
    const lng = comp?.lng ?? comm?.lng ?? r.lng, lat = comp?.lat ?? comm?.lat ?? r.lat;
    if (lng == null || lat == null) return -1;
    const streetCode = r.street_code ?? comm?.parent ?? null;
    this.places.push({
      key, name: comp?.name ?? comm?.name ?? key, lng, lat, compoundId: r.compound_id ?? null, communityCode,
      streetCode, districtCode: r.district_code ?? (streetCode ? divisions.get(streetCode)?.parent ?? null : null),
    });
    this.placeIdx.set(key, (i = this.places.length - 1));
    return i;
  }
}

/** What a snapshot holds, for a run's summary. */
export const snapshotSize = (input: WarningInput) => ({ countRows: input.counts.day.length, recentCases: input.recent.id.length, texts: input.recent.text?.filter(Boolean).length ?? 0 });

type Reference = {
  names: Map<string, string>;
  catParent: Map<string, string | null>;
  divisions: Map<string, { name: string; lng: number | null; lat: number | null; parent: string | null; level: string }>;
  compounds: Map<string, { name: string; lng: number | null; lat: number | null; community: string }>;
};

async function readReference(db: Db): Promise<Reference> {
  const r: Reference = { names: new Map(), catParent: new Map(), divisions: new Map(), compounds: new Map() };
  for (const c of await db.query<{ code: string; name: string; parent_code: string | null }>('SELECT code, name, parent_code FROM categories')) {
    r.names.set(c.code, c.name);
    r.catParent.set(c.code, c.parent_code);
  }
  for (const d of await db.query('SELECT code, name, level, parent_code, lng, lat FROM divisions')) {
    r.names.set(d.code, d.name);
    r.divisions.set(d.code, { name: d.name, lng: d.lng, lat: d.lat, parent: d.parent_code, level: d.level });
  }
  for (const c of await db.query('SELECT id, name, lng, lat, community_code FROM compounds')) r.compounds.set(c.id, { name: c.name, lng: c.lng, lat: c.lat, community: c.community_code });
  return r;
}

/** Incremental runs read the whole window (and the reference data) again at least this often: a change inside a
 *  transaction that ran longer than the overlap below, or a gazetteer edit, is then picked up too. */
const RELOAD_MS = 15 * 60_000;
const OVERLAP_S = 5;
interface RecentCache { key: string; generation: number; columns: RecentColumns; watermark: number; loadedAt: number }
const recentCaches = new WeakMap<Db, RecentCache>();

/** The recent cases of the window [recentFrom, today] received up to upTo (see loadWarningInput): the kept columns
 *  with the rows changed since put in, or new columns (with the reference data) and every row, still to put (after
 *  the counts: codes are numbered as first met, counts first, as they always were). */
async function recentCases(db: Db, params: [string, string, string, string, Date], cache?: { generation: number }, pageRows = PAGE_ROWS): Promise<{ columns: RecentColumns; rows: Row[] }> {
  const [firstDay, recentFrom, today, textFrom] = params;
  // `extra`: more columns (a paged read's keyset)
  const select = (extra = '') => `SELECT id, received_at, (local_day - $1::date)::int AS d, category_code, district_code, street_code, community_code, compound_id, lng, lat,
            CASE WHEN local_day >= $4::date THEN left(coalesce(title, '') || ' ' || content, 160) END AS text,
            CASE WHEN local_day >= $4::date THEN caller_phone_hash END AS person, extract(epoch FROM updated_at)::float8 AS updated${extra}
       FROM cases WHERE local_day BETWEEN $2::date AND $3::date AND received_at <= $5`;
  const key = [firstDay, recentFrom, today, textFrom].join('|');
  const latest = (rows: Row[], from: number) => rows.reduce((m, r) => Math.max(m, Number(r.updated)), from);
  const c = recentCaches.get(db);
  if (cache && c && c.key === key && c.generation === cache.generation && Date.now() - c.loadedAt < RELOAD_MS) {
    // Changed since the last run, with OVERLAP_S of overlap: updated_at is its transaction's start, so a change
    // committed just after the last read can carry an earlier time than the newest one seen (intake and lifecycle
    // transactions last milliseconds; a longer one is picked up by the next whole read). Not more: under load
    // every second of overlap is a thousand cases read again each run.
    const changed = await db.query(`${select()} AND updated_at > to_timestamp($6::float8 - ${OVERLAP_S})`, [...params, c.watermark]);
    for (const r of changed) c.columns.put(r);
    c.watermark = latest(changed, c.watermark);
    return { columns: c.columns, rows: [] };
  }
  const columns = new RecentColumns(await readReference(db));
  const rows = await readWhole(db, select, params, pageRows);
  if (cache) recentCaches.set(db, { key, generation: cache.generation, columns, watermark: latest(rows, 0), loadedAt: Date.now() });
  return { columns, rows };
}

/** Rows a query of a whole read returns at most. On the embedded database a query runs in the database's one thread:
 *  the benchmark's window read in one query held every request behind it for 0.6–1.1 s. */
const PAGE_ROWS = 20_000;

/** The whole window, a day at a time in pages of `pageRows` (keyset on received_at, id — the day's index serves it). */
async function readWhole(db: Db, select: (extra?: string) => string, params: [string, string, string, string, Date], pageRows: number): Promise<Row[]> {
  const [, recentFrom, today] = params;
  const rows: Row[] = [];
  const paged = select(', (extract(epoch FROM received_at) * 1000000)::bigint::text AS at_us');
  for (let day = recentFrom; day <= today; day = addDays(day, 1)) {
    let after: [string, string] | null = null; // the last row's received_at (µs since the epoch, exact) and id
    for (;;) {
      const page: Row[] = await db.query(
        `${paged} AND local_day = $6::date${after ? ` AND received_at >= 'epoch'::timestamptz + $7::bigint * interval '1 microsecond'
           AND (received_at, id) > ('epoch'::timestamptz + $7::bigint * interval '1 microsecond', $8::bigint)` : ''}
         ORDER BY received_at, id LIMIT ${pageRows}`,
        after ? [...params, day, ...after] : [...params, day],
      );
      for (const r of page) rows.push(r);
      if (page.length < pageRows) break;
      const last = page[page.length - 1];
      after = [String(last.at_us), String(last.id)];
    }
  }
  return rows;
}
