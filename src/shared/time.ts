// The city's local time. Store UTC; bucket by the city's local day here and nowhere else.

export const CITY_TZ = 'Asia/Shanghai';
const OFFSET_MS = 8 * 3600_000; // China has had no daylight saving time since 1991.

/** Local calendar day (YYYY-MM-DD) of an instant in the city. */
export function localDay(at: Date | number): string {
  const t = typeof at === 'number' ? at : at.getTime();
  return new Date(t + OFFSET_MS).toISOString().slice(0, 10);
}

/** Local hour 0–23 of an instant. */
export function localHour(at: Date | number): number {
  const t = typeof at === 'number' ? at : at.getTime();
  return new Date(t + OFFSET_MS).getUTCHours();
}

/** The instant of local midnight starting a day (YYYY-MM-DD). */
export function startOfLocalDay(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - OFFSET_MS);
}

/** An instant at a local day and time. */
export function localDateTime(day: string, hour = 0, minute = 0, second = 0): Date {
  return new Date(startOfLocalDay(day).getTime() + ((hour * 60 + minute) * 60 + second) * 1000);
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400_000).toISOString().slice(0, 10);
}

/** The first day of a day's month. */
export const monthStart = (day: string) => day.slice(0, 7) + '-01';

/** The first day of the month after a day's. */
export function nextMonthStart(day: string): string {
  const [y, m] = day.split('-').map(Number);
  return `${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}-01`;
}

/** Days from a to b (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400_000);
}

/** ISO weekday of a local day: 1 = Monday … 7 = Sunday. */
export function weekday(day: string): number {
  const d = new Date(`${day}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

/** SQL expression for the local day of a timestamptz column (same on both engines). */
export const sqlLocalDay = (column: string) => `(${column} AT TIME ZONE '${CITY_TZ}')::date`;
