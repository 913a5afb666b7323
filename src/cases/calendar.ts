// Working-day calendar: Chinese public holidays and adjusted working days (调休). Built-in data comes from
// `chinese-days`; a calendar JSON file ({"holidays": {"YYYY-MM-DD": "名称"}, "workdays": {…}}) or the
// `calendar` settings entry replaces / extends it for other years. Weekends are rest days unless listed
// as workdays; listed holidays are rest days.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Db } from '../store/db.ts';
import { addDays, localDay, startOfLocalDay, weekday } from '../shared/time.ts';

export interface CalendarData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

export interface WorkCalendar {
  isWorkingDay(day: string): boolean;
  /** The nth working day after `day` (n ≥ 0; n = 0 → day itself if working, else the next working day). */
  addWorkingDays(day: string, n: number): string;
  /** Working days in (a, b]; negative when b < a. */
  workingDaysBetween(a: string, b: string): number;
  /** Deadline n working days after an instant: the end (local midnight) of the nth working day after its day. */
  deadlineAfter(at: Date, n: number): Date;
}

const require = createRequire(import.meta.url);
let builtin: CalendarData | undefined;

/** The bundled calendar (chinese-days: official holidays and 调休). */
export function builtinCalendarData(): CalendarData {
  if (!builtin) {
    const j = require('chinese-days/dist/chinese-days.json') as { holidays: Record<string, string>; workdays: Record<string, string> };
    builtin = { holidays: j.holidays, workdays: j.workdays };
  }
  return builtin;
}

export function loadCalendarFile(file: string): CalendarData {
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  return { holidays: j.holidays ?? {}, workdays: j.workdays ?? {} };
}

/** A calendar from base data plus overrides (later wins: a day listed as workday in an override is working). */
export function createCalendar(...layers: Partial<CalendarData>[]): WorkCalendar {
  const holidays = new Set<string>();
  const workdays = new Set<string>();
  for (const l of layers) {
    for (const d of Object.keys(l.holidays ?? {})) (holidays.add(d), workdays.delete(d));
    for (const d of Object.keys(l.workdays ?? {})) (workdays.add(d), holidays.delete(d));
  }
  const isWorkingDay = (day: string) => workdays.has(day) || (!holidays.has(day) && weekday(day) <= 5);
  const addWorkingDays = (day: string, n: number) => {
    let d = day;
    if (n === 0) {
      while (!isWorkingDay(d)) d = addDays(d, 1);
      return d;
    }
    let left = n;
    while (left > 0) {
      d = addDays(d, 1);
      if (isWorkingDay(d)) left--;
    }
    return d;
  };
  const workingDaysBetween = (a: string, b: string): number => {
    if (b < a) return -workingDaysBetween(b, a);
    let n = 0;
    for (let d = addDays(a, 1); d <= b; d = addDays(d, 1)) if (isWorkingDay(d)) n++;
    return n;
  };
  return {
    isWorkingDay,
    addWorkingDays,
    workingDaysBetween,
    deadlineAfter: (at, n) => startOfLocalDay(addDays(addWorkingDays(localDay(at), n), 1)),
  };
}

/** The calendar in force: built-in data, then the `calendar` settings entry (uploaded for other years). */
export async function loadCalendar(db: Db): Promise<WorkCalendar> {
  const rows = await db.query<{ value: Partial<CalendarData> }>(`SELECT value FROM settings WHERE key = 'calendar'`);
  return createCalendar(builtinCalendarData(), ...(rows[0] ? [rows[0].value] : []));
}
