// Chinese public holidays and 调休 working weekends (from chinese-days), and the request-volume rhythm
// they produce: weekday/weekend, holiday dips (Spring Festival deepest), after-holiday peaks.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { addDays, weekday } from '../shared/time.ts';

const require = createRequire(import.meta.url);

interface Days { holidays: Record<string, string>; workdays: Record<string, string> }
let data: Days | null = null;

/** Loads chinese-days' table; `extraFile` (same JSON shape) adds years the package does not know yet. */
export function loadHolidays(extraFile?: string): Days {
  if (data && !extraFile) return data;
  const base = JSON.parse(fs.readFileSync(require.resolve('chinese-days/dist/chinese-days.json'), 'utf8')) as Days;
  if (extraFile) {
    const extra = JSON.parse(fs.readFileSync(extraFile, 'utf8')) as Partial<Days>;
    Object.assign(base.holidays, extra.holidays ?? {});
    Object.assign(base.workdays, extra.workdays ?? {});
  }
  data = base;
  return data;
}

/** Holiday name in Chinese (春节, 国庆节 …) or null. */
export function holidayName(day: string): string | null {
  const h = loadHolidays().holidays[day];
  return h ? h.split(',')[1] : null;
}

/** A working day: Monday–Friday that is not a holiday, or a 调休 weekend working day. */
export function isWorkday(day: string): boolean {
  const d = loadHolidays();
  if (d.workdays[day]) return true;
  if (d.holidays[day]) return false;
  return weekday(day) <= 5;
}

export type DayKind = 'workday' | 'adjusted_workday' | 'weekend' | 'holiday' | 'spring_festival';

export function dayKind(day: string): DayKind {
  const d = loadHolidays();
  if (d.workdays[day]) return 'adjusted_workday';
  if (d.holidays[day]) return holidayName(day) === '春节' ? 'spring_festival' : 'holiday';
  return weekday(day) <= 5 ? 'workday' : 'weekend';
}

const WEEKDAY_FACTOR = [0, 1.12, 1.05, 1.02, 1.0, 0.96, 0.8, 0.76]; // index = ISO weekday

/** Relative volume of a day (≈1 on an ordinary weekday). */
export function dayFactor(day: string): number {
  const kind = dayKind(day);
  let f: number;
  if (kind === 'workday') f = WEEKDAY_FACTOR[weekday(day)];
  else if (kind === 'adjusted_workday') f = 0.98;
  else if (kind === 'weekend') f = WEEKDAY_FACTOR[weekday(day)];
  else if (kind === 'holiday') f = 0.62;
  else {
    // Spring Festival: the first days of the holiday are the quietest.
    let k = 0;
    while (dayKind(addDays(day, -(k + 1))) === 'spring_festival') k++;
    f = k < 3 ? 0.42 : 0.55;
  }
  if (kind === 'workday' || kind === 'adjusted_workday') {
    // The first working days after a holiday of 3+ days catch up what waited.
    const off = (n: number) => !isWorkday(addDays(day, -n));
    let rest = 0;
    while (rest < 12 && off(rest + 1)) rest++;
    if (rest >= 3) f *= 1.28;
    else if (!off(1) && off(2)) {
      let rest2 = 0;
      while (rest2 < 12 && off(rest2 + 2)) rest2++;
      if (rest2 >= 3) f *= 1.1;
    }
  }
  return f;
}

/** Share of a day's requests per local hour (sums to 1): a 24-hour line with morning and afternoon peaks. */
export const HOUR_WEIGHTS: readonly number[] = (() => {
  const w = [0.6, 0.4, 0.3, 0.25, 0.25, 0.4, 0.9, 2.2, 4.6, 7.4, 8.2, 7.6, 5.6, 5.2, 6.8, 7.4, 7.2, 6.4, 4.8, 4.2, 3.8, 3.2, 2.2, 1.2];
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
})();

/** Seasonal multiplier of a leaf's volume on a day (1 = no season). */
export function seasonFactor(season: string | null, day: string): number {
  if (!season) return 1;
  const m = Number(day.slice(5, 7));
  const dom = Number(day.slice(8, 10));
  const t = m + (dom - 1) / 31; // 1.0 … 12.97
  const bump = (centre: number, width: number, height: number) => 1 + height * Math.exp(-(((t - centre) / width) ** 2));
  switch (season) {
    case 'heat': return bump(7.8, 0.9, 1.6); // July–August heat: power cuts, voltage, water
    case 'summer': return bump(7.2, 1.6, 0.5);
    case 'cold': return Math.max(bump(1.0, 0.9, 1.5), bump(13.0, 0.9, 1.5)); // winter: gas, heating
    case 'rain': return bump(6.0, 0.9, 2.0); // May–July rainstorms: waterlogging
    case 'school': return Math.max(bump(6.8, 0.6, 2.2), bump(8.7, 0.35, 1.4)); // enrolment, term start
    case 'wage': return Math.max(bump(1.3, 0.8, 1.8), bump(13.3, 0.8, 1.8)); // unpaid wages before Spring Festival
    default: return 1;
  }
}
