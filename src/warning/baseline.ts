// Seasonal baseline of a daily count series: a Poisson log-linear model fitted by IRLS on history, with
// day of week, Chinese public holidays (Spring Festival apart), 调休 make-up workdays and the first working days
// after a long break (chinese-days), yearly season and trend;
// NB dispersion estimated from Pearson residuals. Predicts the expected count of any later day.
import chineseDays from 'chinese-days';
import { addDays, weekday } from '../shared/time.ts';

export interface Baseline {
  /** Coefficients in design order; see designRow. */
  beta: Float64Array;
  /** NB dispersion (variance = mu + alpha·mu²). */
  alpha: number;
  /** Yearly harmonics (sin/cos pairs; 0 = no season), a linear trend, the series' own level a year before. */
  features: { harmonics: number; trend: boolean; lastYear?: boolean };
  /** With features.lastYear: log level of the same weeks a year before, per day index from firstDay (seasonYearBefore). */
  yearBefore?: Float64Array;
  firstDay: string;
  /** Mean fitted count over the history (used to pick a calibrated threshold). */
  level: number;
  /** Covariance of beta (inverse Fisher information, scaled by the Pearson dispersion). */
  cov: Float64Array;
  /**
   * Standard deviation of the log ratio observed / fitted over windows of `window` days, beyond what independent
   * NB days explain: the model's misfit that persists for weeks (a seasonal bump one harmonic cannot follow).
   * The CUSUM adds days up, so it is the window's error, not the day's, that makes false alarms.
   */
  misfitSd: number;
}

const calendarCache = new Map<string, number>();
/**
 * Calendar columns of a day, as bits: 1 a public holiday on a weekday, 2 a 调休 make-up workday on a weekend,
 * 4 a Spring Festival holiday day (far quieter than the other holidays, weekend or not), 8 the first working day
 * after 3+ days off, 16 the second one (the catch-up of what waited over a long break).
 */
export function calendarKind(day: string): number {
  let k = calendarCache.get(day);
  if (k === undefined) {
    const wd = weekday(day);
    k = 0;
    try {
      const off = (d: string) => !chineseDays.isWorkday(d);
      if (off(day)) {
        if (wd <= 5 && chineseDays.isHoliday(day)) k |= 1;
        if (chineseDays.isHoliday(day) && chineseDays.getDayDetail(day).name?.includes('春节')) k |= 4;
      } else {
        if (wd >= 6) k |= 2;
        // days off just before this working day, and before the previous working day
        const restBefore = (d: string) => { let n = 0; while (n < 12 && off(addDays(d, -(n + 1)))) n++; return n; };
        const rest = restBefore(day);
        if (rest >= 3) k |= 8;
        else if (rest === 0 && restBefore(addDays(day, -1)) >= 3) k |= 16;
      }
    } catch {
      k = 0; // years beyond the calendar: ordinary days
    }
    calendarCache.set(day, k);
  }
  return k;
}

const CALENDAR_COLUMNS = 5;
export function designSize(f: Baseline['features']): number {
  return 1 + 6 + CALENDAR_COLUMNS + 2 * f.harmonics + (f.trend ? 1 : 0) + (f.lastYear ? 1 : 0);
}

/** Half-width (days) of the window a year before that gives the season of a day (seasonYearBefore). */
export const YEAR_BEFORE_HALF_WIDTH = 7;
/** Days of history before the first day that seasonYearBefore can describe. */
export const YEAR_BEFORE_LAG = 364 + YEAR_BEFORE_HALF_WIDTH;

/**
 * The season of each day as the series itself had it a year before: log of the mean count on ordinary working
 * days (no holiday, no 调休, no catch-up after a break) within ±7 days of the same weekday 52 weeks earlier.
 * The harmonics of a year's history cannot follow a sharp seasonal bump (enrolment, heating, rainstorms)
 * nor see it when the year of history ends just before it; the series' own last year can. NaN before
 * YEAR_BEFORE_LAG. The fitted coefficient scales it (a sparse series' noisy level gets a small one).
 */
export function seasonYearBefore(y: ArrayLike<number>, firstDay: string): Float64Array {
  const n = y.length;
  const out = new Float64Array(n).fill(NaN);
  const ordinary = ordinaryDays(firstDay, n);
  const w = YEAR_BEFORE_HALF_WIDTH;
  for (let t = YEAR_BEFORE_LAG; t < n; t++) {
    let sum = 0, k = 0;
    for (let u = t - 364 - w; u <= t - 364 + w; u++) if (ordinary[u]) { sum += y[u]; k++; }
    if (k) out[t] = Math.log((sum + 0.5) / k);
  }
  return out;
}

/** Writes the design row of day index t (days since firstDay) into out. */
export function designRow(firstDay: string, t: number, f: Baseline['features'], out: Float64Array): void {
  const day = addDays(firstDay, t);
  const wd = weekday(day);
  out.fill(0);
  out[0] = 1;
  if (wd > 1) out[wd - 1] = 1; // Tue…Sun vs Monday
  const k = calendarKind(day);
  for (let b = 0; b < CALENDAR_COLUMNS; b++) if (k & (1 << b)) out[7 + b] = 1;
  let j = 7 + CALENDAR_COLUMNS;
  for (let k = 1; k <= f.harmonics; k++) {
    const w = (2 * Math.PI * k * t) / 365.25;
    out[j++] = Math.sin(w);
    out[j++] = Math.cos(w);
  }
  if (f.trend) out[j++] = t / 365;
}

function solve(A: Float64Array, b: Float64Array, p: number): Float64Array {
  // Gaussian elimination with partial pivoting and a small ridge for unidentified columns.
  const M = new Float64Array(p * (p + 1));
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) M[i * (p + 1) + j] = A[i * p + j] + (i === j ? 1e-6 : 0);
    M[i * (p + 1) + p] = b[i];
  }
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(M[r * (p + 1) + c]) > Math.abs(M[piv * (p + 1) + c])) piv = r;
    if (piv !== c) for (let j = 0; j <= p; j++) { const t = M[c * (p + 1) + j]; M[c * (p + 1) + j] = M[piv * (p + 1) + j]; M[piv * (p + 1) + j] = t; }
    const d = M[c * (p + 1) + c];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = M[r * (p + 1) + c] / d;
      if (f !== 0) for (let j = c; j <= p; j++) M[r * (p + 1) + j] -= f * M[c * (p + 1) + j];
    }
  }
  const x = new Float64Array(p);
  for (let i = 0; i < p; i++) x[i] = M[i * (p + 1) + p] / M[i * (p + 1) + i];
  return x;
}

/** Fits the baseline on counts y[0..n) of consecutive days starting at firstDay. */
export function fitBaseline(y: ArrayLike<number>, firstDay: string, n = y.length, o: { harmonics?: number; window?: number; yearBefore?: Float64Array } = {}): Baseline {
  // a season needs most of a year (or the series' own last year); a trend well over a year to be told apart from it
  const lastYear = !!o.yearBefore;
  const features = { harmonics: n >= 300 && !lastYear ? o.harmonics ?? 1 : 0, trend: n >= 540, lastYear };
  const p = designSize(features);
  const X = seriesDesign({ firstDay, features, yearBefore: o.yearBefore }, 0, n);
  let total = 0;
  for (let t = 0; t < n; t++) total += y[t];
  const beta = new Float64Array(p);
  beta[0] = Math.log(Math.max(total / Math.max(n, 1), 0.05));
  const mu = new Float64Array(n);
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let iter = 0; iter < 25; iter++) {
    A.fill(0); b.fill(0);
    for (let t = 0; t < n; t++) {
      let eta = 0;
      for (let j = 0; j < p; j++) eta += X[t * p + j] * beta[j];
      const m = Math.exp(Math.min(eta, 30));
      mu[t] = m;
      const z = eta + (y[t] - m) / m; // working response, weight m
      for (let i = 0; i < p; i++) {
        const xi = X[t * p + i];
        if (xi === 0) continue;
        b[i] += m * xi * z;
        for (let j = 0; j < p; j++) A[i * p + j] += m * xi * X[t * p + j];
      }
    }
    const next = solve(A, b, p);
    let change = 0;
    for (let j = 0; j < p; j++) { change = Math.max(change, Math.abs(next[j] - beta[j])); beta[j] = next[j]; }
    if (change < 1e-7) break;
  }
  let num = 0, level = 0;
  for (let t = 0; t < n; t++) {
    let eta = 0;
    for (let j = 0; j < p; j++) eta += X[t * p + j] * beta[j];
    const m = Math.exp(Math.min(eta, 30));
    level += m;
    num += ((y[t] - m) * (y[t] - m) - m) / (m * m);
  }
  let alpha = n > p ? Math.max(0, num / (n - p)) : 0;
  // Var(beta) ≈ (X'WX)⁻¹ × Pearson dispersion (≈ 1 + α·μ): the baseline is an estimate, and its error persists
  // over the whole monitored window, so the threshold has to allow for it (cusum.ts calibrateThreshold).
  let pearson = 0;
  for (let t = 0; t < n; t++) pearson += (y[t] - mu[t]) ** 2 / mu[t];
  const phi = n > p ? Math.max(1, pearson / (n - p)) : 1;
  // A column the history never exercised (no 调休 day in it, say) has no information: its coefficient stays 0
  // (ridge) and it adds no variance, rather than the ridge's huge one.
  const cov = new Float64Array(p * p);
  const e = new Float64Array(p);
  const known = Array.from({ length: p }, (_, j) => A[j * p + j] > 1e-3);
  for (let j = 0; j < p; j++) {
    if (!known[j]) continue;
    e.fill(0); e[j] = 1;
    const col = solve(A, e, p);
    for (let i = 0; i < p; i++) if (known[i] && Number.isFinite(col[i])) cov[i * p + j] = col[i] * phi;
  }
  alpha = Math.min(alpha, 5);
  return { beta, alpha, features, firstDay, yearBefore: o.yearBefore, level: level / Math.max(n, 1), cov, misfitSd: windowMisfit(y, mu, n, alpha, o.window ?? 28) };
}

/**
 * Misfit at the scale of a window of w days: over the windows of the history (a new one every 7 days), the mean
 * of (log ratio observed / fitted)² less the variance that independent NB(μ, α) days give that ratio. Estimated
 * in sample, so it errs low: never below zero.
 */
function windowMisfit(y: ArrayLike<number>, mu: Float64Array, n: number, alpha: number, w: number): number {
  let sum = 0, k = 0;
  for (let from = n - w; from >= 0; from -= 7) {
    let o = 0, e = 0, v = 0;
    for (let t = from; t < from + w; t++) { o += y[t]; e += mu[t]; v += mu[t] + alpha * mu[t] * mu[t]; }
    if (e <= 0) continue;
    const r = Math.log((o + 0.5) / (e + 0.5));
    sum += r * r - v / (e * e);
    k++;
  }
  return k ? Math.sqrt(Math.max(0, sum / k)) : 0;
}

/** Standard error of the predicted log mean, averaged (in variance) over day indices [from, to). */
export function predictionSd(bl: Baseline, from: number, to: number): number {
  const p = bl.beta.length;
  const X = seriesDesign(bl, from, to);
  let v = 0;
  const n = Math.max(0, to - from);
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < p; i++) {
      const xi = X[t * p + i];
      if (xi === 0) continue;
      for (let j = 0; j < p; j++) v += xi * bl.cov[i * p + j] * X[t * p + j];
    }
  }
  return n ? Math.sqrt(Math.max(0, v / n)) : 0;
}

/** Expected counts for day indices [from, to) relative to the baseline's firstDay. */
export function predictBaseline(bl: Baseline, from: number, to: number): Float64Array {
  const p = bl.beta.length;
  const X = seriesDesign(bl, from, to);
  const out = new Float64Array(Math.max(0, to - from));
  for (let t = 0; t < out.length; t++) {
    let eta = 0;
    for (let j = 0; j < p; j++) eta += X[t * p + j] * bl.beta[j];
    out[t] = Math.exp(Math.min(eta, 30));
  }
  return out;
}

// Every series of a run shares its days: the ordinary working days are found once per run.
const ordinaryCache = new Map<string, Uint8Array>();
function ordinaryDays(firstDay: string, n: number): Uint8Array {
  const key = `${firstDay}|${n}`;
  let m = ordinaryCache.get(key);
  if (!m) {
    m = Uint8Array.from({ length: n }, (_, t) => { const d = addDays(firstDay, t); return calendarKind(d) === 0 && weekday(d) <= 5 ? 1 : 0; });
    if (ordinaryCache.size >= 16) ordinaryCache.clear();
    ordinaryCache.set(key, m);
  }
  return m;
}

/** The design of day indices [from, to): the run's shared calendar rows, plus the series' own last year. */
function seriesDesign(bl: Pick<Baseline, 'firstDay' | 'features' | 'yearBefore'>, from: number, to: number): Float64Array {
  const X = designMatrix(bl.firstDay, from, to, bl.features);
  if (!bl.features.lastYear) return X;
  const p = designSize(bl.features);
  const own = X.slice();
  for (let t = from; t < to; t++) own[(t - from) * p + p - 1] = bl.yearBefore![t];
  return own;
}

// Every series of a run shares its days, so the design rows (calendar look-ups) are built once per run.
const matrixCache = new Map<string, Float64Array>();
function designMatrix(firstDay: string, from: number, to: number, f: Baseline['features']): Float64Array {
  const key = `${firstDay}|${from}|${to}|${f.harmonics}|${f.trend}|${!!f.lastYear}`;
  let X = matrixCache.get(key);
  if (X) return X;
  const p = designSize(f);
  const n = Math.max(0, to - from);
  X = new Float64Array(n * p);
  const row = new Float64Array(p);
  for (let t = 0; t < n; t++) {
    designRow(firstDay, from + t, f, row);
    X.set(row, t * p);
  }
  if (matrixCache.size >= 16) matrixCache.clear();
  matrixCache.set(key, X);
  return X;
}
