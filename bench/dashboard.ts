// `npm run bench -- dashboard [--cases N] [--engines postgres,pglite] [--runs R] [--pg-url URL]`
// Loads N synthetic cases (default 10 million ≈ 3 years of a city of 10 million) into real PostgreSQL and
// PGlite, rebuilds the rollups, then times a fixed mix of dashboard queries (p50 / p95 per query and
// overall), with load time and database size → bench/results/dashboard.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite-db.ts';
import { openPostgres } from '../src/store/postgres-db.ts';
import { rebuildRollups } from '../src/metrics/rollups.ts';
import { listMetricCases, metricSeries, queryMetric, queryMetricCompared, monthPeriod } from '../src/metrics/query.ts';
import { rankUnits } from '../src/metrics/rank-units.ts';
import { bigScreenSummary, topPlaces } from '../src/metrics/summary.ts';
import { addDays, localDay } from '../src/shared/time.ts';
import { generateBenchCity, generateBenchCases, BENCH_CASE_COLUMNS } from './_dashboard-data.ts';
import { writeResults } from './_results.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
};
const N = Number(arg('cases', '10000000'));
const RUNS = Number(arg('runs', '20'));
const ENGINES = arg('engines', 'postgres,pglite').split(',');
const PG_URL = arg('pg-url', process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
const DAYS = 3 * 365;
const END_DAY = '2026-10-31';
const START_DAY = addDays(END_DAY, -(DAYS - 1));

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] * 10) / 10;
};

// Secondary indexes are dropped for the bulk load and rebuilt afterwards (as any large import would).
async function loadCases(db: Db): Promise<{ copySeconds: number; indexSeconds: number; rollupSeconds: number; rollupRows: number }> {
  const idx = await db.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases' AND indexname NOT LIKE '%_pkey' AND indexdef NOT LIKE '%UNIQUE%'`);
  for (const i of idx) await db.exec(`DROP INDEX ${i.indexname}`);
  let t = performance.now();
  await db.copyRows('cases', BENCH_CASE_COLUMNS, generateBenchCases(N, START_DAY, DAYS));
  const copySeconds = (performance.now() - t) / 1000;
  t = performance.now();
  for (const i of idx) await db.exec(i.indexdef);
  await db.exec('ANALYZE cases');
  const indexSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const r = await rebuildRollups(db);
  return { copySeconds, indexSeconds, rollupSeconds: (performance.now() - t) / 1000, rollupRows: r.dailyRows + r.monthlyRows };
}

/** The fixed query mix; `i` varies the period so that caches do not answer everything. */
function queryMix(db: Db, districts: string[], categories: string[]): Record<string, (i: number) => Promise<unknown>> {
  const month = (i: number) => monthPeriod(addDays(END_DAY, -31 * (i % 30)).slice(0, 7));
  return {
    volume_month_mom_yoy: (i) => queryMetricCompared(db, { metric: 'volume', ...month(i) }),
    satisfaction_by_district_month: (i) => queryMetricCompared(db, { metric: 'satisfaction_rate', ...month(i), by: 'district' }),
    top_categories_year: (i) => queryMetric(db, { metric: 'volume', from: addDays(END_DAY, -364 - i), to: addDays(END_DAY, -i), by: 'category' }),
    on_time_rate_daily_series_30d: (i) => metricSeries(db, { metric: 'on_time_closure_rate', from: addDays(END_DAY, -29 - i * 7), to: addDays(END_DAY, -i * 7), granularity: 'day' }),
    volume_monthly_series_3y: () => metricSeries(db, { metric: 'volume', from: START_DAY, to: END_DAY, granularity: 'month' }),
    online_rate_by_channel_quarter: (i) => queryMetricCompared(db, { metric: 'online_resolution_rate', from: addDays(END_DAY, -90 - i), to: addDays(END_DAY, -i), by: 'channel' }),
    response_rate_category_filter_month: (i) => queryMetric(db, { metric: 'response_rate', ...month(i), filters: { category: categories[i % categories.length] }, by: 'unit' }),
    unit_ranking_month: (i) => rankUnits(db, { ...month(i), metric: 'satisfaction_rate' }),
    unsatisfied_by_reason_month: (i) => queryMetric(db, { metric: 'unsatisfied_count', ...month(i), by: 'unsat_reason' }),
    drilldown_page_month: (i) => listMetricCases(db, { metric: 'transfer_closure_rate', ...month(i), filters: { district: districts[i % districts.length] }, page: 1 + (i % 3), pageSize: 20 }),
    top_streets_week: (i) => topPlaces(db, { from: addDays(END_DAY, -6 - i), to: addDays(END_DAY, -i), level: 'street', n: 10 }),
    big_screen_summary: (i) => bigScreenSummary(db, new Date(Date.parse(`${addDays(END_DAY, -i)}T04:00:00Z`))),
  };
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? await dirSize(p) : fs.statSync(p).size;
  }
  return total;
}

async function runEngine(name: string): Promise<Record<string, unknown>> {
  let db: Db;
  let cleanup: () => Promise<void>;
  let pgliteDir = '';
  if (name === 'postgres') {
    const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe('DROP DATABASE IF EXISTS minsheng_bench_dashboard WITH (FORCE)');
    await admin.unsafe('CREATE DATABASE minsheng_bench_dashboard');
    await admin.end();
    const u = new URL(PG_URL);
    u.pathname = '/minsheng_bench_dashboard';
    db = await openPostgres(u.toString(), { max: 4 });
    cleanup = async () => {
      await db.close();
      const a = postgres(PG_URL, { max: 1, onnotice: () => {} });
      await a.unsafe('DROP DATABASE IF EXISTS minsheng_bench_dashboard WITH (FORCE)');
      await a.end();
    };
  } else {
    pgliteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minsheng-bench-pglite-'));
    db = await openPglite(pgliteDir);
    cleanup = async () => {
      await db.close();
      fs.rmSync(pgliteDir, { recursive: true, force: true });
    };
  }
  try {
    await migrate(db);
    const city = await generateBenchCity(db);
    const t0 = performance.now();
    const load = await loadCases(db);
    const loadSeconds = (performance.now() - t0) / 1000;
    const sizeBytes = name === 'postgres' ? Number((await db.query(`SELECT pg_database_size(current_database()) AS n`))[0].n) : await dirSize(pgliteDir);
    console.error(`[${name}] loaded ${N} cases in ${loadSeconds.toFixed(1)} s`);
    const mix = queryMix(db, city.districts, city.categories);
    const perQuery: Record<string, { p50: number; p95: number; max: number }> = {};
    const all: number[] = [];
    for (const [q, fn] of Object.entries(mix)) await fn(RUNS); // warm-up
    for (const [q, fn] of Object.entries(mix)) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await fn(i);
        times.push(performance.now() - t);
      }
      all.push(...times);
      perQuery[q] = { p50: pct(times, 50), p95: pct(times, 95), max: pct(times, 100) };
      console.error(`[${name}] ${q}: p50 ${perQuery[q].p50} ms, p95 ${perQuery[q].p95} ms`);
    }
    return {
      cases: N, days: DAYS, load: { seconds: Math.round(loadSeconds * 10) / 10, ...Object.fromEntries(Object.entries(load).map(([k, v]) => [k, Math.round(v * 10) / 10])) },
      databaseBytes: sizeBytes, databaseGiB: Math.round((sizeBytes / 2 ** 30) * 100) / 100,
      runsPerQuery: RUNS, overall: { p50: pct(all, 50), p95: pct(all, 95) }, queries: perQuery,
      target: { p95Ms: name === 'postgres' ? 100 : 300, met: pct(all, 95) < (name === 'postgres' ? 100 : 300) },
    };
  } finally {
    await cleanup();
  }
}

// Engines not run this time keep their previous results (each records its own command and case count).
const resultsFile = path.join(path.dirname(new URL(import.meta.url).pathname), 'results', 'dashboard.json');
let results: Record<string, unknown> = {};
try {
  results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')).results ?? {};
} catch {
  results = {};
}
for (const e of ENGINES) results[e] = { command: `npm run bench -- dashboard --cases ${N} --engines ${e} --runs ${RUNS}`, ranAt: new Date().toISOString(), ...(await runEngine(e)) };
writeResults('dashboard', {
  command: `npm run bench -- dashboard --cases ${N} --engines ${ENGINES.join(',')} --runs ${RUNS}`,
  note: N < 10_000_000 ? `ran with ${N} cases (the full benchmark is 10,000,000); the machine was shared with other work` : 'full 10 million cases',
  period: { from: START_DAY, to: END_DAY },
  ranOn: localDay(new Date()),
  results,
});
