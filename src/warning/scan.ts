// Kulldorff's prospective space-time permutation scan (as in SaTScan). Cylinders = a zone (a location and
// its k−1 nearest neighbours) × a window of the last w days. Expected μ = C(zone)·C(window)/C, Poisson GLR,
// Monte Carlo p = rank/(R+1) over copies whose dates are shuffled among the cases (marginals kept, so μ is
// fixed and only the observed counts change). Typed arrays throughout; sequential Monte Carlo stops early once
// a cluster clearly is not significant (Besag & Clifford), which keeps hundreds of topics fast.
import { rng } from './random.ts';

export interface ScanInput {
  /** Location index of each case (0…L−1). */
  loc: Int32Array;
  /** Day index of each case (0…D−1); the analysis ends on day D−1. */
  day: Int32Array;
  locations: number;
  days: number;
  /** For each location, its neighbours by distance, itself first (zone k = first k entries). */
  neighbours: Int32Array[];
}

export interface ScanOptions {
  maxWindow?: number; // days, default 14
  maxNeighbours?: number; // zone size cap, default 10
  replicates?: number; // default 999
  seed?: number;
  /** Stop the replicates once this many beat the best cluster (its p is then > stopRank/(R+1)). */
  stopRank?: number;
  /** Secondary clusters with fewer cases are not reported. */
  minCases?: number;
  /** A zone may hold at most this share of all cases. */
  maxZoneShare?: number;
}

export interface Cluster {
  locations: number[];
  window: number; // days, ending on the last day
  observed: number;
  expected: number;
  llr: number;
  p: number;
}

export interface ScanResult {
  clusters: Cluster[];
  replicatesRun: number;
  totalCases: number;
}

/** Poisson generalized likelihood ratio of c observed vs μ expected out of C (0 unless c > μ). */
export function poissonLlr(c: number, mu: number, C: number): number {
  if (c <= mu) return 0;
  const a = c * Math.log(c / mu);
  return C - c > 0 ? a + (C - c) * Math.log((C - c) / (C - mu)) : a;
}

/** Expected count μ = C(zone)·C(window)/C. */
export const expectedCount = (zoneTotal: number, windowTotal: number, total: number) => (zoneTotal * windowTotal) / total;

interface Best { llr: number; center: number; k: number; w: number; c: number; mu: number }

function scanOnce(
  recent: Int32Array, // per location × W: cases with day ≥ D−w (index l*W + w−1)
  locTotal: Float64Array,
  windowTotal: Float64Array,
  C: number,
  centers: Int32Array,
  neighbours: Int32Array[],
  W: number,
  K: number,
  maxZone: number,
  perCenter: Best[] | null,
  zc: Float64Array,
): number {
  let best = 0;
  for (let ci = 0; ci < centers.length; ci++) {
    const center = centers[ci];
    const nb = neighbours[center];
    const kmax = Math.min(K, nb.length);
    zc.fill(0);
    let zoneTotal = 0;
    let cb: Best | null = null;
    for (let k = 0; k < kmax; k++) {
      const l = nb[k];
      zoneTotal += locTotal[l];
      if (zoneTotal > maxZone) break;
      const base = l * W;
      for (let w = 0; w < W; w++) zc[w] += recent[base + w];
      for (let w = 0; w < W; w++) {
        const c = zc[w];
        if (c === 0) continue;
        const mu = (zoneTotal * windowTotal[w]) / C;
        if (c <= mu) continue;
        const llr = poissonLlr(c, mu, C);
        if (llr > best) best = llr;
        if (perCenter && (!cb || llr > cb.llr)) cb = { llr, center, k: k + 1, w: w + 1, c, mu };
      }
    }
    if (perCenter && cb) perCenter.push(cb);
  }
  return best;
}

export function spaceTimeScan(input: ScanInput, opts: ScanOptions = {}): ScanResult {
  const W = Math.min(opts.maxWindow ?? 14, input.days);
  const K = opts.maxNeighbours ?? 10;
  const R = opts.replicates ?? 999;
  const stopRank = opts.stopRank ?? 50;
  const minCases = opts.minCases ?? 2;
  const { loc, day, locations: L, days: D, neighbours } = input;
  const C = loc.length;
  if (C === 0 || W === 0) return { clusters: [], replicatesRun: 0, totalCases: C };
  const maxZone = (opts.maxZoneShare ?? 0.5) * C;
  const locTotal = new Float64Array(L);
  const windowTotal = new Float64Array(W);
  const recentDays: number[] = [];
  for (let i = 0; i < C; i++) {
    locTotal[loc[i]]++;
    const back = D - 1 - day[i]; // 0 = last day
    if (back < W) {
      recentDays.push(back);
      for (let w = back; w < W; w++) windowTotal[w]++;
    }
  }
  if (recentDays.length === 0) return { clusters: [], replicatesRun: 0, totalCases: C };
  const centersList: number[] = [];
  for (let l = 0; l < L; l++) if (locTotal[l] > 0) centersList.push(l);
  const centers = Int32Array.from(centersList);
  const recent = new Int32Array(L * W);
  const fill = (locOf: (i: number) => number, backOf: (i: number) => number, m: number) => {
    recent.fill(0);
    for (let i = 0; i < m; i++) {
      const base = locOf(i) * W;
      for (let w = backOf(i); w < W; w++) recent[base + w]++;
    }
  };
  const recentIdx: number[] = [];
  for (let i = 0; i < C; i++) if (D - 1 - day[i] < W) recentIdx.push(i);
  fill((i) => loc[recentIdx[i]], (i) => D - 1 - day[recentIdx[i]], recentIdx.length);
  const zc = new Float64Array(W);
  const perCenter: Best[] = [];
  const observedMax = scanOnce(recent, locTotal, windowTotal, C, centers, neighbours, W, K, maxZone, perCenter, zc);
  // Secondary clusters: best cylinder per centre, strongest first, not overlapping a stronger one.
  perCenter.sort((a, b) => b.llr - a.llr);
  const used = new Uint8Array(L);
  const picked: Best[] = [];
  for (const b of perCenter) {
    if (b.c < minCases) continue;
    const zone = neighbours[b.center].subarray(0, b.k);
    if (zone.some((l) => used[l])) continue;
    zone.forEach((l) => (used[l] = 1));
    picked.push(b);
    if (picked.length >= 20) break;
  }
  // Monte Carlo: assign the recent day labels to random cases (a uniformly random date permutation
  // restricted to what matters: which cases fall in the last W days, and on which day).
  const rand = rng(opts.seed ?? 20261128);
  const idx = new Int32Array(C);
  for (let i = 0; i < C; i++) idx[i] = i;
  const m = recentDays.length;
  const maxima: number[] = [];
  let beatBest = 0;
  let r = 0;
  for (; r < R; r++) {
    for (let i = 0; i < m; i++) {
      const j = i + Math.floor(rand() * (C - i));
      const t = idx[i]; idx[i] = idx[j]; idx[j] = t;
    }
    fill((i) => loc[idx[i]], (i) => recentDays[i], m);
    const mx = scanOnce(recent, locTotal, windowTotal, C, centers, neighbours, W, K, maxZone, null, zc);
    maxima.push(mx);
    if (mx >= observedMax) beatBest++;
    if (beatBest >= stopRank) { r++; break; }
  }
  const runs = r;
  const pOf = (llr: number) => {
    let rank = 1;
    for (const x of maxima) if (x >= llr) rank++;
    // Stopped early: the p-value of the sequential test is rank/(runs+1) for the best; secondary ones are no stronger.
    return Math.min(1, rank / (runs + 1));
  };
  const clusters: Cluster[] = picked.map((b) => ({
    locations: Array.from(neighbours[b.center].subarray(0, b.k)),
    window: b.w,
    observed: b.c,
    expected: b.mu,
    llr: b.llr,
    p: pOf(b.llr),
  }));
  return { clusters, replicatesRun: runs, totalCases: C };
}

/** k nearest neighbours (itself first) of each point, by planar distance on lng/lat scaled by latitude. */
export function nearestNeighbours(lng: Float64Array, lat: Float64Array, k: number): Int32Array[] {
  const n = lng.length;
  const out: Int32Array[] = [];
  const d = new Float64Array(n);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const cos = Math.cos((lat[i] * Math.PI) / 180);
    for (let j = 0; j < n; j++) {
      const dx = (lng[j] - lng[i]) * cos, dy = lat[j] - lat[i];
      d[j] = j === i ? -1 : dx * dx + dy * dy;
      order[j] = j;
    }
    const kk = Math.min(k, n);
    // partial selection: simple sort is fine for the few hundred locations of one topic
    const arr = Array.from(order).sort((a, b) => d[a] - d[b]).slice(0, kk);
    out.push(Int32Array.from(arr));
  }
  return out;
}
