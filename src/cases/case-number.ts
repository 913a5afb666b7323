// Human-readable case numbers YYYYMMDD-NNNNNN per local day. The counter row is bumped in its own short
// autocommit statement (never inside a case transaction, so intake does not serialise on it), and each
// process reserves a small block of numbers at a time: numbers are unique, gaps are fine.
import type { Db } from '../store/db.ts';

const BLOCK = 16;
const pools = new WeakMap<Db, Map<string, { next: number; last: number }>>();

export const formatCaseNo = (day: string, n: number) => `${day.replace(/-/g, '')}-${String(n).padStart(6, '0')}`;

export async function nextCaseNo(db: Db, day: string): Promise<string> {
  let days = pools.get(db);
  if (!days) pools.set(db, (days = new Map()));
  const p = days.get(day);
  if (p && p.next <= p.last) return formatCaseNo(day, p.next++);
  const [r] = await db.query<{ last: number }>(
    `INSERT INTO case_number_counters (day, last) VALUES ($1, $2)
     ON CONFLICT (day) DO UPDATE SET last = case_number_counters.last + EXCLUDED.last RETURNING last`,
    [day, BLOCK],
  );
  const first = r!.last - BLOCK + 1;
  const cur = days.get(day);
  if (!cur || cur.next > cur.last) days.set(day, { next: first + 1, last: r!.last });
  if (days.size > 4) for (const k of [...days.keys()].sort().slice(0, days.size - 4)) days.delete(k);
  return formatCaseNo(day, first);
}

/** Reserves `count` consecutive numbers for a day in one statement (bulk imports, before their transaction). */
export async function reserveCaseNos(db: Db, day: string, count: number): Promise<string[]> {
  if (count <= 0) return [];
  const [r] = await db.query<{ last: number }>(
    `INSERT INTO case_number_counters (day, last) VALUES ($1, $2)
     ON CONFLICT (day) DO UPDATE SET last = case_number_counters.last + EXCLUDED.last RETURNING last`,
    [day, count],
  );
  return Array.from({ length: count }, (_, i) => formatCaseNo(day, r!.last - count + 1 + i));
}
