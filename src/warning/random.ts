// Seeded random numbers for simulation, calibration and Monte Carlo (reproducible runs).
import { rng } from '../shared/random.ts';

export { rng };

export function poisson(rand: () => number, mu: number): number {
  if (mu <= 0) return 0;
  if (mu < 30) {
    const l = Math.exp(-mu);
    let k = 0, p = 1;
    do { k++; p *= rand(); } while (p > l);
    return k - 1;
  }
  // normal approximation with continuity correction is adequate for large means in simulation
  const z = Math.sqrt(-2 * Math.log(rand() || 1e-300)) * Math.cos(2 * Math.PI * rand());
  return Math.max(0, Math.round(mu + Math.sqrt(mu) * z));
}

/** Gamma(shape, 1) by Marsaglia–Tsang. */
export function gamma(rand: () => number, shape: number): number {
  if (shape < 1) return gamma(rand, shape + 1) * Math.pow(rand() || 1e-300, 1 / shape);
  const d = shape - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = Math.sqrt(-2 * Math.log(rand() || 1e-300)) * Math.cos(2 * Math.PI * rand());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rand();
    if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Negative binomial with mean mu and dispersion alpha (variance mu + alpha·mu²); alpha 0 = Poisson. */
export function negbin(rand: () => number, mu: number, alpha: number): number {
  if (alpha <= 1e-9) return poisson(rand, mu);
  const shape = 1 / alpha;
  return poisson(rand, gamma(rand, shape) * mu * alpha);
}
