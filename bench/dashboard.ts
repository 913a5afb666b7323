// `npm run bench -- dashboard [--cases N] [--engines postgres,pglite] [--runs R] [--pg-url URL] [--pg-db NAME]
//                             [--pglite-dir DIR] [--keep] [--reuse [--rebuild]]`
// Loads N cases (default 10 million ≈ 3 years of a city of 10 million) of the synthetic city (src/city: real
// districts / streets / communities, taxonomy, units, lifecycles with their events) through the demo loader
// (COPY, indexes rebuilt after, rollups rebuilt by the metrics afterBulkLoad hook) into real PostgreSQL and
// PGlite, then times a fixed mix of dashboard queries: p50 / p95 per query and overall, with load time, rollup
// rebuild time, database size and load average → bench/results/dashboard.json.
// --keep leaves the loaded database in place; --reuse measures an already loaded one (skips the load; with
// --rebuild it rebuilds the rollups first and records how long that took).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPglite } from '../src/store/pglite-db.ts';
import { openPostgres } from '../src/store/postgres-db.ts';
import { loadConfig } from '../src/config.ts';
import { createSecrets } from '../src/shared/secrets.ts';
import { loadDemo, dayVolume } from '../src/city/index.ts';
import { registerMetricsHooks } from '../src/metrics/hooks.ts';
import { rebuildRollups } from '../src/metrics/rollups.ts';
import { forgetTopicCounts } from '../src/metrics/topics.ts';
import { listMetricCases, metricSeries, queryMetric, queryMetricCompared, monthPeriod } from '../src/metrics/query.ts';
import { rankUnits } from '../src/metrics/rank-units.ts';
import { bigScreenSummary, topPlaces } from '../src/metrics/summary.ts';
import { addDays, localDay } from '../src/shared/time.ts';
import { writeResults } from './_results.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
};
const N = Number(arg('cases', '10000000'));
const RUNS = Number(arg('runs', '20'));
const ENGINES = arg('engines', 'postgres,pglite').split(',');
const PG_URL = arg('pg-url', process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
const PG_DB = arg('pg-db', 'minsheng_bench_dashboard');
const PGLITE_DIR = arg('pglite-dir', '');
const KEEP = process.argv.includes('--keep');
const REUSE = process.argv.includes('--reuse');
const REBUILD = process.argv.includes('--rebuild');
const DAYS = 3 * 365;
const END_DAY = '2026-10-31';
const START_DAY = addDays(END_DAY, -(DAYS - 1));
// The generator's volume follows the calendar (weekdays, holidays, Spring Festival): its mean per day is chosen
// so that the 3 years hold about N cases (incidents and repeat calls add a little on top).
let rhythm = 0;
for (let i = 0; i < DAYS; i++) rhythm += dayVolume(1, addDays(START_DAY, i));
const PER_DAY = N / rhythm;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] * 10) / 10;
};
const round1 = (x: number) => Math.round(x * 10) / 10;
const load3 = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

registerMetricsHooks();
const config = loadConfig({ dataDir: path.join(os.tmpdir(), 'minsheng-bench-dashboard') }, {});
const secrets = createSecrets('bench-dashboard-secret-0123456789');

async function loadCity(db: Db) {
  const t0 = performance.now();
  let rollupSeconds = 0;
  let lastLog = 0;
  const r = await loadDemo({ db, config, secrets }, {
    seed: 10_000_000, start: START_DAY, days: DAYS, perDay: PER_DAY,
    onProgress: (p) => {
      if (p.ms - lastLog < 60_000 && p.daysDone < p.days) return;
      lastLog = p.ms;
      console.error(`[${db.engine}] ${p.daysDone}/${p.days} days, ${p.cases} cases, ${p.events} events, ${(p.ms / 1000).toFixed(0)} s, load ${load3().join(' ')}`);
    },
    onHookDone: (name, ms) => {
      if (name === 'metrics') rollupSeconds = ms / 1000;
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const [rows] = await db.query<{ d: number; m: number; cd: number; cm: number }>(
    `SELECT (SELECT count(*) FROM rollup_daily)::int8 AS d, (SELECT count(*) FROM rollup_monthly)::int8 AS m,
            (SELECT count(*) FROM rollup_cube_daily)::int8 AS cd, (SELECT count(*) FROM rollup_cube_monthly)::int8 AS cm`);
  return {
    seconds: round1(seconds), rollupRebuildSeconds: round1(rollupSeconds), loadAverageAfter: load3(),
    cases: r.cases, events: r.events, casesPerSecond: Math.round(r.cases / seconds),
    rollupRows: { daily: Number(rows.d), monthly: Number(rows.m), cubeDaily: Number(rows.cd), cubeMonthly: Number(rows.cm) },
  };
}

async function timedRebuild(db: Db) {
  const t = performance.now();
  await forgetTopicCounts(db, { fromDay: START_DAY, toDay: END_DAY });
  await rebuildRollups(db);
  return { rollupRebuildSeconds: round1((performance.now() - t) / 1000), loadAverageAfter: load3() };
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
    drilldown_unsatisfied_category_month: (i) => listMetricCases(db, { metric: 'unsatisfied_count', ...month(i), filters: { category: categories[i % categories.length] }, page: 1 + (i % 3), pageSize: 20 }),
    top_streets_week: (i) => topPlaces(db, { from: addDays(END_DAY, -6 - i), to: addDays(END_DAY, -i), level: 'street', n: 10 }),
    top_communities_month: (i) => topPlaces(db, { ...month(i), level: 'community', n: 10 }),
    big_screen_summary: (i) => bigScreenSummary(db, new Date(Date.parse(`${addDays(END_DAY, -i)}T04:00:00Z`))),
  };
}

function dirSize(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirSize(p) : fs.statSync(p).size;
  }
  return total;
}

async function openEngine(name: string): Promise<{ db: Db; size: () => Promise<number>; cleanup: () => Promise<void> }> {
  if (name === 'postgres') {
    const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
    if (!REUSE) {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`);
      await admin.unsafe(`CREATE DATABASE ${PG_DB}`);
    }
    await admin.end();
    const u = new URL(PG_URL);
    u.pathname = `/${PG_DB}`;
    const db = await openPostgres(u.toString(), { max: 4 });
    return {
      db,
      size: async () => Number((await db.query(`SELECT pg_database_size(current_database()) AS n`))[0].n),
      cleanup: async () => {
        await db.close();
        if (KEEP) return;
        const a = postgres(PG_URL, { max: 1, onnotice: () => {} });
        await a.unsafe(`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`);
        await a.end();
      },
    };
  }
  const dir = PGLITE_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'minsheng-bench-pglite-'));
  if (PGLITE_DIR && !REUSE) fs.rmSync(dir, { recursive: true, force: true });
  const db = await openPglite(dir);
  return {
    db,
    size: async () => dirSize(dir),
    cleanup: async () => {
      await db.close();
      if (!KEEP) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function runEngine(name: string): Promise<Record<string, unknown>> {
  const { db, size, cleanup } = await openEngine(name);
  try {
    await migrate(db);
    const load = REUSE ? { reused: true, ...(REBUILD ? await timedRebuild(db) : {}) } : await loadCity(db);
    const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM cases');
    const sizeBytes = await size();
    console.error(`[${name}] ${n} cases, ${(sizeBytes / 2 ** 30).toFixed(2)} GiB`, load);
    const districts = (await db.query(`SELECT code FROM divisions WHERE level = 'district' ORDER BY code`)).map((r) => String(r.code));
    const categories = (await db.query(`SELECT code FROM categories WHERE level = 1 ORDER BY code`)).map((r) => String(r.code));
    const mix = queryMix(db, districts, categories);
    const perQuery: Record<string, { p50: number; p95: number; max: number; processCpuMsP50: number }> = {};
    const all: number[] = [];
    const loadBefore = load3();
    const cpu0 = process.cpuUsage();
    for (const fn of Object.values(mix)) await fn(RUNS); // warm-up
    for (const [q, fn] of Object.entries(mix)) {
      const times: number[] = [];
      const cpus: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        const c = process.cpuUsage();
        await fn(i);
        times.push(performance.now() - t);
        const d = process.cpuUsage(c);
        cpus.push((d.user + d.system) / 1000);
      }
      all.push(...times);
      // This process's CPU per query: the whole engine for PGlite (in process), only the client for PostgreSQL.
      perQuery[q] = { p50: pct(times, 50), p95: pct(times, 95), max: pct(times, 100), processCpuMsP50: pct(cpus, 50) };
      console.error(`[${name}] ${q}: p50 ${perQuery[q].p50} ms, p95 ${perQuery[q].p95} ms, process CPU p50 ${perQuery[q].processCpuMsP50} ms`);
    }
    const cpu = process.cpuUsage(cpu0);
    const target = name === 'postgres' ? 100 : 300;
    const slowest = Object.entries(perQuery).sort((a, b) => b[1].p95 - a[1].p95)[0];
    return {
      cases: Number(n), days: DAYS, perDay: round1(PER_DAY), load,
      databaseBytes: sizeBytes, databaseGiB: Math.round((sizeBytes / 2 ** 30) * 100) / 100,
      runsPerQuery: RUNS, loadAverage: { beforeQueries: loadBefore, afterQueries: load3() },
      clientCpuMs: Math.round((cpu.user + cpu.system) / 1000),
      overall: { p50: pct(all, 50), p95: pct(all, 95) }, queries: perQuery,
      target: { p95Ms: target, overallMet: pct(all, 95) < target, everyQueryMet: slowest[1].p95 < target, slowest: slowest[0] },
    };
  } finally {
    await cleanup();
  }
}

// Engines not run this time keep their previous results (each records its own command and case count); the file
// is re-read before each write, so two engines run by separate processes at once both keep their figures.
const resultsFile = path.join(path.dirname(new URL(import.meta.url).pathname), 'results', 'dashboard.json');
const previous = (): Record<string, unknown> => {
  try {
    return JSON.parse(fs.readFileSync(resultsFile, 'utf8')).results ?? {};
  } catch {
    return {};
  }
};
const command = (engines: string) => `npm run bench -- dashboard --cases ${N} --engines ${engines} --runs ${RUNS}`;
for (const e of ENGINES) {
  const result = { command: command(e), ranAt: new Date().toISOString(), ...(await runEngine(e)) };
  // Written after each engine, so a long PGlite run never loses the PostgreSQL figures.
  writeResults('dashboard', {
    command: command(ENGINES.join(',')),
    note: 'data: the synthetic city (src/city) through loadDemo (cases + events, COPY, indexes rebuilt, rollups rebuilt); each engine records its own case count; the machine may have been shared (see loadAverage)',
    period: { from: START_DAY, to: END_DAY },
    ranOn: localDay(new Date()),
    results: { ...previous(), [e]: result },
  });
}
