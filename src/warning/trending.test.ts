// Trending on the synthetic city's counts: the series the product builds (sub-categories roll up, district
// series sum to the city-wide one, top category × street), the volume filter and family budget, and a ×2
// rise of a sub-category city-wide raising an alert on that series.
import { describe, expect, it } from 'vitest';
import { simulateCityCounts, countRows, type CountRise } from '../city/counts.ts';
import { loadTaxonomy } from '../city/taxonomy.ts';
import { addDays } from '../shared/time.ts';
import { detectTrending, trendingSeries, TRENDING_HISTORY_DAYS, type WarningInput } from './detect.ts';
import { calendarKind, fitBaseline, predictionSd, seasonYearBefore, YEAR_BEFORE_LAG } from './baseline.ts';
import { calibrateThreshold } from './cusum.ts';
import { poisson, rng } from './random.ts';

const tax = loadTaxonomy();
const catParent = new Map(tax.categories.map((c) => [c.code, c.parentCode]));
const start = '2025-01-06', days = 400;
function snapshot(rises: CountRise[]): WarningInput {
  const c = simulateCityCounts({ seed: 'trending-test', start, days, perDay: 3000, rises });
  const rows = countRows(c, days - 365, days - 1);
  return {
    today: addDays(start, days - 1), firstDay: addDays(start, days - 365), counts: rows, catCodes: rows.catCodes,
    districtCodes: c.districtCodes, streetCodes: c.streetCodes, catParent, names: new Map(), places: [],
    recent: { id: new Float64Array(0), day: new Int32Array(0), at: new Float64Array(0), cat: new Int32Array(0), district: new Int32Array(0), street: new Int32Array(0), place: new Int32Array(0) },
  };
}

describe('trending series on the city', { timeout: 300_000 }, () => {
  it('builds city, district and street series; watches by volume; shares the family budget', () => {
    const input = snapshot([]);
    const ts = trendingSeries(input)!;
    const top = tax.categories.find((c) => c.level === 1)!.code;
    const city = ts.series.get(`${top}|*|*`)!.y;
    const districts = input.districtCodes.map((d) => ts.series.get(`${top}|${d}|*`)!.y);
    const streets = [...ts.series.values()].filter((s) => s.family === 'street' && s.cat === top);
    expect(streets.length).toBeGreaterThan(100);
    for (const t of [0, 200, 364]) {
      expect(districts.reduce((a, y) => a + y[t], 0)).toBe(city[t]);
      expect(streets.reduce((a, s) => a + s.y[t], 0)).toBe(city[t]); // the street rows count the same requests
      const kids = tax.categories.filter((c) => c.parentCode === top).map((c) => ts.series.get(`${c.code}|*|*`)?.y[t] ?? 0);
      expect(kids.reduce((a, b) => a + b, 0)).toBe(city[t]);
    }
    expect(ts.watched.length).toBeGreaterThan(300);
    expect(ts.watched.length).toBeLessThan(ts.series.size);
    for (const s of ts.watched) if (s.family === 'street') { let sum = 0; for (let t = ts.dataStart; t < ts.fitEnd; t++) sum += s.y[t]; expect(sum / (ts.fitEnd - ts.dataStart)).toBeGreaterThanOrEqual(3); }
    expect(ts.ri).toBe(Math.max(365, ts.watched.length));
  });

  it('a ×2 rise of a sub-category city-wide over the last 3 weeks is an alert on its series', () => {
    const second = tax.categories.filter((c) => c.level === 2)[3];
    const input = snapshot([{ categoryCode: second.code, districtCode: null, streetCode: null, start: days - 21, end: days - 1, factor: 2 }]);
    const hits = detectTrending(input, {}).filter((d) => d.matchKeys.includes(`series:${second.code}|*|*`));
    expect(hits).toHaveLength(1);
    expect(hits[0].observed).toBeGreaterThan(hits[0].expected * 1.5);
    expect(Date.parse(hits[0].firstSeenAt.toISOString())).toBeGreaterThanOrEqual(Date.parse(`${addDays(start, days - 28)}T00:00:00+08:00`));
  });
});

describe('thresholds allow for the baseline being an estimate', () => {
  const series = (n: number, level: number, seed: number) => { const r = rng(seed); return Float64Array.from({ length: n }, () => poisson(r, level)); };

  it('the predicted log mean has a standard error that shrinks with more history and volume', () => {
    const sd = (n: number, level: number) => { const bl = fitBaseline(series(n + 28, level, 1), '2025-01-06', n); return predictionSd(bl, n, n + 28); };
    const short = sd(337, 3), long = sd(700, 3), busy = sd(337, 30);
    expect(short).toBeGreaterThan(0.02);
    expect(short).toBeLessThan(0.5);
    expect(long).toBeLessThan(short);
    expect(busy).toBeLessThan(short);
    // calendar columns the history never saw (no holiday nor 调休 from 30 July to 27 September 2025; the
    // National Day week and its 调休 Sundays follow) add no variance
    const summer = fitBaseline(series(88, 5, 2), '2025-07-30', 60);
    expect(Number.isFinite(predictionSd(summer, 60, 88))).toBe(true);
    expect(predictionSd(summer, 60, 88)).toBeLessThan(0.5);
  });

  it('a less certain baseline gets a higher threshold', () => {
    const h0 = calibrateThreshold(5, 0, 1.5, 200), h1 = calibrateThreshold(5, 0, 1.5, 200, undefined, 0.1);
    expect(h1).toBeGreaterThan(h0);
    expect(calibrateThreshold(5, 0, 1.5, 200, undefined, 0)).toBe(h0);
  });
});

describe('the family budget holds on the city without rises', { timeout: 300_000 }, () => {
  it('false alerts over all watched series stay within the family budget', () => {
    // Six daily runs 28 days apart (each monitors its own 28 days) on the product's two years of history,
    // alerts counted as the product opens them: one per episode. The city's background has what a fitted
    // baseline gets wrong — seasonal bumps, a day noise every series shares, holidays and the catch-up after
    // them —, so thresholds calibrated for the model alone would overshoot the budget. A budget of 0.2 a day
    // over the few hundred series of a small city puts each series at a recurrence of thousands of days.
    const from = '2023-01-02', runs = 6, total = TRENDING_HISTORY_DAYS + runs * 28, budget = 0.2;
    const c = simulateCityCounts({ seed: 'budget-test', start: from, days: total, perDay: 1200 });
    let alerts = 0, watched = 0;
    for (let k = 0; k < runs; k++) {
      const to = TRENDING_HISTORY_DAYS + k * 28 + 27;
      const rows = countRows(c, to - TRENDING_HISTORY_DAYS + 1, to);
      const input: WarningInput = {
        today: addDays(from, to), firstDay: addDays(from, to - TRENDING_HISTORY_DAYS + 1), counts: rows, catCodes: rows.catCodes,
        districtCodes: c.districtCodes, streetCodes: c.streetCodes, catParent, names: new Map(), places: [],
        recent: { id: new Float64Array(0), day: new Int32Array(0), at: new Float64Array(0), cat: new Int32Array(0), district: new Int32Array(0), street: new Int32Array(0), place: new Int32Array(0) },
      };
      const opts = { trending: { recurrenceDays: 365, familyAlarmsPerDay: budget } };
      watched = trendingSeries(input, opts)!.watched.length;
      alerts += detectTrending(input, opts).length;
    }
    expect(watched).toBeGreaterThan(budget * 2000);
    expect(alerts / (runs * 28)).toBeLessThanOrEqual(budget);
  });

  it('the calendar columns: Spring Festival, the first two working days after a long break', () => {
    expect(calendarKind('2026-02-17') & 4).toBe(4); // 春节
    expect(calendarKind('2026-10-02') & 4).toBe(0); // 国庆节
    expect(calendarKind('2026-02-24')).toBe(8); // first working day after the Spring Festival week
    expect(calendarKind('2026-02-25')).toBe(16);
    expect(calendarKind('2026-03-10')).toBe(0);
  });

  it('the season a year before follows a bump that one harmonic cannot', () => {
    const n = 800, first = '2024-01-01';
    const bump = (t: number) => 1 + 2 * Math.exp(-((((t % 364) - 170) / 15) ** 2));
    const r = rng(3);
    const y = Float64Array.from({ length: n }, (_, t) => poisson(r, 20 * bump(t)));
    const z = seasonYearBefore(y, first);
    expect(Number.isNaN(z[YEAR_BEFORE_LAG - 1])).toBe(true);
    expect(Math.exp(z[364 + 170])).toBeGreaterThan(40); // the peak a year before (20 × 3)
    expect(Math.exp(z[364 + 100])).toBeLessThan(25);
  });
});
