// The three detector families over one in-memory snapshot of the case stream (built from the database by
// load-input.ts, from a simulation by the benchmark, or from a CSV by the replay). Pure: no I/O.
import { addDays, localDateTime } from '../shared/time.ts';
import { fitBaseline, predictBaseline, predictionSd, seasonYearBefore, YEAR_BEFORE_LAG } from './baseline.ts';
import { calibrateThreshold, nbCusum, seriesRecurrence, type SeriesBudget } from './cusum.ts';
import type { Detection } from './detection.ts';
import { FirstStoryClusterer, OWN_SHARE, TermCounts, clusterKeywords, emergingTopics, groupBursts, severalNames, type TermBurst } from './emerging.ts';
import { NearDuplicateIndex } from '../tagging/near-duplicates.ts';
import { gridNeighbours, spaceTimeScan } from './scan.ts';
import { caseTerms, minhash, pairParts, startTermRun, termGeneration, termId, termName } from './text.ts';

export interface PlaceInfo {
  key: string; // compound id or community code
  name: string;
  lng: number;
  lat: number;
  compoundId?: string | null;
  communityCode?: string | null;
  streetCode?: string | null;
  districtCode?: string | null;
}

export interface WarningInput {
  /** Day analysed (the last day; the analysis runs as of its end or as of now for today). */
  today: string;
  /** First day of `counts` (day index 0). */
  firstDay: string;
  /** Daily counts by category × district (street −1), and by top-level category × street (index arrays into the code lists; -1 = none). */
  counts: { day: Int32Array; cat: Int32Array; district: Int32Array; street: Int32Array; n: Float64Array };
  catCodes: string[];
  districtCodes: string[];
  streetCodes: string[];
  /** Parent of each category code (for city-wide rollups of sub-categories), optional. */
  catParent?: Map<string, string | null>;
  names: Map<string, string>;
  /** Recent cases one by one (the concentrated and emerging windows); day relative to firstDay. */
  recent: {
    id: Float64Array;
    day: Int32Array;
    at: Float64Array; // epoch ms
    cat: Int32Array;
    district: Int32Array;
    street: Int32Array;
    place: Int32Array; // index into places, -1 unknown
    text?: string[];
    person?: (string | null)[];
  };
  places: PlaceInfo[];
}

export interface WarningOptions {
  trending?: SeriesBudget & { kappa?: number; monitorDays?: number; minLevel?: number; minStreetLevel?: number; historyDays?: number };
  concentrated?: { analysisDays?: number; maxWindow?: number; neighbours?: number; replicates?: number; minCases?: number; recurrenceDays?: number; familyAlarmsPerDay?: number; seed?: number };
  emerging?: { historyDays?: number; windowDays?: number; maxWindow?: number; ratio?: number; minRatio?: number; minPersons?: number; minPlaces?: number; alpha?: number; maxAgeDays?: number; threshold?: number };
  kinds?: ('trending' | 'concentrated' | 'emerging')[];
  /** Runs that follow one another over the same window (the incremental ones): keep what the next run can reuse —
   *  the emerging window's counts and indexes, each topic's scan. A one-off run (the daily batch, a replay) keeps nothing. */
  keep?: boolean;
}

/** Days of counts a daily trending run reads: two years, so that the fit holds the monitored weeks' season a year before. */
export const TRENDING_HISTORY_DAYS = 730;

const DEFAULTS = {
  trending: { recurrenceDays: 365, familyAlarmsPerDay: 1, kappa: 1.5, monitorDays: 28, minLevel: 1, minStreetLevel: 3, historyDays: TRENDING_HISTORY_DAYS },
  concentrated: { analysisDays: 56, maxWindow: 14, neighbours: 10, replicates: 999, minCases: 5, recurrenceDays: 100, familyAlarmsPerDay: 0.3, seed: 20261128 },
  emerging: { historyDays: 28, windowDays: 3, maxWindow: 14, ratio: 1, minRatio: 5, minPersons: 5, minPlaces: 3, alpha: 0.2, maxAgeDays: 7, threshold: 0.4 },
};

/** Document share above which a word is a template word (emerging). */
const COMMON_SHARE = 0.02;

const dayEnd = (day: string) => new Date(localDateTime(day, 23, 59, 59).getTime());
const nameOf = (input: WarningInput, code: string | null | undefined) => (code ? input.names.get(code) ?? code : '全市');

export function detectAll(input: WarningInput, opts: WarningOptions = {}): Detection[] {
  const kinds = opts.kinds ?? ['trending', 'concentrated', 'emerging'];
  const out: Detection[] = [];
  if (kinds.includes('trending')) out.push(...detectTrending(input, opts));
  if (kinds.includes('concentrated')) out.push(...detectConcentrated(input, opts));
  if (kinds.includes('emerging')) out.push(...detectEmerging(input, opts));
  return out;
}

// ---------- trending ----------

export interface SeriesTrend {
  mu: Float64Array; // expected counts over the monitored days
  stat: Float64Array;
  alarm: Uint8Array;
  episodeStart: Int32Array;
  h: number;
  alpha: number;
  /** Mean fitted count over the history and the standard error of the predicted log mean (what the threshold was calibrated for). */
  level: number;
  levelSd: number;
  recurrenceDays: number;
}

/** Fewest days a baseline is fitted on when it takes its season from the series' last year. */
const MIN_FIT_DAYS = 300;

/** Fits the baseline on y[0, fitEnd) and monitors days [fitEnd, y.length) with a calibrated NB-CUSUM. */
export function trendSeries(y: Float64Array, firstDay: string, fitEnd: number, kappa: number, recurrenceDays: number): SeriesTrend {
  // With a year and a fit's worth of history the season is the series' own last year; fit from where it is known.
  if (fitEnd - YEAR_BEFORE_LAG >= MIN_FIT_DAYS) {
    return trendSeriesFrom(y.subarray(YEAR_BEFORE_LAG), addDays(firstDay, YEAR_BEFORE_LAG), fitEnd - YEAR_BEFORE_LAG, kappa, recurrenceDays, seasonYearBefore(y, firstDay).subarray(YEAR_BEFORE_LAG));
  }
  return trendSeriesFrom(y, firstDay, fitEnd, kappa, recurrenceDays);
}

function trendSeriesFrom(y: Float64Array, firstDay: string, fitEnd: number, kappa: number, recurrenceDays: number, yearBefore?: Float64Array): SeriesTrend {
  const bl = fitBaseline(y, firstDay, fitEnd, { window: y.length - fitEnd, yearBefore });
  const mu = predictBaseline(bl, fitEnd, y.length);
  // the error of the monitored window's expectation: the coefficients' own, and the misfit that lasts weeks
  const levelSd = Math.hypot(predictionSd(bl, fitEnd, y.length), bl.misfitSd);
  const h = calibrateThreshold(bl.level, bl.alpha, kappa, recurrenceDays, undefined, levelSd);
  const r = nbCusum(y.subarray(fitEnd), mu, bl.alpha, kappa, h);
  return { mu, stat: r.stat, alarm: r.alarm, episodeStart: r.episodeStart, h, alpha: bl.alpha, level: bl.level, levelSd, recurrenceDays };
}

export interface TrendingSeries { key: string; family: 'city' | 'district' | 'street'; cat: string; district: string | null; street: string | null; y: Float64Array }

/**
 * The trending series of a snapshot (category × district, category city-wide — sub-categories roll up into
 * their parents — and top-level category × street), the ones watched (volume over the fitted history) and
 * the per-series recurrence interval after the family budget. Null when the history is too short.
 */
export function trendingSeries(input: WarningInput, opts: WarningOptions = {}) {
  const o = { ...DEFAULTS.trending, ...opts.trending };
  const D = 1 + Math.round((Date.parse(input.today) - Date.parse(input.firstDay)) / 86400_000);
  const fitEnd = D - o.monitorDays;
  if (fitEnd < 28) return null;
  type S = TrendingSeries;
  const series = new Map<string, S>();
  const get = (family: S['family'], cat: string, district: string | null, street: string | null) => {
    const key = `${cat}|${district ?? '*'}|${street ?? '*'}`;
    let s = series.get(key);
    if (!s) series.set(key, (s = { key, family, cat, district, street, y: new Float64Array(D) }));
    return s;
  };
  const { day, cat, district, street, n } = input.counts;
  // the series a row adds to, per (category, district, street) combination
  const targets = new Map<number, Float64Array[]>();
  const nD = input.districtCodes.length + 1, nS = input.streetCodes.length + 1;
  for (let i = 0; i < day.length; i++) {
    const d = day[i];
    if (d < 0 || d >= D || cat[i] < 0) continue;
    const combo = (cat[i] * nD + district[i] + 1) * nS + street[i] + 1;
    let ys = targets.get(combo);
    if (!ys) {
      const cats: string[] = [input.catCodes[cat[i]]];
      for (let p = input.catParent?.get(cats[0]); p; p = input.catParent?.get(p)) cats.push(p);
      const dc = district[i] >= 0 ? input.districtCodes[district[i]] : null;
      // Rows with a street are the street series (top-level category × street); the others build the city-wide
      // and district series of the category and its parents.
      if (street[i] >= 0) ys = [get('street', cats[0], dc, input.streetCodes[street[i]]).y];
      else ys = cats.flatMap((c) => [get('city', c, null, null).y, ...(dc ? [get('district', c, dc, null).y] : [])]);
      targets.set(combo, ys);
    }
    for (const y of ys) y[d] += n[i];
  }
  // A database younger than the history window: fit from the first day with any request, not from leading zeros.
  let dataStart = fitEnd;
  for (let i = 0; i < day.length; i++) if (n[i] > 0 && day[i] >= 0 && day[i] < dataStart) dataStart = day[i];
  if (fitEnd - dataStart < 28) return null;
  const fitFrom = addDays(input.firstDay, dataStart);
  // Volume filter, then the family budget shared by the series watched.
  const watched: S[] = [];
  for (const s of series.values()) {
    let sum = 0;
    for (let t = dataStart; t < fitEnd; t++) sum += s.y[t];
    const level = sum / (fitEnd - dataStart);
    if (level >= (s.family === 'street' ? o.minStreetLevel : o.minLevel)) watched.push(s);
  }
  return { o, D, fitEnd, dataStart, fitFrom, series, watched, ri: seriesRecurrence(o, watched.length) };
}

export function detectTrending(input: WarningInput, opts: WarningOptions): Detection[] {
  const ts = trendingSeries(input, opts);
  if (!ts) return [];
  const { o, fitEnd, dataStart, fitFrom, watched, ri } = ts;
  const out: Detection[] = [];
  // category code → which category indexes are it or below it (member look-ups scan the recent cases)
  const masks = new Map<string, Uint8Array>();
  const categoryMask = (code: string) => {
    let m = masks.get(code);
    if (!m) masks.set(code, (m = Uint8Array.from(input.catCodes, (cc) => (cc === code || (input.catParent && isAncestor(input.catParent, code, cc)) ? 1 : 0))));
    return m;
  };
  for (const s of watched) {
    const tr = trendSeries(s.y.subarray(dataStart), fitFrom, fitEnd - dataStart, o.kappa, ri);
    const alarmed = new Set<number>();
    for (let t = 0; t < tr.alarm.length; t++) if (tr.alarm[t]) alarmed.add(tr.episodeStart[t]);
    for (const start of alarmed) {
      let end = start;
      while (end + 1 < tr.episodeStart.length && tr.episodeStart[end + 1] === start) end++;
      let obs = 0, exp = 0;
      for (let t = start; t <= end; t++) { obs += s.y[fitEnd + t]; exp += tr.mu[t]; }
      const startDay = addDays(input.firstDay, fitEnd + start), endDay = addDays(input.firstDay, fitEnd + end);
      const place = s.street ?? s.district;
      const catName = nameOf(input, s.cat);
      const members: number[] = [];
      const r = input.recent;
      const inCat = categoryMask(s.cat);
      for (let i = 0; i < r.id.length && members.length < 1000; i++) {
        const dd = r.day[i] - fitEnd;
        if (dd < start || dd > end) continue;
        if (r.cat[i] < 0 || !inCat[r.cat[i]]) continue;
        if (s.district && input.districtCodes[r.district[i]] !== s.district) continue;
        if (s.street && input.streetCodes[r.street[i]] !== s.street) continue;
        members.push(r.id[i]);
      }
      const lo = Math.max(0, start - 28);
      out.push({
        kind: 'trending',
        incidentKey: `trending:${s.key}:${startDay}`,
        matchKeys: [`series:${s.key}`],
        title: `【倾向性】${place ? nameOf(input, place) : '全市'} · ${catName} 诉求持续上升（${obs} 件，预期 ${exp.toFixed(1)}）`,
        categoryCode: s.cat,
        districtCode: s.district,
        streetCode: s.street,
        placeName: place ? nameOf(input, place) : '全市',
        keywords: [catName],
        observed: obs,
        expected: Math.round(exp * 100) / 100,
        statistic: tr.stat[end],
        pValue: 1 / tr.recurrenceDays,
        recurrenceDays: tr.recurrenceDays,
        firstSeenAt: localDateTime(startDay),
        lastSeenAt: endDay === input.today ? new Date(Math.min(Date.now(), dayEnd(endDay).getTime())) : dayEnd(endDay),
        memberCaseIds: members,
        series: {
          method: 'NB-CUSUM',
          kappa: o.kappa,
          threshold: tr.h,
          dispersion: tr.alpha,
          days: Array.from({ length: tr.mu.length - lo }, (_, k) => addDays(input.firstDay, fitEnd + lo + k)),
          observed: Array.from(s.y.subarray(fitEnd + lo)),
          expected: Array.from(tr.mu.subarray(lo), (x) => Math.round(x * 100) / 100),
          cusum: Array.from(tr.stat.subarray(lo), (x) => Math.round(x * 1000) / 1000),
        },
        detail: { family: s.family, seriesWatched: watched.length, familyFalseAlarmsPerDay: watched.length / ri },
      });
    }
  }
  return out;
}

function isAncestor(parent: Map<string, string | null>, anc: string, code: string): boolean {
  for (let p = parent.get(code); p; p = parent.get(p)) if (p === anc) return true;
  return false;
}

// ---------- concentrated ----------

/**
 * Scans kept from one run to the next, by topic (category): an incremental run scans again only the topics whose
 * requests changed — at a city's rate a handful of the hundreds; the others would get the same input and seed, so
 * the same result. Cleared when the analysis window moves (a new day).
 */
const keptScans = { origin: NaN, byTopic: new Map<string, { key: string; res: ReturnType<typeof spaceTimeScan> }>() };

export function detectConcentrated(input: WarningInput, opts: WarningOptions): Detection[] {
  const o = { ...DEFAULTS.concentrated, ...opts.concentrated };
  const D = 1 + Math.round((Date.parse(input.today) - Date.parse(input.firstDay)) / 86400_000);
  const first = D - o.analysisDays;
  const r = input.recent;
  const byTopic = new Map<number, number[]>();
  for (let i = 0; i < r.id.length; i++) {
    if (r.day[i] < first || r.day[i] >= D || r.place[i] < 0 || r.cat[i] < 0) continue;
    let list = byTopic.get(r.cat[i]);
    if (!list) byTopic.set(r.cat[i], (list = []));
    list.push(i);
  }
  const topics = [...byTopic.entries()].filter(([, idx]) => idx.filter((i) => D - 1 - r.day[i] < o.maxWindow).length >= o.minCases);
  const ri = Math.max(o.recurrenceDays, topics.length / o.familyAlarmsPerDay);
  const pMax = 1 / ri;
  const replicates = Math.min(9999, Math.max(o.replicates, Math.ceil(2 / pMax) - 1));
  // Once this many replicates beat a topic's best cluster its p-value can no longer reach pMax: stop there
  // (the decision is the same as after all replicates; only clusters that will be reported run them all).
  const stopRank = Math.max(1, Math.floor(pMax * (replicates + 1)));
  const out: Detection[] = [];
  const global = placeNeighbours(input.places, o.neighbours);
  const options = JSON.stringify(o);
  const origin = Math.round(Date.parse(input.firstDay) / 86400_000) + first;
  if (opts.keep && keptScans.origin !== origin) { keptScans.origin = origin; keptScans.byTopic.clear(); }
  const kept = opts.keep ? keptScans.byTopic : null;
  for (const [catIdx, idx] of topics) {
    const catCode = input.catCodes[catIdx];
    // the scan's whole input as a key: its requests in order (id, day, place; two 32-bit hashes), the places'
    // neighbours, the seed, the replicates and the options
    let h1 = 0x811c9dc5 ^ idx.length, h2 = 0x9747b28c;
    for (const i of idx) {
      h1 = Math.imul(h1 ^ (r.id[i] % 0x100000000), 0x01000193) ^ (r.day[i] - first);
      h2 = Math.imul(h2 ^ r.place[i], 0x5bd1e995) ^ (r.id[i] % 0x10000);
    }
    const key = `${catIdx}|${global.generation}|${replicates}|${stopRank}|${options}|${h1 >>> 0}|${h2 >>> 0}`;
    let res = kept?.get(catCode)?.key === key ? kept.get(catCode)!.res : null;
    if (res && !res.clusters.some((c) => c.p <= pMax && c.observed >= o.minCases)) continue; // kept, nothing to report
    const locMap = new Map<number, number>();
    const locOf = new Int32Array(idx.length);
    idx.forEach((i, k) => {
      let l = locMap.get(r.place[i]);
      if (l === undefined) locMap.set(r.place[i], (l = locMap.size));
      locOf[k] = l;
    });
    const placeOf = [...locMap.keys()];
    const dayOf = Int32Array.from(idx, (i) => r.day[i] - first);
    if (!res) {
      // zones: a place and its nearest places city-wide (computed once); places without this topic's cases add nothing
      const neighbours = placeOf.map((p) => Int32Array.from([...global.nb[p]].filter((q) => locMap.has(q)), (q) => locMap.get(q)!));
      res = spaceTimeScan(
        { loc: locOf, day: dayOf, locations: placeOf.length, days: o.analysisDays, neighbours },
        { maxWindow: o.maxWindow, maxNeighbours: o.neighbours, replicates, seed: o.seed + catIdx, minCases: o.minCases, stopRank },
      );
      kept?.set(catCode, { key, res });
    }
    for (const c of res.clusters) {
      if (c.p > pMax || c.observed < o.minCases) continue;
      const zone = new Set(c.locations);
      const members: number[] = [];
      let firstAt = Infinity, lastAt = 0;
      idx.forEach((i, k) => {
        if (zone.has(locOf[k]) && D - 1 - r.day[i] < c.window) {
          members.push(r.id[i]);
          firstAt = Math.min(firstAt, r.at[i]);
          lastAt = Math.max(lastAt, r.at[i]);
        }
      });
      const places = c.locations.map((l) => input.places[placeOf[l]]);
      const center = places[0];
      const counts = new Array(o.analysisDays).fill(0);
      idx.forEach((i, k) => { if (zone.has(locOf[k])) counts[dayOf[k]]++; });
      const startDay = addDays(input.today, -(c.window - 1));
      const catName = nameOf(input, catCode);
      const placeName = places.map((p) => p.name).slice(0, 3).join('、') + (places.length > 3 ? ` 等 ${places.length} 处` : '');
      out.push({
        kind: 'concentrated',
        incidentKey: `concentrated:${catCode}:${center.key}:${startDay}`,
        matchKeys: places.map((p) => `place:${catCode}:${p.key}`),
        title: `【集中性】${placeName} · ${catName}（${c.window} 天 ${c.observed} 件，预期 ${c.expected.toFixed(1)}）`,
        categoryCode: catCode,
        districtCode: center.districtCode ?? null,
        streetCode: center.streetCode ?? null,
        communityCode: center.communityCode ?? null,
        compoundId: center.compoundId ?? null,
        placeName,
        keywords: [catName],
        observed: c.observed,
        expected: Math.round(c.expected * 100) / 100,
        statistic: c.llr,
        pValue: c.p,
        recurrenceDays: Math.round(1 / c.p),
        firstSeenAt: new Date(firstAt),
        lastSeenAt: new Date(lastAt),
        memberCaseIds: members,
        series: {
          method: 'space-time permutation scan',
          windowDays: c.window,
          replicates: res.replicatesRun,
          llr: c.llr,
          zone: places.map((p) => ({ key: p.key, name: p.name, lng: p.lng, lat: p.lat })),
          days: Array.from({ length: o.analysisDays }, (_, k) => addDays(input.firstDay, first + k)),
          observed: counts,
        },
        detail: { topics: topics.length, pThreshold: pMax },
      });
    }
  }
  return out;
}

/** The places' nearest neighbours, kept while the places stay the same: the snapshot of each incremental run is a
 *  new array with (nearly always) the same places in the same order. `generation` moves on when they change. */
let neighbourCache: { places: PlaceInfo[]; k: number; nb: Int32Array[]; generation: number } | null = null;
function placeNeighbours(places: PlaceInfo[], k: number): { nb: Int32Array[]; generation: number } {
  const c = neighbourCache;
  const same = (a: PlaceInfo[], b: PlaceInfo[]) => a === b || (a.length === b.length && a.every((p, i) => p.key === b[i].key && p.lng === b[i].lng && p.lat === b[i].lat));
  if (c && c.k === k && same(c.places, places)) { c.places = places; return c; }
  const nb = gridNeighbours(Float64Array.from(places, (p) => p.lng), Float64Array.from(places, (p) => p.lat), k);
  neighbourCache = { places, k, nb, generation: (c?.generation ?? 0) + 1 };
  return neighbourCache;
}

// ---------- emerging ----------

/**
 * New topics over the text window: (1) bursty terms — jieba words and word pairs whose rate over the last
 * 1–maxWindow days is significantly above their rate before (exact conditional binomial test, Tarone-Bonferroni
 * over all terms × windows, family-wise alpha per run) and at least minRatio × it (new, not a swing), counted
 * in distinct callers, spread over ≥ minPlaces streets; terms bursting on the same requests are one topic; (2) novel clusters — first-story
 * detection: window documents clustered by MinHash/LSH, a document near any history document belongs to an old
 * topic.
 */
export function detectEmerging(input: WarningInput, opts: WarningOptions): Detection[] {
  const o = { ...DEFAULTS.emerging, ...opts.emerging };
  const r = input.recent;
  if (!r.text) return [];
  const D = 1 + Math.round((Date.parse(input.today) - Date.parse(input.firstDay)) / 86400_000);
  const first = D - o.historyDays, winFrom = D - o.windowDays;
  const order: number[] = [];
  for (let i = 0; i < r.id.length; i++) if (r.day[i] >= first && r.day[i] < D && r.text[i]) order.push(i);
  order.sort((a, b) => r.at[a] - r.at[b]);
  const textOf = (i: number) => caseText(r, i);
  const personOf = (i: number) => r.person?.[i] ?? String(r.id[i]);
  const daysAxis = Array.from({ length: o.historyDays }, (_, k) => addDays(input.firstDay, first + k));
  const dailyOf = (idxs: number[]) => { const daily = new Array(o.historyDays).fill(0); for (const i of idxs) daily[r.day[i] - first]++; return daily; };
  const out: Detection[] = [];
  const { state: st, refs, inputOf } = emergingWindow(input, o, order, first, winFrom, !!opts.keep);

  // (1) Bursty terms (documents are the kept window's refs).
  const run = st.terms.bursts(
    { ratio: o.ratio, minRatio: o.minRatio, alpha: o.alpha, minPersons: o.minPersons, minPlaces: o.minPlaces },
    (ref) => personOf(inputOf[ref]),
    (ref) => r.street[inputOf[ref]],
  );
  const { bursts, tests, pThreshold } = run;
  // a word in ≥ 2 % of the requests (最近, 一下, 小区, 补贴) is a template word: paired with a new name the pair
  // is new only through the name and slices several topics that share it
  const template = (t: number) => { const p = pairParts(t); return !!p && (run.count(p[0]) >= COMMON_SHARE * order.length || run.count(p[1]) >= COMMON_SHARE * order.length); };
  const mixed = (docs: number[], b: TermBurst) => severalNames(docs, b, st.terms.terms, run.count, template);
  const termKeyOf = new Map<number, string[]>(); // request → its term topic's keys (links a novel cluster to it)
  for (const t of groupBursts(bursts, o.minPersons, { template, mixed })) {
    const idxs = [...t.docs].map((ref) => inputOf[ref]).sort((a, b) => r.at[a] - r.at[b]);
    const lead = t.bursts.reduce((x, y) => (y.p < x.p ? y : x)); // the strongest evidence
    const own = t.bursts.map((b) => termName(b.term));
    const words = [...own, ...t.describing.map((b) => termName(b.term))];
    // match keys: the own terms whose window requests are (nearly) all in this topic — a word two apps of one
    // naming pattern share (联贷 of 信联贷 and 盈联贷), own to the first while it was alone, would chain the second
    // to its alert; the founding (most specific) term when none is
    const keyTerms = t.bursts.filter((b) => b.docs.reduce((k, i) => k + (t.docs.has(i) ? 1 : 0), 0) >= OWN_SHARE * b.docs.length);
    const keys = (keyTerms.length ? keyTerms : t.bursts.slice(0, 1)).map((b) => `term:${termName(b.term)}`);
    for (const i of idxs) termKeyOf.set(i, keys);
    const persons = new Set(idxs.map(personOf)).size;
    const dists = [...new Set(idxs.map((i) => input.districtCodes[r.district[i]]).filter(Boolean))];
    out.push({
      kind: 'emerging',
      incidentKey: `emerging:term:${r.id[idxs[0]]}`,
      // the topic's own terms identify it from run to run: shared phrases and shared requests never chain two topics
      matchKeys: keys,
      title: `【苗头性】新词突发：${words.slice(0, 3).join(' ')}（${persons} 人 ${idxs.length} 件）`,
      categoryCode: mode(idxs.map((i) => input.catCodes[r.cat[i]] ?? '')) || null,
      districtCode: dists.length === 1 ? dists[0] : null,
      placeName: dists.length === 1 ? nameOf(input, dists[0]) : `${dists.length} 个区县`,
      keywords: words.slice(0, 5),
      observed: lead.persons,
      expected: Math.round(lead.expected * 100) / 100,
      statistic: lead.persons,
      pValue: lead.p,
      firstSeenAt: new Date(r.at[idxs[0]]),
      lastSeenAt: new Date(r.at[idxs[idxs.length - 1]]),
      memberCaseIds: idxs.map((i) => r.id[i]),
      series: { method: 'bursty terms (conditional binomial, Tarone)', days: daysAxis, observed: dailyOf(idxs), burstWords: words, windowDays: lead.window, minRatio: o.minRatio },
      detail: { persons, districts: dists, termsTested: tests, pThreshold, historyRequests: lead.history },
    });
  }
  // (2) Novel clusters: first-story detection — window documents with no near history document, clustered.
  const fsd = new FirstStoryClusterer(o.threshold, o.historyDays);
  const docIndex = new Map<string, number>();
  order.forEach((i, k) => {
    const ref = refs[k];
    if (r.day[i] < winFrom || !st.novel[ref]) return;
    const doc = { id: String(r.id[i]), day: r.day[i], text: textOf(i), person: personOf(i), category: input.catCodes[r.cat[i]] ?? null, district: input.districtCodes[r.district[i]] ?? null };
    docIndex.set(doc.id, i);
    fsd.add(doc, st.sigs[ref]);
  });
  // spread as for terms: ≥ minPlaces streets, none holding half of the requests
  const spread = (c: { members: { id: string }[] }) => {
    const by = new Map<number, number>();
    for (const m of c.members) { const st = r.street[docIndex.get(m.id)!]; if (st >= 0) by.set(st, (by.get(st) ?? 0) + 1); }
    return o.minPlaces <= 1 || (by.size >= o.minPlaces && Math.max(...by.values()) * 2 <= c.members.length);
  };
  const topics = emergingTopics(fsd, D - 1, o).filter(spread);
  if (!topics.length) return out;
  // document frequencies of words over the text window: a cluster's distinctive words
  const background = { get: (w: string) => run.count(termId(w) ?? -1) };
  for (const c of topics) {
    const keywords = clusterKeywords(c, background, order.length);
    const burstWords = bursts.map((b) => termName(b.term)).filter((w) => keywords.includes(w));
    const idxs = c.members.map((m) => docIndex.get(m.id)!);
    const cats = [...new Set(c.members.map((m) => m.category).filter(Boolean))] as string[];
    const dists = [...new Set(c.members.map((m) => m.district).filter(Boolean))] as string[];
    const mainDist = mode(c.members.map((m) => m.district ?? ''));
    out.push({
      kind: 'emerging',
      incidentKey: `emerging:${c.members[0].id}`,
      matchKeys: [...new Set([...c.members.map((m) => `case:${m.id}`), ...idxs.flatMap((i) => termKeyOf.get(i) ?? [])])],
      title: `【苗头性】新话题：${keywords.slice(0, 3).join(' ')}（${c.persons.size} 人 ${c.members.length} 件）`,
      categoryCode: mode(c.members.map((m) => m.category ?? '')) || null,
      districtCode: dists.length === 1 ? mainDist || null : null,
      placeName: dists.length === 1 ? nameOf(input, dists[0]) : `${dists.length} 个区县`,
      keywords,
      observed: c.members.length,
      expected: 0,
      statistic: c.persons.size,
      pValue: null,
      recurrenceDays: null,
      firstSeenAt: new Date(Math.min(...idxs.map((i) => r.at[i]))),
      lastSeenAt: new Date(Math.max(...idxs.map((i) => r.at[i]))),
      memberCaseIds: c.members.map((m) => Number(m.id)),
      series: { method: 'first-story MinHash/LSH', days: daysAxis, observed: dailyOf(idxs), burstWords },
      detail: { persons: c.persons.size, categories: cats, districts: dists },
    });
  }
  return out;
}

/** A request's text as emerging reads it (the snapshot holds at most this much too). */
const caseText = (r: WarningInput['recent'], i: number) => r.text![i].slice(0, 160);

/**
 * What emerging runs keep from one to the next — the incremental runs of a worker come every half minute under
 * load: the term counts of the text window, each request's signature, the LSH index of the history (the days before
 * the novelty window) and each window request's novelty. A run then segments, counts and looks up only the requests
 * that arrived since, rather than a month of texts (measured: `npm run bench -- warning --only incremental`).
 * One window at a time, keyed by its first day and today (a new day starts afresh) and the term dictionary; requests
 * are matched by case id — a case's day and text do not change (the term cache assumes it too). A request gone
 * from the window is taken out of the counts; one gone from the history, or moved, starts the window afresh.
 */
interface EmergingWindow {
  key: string;
  terms: TermCounts;
  refOf: Map<number, number>; // case id → ref (TermCounts' document number)
  idOf: number[];
  sigs: Uint32Array[]; // by ref
  history: NearDuplicateIndex;
  /** By ref, for the window's requests: 1 novel, 0 near a history request, −1 not looked up yet. */
  novel: Int8Array;
}
let keptWindow: EmergingWindow | null = null;

function emergingWindow(input: WarningInput, o: typeof DEFAULTS.emerging, order: number[], first: number, winFrom: number, keep: boolean, afresh = false): { state: EmergingWindow; refs: Int32Array; inputOf: Int32Array } {
  const r = input.recent;
  startTermRun();
  const origin = Math.round(Date.parse(input.firstDay) / 86400_000);
  const key = [origin + first, origin + first + o.historyDays, o.windowDays, o.maxWindow, o.threshold, termGeneration()].join('|');
  const st: EmergingWindow = keep && keptWindow?.key === key && !afresh ? keptWindow : {
    key, terms: new TermCounts(o.historyDays, o.maxWindow), refOf: new Map(), idOf: [], sigs: [],
    history: new NearDuplicateIndex(Infinity, o.threshold), novel: new Int8Array(1024), // no time limit: the key holds the days
  };
  if (keep) keptWindow = st;
  const refs = new Int32Array(order.length);
  let historyGrew = false;
  if (!st.idOf.length) st.history.reserve(order.reduce((n, i) => n + (r.day[i] < winFrom ? 1 : 0), 0));
  for (let k = 0; k < order.length; k++) {
    const i = order[k], id = r.id[i], day = r.day[i] - first;
    let ref = st.refOf.get(id);
    if (ref !== undefined && st.terms.dayOf(ref) !== day) {
      // a history request moved: start afresh (on a fresh window only a case id listed twice can get here)
      if (st.terms.dayOf(ref) < winFrom - first && !afresh) return restart();
      st.terms.remove(ref);
      ref = undefined;
    }
    if (ref === undefined) {
      const text = caseText(r, i);
      ref = st.terms.add(day, caseTerms(id, text));
      st.refOf.set(id, ref);
      st.idOf[ref] = id;
      st.sigs[ref] = minhash(text);
      if (ref >= st.novel.length) { const g = new Int8Array(st.novel.length * 2); g.set(st.novel); st.novel = g; }
      st.novel[ref] = -1;
      if (r.day[i] < winFrom) { st.history.add(id, '', r.at[i], null, st.sigs[ref]); historyGrew = true; }
    }
    refs[k] = ref;
  }
  const inputOf = new Int32Array(st.idOf.length).fill(-1);
  for (let k = 0; k < order.length; k++) inputOf[refs[k]] = order[k];
  for (let ref = 0; ref < st.idOf.length; ref++) {
    if (inputOf[ref] >= 0 || !st.terms.has(ref)) continue;
    if (st.terms.dayOf(ref) < winFrom - first && !afresh) return restart(); // a history request gone
    st.terms.remove(ref);
    st.refOf.delete(st.idOf[ref]);
  }
  // novelty of the window's requests: all again when the history grew (a late request), else the new ones
  for (let k = 0; k < order.length; k++) {
    const ref = refs[k];
    if (st.terms.dayOf(ref) < winFrom - first || (st.novel[ref] >= 0 && !historyGrew)) continue;
    st.novel[ref] = st.history.hasNear(st.sigs[ref], Number.MAX_SAFE_INTEGER) ? 0 : 1;
  }
  return { state: st, refs, inputOf };

  function restart() {
    return emergingWindow(input, o, order, first, winFrom, keep, true);
  }
}

function mode(xs: string[]): string {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}
