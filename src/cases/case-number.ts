// Human-readable case numbers YYYYMMDD-NNNNNN per local day. The counter row is bumped in its own short
// autocommit statement (never inside a case transaction, so intake does not serialise on it), and each
// process reserves a block of numbers at a time (16, growing while busy): numbers are unique, gaps are fine.
import type { Db } from '../store/db.ts';

const MIN_BLOCK = 16;
const MAX_BLOCK = 1024;
interface Pool { next: number; last: number; size: number; reservedAt: number; refill: Promise<void> | null; refillAt: number }
const pools = new WeakMap<Db, Map<string, Pool>>();

export const formatCaseNo = (day: string, n: number) => `${day.replace(/-/g, '')}-${String(n).padStart(6, '0')}`;

/** A case number as one number (YYYYMMDD·10⁷ + N), for indexes kept in typed arrays; NaN for a number not in
 *  this form (or N ≥ 10⁷). caseNoOf turns it back. */
export function caseNoCode(caseNo: string): number {
  const m = /^(\d{8})-(\d{6}|[1-9]\d{6})$/.exec(caseNo); // as formatCaseNo writes them, so that caseNoOf gives them back
  return m ? Number(m[1]) * 1e7 + Number(m[2]) : NaN;
}

export const caseNoOf = (code: number): string => `${Math.floor(code / 1e7)}-${String(code % 1e7).padStart(6, '0')}`;

export async function nextCaseNo(db: Db, day: string): Promise<string> {
  let days = pools.get(db);
  if (!days) pools.set(db, (days = new Map()));
  let p = days.get(day);
  if (!p) {
    days.set(day, (p = { next: 1, last: 0, size: MIN_BLOCK, reservedAt: 0, refill: null, refillAt: 0 }));
    if (days.size > 4) for (const k of [...days.keys()].sort().slice(0, days.size - 4)) days.delete(k);
  }
  // Concurrent requests share one refill; a block used up within a second makes the next one twice as large
  // (busy hours cost one counter statement per second or so), a slow day goes back to small blocks.
  while (p.next > p.last) {
    // (a refill that has not settled within 5 s — a lost connection may never answer — is not waited for)
    if (p.refill && Date.now() - p.refillAt > 5_000) p.refill = null;
    p.refillAt = p.refill ? p.refillAt : Date.now();
    p.refill ??= (async () => {
      p.size = Date.now() - p.reservedAt < 1000 ? Math.min(MAX_BLOCK, p.size * 2) : MIN_BLOCK;
      const first = await reserveBlock(db, day, p.size);
      Object.assign(p, { next: first, last: first + p.size - 1, reservedAt: Date.now() });
    })().finally(() => (p.refill = null));
    await p.refill;
  }
  return formatCaseNo(day, p.next++);
}

/** Reserves `count` consecutive numbers for a day in one statement (bulk imports, before their transaction). */
export async function reserveCaseNos(db: Db, day: string, count: number): Promise<string[]> {
  if (count <= 0) return [];
  const first = await reserveBlock(db, day, count);
  return Array.from({ length: count }, (_, i) => formatCaseNo(day, first + i));
}

/** Bumps the day's counter by `count`; returns the first number of the block. */
async function reserveBlock(db: Db, day: string, count: number): Promise<number> {
  const [r] = await db.query<{ last: number }>(
    `INSERT INTO case_number_counters (day, last) VALUES ($1, $2)
     ON CONFLICT (day) DO UPDATE SET last = case_number_counters.last + EXCLUDED.last RETURNING last`,
    [day, count],
  );
  return r!.last - count + 1;
}
