// `npm run bench -- city [--quick] [--pg-days N] [--per-day P] [--pglite-days N] [--pglite-per-day P]`
// Measures the synthetic city: generation rate (no database), CSV writing (the peer: same rows, no database),
// a year into real PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL; a fresh database is created and
// dropped), 90 days into PGlite at the start-up rate, and the process's peak RSS → bench/results/city.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { writeResults } from './_results.ts';
import { generateCity } from '../src/city/generate-city.ts';
import { loadDemo, writeDemoCsv } from '../src/city/load-demo.ts';
import { STARTUP_DEMO } from '../src/city/start-demo.ts';
import { openPglite } from '../src/store/pglite-db.ts';
import { openPostgres } from '../src/store/postgres-db.ts';
import { migrate } from '../src/store/migrate.ts';
import { createSecrets } from '../src/shared/secrets.ts';
import { loadConfig } from '../src/config.ts';
import type { Db } from '../src/store/db.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const quick = process.argv.includes('--quick');
const perDay = arg('per-day', 9600);
const pgDays = arg('pg-days', quick ? 14 : 365);
const genDays = arg('gen-days', quick ? 7 : 30);
const pgliteDays = arg('pglite-days', STARTUP_DEMO.days);
const pglitePerDay = arg('pglite-per-day', STARTUP_DEMO.perDay);
const start = '2025-01-01';

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
const mb = (x: number) => Math.round(x / 2 ** 20);
const secrets = createSecrets('bench-city-secret-0123456789');
const config = loadConfig({ dataDir: path.join(os.tmpdir(), 'minsheng-bench-city') }, {});
const results: Record<string, unknown> = { params: { perDay, pgDays, genDays, pgliteDays, pglitePerDay, start }, loadAverage: os.loadavg() };

// 1. Generation only.
{
  peakRss = 0;
  const t0 = performance.now();
  let cases = 0;
  let events = 0;
  for (const b of generateCity({ seed: 1, start, days: genDays, perDay }).days()) {
    peakRss = Math.max(peakRss, process.memoryUsage().rss); // the loop is synchronous: sample here too
    cases += b.cases.length;
    events += b.events.length;
  }
  const s = (performance.now() - t0) / 1000;
  results.generate = { days: genDays, cases, events, seconds: round(s), casesPerSecond: Math.round(cases / s), eventsPerSecond: Math.round(events / s), peakRssMiB: mb(peakRss) };
  console.error('generate', results.generate);
}

// 2. Peer: the same rows written as CSV files (generation + encryption + CSV, no database).
{
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minsheng-city-csv-'));
  const r = await writeDemoCsv(dir, { seed: 1, start, days: genDays, perDay }, secrets);
  const bytes = fs.statSync(path.join(dir, 'cases.csv')).size + fs.statSync(path.join(dir, 'case_events.csv')).size;
  fs.rmSync(dir, { recursive: true, force: true });
  results.csv = { days: genDays, cases: r.cases, events: r.events, seconds: round(r.ms / 1000), casesPerSecond: Math.round(r.cases / (r.ms / 1000)), MiB: mb(bytes) };
  console.error('csv', results.csv);
}

// 3. Real PostgreSQL: a year (before PGlite, so that its RSS is the loader's own).
peakRss = 0;
const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!url) {
  results.postgres = { skipped: 'BENCH_DATABASE_URL / TEST_DATABASE_URL not set' };
  console.error('SKIP PostgreSQL year load: set BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)');
} else {
  const name = `minsheng_bench_city_${process.pid}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  let db: Db | null = null;
  try {
    db = await openPostgres(u.toString(), { max: 4 });
    await migrate(db);
    const r = await loadDemo({ db, config, secrets }, {
      seed: 1, start, days: pgDays, perDay,
      onProgress: (p) => { if (p.daysDone % 28 === 0 || p.daysDone === p.days) console.error(`  pg ${p.daysDone}/${p.days} days, ${p.cases} cases, ${(p.ms / 1000).toFixed(0)} s, rss ${mb(process.memoryUsage().rss)} MiB`); },
    });
    const [size] = await db.query<{ bytes: number }>('SELECT pg_database_size(current_database())::int8 AS bytes');
    results.postgres = { peakRssMiB: mb(peakRss), days: pgDays, perDay, cases: r.cases, events: r.events, seconds: round(r.ms / 1000), casesPerSecond: Math.round(r.cases / (r.ms / 1000)), rowsPerSecond: Math.round((r.cases + r.events) / (r.ms / 1000)), under10Minutes: r.ms < 600_000, databaseMiB: mb(Number(size.bytes)), incidents: r.truth.incidents.length };
    console.error('postgres', results.postgres);
  } finally {
    await db?.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

// 4. PGlite (last: its wasm heap stays in the process): the start-up demo.
{
  peakRss = 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minsheng-city-pglite-'));
  const db = await openPglite(dir);
  await migrate(db);
  const r = await loadDemo({ db, config, secrets }, { seed: STARTUP_DEMO.seed, start, days: pgliteDays, perDay: pglitePerDay, batchDays: 15 });
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  results.pglite = { peakRssMiB: mb(peakRss), days: pgliteDays, perDay: pglitePerDay, cases: r.cases, events: r.events, seconds: round(r.ms / 1000), casesPerSecond: Math.round(r.cases / (r.ms / 1000)), under1Minute: r.ms < 60_000 };
  console.error('pglite', results.pglite);
}

clearInterval(sampler);
results.note = 'peakRssMiB per phase; PGlite runs last because its wasm heap stays in the process';
writeResults('city', results);

function round(x: number) {
  return Math.round(x * 10) / 10;
}
