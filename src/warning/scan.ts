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

const LN = Float64Array.from({ length: 4096 }, (_, i) => Math.log(i));
const lnInt = (c: number) => (c < 4096 ? LN[c] : Math.log(c));

// Hot loop of the Monte Carlo: no closures or allocations in here (each would run per centre × replicate).
function scanOnce(
  recent: Int32Array, // per location × W: cases with day ≥ D−w (index l*W + w−1)
  locTotal: Float64Array,
  lnWindow: Float64Array, // ln of the cases in each window (fixed under permutation)
  firstW: number, // shortest window holding any case
  C: number,
  centers: Int32Array,
  neighbours: Int32Array[],
  W: number,
  K: number,
  maxZone: number,
  perCenter: Best[] | null,
  zc: Float64Array,
): number {
  const lnC = Math.log(C);
  let best = 0;
  for (let ci = 0; ci < centers.length; ci++) {
    const center = centers[ci];
    const nb = neighbours[center];
    const kmax = Math.min(K, nb.length);
    // A zone without any case in the longest window cannot be a cluster: skip it cheaply.
    let any = 0;
    for (let k = 0; k < kmax && any === 0; k++) any = recent[nb[k] * W + W - 1];
    if (any === 0) continue;
    zc.fill(0);
    let zoneTotal = 0;
    let cb: Best | null = null;
    // The value a cylinder must beat: the best overall (replicates) or the best of this centre (observed data).
    let bar = perCenter ? 0 : best;
    for (let k = 0; k < kmax; k++) {
      const l = nb[k];
      zoneTotal += locTotal[l];
      if (zoneTotal > maxZone) break;
      const base = l * W;
      // A place without recent cases only raises μ: every cylinder of this zone is weaker than the previous.
      if (recent[base + W - 1] === 0 && k > 0) continue;
      for (let w = 0; w < W; w++) zc[w] += recent[base + w];
      const lnZone = Math.log(zoneTotal) - lnC;
      // Whole-zone bound: all its recent cases against the smallest expected count of any window.
      const cAll = zc[W - 1];
      if (cAll * (lnInt(cAll) - lnZone - lnWindow[firstW]) <= bar) continue;
      for (let w = 0; w < W; w++) {
        const c = zc[w];
        // Same count as the shorter window but a larger μ: weaker, skip.
        if (c === 0 || (w > 0 && c === zc[w - 1])) continue;
        const lnMu = lnZone + lnWindow[w];
        // c·ln(c/μ) bounds the LLR from above (the second term is negative): skip the exact value when it cannot win.
        if (c * (lnInt(c) - lnMu) <= bar) continue;
        const mu = Math.exp(lnMu);
        if (c <= mu) continue;
        const llr = poissonLlr(c, mu, C);
        if (llr > best) best = llr;
        if (perCenter) {
          if (!cb || llr > cb.llr) { cb = { llr, center, k: k + 1, w: w + 1, c, mu }; bar = llr; }
        } else bar = best;
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
  const recentList: number[] = [];
  for (let i = 0; i < C; i++) {
    locTotal[loc[i]]++;
    const back = D - 1 - day[i]; // 0 = last day
    if (back < W) {
      recentList.push(back);
      for (let w = back; w < W; w++) windowTotal[w]++;
    }
  }
  if (recentList.length === 0) return { clusters: [], replicatesRun: 0, totalCases: C };
  const centersList: number[] = [];
  for (let l = 0; l < L; l++) if (locTotal[l] > 0) centersList.push(l);
  const centers = Int32Array.from(centersList);
  const recent = new Int32Array(L * W);
  for (let i = 0; i < C; i++) {
    const back = D - 1 - day[i];
    if (back < W) for (let w = back, base = loc[i] * W; w < W; w++) recent[base + w]++;
  }
  const lnWindow = Float64Array.from(windowTotal, (x) => (x > 0 ? Math.log(x) : -Infinity));
  let firstW = 0;
  while (firstW < W - 1 && windowTotal[firstW] === 0) firstW++;
  const zc = new Float64Array(W);
  const perCenter: Best[] = [];
  const observedMax = scanOnce(recent, locTotal, lnWindow, firstW, C, centers, neighbours, W, K, maxZone, perCenter, zc);
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
  const recentDays = Int32Array.from(recentList);
  const m = recentDays.length;
  const maxima: number[] = [];
  let beatBest = 0;
  let r = 0;
  for (; r < R; r++) {
    for (let i = 0; i < m; i++) {
      const j = i + Math.floor(rand() * (C - i));
      const t = idx[i]; idx[i] = idx[j]; idx[j] = t;
    }
    recent.fill(0);
    for (let i = 0; i < m; i++) for (let w = recentDays[i], base = loc[idx[i]] * W; w < W; w++) recent[base + w]++;
    const mx = scanOnce(recent, locTotal, lnWindow, firstW, C, centers, neighbours, W, K, maxZone, null, zc);
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
  const cos = Math.cos(((lat.reduce((a, b) => a + b, 0) / Math.max(n, 1)) * Math.PI) / 180);
  for (let i = 0; i < n; i++) {
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

/**
 * k nearest neighbours of every point (itself first) through a uniform grid, for many points (all compounds
 * of a city): each point searches outward ring by ring until the k-th distance is covered.
 */
export function gridNeighbours(lng: Float64Array, lat: Float64Array, k: number): Int32Array[] {
  const n = lng.length;
  if (n <= 400) return nearestNeighbours(lng, lat, k);
  const cos = Math.cos(((lat.reduce((a, b) => a + b, 0) / n) * Math.PI) / 180);
  const xs = Float64Array.from(lng, (v) => v * cos);
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) { minX = Math.min(minX, xs[i]); maxX = Math.max(maxX, xs[i]); minY = Math.min(minY, lat[i]); maxY = Math.max(maxY, lat[i]); }
  const side = Math.max(1, Math.round(Math.sqrt(n / 4)));
  const cw = (maxX - minX) / side || 1e-9, ch = (maxY - minY) / side || 1e-9;
  const cells: number[][] = Array.from({ length: side * side }, () => []);
  const cx = (i: number) => Math.min(side - 1, Math.floor((xs[i] - minX) / cw));
  const cy = (i: number) => Math.min(side - 1, Math.floor((lat[i] - minY) / ch));
  for (let i = 0; i < n; i++) cells[cy(i) * side + cx(i)].push(i);
  const out: Int32Array[] = [];
  const kk = Math.min(k, n);
  for (let i = 0; i < n; i++) {
    const x0 = cx(i), y0 = cy(i);
    const cand: [number, number][] = [];
    for (let r = 0; ; r++) {
      for (let y = y0 - r; y <= y0 + r; y++) {
        if (y < 0 || y >= side) continue;
        for (let x = x0 - r; x <= x0 + r; x++) {
          if (x < 0 || x >= side || (Math.abs(x - x0) !== r && Math.abs(y - y0) !== r)) continue;
          for (const j of cells[y * side + x]) { const dx = xs[j] - xs[i], dy = lat[j] - lat[i]; cand.push([j === i ? -1 : dx * dx + dy * dy, j]); }
        }
      }
      if (cand.length >= kk) {
        cand.sort((a, b) => a[0] - b[0]);
        const reach = r * Math.min(cw, ch);
        if (cand[kk - 1][0] <= reach * reach || r > side) break;
      }
      if (r > side) break;
    }
    out.push(Int32Array.from(cand.slice(0, kk), (c) => c[1]));
  }
  return out;
}
