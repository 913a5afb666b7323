// The synthetic city (src/city generateCity) as the early-warning benchmark's background: one generation
// kept in typed arrays (texts only for the days that need them), and a WarningInput "as of" any day that is
// a window onto it — the same shape load-input.ts reads from the database.
import { generateCity, loadGazetteer, loadTaxonomy, type CityOptions, type Truth } from '../src/city/index.ts';
import { addDays } from '../src/shared/time.ts';
import type { PlaceInfo, WarningInput } from '../src/warning/detect.ts';

export interface CityCases {
  start: string;
  days: number;
  truth: Truth;
  /** Cases in time order (ids, day index from `start`, epoch ms, code indexes). */
  id: Float64Array; day: Int32Array; at: Float64Array; cat: Int32Array; district: Int32Array; street: Int32Array; place: Int32Array;
  person: string[];
  text: (string | undefined)[];
  /** First case of each day (length days + 1). */
  dayStart: Int32Array;
  /** Incident id of each case ('' = background). */
  incident: string[];
  catCodes: string[]; districtCodes: string[]; streetCodes: string[];
  catParent: Map<string, string | null>;
  names: Map<string, string>;
  places: PlaceInfo[];
}

/** Generates the city and keeps what the detectors need; texts from day index `textFrom` on. */
export function generateCityCases(opts: CityOptions & { textFrom?: number; onDay?: (i: number) => void }): CityCases {
  const g = loadGazetteer();
  const tax = loadTaxonomy();
  const names = new Map<string, string>();
  const catParent = new Map<string, string | null>();
  for (const c of tax.categories) { names.set(c.code, c.name); catParent.set(c.code, c.parentCode); }
  for (const d of [...g.districts, ...g.streets, ...g.communities]) names.set(d.code, d.name);
  const index = () => { const list: string[] = []; const map = new Map<string, number>(); return { list, of: (c: string) => { let i = map.get(c); if (i === undefined) { map.set(c, (i = list.length)); list.push(c); } return i; } }; };
  const cats = index(), dists = index(), streets = index();
  const compounds = new Map(g.compounds.map((c) => [c.id, c]));
  const places: PlaceInfo[] = [];
  const placeIdx = new Map<string, number>();
  const placeOf = (compoundId: string | null, communityCode: string, streetCode: string, districtCode: string) => {
    const key = compoundId ?? communityCode;
    let i = placeIdx.get(key);
    if (i !== undefined) return i;
    const comp = compoundId ? compounds.get(compoundId) : undefined;
    const comm = g.byCode.get(communityCode)!;
    places.push({ key, name: comp?.name ?? comm.name, lng: comp?.lng ?? comm.lng, lat: comp?.lat ?? comm.lat, compoundId, communityCode, streetCode, districtCode });
    placeIdx.set(key, (i = places.length - 1));
    return i;
  };
  const cap = Math.ceil(opts.days * opts.perDay * 1.4);
  const id = new Float64Array(cap), at = new Float64Array(cap);
  const day = new Int32Array(cap), cat = new Int32Array(cap), district = new Int32Array(cap), street = new Int32Array(cap), place = new Int32Array(cap);
  const person: string[] = [], text: (string | undefined)[] = [], incident: string[] = [];
  const dayStart = new Int32Array(opts.days + 1);
  const gen = generateCity(opts);
  let n = 0, d = 0;
  const textFrom = opts.textFrom ?? 0;
  for (const b of gen.days()) {
    dayStart[d] = n;
    for (const c of b.cases) {
      id[n] = c.id; at[n] = c.receivedAt.getTime(); day[n] = d; cat[n] = cats.of(c.categoryCode);
      district[n] = dists.of(c.districtCode); street[n] = streets.of(c.streetCode);
      place[n] = placeOf(c.compoundId, c.communityCode, c.streetCode, c.districtCode);
      person.push(c.callerPhone);
      text.push(d >= textFrom ? `${c.title} ${c.content}` : undefined);
      incident.push(c.incidentId ?? '');
      n++;
    }
    opts.onDay?.(d);
    d++;
  }
  dayStart[d] = n;
  return {
    start: opts.start, days: opts.days, truth: gen.truth(),
    id: id.subarray(0, n), at: at.subarray(0, n), day: day.subarray(0, n), cat: cat.subarray(0, n), district: district.subarray(0, n),
    street: street.subarray(0, n), place: place.subarray(0, n), person, text, dayStart, incident,
    catCodes: cats.list, districtCodes: dists.list, streetCodes: streets.list, catParent, names, places,
  };
}

/** The detectors' snapshot as of the end of day index `today`: cases of the last `recentDays` days (texts where kept). */
export function cityInput(c: CityCases, today: number, o: { recentDays?: number; counts?: WarningInput['counts']; countsFrom?: number } = {}): WarningInput {
  const from = Math.max(0, today - (o.recentDays ?? 56) + 1);
  const a = c.dayStart[from], b = c.dayStart[today + 1];
  const origin = o.countsFrom ?? 0;
  const shift = (xs: Int32Array) => (origin === 0 ? xs.subarray(a, b) : Int32Array.from(xs.subarray(a, b), (x) => x - origin));
  return {
    today: addDays(c.start, today), firstDay: addDays(c.start, origin),
    counts: o.counts ?? { day: new Int32Array(0), cat: new Int32Array(0), district: new Int32Array(0), street: new Int32Array(0), n: new Float64Array(0) },
    catCodes: c.catCodes, districtCodes: c.districtCodes, streetCodes: c.streetCodes, catParent: c.catParent, names: c.names, places: c.places,
    recent: {
      id: c.id.subarray(a, b), day: shift(c.day), at: c.at.subarray(a, b), cat: c.cat.subarray(a, b), district: c.district.subarray(a, b),
      street: c.street.subarray(a, b), place: c.place.subarray(a, b), text: c.text.slice(a, b).map((t) => t ?? ''), person: c.person.slice(a, b),
    },
  };
}
