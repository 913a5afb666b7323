// `npm run bench -- city [--quick] [--pg-days N] [--per-day P] [--gen-days N] [--pg-url URL]`
// Measures the synthetic city: generation rate (no database, CPU per case), CSV writing (the peer: same rows,
// no database), a year into real PostgreSQL (BENCH_DATABASE_URL, TEST_DATABASE_URL or --pg-url, default the
// local server; a fresh database is created and dropped) with every post-load step the `minsheng demo`
// command runs (foreign keys, indexes, rollups, knowledge…), then the start-up demo (`npm start` on an empty
// embedded database) → bench/results/city.json. Every phase records the load average: wall times on a shared
// machine are inflated by the others' load, CPU seconds are not.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { writeResults } from './_results.ts';
import { generateCity } from '../src/city/generate-city.ts';
import { loadDemo, writeDemoCsv } from '../src/city/load-demo.ts';
import { prepareOnStart, STARTUP_DEMO } from '../src/city/start-demo.ts';
import { openPglite } from '../src/store/pglite-db.ts';
import { openPostgres } from '../src/store/postgres-db.ts';
import { migrate } from '../src/store/migrate.ts';
import { createSecrets } from '../src/shared/secrets.ts';
import { loadConfig } from '../src/config.ts';
import { setupDomains } from '../src/server/start.ts';
import type { Db } from '../src/store/db.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const argText = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const quick = process.argv.includes('--quick');
const perDay = arg('per-day', 9600);
const pgDays = arg('pg-days', quick ? 14 : 365);
const genDays = arg('gen-days', quick ? 7 : 30);
const start = '2025-01-01';

setupDomains(); // the post-load hooks of `minsheng demo`: rollups, knowledge, demo users
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
const mb = (x: number) => Math.round(x / 2 ** 20);
const cpuSeconds = (since?: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return round((u.user + u.system) / 1e6);
};
const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100);
const secrets = createSecrets('bench-city-secret-0123456789');
const config = loadConfig({ dataDir: path.join(os.tmpdir(), 'minsheng-bench-city') }, {});
const results: Record<string, unknown> = { params: { perDay, pgDays, genDays, start, startupDemo: STARTUP_DEMO }, loadAverage: load() };

// 1. Real PostgreSQL: a year (first, so that the RSS is the loader's own).
peakRss = 0;
const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? argText('pg-url') ?? 'postgres://postgres@127.0.0.1:5432/postgres';
{
  const name = `minsheng_bench_city_${process.pid}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const server = serverCpuSampler(name);
  let db: Db | null = null;
  try {
    db = await openPostgres(u.toString(), { max: 4 });
    await migrate(db);
    const c0 = process.cpuUsage();
    let copyMs = 0;
    let copyCpu = 0;
    const steps: Record<string, number> = {};
    const r = await loadDemo({ db, config, secrets }, {
      seed: 1, start, days: pgDays, perDay,
      onProgress: (p) => {
        if (p.daysDone === p.days) [copyMs, copyCpu] = [p.ms, cpuSeconds(c0)];
        if (p.daysDone % 28 < 4 || p.daysDone === p.days) console.error(`  pg ${p.daysDone}/${p.days} days, ${p.cases} cases, ${(p.ms / 1000).toFixed(0)} s, rss ${mb(process.memoryUsage().rss)} MiB, load ${load()[0]}`);
      },
      onHookDone: (step, ms) => {
        steps[step] = round(ms / 1000);
        console.error(`  pg ${step} ${(ms / 1000).toFixed(1)} s`);
      },
    });
    const [size] = await db.query<{ bytes: number }>('SELECT pg_database_size(current_database())::int8 AS bytes');
    results.postgres = {
      days: pgDays, perDay, cases: r.cases, events: r.events, eventsPerCase: round(r.events / r.cases),
      seconds: round(r.ms / 1000), casesPerSecond: Math.round(r.cases / (r.ms / 1000)), rowsPerSecond: Math.round((r.cases + r.events) / (r.ms / 1000)),
      under10Minutes: r.ms < 600_000,
      copyPhase: { seconds: round(copyMs / 1000), casesPerSecond: Math.round(r.cases / (copyMs / 1000)), loaderCpuSeconds: copyCpu },
      postLoadSeconds: round((r.ms - copyMs) / 1000), postLoadSteps: steps,
      loaderCpuSeconds: cpuSeconds(c0), serverCpuSeconds: server.stop(),
      peakRssMiB: mb(peakRss), databaseMiB: mb(Number(size.bytes)), incidents: r.truth.incidents.length, loadAverage: load(),
    };
    console.error('postgres', results.postgres);
  } finally {
    server.stop();
    await db?.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

// 2. Generation only (one thread).
{
  peakRss = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let cases = 0;
  let events = 0;
  for (const b of generateCity({ seed: 1, start, days: genDays, perDay }).days()) {
    peakRss = Math.max(peakRss, process.memoryUsage().rss); // the loop is synchronous: sample here too
    cases += b.cases.length;
    events += b.events.length;
  }
  const s = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(c0);
  results.generate = { days: genDays, cases, events, seconds: round(s), cpuSeconds: cpu, cpuMicrosPerCase: Math.round((cpu * 1e6) / cases), casesPerSecond: Math.round(cases / s), eventsPerSecond: Math.round(events / s), peakRssMiB: mb(peakRss), loadAverage: load() };
  console.error('generate', results.generate);
}

// 3. Peer: the same rows written as CSV files (generation in a worker + sealing + CSV, no database).
{
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minsheng-city-csv-'));
  const c0 = process.cpuUsage();
  const r = await writeDemoCsv(dir, { seed: 1, start, days: genDays, perDay }, secrets);
  const bytes = fs.statSync(path.join(dir, 'cases.csv')).size + fs.statSync(path.join(dir, 'case_events.csv')).size;
  fs.rmSync(dir, { recursive: true, force: true });
  results.csv = { days: genDays, cases: r.cases, events: r.events, seconds: round(r.ms / 1000), cpuSeconds: cpuSeconds(c0), casesPerSecond: Math.round(r.cases / (r.ms / 1000)), MiB: mb(bytes), loadAverage: load() };
  console.error('csv', results.csv);
}

// 4. PGlite (last: its wasm heap stays in the process): the start-up demo as `npm start` runs it on an empty
//    embedded database (reference data, 90 days ending today, post-load hooks).
{
  peakRss = 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minsheng-city-pglite-'));
  const db = await openPglite(dir);
  await migrate(db);
  const t0 = Date.now();
  const c0 = process.cpuUsage();
  await prepareOnStart({ db, config: { ...config, demoOnEmpty: true }, secrets }, (line) => console.error(`  pglite ${line}`));
  const ms = Date.now() - t0;
  const [n] = await db.query<{ cases: number; events: number }>('SELECT (SELECT count(*) FROM cases)::int AS cases, (SELECT count(*) FROM case_events)::int AS events');
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  results.pglite = { startupDemo: true, days: STARTUP_DEMO.days, perDay: STARTUP_DEMO.perDay, cases: n.cases, events: n.events, seconds: round(ms / 1000), cpuSeconds: cpuSeconds(c0), casesPerSecond: Math.round(n.cases / (ms / 1000)), under1Minute: ms < 60_000, peakRssMiB: mb(peakRss), loadAverage: load() };
  console.error('pglite', results.pglite);
}

clearInterval(sampler);
results.note = 'peakRssMiB per phase (whole process: main thread, generator worker, PGlite heap); loaderCpuSeconds = this process (main + worker threads); serverCpuSeconds = PostgreSQL backends of the bench database sampled every second (local server only; parallel query workers not counted); PGlite runs last because its wasm heap stays in the process';
writeResults('city', results);
process.exit(0);

function round(x: number) {
  return Math.round(x * 10) / 10;
}

/** CPU seconds of the local PostgreSQL processes serving one database (from /proc; 0 when not local). */
function serverCpuSampler(dbName: string): { stop(): number } {
  const seen = new Map<number, number>();
  const tick = () => {
    let pids: string[] = [];
    try {
      pids = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p));
    } catch {
      return;
    }
    for (const pid of pids) {
      try {
        if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${dbName} `)) continue;
        const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        seen.set(Number(pid), (Number(f[11]) + Number(f[12])) / 100);
      } catch {
        // gone meanwhile
      }
    }
  };
  const timer = setInterval(tick, 1000);
  let total: number | null = null;
  return {
    stop() {
      if (total === null) {
        tick();
        clearInterval(timer);
        total = round([...seen.values()].reduce((a, b) => a + b, 0));
      }
      return total;
    },
  };
}
