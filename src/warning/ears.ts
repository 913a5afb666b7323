// EARS C1/C2/C3 exactly as R surveillance::earsC computes them (baseline 7 days, sample sd, minSigma 0).
// C1: the 7 days before t; C2: days t-9…t-3 (lag 2); C3: C2 plus the excesses of the two previous days.

export type EarsMethod = 'C1' | 'C2' | 'C3';

export interface EarsResult {
  /** First index (0-based) that has a value; earlier entries are NaN. */
  start: number;
  upperbound: Float64Array;
  alarm: Uint8Array;
}

/** Standard normal quantile (Acklam's algorithm refined by one Halley step: ~1e-15 accurate). */
export function qnorm(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p > 1 - 0.02425) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  // One Halley refinement step with a precise erfc.
  const e = 0.5 * erfc(-x / Math.SQRT2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** Complementary error function (W. J. Cody's rational approximations, double precision). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  // Numerical Recipes erfcc (1.2e-7) is too coarse; use a continued refinement via series/CF instead.
  let r: number;
  if (z < 2) {
    // erf by Taylor series, converges quickly for |x| < 2
    let sum = z, term = z, n = 0;
    const z2 = z * z;
    while (Math.abs(term) > 1e-17 * Math.abs(sum)) {
      n++;
      term *= -z2 / n;
      sum += term / (2 * n + 1);
      if (n > 200) break;
    }
    r = 1 - (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // continued fraction (Lentz) for erfc
    let f = z, C = z, D = 0;
    for (let i = 1; i < 300; i++) {
      const an = i / 2;
      D = z + an * D; D = 1 / D;
      C = z + an / C;
      const delta = C * D;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    r = Math.exp(-z * z) / (f * Math.sqrt(Math.PI));
  }
  void t;
  return x >= 0 ? r : 2 - r;
}

function meanSd(x: ArrayLike<number>, from: number, to: number): [number, number] {
  const n = to - from;
  let s = 0;
  for (let i = from; i < to; i++) s += x[i];
  const m = s / n;
  let v = 0;
  for (let i = from; i < to; i++) v += (x[i] - m) * (x[i] - m);
  return [m, Math.sqrt(v / (n - 1))];
}

/** EARS over a daily count series; alpha defaults as in R (C1/C2 0.001, C3 0.025). */
export function earsC(x: ArrayLike<number>, method: EarsMethod, alpha?: number, baseline = 7): EarsResult {
  const a = alpha ?? (method === 'C3' ? 0.025 : 0.001);
  const z = qnorm(1 - a);
  const n = x.length;
  const upperbound = new Float64Array(n).fill(NaN);
  const alarm = new Uint8Array(n);
  const lag = method === 'C1' ? 0 : 2;
  const start = method === 'C1' ? baseline : method === 'C2' ? baseline + 2 : baseline + 4;
  if (method !== 'C3') {
    for (let t = start; t < n; t++) {
      const [m, sd] = meanSd(x, t - lag - baseline, t - lag);
      upperbound[t] = m + z * sd;
      alarm[t] = x[t] > upperbound[t] ? 1 : 0;
    }
  } else {
    const c2 = (t: number) => {
      const [m, sd] = meanSd(x, t - 2 - baseline, t - 2);
      return (x[t] - m) / sd;
    };
    for (let t = start; t < n; t++) {
      const sd = meanSd(x, t - 2 - baseline, t - 2)[1];
      const part = Math.max(0, c2(t - 2) - 1) + Math.max(0, c2(t - 1) - 1);
      const ub = x[t] + sd * (z - part);
      upperbound[t] = Number.isNaN(ub) ? NaN : Math.max(0, ub);
      alarm[t] = x[t] > upperbound[t] ? 1 : 0;
    }
  }
  return { start, upperbound, alarm };
}
