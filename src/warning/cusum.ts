// Negative-binomial CUSUM (Höhle & Paul 2008) for a multiplicative rise κ over a seasonal baseline μ_t:
// S_t = max(0, S_{t-1} + log f(x_t; κμ_t, α) / f(x_t; μ_t, α)). An episode starts when S leaves 0 and ends
// when it returns there; an episode that reaches the threshold h is one alarm (one incident), however long.
// Thresholds are calibrated by simulating in-control series, so the false-alarm recurrence interval holds.
import { negbin, rng } from './random.ts';

/** Log likelihood ratio of one day's count under NB(κμ, α) against NB(μ, α). */
export function nbLlr(x: number, mu: number, alpha: number, kappa: number): number {
  if (alpha <= 1e-9) return x * Math.log(kappa) - (kappa - 1) * mu;
  const r = 1 / alpha;
  return x * Math.log(kappa) + (x + r) * Math.log((1 + alpha * mu) / (1 + alpha * kappa * mu));
}

export interface CusumResult {
  stat: Float64Array;
  /** 1 on the day an episode first reaches h. */
  alarm: Uint8Array;
  /** Start index of the episode each day belongs to (-1 when S = 0). */
  episodeStart: Int32Array;
}

export function nbCusum(x: ArrayLike<number>, mu: ArrayLike<number>, alpha: number, kappa: number, h: number, from = 0): CusumResult {
  const n = x.length;
  const stat = new Float64Array(n);
  const alarm = new Uint8Array(n);
  const episodeStart = new Int32Array(n).fill(-1);
  let s = 0, start = -1, fired = false;
  for (let t = from; t < n; t++) {
    s = Math.max(0, s + nbLlr(x[t], mu[t], alpha, kappa));
    if (s > 0) {
      if (start < 0) { start = t; fired = false; }
      episodeStart[t] = start;
      if (s >= h && !fired) { alarm[t] = 1; fired = true; }
    } else { start = -1; fired = false; }
    stat[t] = s;
  }
  return { stat, alarm, episodeStart };
}

const thresholdCache = new Map<string, number>();

/**
 * Threshold h such that in-control episodes reach h at most once per `recurrenceDays` days, for a series of
 * mean level mu and dispersion alpha (bucketed, cached). Found from the maxima of simulated episodes.
 * `levelSd`: standard error of the baseline's log mean — the simulated series run at the estimate × e^ε,
 * ε ~ N(0, levelSd²) redrawn every 28 days (one monitored window), as the real ones run at the truth while the
 * CUSUM uses the estimate. Without it the false-alarm rate on fitted baselines is several times the nominal.
 */
export function calibrateThreshold(mu: number, alpha: number, kappa: number, recurrenceDays: number, seed = 12345, levelSd = 0): number {
  const lm = Math.round(Math.log(Math.max(mu, 0.02)) * 4) / 4; // ~28% buckets of the level
  // Dispersion bucketed by what it does to the variance μ + αμ²: by the excess share αμ, in ~13% steps rounded up
  // (a threshold never below the one for the series' own dispersion), Poisson below 2%. A fixed step in α (0.05)
  // rounded a busy series' α = 0.006 to Poisson — variance 5× too small at μ = 800, thresholds near nothing — while
  // fine steps in α itself split sparse series, where α hardly matters, into many buckets (calibrations).
  const m = Math.exp(lm);
  const overdispersion = Math.min(alpha, 5) * m;
  const la = overdispersion < 0.02 ? 0 : Math.exp(Math.ceil(Math.log(overdispersion) * 8) / 8) / m;
  // ~10% steps, rounded up (a threshold never below the one for the series' own error); few buckets keep the cache hot
  const ls = levelSd < 0.005 ? 0 : Math.exp(Math.ceil(Math.log(Math.min(levelSd, 1)) * 10) / 10);
  const key = `${lm}|${la}|${kappa}|${recurrenceDays}|${ls}`;
  const hit = thresholdCache.get(key);
  if (hit !== undefined) return hit;
  const rand = rng(seed);
  // Up to 400 days the threshold is read off the simulated maxima (≥ 300 recurrence intervals); beyond, the tail
  // is extrapolated from the top maxima (below), which 40,000 days give as well as more.
  const days = recurrenceDays <= 400 ? Math.max(40_000, Math.round(recurrenceDays * 300)) : 40_000;
  const maxima: number[] = [];
  let s = 0, top = 0, bias = 1;
  for (let t = 0; t < days; t++) {
    if (ls > 0 && t % 28 === 0) bias = Math.exp(ls * Math.sqrt(-2 * Math.log(rand() || 1e-300)) * Math.cos(2 * Math.PI * rand()));
    const x = negbin(rand, m * bias, la);
    s = Math.max(0, s + nbLlr(x, m, la, kappa));
    if (s > 0) top = Math.max(top, s);
    else if (top > 0) { maxima.push(top); top = 0; }
  }
  maxima.sort((a, b) => b - a);
  const allowed = Math.floor(days / recurrenceDays);
  const TAIL = 50;
  let h: number;
  if (allowed >= TAIL || maxima.length <= TAIL) h = allowed < maxima.length ? maxima[allowed] + 1e-9 : (maxima[maxima.length - 1] ?? 1);
  else {
    // Long recurrence intervals (a family budget over thousands of series): extrapolate the tail instead of
    // simulating millions of days. Episode maxima above h0 have an exponential tail (peaks over threshold):
    // P(max > h0 + x) ∝ e^−λx, λ estimated from the excesses of the top maxima. With a known mean λ ≥ 1 (the
    // CUSUM adds log likelihood ratios, whose exponential has mean 1 — Wald), but the simulated baseline error
    // makes the tail heavier (λ < 1); assuming λ = 1 there set thresholds several times too low.
    const h0 = maxima[TAIL - 1];
    let excess = 0;
    for (let i = 0; i < TAIL - 1; i++) excess += maxima[i] - h0;
    const lambda = Math.min(1, (TAIL - 1) / Math.max(excess, 1e-9));
    h = h0 + Math.log((TAIL * recurrenceDays) / days) / lambda + 1e-9;
  }
  thresholdCache.set(key, h);
  return h;
}

export interface SeriesBudget {
  /** Recurrence interval of false alarms per series, in days (≥ 100). */
  recurrenceDays: number;
  /** Optional cap on expected false alarms per day over the whole family of series (city-wide). */
  familyAlarmsPerDay?: number;
}

/** Per-series recurrence interval after multiplicity control: the family budget is shared equally. */
export function seriesRecurrence(budget: SeriesBudget, seriesCount: number): number {
  const ri = budget.recurrenceDays;
  if (!budget.familyAlarmsPerDay || seriesCount === 0) return ri;
  return Math.max(ri, seriesCount / budget.familyAlarmsPerDay);
}
