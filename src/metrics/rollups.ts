// Keeping the rollups current: a delta per case change, queued inside the change's transaction and applied by the
// rollup writer (the queue, below), and a rebuild from the cases table after bulk loads. Both use the expressions in
// indicators.ts, so they cannot drift apart.
import type { Db, Row } from '../store/db.ts';
import { addDays, monthStart, nextMonthStart } from '../shared/time.ts';
import { COUNTERS, COUNTER_SQL, KEY_COLUMNS, ROLLUP_KEYS } from './indicators.ts';
import { forgetTopicCounts } from './topics.ts';
import { startUpkeep, upkeepEveryMs } from '../shared/upkeep.ts';

const keyList = KEY_COLUMNS.join(', ');
const groupAll = KEY_COLUMNS.map((_, i) => i + 1).join(', ');
const counterList = COUNTERS.join(', ');
const selectKeys = KEY_COLUMNS.map((k) => `${ROLLUP_KEYS[k]} AS ${k}`).join(', ');
const upsertSet = (table: string) => COUNTERS.map((k) => `${k} = ${table}.${k} + EXCLUDED.${k}`).join(', ');
const nonZero = (alias: string) => COUNTERS.map((k) => `${alias}.${k} <> 0`).join(' OR ');
const sums = (alias = '') => COUNTERS.map((k) => `sum(${alias}${k})`).join(', ');
const havingNonZero = COUNTERS.map((k) => `sum(${k}) <> 0`).join(' OR ');

/** Cube dimensions: (dim, key expression over rollup key columns of alias r; NULL: no row). unit_mix strata
 *  exist for cases with a unit only (the unit rankings read no others): a new, undispatched case writes none. */
export const CUBE_DIMS: [string, string][] = [
  ['all', `''`], ['channel', 'r.channel'], ['request_type', 'r.request_type'], ['category', 'r.category_code'], ['district', 'r.district_code'],
  ['unit', 'r.unit_id'], ['unsat_reason', 'r.unsat_reason'], ['unit_mix', `nullif(r.unit_id, '') || '|' || r.category_code || '|' || r.request_type`],
];
const cubeLateral = `CROSS JOIN LATERAL (VALUES ${CUBE_DIMS.map(([d, e]) => `('${d}', ${e})`).join(', ')}) v(dim, key)`;
const cubeKeyGiven = 'v.key IS NOT NULL';
/** Place dimensions of the cube below the district (not rollup keys: they would multiply the full grain), read
 *  straight from the case row c; top streets / communities then never scan the cases table. */
export const PLACE_CUBE_DIMS: [string, string][] = [['street', `coalesce(c.street_code, '')`], ['community', `coalesce(c.community_code, '')`]];
const placeLateral = `CROSS JOIN LATERAL (VALUES ${PLACE_CUBE_DIMS.map(([d, e]) => `('${d}', ${e})`).join(', ')}) v(dim, key)`;
const cubeUpsert = (table: string, dayExpr: string, from: string, where = 'true') => `
  INSERT INTO ${table} (local_day, dim, key, ${counterList})
  SELECT ${dayExpr}, dim, key, ${sums()} FROM ${from} WHERE ${where} GROUP BY 1, 2, 3 HAVING ${havingNonZero} ORDER BY 1, 2, 3
  ON CONFLICT (local_day, dim, key) DO UPDATE SET ${upsertSet(table)}`;
/** Days of closed months: only these have monthly rollup rows (migration 0080, close-months.ts). */
export const CLOSED_MONTHS_DAY = (column = 'local_day') => `${column} < (SELECT open_from FROM rollup_months)`;

/** Rollup writers take this transaction-scoped lock first: concurrent upserts of the same new keys in
 *  different orders deadlocked (seen under concurrent intake on PostgreSQL); one lock orders them. */
const ROLLUP_LOCK_KEY = 7_312_346;
const takeRollupLock = (tx: Db) => tx.query(`SELECT pg_advisory_xact_lock(${ROLLUP_LOCK_KEY})`);

// One statement applies any number of case changes: signed contributions of each row before (−1) and after (+1)
// its change (`src` defines rollup_src: rows shaped as rollup_queue), summed per key, upserted into the daily and
// monthly rollups. Keys are sorted so that writers lock rows in the same order; all-zero deltas (no metric changed)
// touch no row at all. Monthly rows are written for days of closed months only (a month's rows appear when it closes).
function deltaSql(src: string): string {
  const signed = COUNTERS.map((k) => `sum(c.sign * ${COUNTER_SQL[k]}) AS ${k}`).join(', ');
  const ctes = [
    src,
    `rollup_d AS (
  SELECT ${selectKeys}, ${signed}
  FROM rollup_src c GROUP BY ${groupAll})`,
    `rollup_dd AS (
  INSERT INTO rollup_daily (${keyList}, ${counterList})
  SELECT ${keyList}, ${counterList} FROM rollup_d d WHERE ${nonZero('d')} ORDER BY ${keyList}
  ON CONFLICT (${keyList}) DO UPDATE SET ${upsertSet('rollup_daily')}
  RETURNING 1)`,
    `rollup_place AS (
  SELECT c.local_day, v.dim, v.key, ${signed} FROM rollup_src c ${placeLateral} GROUP BY 1, 2, 3)`,
    `rollup_cube AS (
  SELECT r.local_day, v.dim, v.key, ${COUNTERS.map((k) => `r.${k}`).join(', ')} FROM rollup_d r ${cubeLateral} WHERE ${cubeKeyGiven} AND (${nonZero('r')})
  UNION ALL
  SELECT * FROM rollup_place r WHERE ${nonZero('r')})`,
    `rollup_cd AS (${cubeUpsert('rollup_cube_daily', 'local_day', 'rollup_cube')} RETURNING 1)`,
    `rollup_cm AS (${cubeUpsert('rollup_cube_monthly', `date_trunc('month', local_day)::date`, 'rollup_cube', CLOSED_MONTHS_DAY())} RETURNING 1)`,
  ];
  return `WITH ${ctes.join(',\n')}
INSERT INTO rollup_monthly (${keyList}, ${counterList})
SELECT ${KEY_COLUMNS.map((k) => (k === 'local_day' ? `date_trunc('month', m.local_day)::date` : `m.${k}`)).join(', ')}, ${COUNTERS.map((k) => `sum(m.${k})`).join(', ')}
FROM rollup_d m WHERE (${nonZero('m')}) AND ${CLOSED_MONTHS_DAY('m.local_day')}
GROUP BY ${groupAll} ORDER BY ${groupAll}
ON CONFLICT (${keyList}) DO UPDATE SET ${upsertSet('rollup_monthly')}`;
}
/** Applies changes given as a parameter (rows shaped as rollup_queue). */
const DELTA_SQL = deltaSql(`rollup_src AS (SELECT * FROM json_populate_recordset(NULL::rollup_queue, $1::text::json))`);
/** Applies and empties the queue. */
const DRAIN_SQL = deltaSql(`rollup_src AS (DELETE FROM rollup_queue RETURNING *)`);

/** The case columns the keys and counters read: only these are queued (not the text, tags …). */
export const DELTA_COLUMNS = [...new Set([...Object.values(ROLLUP_KEYS), ...Object.values(COUNTER_SQL), ...PLACE_CUBE_DIMS.map(([, e]) => e)].flatMap((sql) => [...sql.matchAll(/\bc\.(\w+)/g)].map((m) => m[1]!)))];
const pickDeltaColumns = (row: Row, sign: 1 | -1): Row => {
  const out: Row = { sign };
  for (const k of DELTA_COLUMNS) out[k] = row[k] ?? null;
  return out;
};

/** The queue rows of some changes (JSON), or null when no rollup column changed (a reminder, a note …). */
function queueRows(changes: { before: Row | null; after: Row | null }[]): string | null {
  const rows: Row[] = [];
  for (const c of changes) {
    const after = c.after && pickDeltaColumns(c.after, 1);
    const before = c.before && pickDeltaColumns(c.before, -1);
    if (after && before && DELTA_COLUMNS.every((k) => String(after[k]) === String(before[k]))) continue;
    if (after) rows.push(after);
    if (before) rows.push(before);
  }
  return rows.length ? JSON.stringify(rows) : null;
}

/** Applies the change of one case (before → after; before null on create) to the rollups now, inside `tx`. */
export function applyCaseDelta(tx: Db, before: Row | null, after: Row | null): Promise<void> {
  return applyCaseDeltas(tx, [{ before, after }]);
}

/** Applies the changes of several cases to the rollups now, inside `tx` (tests, benchmarks: the case hooks queue). */
export async function applyCaseDeltas(tx: Db, changes: { before: Row | null; after: Row | null }[]): Promise<void> {
  const rows = queueRows(changes);
  if (!rows) return;
  await takeRollupLock(tx);
  await tx.query(DELTA_SQL, [rows]);
}

// ——— The queue ———
// A case change only queues its delta (one data-modifying CTE joining the change's statement: intake's insert of a
// batch); the rollups catch up when the queue is drained — by the serving process about once a second
// (startRollupUpkeep) and before every metrics read of this process (rollupsCurrent), so that a user never reads
// numbers older than the changes this process made. Drains are serialised by the rollup lock; a crash loses nothing
// (the queue commits with its changes, the next drain applies it).
let queued = 0; // process-wide count of queued changes (a drain is needed once it moves)
const drains = new WeakMap<Db, { upTo: number; running: Promise<void> | null }>();

/** The delta of some changes as a data-modifying CTE that queues it, with its parameter at $first (none when no
 *  rollup column changed). */
export function caseDeltaCtes(changes: { before: Row | null; after: Row | null }[], first: number): { ctes: string[]; params: unknown[] } {
  const rows = queueRows(changes);
  if (!rows) return { ctes: [], params: [] };
  queued++;
  return { ctes: [`rollup_q AS (INSERT INTO rollup_queue SELECT * FROM json_populate_recordset(NULL::rollup_queue, $${first}::text::json) RETURNING 1)`], params: [rows] };
}

/** Applies every queued delta (of any process) to the rollups and empties the queue, in one transaction. */
export async function drainRollupQueue(db: Db): Promise<void> {
  await db.tx(async (tx) => {
    await takeRollupLock(tx);
    await tx.query(DRAIN_SQL);
  });
}

/** How far each database's queue was drained by this process: `upTo` is the count of changes queued here that the
 *  last drain covered (−1: none yet). */
function drainState(db: Db) {
  let s = drains.get(db);
  if (!s) drains.set(db, (s = { upTo: -1, running: null }));
  return s;
}

/** One drain at a time per database; its completion records how many of this process's changes it covered. */
function drainOnce(db: Db): Promise<void> {
  const state = drainState(db);
  if (!state.running) {
    const upTo = queued;
    state.running = drainRollupQueue(db)
      .then(() => void (state.upTo = Math.max(state.upTo, upTo)))
      .finally(() => (state.running = null));
  }
  return state.running;
}

/** Drains the queue unless no change was queued by this process since its last drain (read-your-writes); a
 *  process's first read always drains (a command run after others' changes: imports, another server). */
export async function rollupsCurrent(db: Db): Promise<void> {
  const state = drainState(db);
  const target = queued;
  while (state.upTo < target) await drainOnce(db);
}

/** Drains the queue every `everyMs` while changes are being queued here, and every 10 s in any case (changes queued
 *  by other processes: CLI commands, other servers), then empties the table's dead rows (embedded PGlite has no
 *  autovacuum). Returns the stop function. */
export function startRollupUpkeep(db: Db, o: { everyMs?: number; onError?: (e: unknown) => void } = {}): () => void {
  const everyMs = o.everyMs ?? upkeepEveryMs(db);
  const idleDrainEvery = Math.max(1, Math.round(10_000 / everyMs));
  let tick = -1; // the first tick drains whatever an earlier process left
  return startUpkeep(everyMs, async () => {
    if (++tick % idleDrainEvery) return rollupsCurrent(db);
    await drainOnce(db);
    await db.exec('VACUUM rollup_queue');
  }, o.onError);
}

/** The monthly rows (full grain, cube) of the days matching `where`, summed from the daily rows (rebuild, month close). */
export const monthlyFromDailySql = (where: string): [string, string] => [
  `INSERT INTO rollup_monthly (${keyList}, ${counterList})
   SELECT ${KEY_COLUMNS.map((k) => (k === 'local_day' ? `date_trunc('month', local_day)::date` : k)).join(', ')}, ${sums()}
   FROM rollup_daily WHERE ${where} GROUP BY ${groupAll} ORDER BY ${groupAll}`,
  `INSERT INTO rollup_cube_monthly (local_day, dim, key, ${counterList})
   SELECT date_trunc('month', local_day)::date, dim, key, ${sums()} FROM rollup_cube_daily WHERE ${where} GROUP BY 1, 2, 3 ORDER BY 2, 1, 3`,
];

/**
 * Recomputes the rollups from the cases table, for all days or for a range of local days (widened to whole
 * months so that monthly rows stay exact). Locks the rollups so that concurrent case changes wait.
 */
export async function rebuildRollups(db: Db, range?: { fromDay: string; toDay: string }): Promise<{ dailyRows: number; monthlyRows: number }> {
  // Rows are written in key order (the cube: dimension first, as its primary key), so that a period's rows of one
  // dimension sit together on disk: a month read is a few pages instead of pages all over the table.
  const result = await rebuildInTx(db, range);
  // Fresh statistics, so that the planner reads the rollups by their keys right after a bulk load; VACUUM so that
  // the replaced rows are gone (embedded PGlite has no autovacuum: reads kept visiting their scattered pages).
  await db.exec('VACUUM ANALYZE rollup_daily, rollup_monthly, rollup_cube_daily, rollup_cube_monthly');
  return result;
}

function rebuildInTx(db: Db, range?: { fromDay: string; toDay: string }): Promise<{ dailyRows: number; monthlyRows: number }> {
  return db.tx(async (tx) => {
    // The queue is drained first, and held: a change committed after the drain would otherwise be counted twice
    // (in the cases read below, and by a later drain); one still in flight now queues after this commit.
    await takeRollupLock(tx);
    await tx.exec('LOCK TABLE rollup_daily, rollup_monthly, rollup_cube_daily, rollup_cube_monthly, rollup_queue IN SHARE ROW EXCLUSIVE MODE');
    await tx.query(DRAIN_SQL);
    const params: unknown[] = [];
    let where = 'true';
    if (range) {
      params.push(monthStart(range.fromDay), addDays(nextMonthStart(range.toDay), -1));
      where = 'local_day BETWEEN $1::date AND $2::date';
    }
    await tx.query(`DELETE FROM rollup_daily WHERE ${where}`, params);
    for (const t of ['rollup_monthly', 'rollup_cube_daily', 'rollup_cube_monthly']) await tx.query(`DELETE FROM ${t} WHERE ${where}`, params);
    await tx.query(
      `INSERT INTO rollup_daily (${keyList}, ${counterList})
       SELECT ${selectKeys}, ${COUNTERS.map((k) => `sum(${COUNTER_SQL[k]})`).join(', ')}
       FROM cases c WHERE ${where.replace(/local_day/g, 'c.local_day')}
       GROUP BY ${groupAll} ORDER BY ${groupAll}`,
      params,
    );
    const [monthly, cubeMonthly] = monthlyFromDailySql(`${where} AND ${CLOSED_MONTHS_DAY()}`);
    await tx.query(monthly, params);
    await tx.query(`INSERT INTO rollup_cube_daily (local_day, dim, key, ${counterList})
       SELECT r.local_day, v.dim, v.key, ${sums('r.')} FROM rollup_daily r ${cubeLateral} WHERE ${cubeKeyGiven} AND ${where.replace(/local_day/g, 'r.local_day')} GROUP BY 1, 2, 3 ORDER BY 2, 1, 3`, params);
    await tx.query(`INSERT INTO rollup_cube_daily (local_day, dim, key, ${counterList})
       SELECT c.local_day, v.dim, v.key, ${COUNTERS.map((k) => `sum(${COUNTER_SQL[k]})`).join(', ')}
       FROM cases c ${placeLateral} WHERE ${where.replace(/local_day/g, 'c.local_day')} GROUP BY 1, 2, 3 ORDER BY 2, 1, 3`, params);
    await tx.query(cubeMonthly, params);
    const [d] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM rollup_daily WHERE ${where}`, params);
    const [m] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM rollup_monthly WHERE ${where}`, params);
    return { dailyRows: d.n, monthlyRows: m.n };
  });
}

/**
 * Rebuilds every metric store of a range (all days holding cases when none is given): the rollups, and the cached
 * topic counts forgotten so that they are recounted. Returns the range it covered (none when there are no cases).
 */
export async function rebuildMetrics(db: Db, range?: { fromDay: string; toDay: string }): Promise<{ range?: { fromDay: string; toDay: string }; dailyRows: number; monthlyRows: number }> {
  if (!range) {
    const [r] = await db.query<{ a: string | null; b: string | null }>(`SELECT min(local_day)::text AS a, max(local_day)::text AS b FROM cases`);
    if (!r.a || !r.b) return { dailyRows: 0, monthlyRows: 0 };
    range = { fromDay: r.a, toDay: r.b };
  }
  await forgetTopicCounts(db, range);
  return { range, ...(await rebuildRollups(db, range)) };
}
