// `npm run bench -- rollup-writes [--workers 8] [--per-worker 200] [--pg-url URL]`
// Hot-row contention of the rollup deltas: concurrent intakes (insert a case, all on the same local day, so
// they share the cube's 'all' row) without rollups, with the delta applied in the same transaction (the design
// before session 9) and with it queued there (the metrics hook now; the queue is then drained once, timed apart),
// on real PostgreSQL. Reports intakes per second and p50/p95 transaction latency → bench/results/rollup-writes.json.
import postgres from 'postgres';
import type { Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPostgres } from '../src/store/postgres-db.ts';
import { applyCaseDelta, caseDeltaCtes, drainRollupQueue } from '../src/metrics/rollups.ts';
import { localDay } from '../src/shared/time.ts';
import { generateBenchCity } from './_dashboard-data.ts';
import { writeResults } from './_results.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
};
const WORKERS = Number(arg('workers', '8'));
const PER = Number(arg('per-worker', '200'));
const PG_URL = arg('pg-url', process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
const pct = (xs: number[], p: number) => Math.round([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] * 10) / 10;

async function run(db: Db, rollups: 'none' | 'applied' | 'queued', tag: string) {
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: WORKERS }, async (_, w) => {
    for (let i = 0; i < PER; i++) {
      const t = performance.now();
      const at = new Date();
      await db.tx(async (tx) => {
        const [row] = await tx.query(
          `INSERT INTO cases (case_no, channel, received_at, local_day, content, district_code, category_code, request_type, status)
           VALUES ($1, '12345', $2, $3, '压测诉求', '430102', $4, 'complaint', 'received') RETURNING *`,
          [`${tag}-${w}-${i}`, at, localDay(at), `B01${1 + (i % 6)}`]);
        if (rollups === 'applied') await applyCaseDelta(tx, null, row);
        if (rollups === 'queued') {
          const { ctes, params } = caseDeltaCtes([{ before: null, after: row }], 1);
          await tx.query(`WITH ${ctes.join(', ')} SELECT 1`, params);
        }
      });
      lat.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  return { intakes: WORKERS * PER, seconds: Math.round(seconds * 100) / 100, perSecond: Math.round((WORKERS * PER) / seconds), p50Ms: pct(lat, 50), p95Ms: pct(lat, 95) };
}

const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
await admin.unsafe('DROP DATABASE IF EXISTS minsheng_bench_rollup_writes WITH (FORCE)');
await admin.unsafe('CREATE DATABASE minsheng_bench_rollup_writes');
const u = new URL(PG_URL);
u.pathname = '/minsheng_bench_rollup_writes';
const db = await openPostgres(u.toString(), { max: WORKERS });
try {
  await migrate(db);
  await generateBenchCity(db);
  await run(db, 'applied', 'warm');
  const without = await run(db, 'none', 'a');
  const applied = await run(db, 'applied', 'b');
  const queued = await run(db, 'queued', 'c');
  const t = performance.now();
  await drainRollupQueue(db);
  const drainMs = Math.round(performance.now() - t);
  const [cube] = await db.query(`SELECT sum(received)::int AS n FROM rollup_cube_daily WHERE dim = 'all'`);
  writeResults('rollup-writes', {
    command: `npm run bench -- rollup-writes --workers ${WORKERS} --per-worker ${PER}`,
    note: 'all intakes on one local day: every transaction that applies its delta updates the same cube row (dim all) — the worst case for hot-row contention; queued deltas are applied by one drain afterwards',
    withoutRollups: without, rollupsAppliedInTransaction: applied, rollupsQueued: { ...queued, drainMs }, rollupIntakesCounted: cube.n,
  });
} finally {
  await db.close();
  await admin.unsafe('DROP DATABASE IF EXISTS minsheng_bench_rollup_writes WITH (FORCE)');
  await admin.end();
}
