// Seasonal count series for the trending benchmark and tests: NB counts around a level with the weekly
// profile, public holidays, 调休 and a yearly season, optionally ×factor over a rise (the case-level
// benchmarks use src/city's generateCity instead).
import { addDays, weekday } from '../shared/time.ts';
import { calendarKind } from './baseline.ts';
import { negbin, poisson } from './random.ts';

/** Expected-count multiplier of a day: weekday profile, holidays, 调休 and a yearly season. */
export function dayFactor(day: string, t: number): number {
  const wd = weekday(day);
  const kind = calendarKind(day);
  let f = wd >= 6 ? 0.7 : wd === 1 ? 1.15 : 1;
  if (kind === 1) f = 0.6;
  if (kind === 2) f = 1;
  return f * (1 + 0.15 * Math.sin((2 * Math.PI * t) / 365.25));
}

/** Daily counts of one series: NB around a seasonal mean, optionally ×factor over [start, end]. */
export function simulateSeries(rand: () => number, firstDay: string, days: number, level: number, alpha: number, rise?: { start: number; end: number; factor: number }): Float64Array {
  const y = new Float64Array(days);
  for (let t = 0; t < days; t++) {
    let mu = level * dayFactor(addDays(firstDay, t), t);
    if (rise && t >= rise.start && t <= rise.end) mu *= rise.factor;
    y[t] = negbin(rand, mu, alpha);
  }
  return y;
}

export { poisson };
