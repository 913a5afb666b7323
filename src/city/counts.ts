// The synthetic city's daily request counts without the requests: the generator's own rate model (the day's
// volume and its noise, leaf weights × seasons, districts by population, streets evenly within a district)
// drawn as Poisson counts per leaf × street and summed into the rows the trending detector reads (leaf ×
// district, top-level category × street). Years of series in seconds where generateCity would take minutes,
// for the trending benchmark. Not simulated: repeat calls and the generator's own incidents (the caller
// injects its rises, each multiplying the counts of the cells it covers).
import { rngFor } from './prng.ts';
import { loadGazetteer } from './gazetteer.ts';
import { loadTaxonomy } from './taxonomy.ts';
import { dayVolume, leafWeightsOn, DAY_NOISE } from './generate-city.ts';
import { addDays } from '../shared/time.ts';

/** ×factor over day indices [start, end] for every request of a category subtree in a place (null = anywhere). */
export interface CountRise { categoryCode: string; districtCode: string | null; streetCode: string | null; start: number; end: number; factor: number }

export interface CityCounts {
  start: string;
  days: number;
  leafCodes: string[];
  topCodes: string[];
  districtCodes: string[];
  streetCodes: string[];
  /** District index of each street. */
  streetDistrict: Int32Array;
  /** Top-level category index of each leaf. */
  leafTop: Int32Array;
  /** Counts per day × leaf × district: [(day * leaves + leaf) * districts + district]. */
  leafDistrict: Int32Array;
  /** Counts per day × top category × street: [(day * tops + top) * streets + street]. */
  topStreet: Int32Array;
}

export function simulateCityCounts(opts: { seed: number | string; start: string; days: number; perDay: number; rises?: CountRise[] }): CityCounts {
  const g = loadGazetteer();
  const { categories, leaves } = loadTaxonomy();
  const parent = new Map(categories.map((c) => [c.code, c.parentCode]));
  const districtCodes = g.districts.map((d) => d.code);
  const streets = g.districts.flatMap((d) => g.streetsOf.get(d.code) ?? []);
  const streetCodes = streets.map((s) => s.code);
  const streetDistrict = Int32Array.from(streets, (s) => districtCodes.indexOf(s.parentCode!));
  const topCodes = categories.filter((c) => c.level === 1).map((c) => c.code);
  const leafTop = Int32Array.from(leaves, (l) => topCodes.indexOf(l.topCode));
  const dw = districtCodes.map((c) => g.districtWeight.get(c)!);
  const dTotal = dw.reduce((a, b) => a + b, 0);
  // share of a day's volume falling in each street (district share split evenly over its streets)
  const streetShare = Float64Array.from(streets, (s, i) => dw[streetDistrict[i]] / dTotal / (g.streetsOf.get(s.parentCode!)!.length));
  const inSubtree = (code: string, anc: string) => { for (let c: string | null | undefined = code; c; c = parent.get(c)) if (c === anc) return true; return false; };
  const rises = (opts.rises ?? []).map((r) => ({
    ...r,
    leaf: Uint8Array.from(leaves, (l) => (inSubtree(l.code, r.categoryCode) ? 1 : 0)),
    street: Uint8Array.from(streets, (s, i) => (r.streetCode ? (s.code === r.streetCode ? 1 : 0) : r.districtCode ? (districtCodes[streetDistrict[i]] === r.districtCode ? 1 : 0) : 1)),
  }));
  const L = leaves.length, D = districtCodes.length, S = streets.length, T = topCodes.length;
  const leafDistrict = new Int32Array(opts.days * L * D);
  const topStreet = new Int32Array(opts.days * T * S);
  const factor = new Float64Array(S);
  for (let t = 0; t < opts.days; t++) {
    const day = addDays(opts.start, t);
    const rng = rngFor(opts.seed, `counts|${day}`);
    const w = leafWeightsOn(leaves, day);
    const wTotal = w.reduce((a, b) => a + b, 0);
    const n = Math.max(0, Math.round(dayVolume(opts.perDay, day) * (1 + rng.normal(0, DAY_NOISE))));
    const active = rises.filter((r) => t >= r.start && t <= r.end);
    for (let l = 0; l < L; l++) {
      const mu = (n * w[l]) / wTotal;
      factor.fill(1);
      for (const r of active) if (r.leaf[l]) for (let s = 0; s < S; s++) if (r.street[s]) factor[s] *= r.factor;
      const ld = (t * L + l) * D, ts = (t * T + leafTop[l]) * S;
      for (let s = 0; s < S; s++) {
        const x = rng.poisson(mu * streetShare[s] * factor[s]);
        if (x === 0) continue;
        leafDistrict[ld + streetDistrict[s]] += x;
        topStreet[ts + s] += x;
      }
    }
  }
  return { start: opts.start, days: opts.days, leafCodes: leaves.map((l) => l.code), topCodes, districtCodes, streetCodes, streetDistrict, leafTop, leafDistrict, topStreet };
}

/**
 * The trending detector's count rows for day indices [from, to] (day 0 = from), as load-input.ts reads them
 * from the database: leaf × district rows (street −1) and top-level category × street rows.
 */
export function countRows(c: CityCounts, from: number, to: number): { day: Int32Array; cat: Int32Array; district: Int32Array; street: Int32Array; n: Float64Array; catCodes: string[] } {
  const L = c.leafCodes.length, D = c.districtCodes.length, S = c.streetCodes.length, T = c.topCodes.length;
  let rows = 0;
  for (let i = from * L * D; i < (to + 1) * L * D; i++) if (c.leafDistrict[i]) rows++;
  for (let i = from * T * S; i < (to + 1) * T * S; i++) if (c.topStreet[i]) rows++;
  const out = { day: new Int32Array(rows), cat: new Int32Array(rows), district: new Int32Array(rows), street: new Int32Array(rows), n: new Float64Array(rows), catCodes: [...c.leafCodes, ...c.topCodes] };
  let k = 0;
  for (let t = from; t <= to; t++) {
    for (let l = 0; l < L; l++) for (let d = 0; d < D; d++) {
      const x = c.leafDistrict[(t * L + l) * D + d];
      if (x) { out.day[k] = t - from; out.cat[k] = l; out.district[k] = d; out.street[k] = -1; out.n[k++] = x; }
    }
    for (let top = 0; top < T; top++) for (let s = 0; s < S; s++) {
      const x = c.topStreet[(t * T + top) * S + s];
      if (x) { out.day[k] = t - from; out.cat[k] = L + top; out.district[k] = c.streetDistrict[s]; out.street[k] = s; out.n[k++] = x; }
    }
  }
  return out;
}
