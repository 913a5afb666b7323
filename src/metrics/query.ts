// Querying metrics: sums of rollup counters over a period (whole closed months from the monthly rollup, the
// edges from the daily one), grouped by one dimension, with MoM / YoY comparison, time series and the
// drill-down to the cases behind any number. Dashboard, big screen and reports all call these.
import type { Db } from '../store/db.ts';
import { validationError, notFound } from '../shared/errors.ts';
import { addDays, daysBetween, monthStart, nextMonthStart } from '../shared/time.ts';
import { CLOSED_MONTHS_DAY, rollupsCurrent } from './rollups.ts';
import { ROLLUP_KEYS, UNSAT_REASONS, UNSAT_REASON_OTHER, type Counter } from './indicators.ts';
import { DIMENSIONS, METRIC_BY_NAME, REQUEST_TYPE_LABELS, metricValue, type Dimension, type MetricDef } from './definitions.ts';

export type Filters = Partial<Record<Dimension, string>>;
export interface Period { from: string; to: string }
export interface MetricQuery extends Period {
  metric: string;
  by?: Dimension;
  filters?: Filters;
  /** Unit staff see only their unit's numbers. */
  unitScope?: string | null;
}
export interface MetricPoint { value: number | null; num: number; den: number | null }
export interface MetricGroup extends MetricPoint { key: string; label: string }
export interface MetricResult extends MetricPoint, Period {
  metric: string; label: string; unit: string;
  groups?: MetricGroup[];
}

export function getMetric(name: string): MetricDef {
  const m = METRIC_BY_NAME.get(name);
  if (!m) throw notFound(`指标 ${name} `);
  return m;
}

function checkPeriod(p: Period): void {
  const re = /^\d{4}-\d{2}-\d{2}$/;
  const fields: Record<string, string> = {};
  if (!re.test(p.from) || Number.isNaN(Date.parse(p.from))) fields.from = '开始日期应为 YYYY-MM-DD';
  if (!re.test(p.to) || Number.isNaN(Date.parse(p.to))) fields.to = '结束日期应为 YYYY-MM-DD';
  if (!Object.keys(fields).length && p.from > p.to) fields.to = '结束日期不能早于开始日期';
  if (!Object.keys(fields).length && daysBetween(p.from, p.to) > 3700) fields.to = '统计区间不能超过十年';
  if (Object.keys(fields).length) throw validationError(fields);
}

function checkDims(m: MetricDef, by: Dimension | undefined, filters: Filters): void {
  const fields: Record<string, string> = {};
  if (by && !m.dims.includes(by)) fields.by = `指标“${m.label}”不支持按此维度统计，可选：${m.dims.join(', ')}`;
  for (const d of Object.keys(filters)) if (!(d in DIMENSIONS)) fields[d] = '未知的筛选维度';
  if (Object.keys(fields).length) throw validationError(fields);
}

/** Rollup column of each dimension (category1 groups leaf codes under their top-level ancestor). */
const DIM_COLUMN: Record<Dimension, string> = {
  channel: 'channel', request_type: 'request_type', category: 'category_code', category1: 'category_code',
  district: 'district_code', unit: 'unit_id', unsat_reason: 'unsat_reason',
};

// A category and its descendants as an array, so that `= ANY (…)` is an index condition (an IN subquery became a
// hash join over the whole month's rollup rows).
const DESCENDANTS = (p: string) => `ARRAY(WITH RECURSIVE d(code) AS (SELECT ${p}::text UNION SELECT k.code FROM categories k JOIN d ON k.parent_code = d.code) SELECT code FROM d)`;
const CAT_TOP = `cat_top(code, top) AS (SELECT code, code FROM categories WHERE parent_code IS NULL UNION ALL SELECT k.code, t.top FROM categories k JOIN cat_top t ON k.parent_code = t.code)`;

class Params {
  list: unknown[] = [];
  add(v: unknown): string {
    this.list.push(v);
    return `$${this.list.length}`;
  }
}

/** WHERE conditions of the filters over the rollups (r) or the cases table (c). */
function filterSql(filters: Filters, unitScope: string | null | undefined, p: Params, on: 'rollup' | 'cases'): string[] {
  const out: string[] = [];
  const all: Filters = { ...filters };
  if (unitScope) all.unit = unitScope;
  for (const [dim, value] of Object.entries(all) as [Dimension, string][]) {
    if (value === undefined) continue;
    // On cases, compare the bare column (so its index serves) unless the key is an expression or '' (none).
    const bare = on === 'cases' && dim !== 'unsat_reason' && value !== '';
    const col = on === 'rollup' ? DIM_COLUMN[dim] : bare ? `c.${DIM_COLUMN[dim]}` : ROLLUP_KEYS[DIM_COLUMN[dim] as keyof typeof ROLLUP_KEYS];
    if ((dim === 'category' || dim === 'category1') && value) out.push(`${col} = ANY (${DESCENDANTS(p.add(value))})`);
    else out.push(`${col} = ${p.add(value)}`);
  }
  if (unitScope && filters.unit && filters.unit !== unitScope) out.push('false');
  return out;
}


/** The rollup rows of a period: whole closed months from rollup_monthly, the rest from rollup_daily. */
const FULL_TABLES = ['rollup_monthly', 'rollup_daily'] as const;
const CUBE_TABLES = ['rollup_cube_monthly', 'rollup_cube_daily'] as const;

function rollupSource(period: Period, cols: string[], where: string[], p: Params, tables: readonly [string, string] = FULL_TABLES): string {
  const m1 = period.from.endsWith('-01') ? period.from : nextMonthStart(period.from);
  const m2 = nextMonthStart(period.to) === addDays(period.to, 1) ? addDays(period.to, 1) : monthStart(period.to);
  const w = where.length ? ' AND ' + where.join(' AND ') : '';
  const sel = cols.join(', ');
  if (m1 < m2) {
    // Separate range scans (an OR of two ranges would defeat the primary-key index). Whole months that are still
    // open (not yet in the monthly rollup: the current month) are summed from the daily rollup.
    const [a, b] = [p.add(m1), p.add(m2)];
    const parts = [
      `SELECT ${sel} FROM ${tables[0]} WHERE local_day >= ${a}::date AND local_day < ${b}::date AND ${CLOSED_MONTHS_DAY()}${w}`,
      `SELECT ${sel} FROM ${tables[1]} WHERE local_day >= ${a}::date AND local_day < ${b}::date AND NOT ${CLOSED_MONTHS_DAY()}${w}`,
    ];
    if (period.from < m1) parts.push(`SELECT ${sel} FROM ${tables[1]} WHERE local_day >= ${p.add(period.from)}::date AND local_day < ${p.add(m1)}::date${w}`);
    if (m2 <= period.to) parts.push(`SELECT ${sel} FROM ${tables[1]} WHERE local_day >= ${p.add(m2)}::date AND local_day <= ${p.add(period.to)}::date${w}`);
    return parts.join('\n      UNION ALL ');
  }
  return `SELECT ${sel} FROM ${tables[1]} WHERE local_day BETWEEN ${p.add(period.from)}::date AND ${p.add(period.to)}::date${w}`;
}

const countersOf = (m: MetricDef) => [...new Set([...m.num, ...(m.den ?? [])])] as Counter[];

/** Sums of counters over a period, optionally grouped by a dimension (raw keys). Unfiltered queries read the
 * per-dimension cube; filtered ones (or unit-scoped ones) read the full-grain rollups. */
export async function sumCounters(db: Db, counters: Counter[], period: Period, opts: { by?: Dimension; filters?: Filters; unitScope?: string | null } = {}): Promise<{ key: string; sums: Record<string, number> }[]> {
  await rollupsCurrent(db);
  const p = new Params();
  const filters = Object.entries({ ...opts.filters, ...(opts.unitScope ? { unit: opts.unitScope } : {}) }).filter(([, v]) => v !== undefined) as [Dimension, string][];
  const conflict = Boolean(opts.unitScope && opts.filters?.unit !== undefined && opts.filters.unit !== opts.unitScope);
  const sumList = counters.map((k) => `sum(r.${k})::float8 AS ${k}`).join(', ');
  const catTop = opts.by === 'category1';
  const cubeOf = (d: Dimension) => (d === 'category1' ? 'category' : d);
  let sql: string;
  if (!filters.length) {
    const src = rollupSource(period, ['key', ...counters], [`dim = ${p.add(opts.by ? cubeOf(opts.by) : 'all')}`], p, CUBE_TABLES);
    const keyExpr = catTop ? 'coalesce(t.top, r.key)' : 'r.key';
    sql = `${catTop ? `WITH RECURSIVE ${CAT_TOP}` : ''} SELECT ${keyExpr} AS key, ${sumList}
      FROM (${src}) r ${catTop ? 'LEFT JOIN cat_top t ON t.code = r.key' : ''} GROUP BY ${keyExpr}`;
  } else if (filters.length === 1 && !opts.by && !conflict) {
    // One filter and no breakdown (a district's, a category's, a unit's own number): that dimension's cube rows.
    const [[dim, value]] = filters;
    const keyCond = cubeOf(dim) === 'category' && value ? `key = ANY (${DESCENDANTS(p.add(value))})` : `key = ${p.add(value)}`;
    const src = rollupSource(period, ['key', ...counters], [`dim = ${p.add(cubeOf(dim))}`, keyCond], p, CUBE_TABLES);
    sql = `SELECT '' AS key, ${sumList} FROM (${src}) r`;
  } else {
    const where = filterSql(opts.filters ?? {}, opts.unitScope, p, 'rollup');
    const src = rollupSource(period, [...new Set([...(opts.by ? [DIM_COLUMN[opts.by]] : []), 'category_code', ...counters])], where, p, FULL_TABLES);
    const keyExpr = catTop ? `coalesce(t.top, r.category_code)` : opts.by ? `r.${DIM_COLUMN[opts.by]}` : `''`;
    sql = `${catTop ? `WITH RECURSIVE ${CAT_TOP}` : ''}
      SELECT ${keyExpr} AS key, ${sumList}
      FROM (${src}) r ${catTop ? 'LEFT JOIN cat_top t ON t.code = r.category_code' : ''} ${opts.by ? `GROUP BY ${keyExpr}` : ''}`;
  }
  const rows = await db.query(sql, p.list);
  return rows.map((r) => ({ key: String(r.key ?? ''), sums: Object.fromEntries(counters.map((k) => [k, Number(r[k] ?? 0)])) }));
}

/** Unit rankings' observed and expected counts per unit, summed in the database from the cube's unit_mix strata
 *  (unit | category | request type): expected = Σ strata (unit's denominator × city rate of the stratum). */
export async function unitMixExpected(db: Db, num: Counter[], den: Counter[], period: Period): Promise<{ key: string; num: number; den: number; expected: number }[]> {
  await rollupsCurrent(db);
  checkPeriod(period);
  const p = new Params();
  const counters = [...new Set([...num, ...den])];
  const src = rollupSource(period, ['key', ...counters], [`dim = 'unit_mix'`, `key NOT LIKE '|%'`], p, CUBE_TABLES);
  const rows = await db.query(`
    WITH k AS (
      SELECT split_part(r.key, '|', 1) AS unit, substr(r.key, strpos(r.key, '|') + 1) AS stratum,
             sum(${num.map((c) => `r.${c}`).join(' + ')})::float8 AS num, sum(${den.map((c) => `r.${c}`).join(' + ')})::float8 AS den
      FROM (${src}) r GROUP BY r.key
    ), s AS (SELECT stratum, sum(num) / nullif(sum(den), 0) AS rate FROM k GROUP BY stratum)
    SELECT k.unit AS key, sum(k.num) AS num, sum(k.den) AS den, sum(k.den * coalesce(s.rate, 0)) AS expected
    FROM k JOIN s USING (stratum) GROUP BY k.unit`, p.list);
  return rows.map((r) => ({ key: String(r.key), num: Number(r.num), den: Number(r.den), expected: Number(r.expected) }));
}

/** The n largest keys of one cube dimension by a counter over a period (also the place dimensions below the
 *  district, street and community, which are cube-only). */
export async function topCubeKeys(db: Db, dim: string, counter: Counter, period: Period, n: number): Promise<{ key: string; value: number }[]> {
  await rollupsCurrent(db);
  checkPeriod(period);
  const p = new Params();
  const src = rollupSource(period, ['key', counter], [`dim = ${p.add(dim)}`, `key <> ''`], p, CUBE_TABLES);
  const rows = await db.query(`SELECT r.key, sum(r.${counter})::float8 AS value FROM (${src}) r GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${p.add(n)}`, p.list);
  return rows.map((r) => ({ key: String(r.key), value: Number(r.value) }));
}

/** A metric over a period (and by a dimension when `by` is given, largest first). */
export async function queryMetric(db: Db, q: MetricQuery): Promise<MetricResult> {
  const m = getMetric(q.metric);
  checkPeriod(q);
  checkDims(m, q.by, q.filters ?? {});
  const counters = countersOf(m);
  // With a breakdown, the total is the sum of the groups (every rollup row has exactly one key).
  const rows = await sumCounters(db, counters, q, { by: q.by, filters: q.filters, unitScope: q.unitScope });
  const total: Record<string, number> = Object.fromEntries(counters.map((k) => [k, rows.reduce((s, r) => s + r.sums[k], 0)]));
  const result: MetricResult = { metric: m.name, label: m.label, unit: m.unit, from: q.from, to: q.to, ...metricValue(m, total) };
  if (q.by) {
    const labels = await dimensionLabels(db, q.by, rows.map((r) => r.key));
    result.groups = rows
      .map((r) => ({ key: r.key, label: labels.get(r.key) ?? (r.key || '未标注'), ...metricValue(m, r.sums) }))
      .filter((g) => g.num !== 0 || (g.den ?? 0) !== 0)
      .sort((a, b) => (b.value ?? -1) - (a.value ?? -1) || b.num - a.num || a.key.localeCompare(b.key));
  }
  return result;
}

/** Several metrics over one period from one rollup read (no breakdown). */
export async function queryMetrics(db: Db, names: string[], q: Period & { filters?: Filters; unitScope?: string | null }): Promise<Record<string, MetricResult>> {
  checkPeriod(q);
  const defs = names.map(getMetric);
  const counters = [...new Set(defs.flatMap(countersOf))];
  const [row] = await sumCounters(db, counters, q, { filters: q.filters, unitScope: q.unitScope });
  return Object.fromEntries(defs.map((m) => [m.name, { metric: m.name, label: m.label, unit: m.unit, from: q.from, to: q.to, ...metricValue(m, row?.sums ?? {}) }]));
}

/** The period before (same length; whole months stay whole months) and the same period a year earlier. */
export function previousPeriod(p: Period): Period {
  if (p.from.endsWith('-01') && nextMonthStart(p.to) === addDays(p.to, 1)) {
    const months = monthsBetween(p.from, p.to);
    const from = shiftMonths(p.from, -months);
    return { from, to: addDays(p.from, -1) };
  }
  // A month so far (1st to a day of the same month) against the same days of the month before (上月同期), the
  // last day clamped to that month's end: 11-01…11-29 against 10-01…10-29, 03-01…03-30 against 02-01…02-28.
  if (p.from.endsWith('-01') && p.from.slice(0, 7) === p.to.slice(0, 7)) {
    const from = shiftMonths(p.from, -1);
    const last = addDays(nextMonthStart(from), -1);
    return { from, to: p.to.slice(8) <= last.slice(8) ? from.slice(0, 8) + p.to.slice(8) : last };
  }
  const len = daysBetween(p.from, p.to) + 1;
  return { from: addDays(p.from, -len), to: addDays(p.from, -1) };
}
export function yearEarlier(p: Period): Period {
  const back = (d: string) => {
    const y = Number(d.slice(0, 4)) - 1;
    const md = d.slice(5);
    return md === '02-29' ? `${y}-02-28` : `${y}-${md}`;
  };
  return { from: back(p.from), to: back(p.to) };
}
const monthsBetween = (from: string, to: string) => (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7)) + 1;
export function shiftMonths(day: string, n: number): string {
  const y = Number(day.slice(0, 4)), m = Number(day.slice(5, 7)) - 1 + n;
  const yy = y + Math.floor(m / 12), mm = ((m % 12) + 12) % 12;
  return `${yy}-${String(mm + 1).padStart(2, '0')}-${day.slice(8)}`;
}
/** First and last day of a month YYYY-MM. */
export function monthPeriod(month: string): Period {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw validationError({ month: '月份应为 YYYY-MM' });
  return { from: `${month}-01`, to: addDays(nextMonthStart(`${month}-01`), -1) };
}

export interface Comparison extends Period { value: number | null; change: number | null; changePct: number | null }
export interface ComparedResult extends MetricResult { mom: Comparison; yoy: Comparison }

const compare = (cur: number | null, prev: MetricResult): Comparison => ({
  from: prev.from, to: prev.to, value: prev.value,
  change: cur !== null && prev.value !== null ? Math.round((cur - prev.value) * 100) / 100 : null,
  changePct: cur !== null && prev.value ? Math.round(((cur - prev.value) / Math.abs(prev.value)) * 10000) / 100 : null,
});

/** A metric with 环比 (previous period) and 同比 (a year earlier). */
export async function queryMetricCompared(db: Db, q: MetricQuery): Promise<ComparedResult> {
  const cur = await queryMetric(db, q);
  const base = { ...q, by: undefined };
  const [prev, yearAgo] = await Promise.all([queryMetric(db, { ...base, ...previousPeriod(q) }), queryMetric(db, { ...base, ...yearEarlier(q) })]);
  return { ...cur, mom: compare(cur.value, prev), yoy: compare(cur.value, yearAgo) };
}

export type Granularity = 'day' | 'week' | 'month';
export interface SeriesPoint extends MetricPoint { bucket: string }

/** A metric per day / ISO week (Monday) / month over a period; buckets without data are filled in. */
export async function metricSeries(db: Db, q: MetricQuery & { granularity: Granularity }): Promise<{ metric: string; label: string; unit: string; granularity: Granularity; points: SeriesPoint[] }> {
  const m = getMetric(q.metric);
  checkPeriod(q);
  checkDims(m, undefined, q.filters ?? {});
  if (q.granularity === 'day' && daysBetween(q.from, q.to) > 800) throw validationError({ granularity: '按日统计的区间不能超过 800 天' });
  const counters = countersOf(m);
  const p = new Params();
  const cube = !q.unitScope && !Object.values(q.filters ?? {}).some((v) => v !== undefined);
  const where = cube ? [`dim = 'all'`] : filterSql(q.filters ?? {}, q.unitScope, p, 'rollup');
  const tables = cube ? CUBE_TABLES : FULL_TABLES;
  const bucket = q.granularity === 'day' ? 'r.local_day' : `date_trunc('${q.granularity}', r.local_day)::date`;
  const src = q.granularity === 'month' ? rollupSource(q, ['local_day', ...counters], where, p, tables)
    : `SELECT local_day, ${counters.join(', ')} FROM ${tables[1]} WHERE local_day BETWEEN ${p.add(q.from)}::date AND ${p.add(q.to)}::date${where.length ? ' AND ' + where.join(' AND ') : ''}`;
  const rows = await db.query(`SELECT ${bucket}::text AS bucket, ${counters.map((k) => `sum(r.${k})::float8 AS ${k}`).join(', ')} FROM (${src}) r GROUP BY 1`, p.list);
  const byBucket = new Map(rows.map((r) => [String(r.bucket).slice(0, 10), r]));
  const points: SeriesPoint[] = [];
  for (const b of buckets(q, q.granularity)) points.push({ bucket: b, ...metricValue(m, byBucket.get(b) ?? {}) });
  return { metric: m.name, label: m.label, unit: m.unit, granularity: q.granularity, points };
}

function buckets(p: Period, g: Granularity): string[] {
  const out: string[] = [];
  let d = g === 'month' ? monthStart(p.from) : g === 'week' ? addDays(p.from, -((new Date(p.from + 'T00:00:00Z').getUTCDay() + 6) % 7)) : p.from;
  while (d <= p.to) {
    out.push(d);
    d = g === 'month' ? nextMonthStart(d) : addDays(d, g === 'week' ? 7 : 1);
  }
  return out;
}

/** Human labels of dimension keys (names of categories, districts, units, channels; Chinese for codes). */
export async function dimensionLabels(db: Db, dim: Dimension, keys: string[]): Promise<Map<string, string>> {
  const table: Partial<Record<Dimension, [string, string]>> = {
    category: ['categories', 'code'], category1: ['categories', 'code'], district: ['divisions', 'code'], unit: ['units', 'id'], channel: ['channels', 'code'],
  };
  const t = table[dim];
  if (t) {
    const rows = await db.query(`SELECT ${t[1]} AS key, name FROM ${t[0]} WHERE ${t[1]} = ANY($1::text[])`, [keys.filter(Boolean)]);
    return new Map(rows.map((r) => [String(r.key), String(r.name)]));
  }
  if (dim === 'request_type') return new Map(Object.entries(REQUEST_TYPE_LABELS));
  if (dim === 'unsat_reason') return new Map([...UNSAT_REASONS, UNSAT_REASON_OTHER].map((r) => [r.code, r.label]));
  return new Map();
}

export interface CaseListQuery extends MetricQuery {
  /** numerator (default): the cases counted by the number; denominator: the cases it is a share of. */
  part?: 'numerator' | 'denominator';
  page?: number;
  pageSize?: number;
}

/** Drill-down: the cases behind a metric value, newest first, with paging. Same predicates as the rollups. */
export async function listMetricCases(db: Db, q: CaseListQuery): Promise<{ total: number; page: number; pageSize: number; items: Record<string, unknown>[] }> {
  const m = getMetric(q.metric);
  checkPeriod(q);
  checkDims(m, undefined, q.filters ?? {});
  const page = Math.max(1, Math.floor(q.page ?? 1));
  const pageSize = Math.min(200, Math.max(1, Math.floor(q.pageSize ?? 20)));
  const den = q.part === 'denominator';
  const predicate = den ? (m.drillDen ?? m.drill) : m.drill;
  // The total is the number itself, from the rollups (counted with the same expressions as the predicate);
  // local_day is received_at's day, so (local_day, received_at) is newest-first order and the indexes
  // (district / category / channel, local_day, received_at) serve the page without sorting the period.
  const counters = (den || m.kind === 'average' ? m.den ?? m.num : m.num) as Counter[];
  const [sums] = await sumCounters(db, counters, q, { filters: q.filters, unitScope: q.unitScope });
  const n = counters.reduce((a, k) => a + (sums?.sums[k] ?? 0), 0);
  const p = new Params();
  const where = [`c.local_day BETWEEN ${p.add(q.from)}::date AND ${p.add(q.to)}::date`, `(${predicate})`, ...filterSql(q.filters ?? {}, q.unitScope, p, 'cases')];
  const rows = await db.query(
    `SELECT c.id, c.case_no, c.channel, c.received_at, c.title, left(c.content, 200) AS content, c.caller_phone_masked,
            c.district_code, dv.name AS district_name, c.category_code, cat.name AS category_name, c.request_type, c.status,
            c.unit_id, u.name AS unit_name, c.reply_due_at, c.closed_at, c.callback_result, c.return_count, c.extension_count
     FROM cases c LEFT JOIN divisions dv ON dv.code = c.district_code LEFT JOIN categories cat ON cat.code = c.category_code
       LEFT JOIN units u ON u.id = c.unit_id
     WHERE ${where.join(' AND ')} ORDER BY c.local_day DESC, c.received_at DESC, c.id DESC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
    p.list,
  );
  return {
    total: n, page, pageSize,
    items: rows.map((r) => ({
      id: String(r.id), caseNo: r.case_no, channel: r.channel, receivedAt: r.received_at, title: r.title, content: r.content,
      callerPhone: r.caller_phone_masked, districtCode: r.district_code, districtName: r.district_name, categoryCode: r.category_code,
      categoryName: r.category_name, requestType: r.request_type, status: r.status, unitId: r.unit_id, unitName: r.unit_name,
      replyDueAt: r.reply_due_at, closedAt: r.closed_at, callbackResult: r.callback_result, returnCount: r.return_count, extensionCount: r.extension_count,
    })),
  };
}
