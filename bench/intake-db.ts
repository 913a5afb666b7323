// The database's share of intake, per stored case, on both engines — without HTTP or a load generator, so that
// schema / statement changes can be compared on their own (`npm run bench -- intake` measures the whole path).
// Prepared like the intake benchmark: reference data, 30 days × 400 cases of history, an active category model.
// 1. intake: `concurrency` in-process callers run the real createCase (tagging, case numbers, the
//    batcher: case + audit event + rollups in one transaction, NOTIFY after commit).
// 2. flush: the cases stored in 1 are stored again (new case numbers and idempotency keys) in batches of a
//    fixed size through the batcher's transaction (insertCases + the afterChange hooks), then once more with
//    the insert alone — what the rollups cost on top of the row, its indexes and the audit event.
// CPU per case: PostgreSQL — its backends serving this database (/proc); PGlite — this process (Node + wasm, one
// thread), of which the Node part of the same statements on PostgreSQL is also shown.
// npm run bench -- intake-db [--engine pglite|postgres|both] [--cases 3000] [--batch 16] [--concurrency 16]
//   [--pg-url URL] [--db-prefix minsheng_bench] [--train 3000] [--history-days 30]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { writeResults } from './_results.ts';
import { arg, HISTORY_PER_DAY, intakeRequests, prepareIntakeDatabase, threadCpuSeconds } from './_intake-common.ts';
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/server/start.ts';
import { SYSTEM_ACTOR, type AppContext } from '../src/server/context.ts';
import { startTagging, warmTagging } from '../src/tagging/hooks.ts';
import { createCase } from '../src/cases/create-case.ts';
import { insertCases, type NewCase } from '../src/cases/insert-cases.ts';
import { runAfterChange } from '../src/cases/hooks.ts';
import type { Db, Row } from '../src/store/db.ts';
import { openPostgres } from '../src/store/postgres-db.ts';

const which = arg('engine', 'both');
const nCases = Number(arg('cases', '3000'));
const batchSize = Number(arg('batch', '16'));
const concurrency = Number(arg('concurrency', '16'));
const pgUrl = arg('pg-url', 'postgres://postgres@127.0.0.1:5432/postgres');
const dbPrefix = arg('db-prefix', 'minsheng_bench');
const trainCases = Number(arg('train', '3000'));
const historyDays = Number(arg('history-days', '30'));

// A backend is one thread: its schedstat is exact (nanoseconds), where /proc/PID/stat counts only 10 ms ticks.
const cpuOf = (pid: number): number => threadCpuSeconds(pid) ?? 0;
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const ms3 = (s: number, n: number) => Math.round((s * 1e6) / n) / 1000;

const bodies = (n: number): Row[] => intakeRequests(n, 'intake-db-bench');

// GIN indexes with fastupdate defer their work to a pending list that a later insert (over the list's limit),
// VACUUM or this function merges: it is part of each case's cost, so every measurement ends with it (and
// autovacuum is off for cases, so that no background worker does it unmeasured).
const cleanGin = (db: Db) =>
  db.query(`SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
             WHERE i.indrelid = 'cases'::regclass AND a.amname = 'gin'`);

async function runEngine(engine: 'pglite' | 'postgres') {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${dbPrefix}-${engine}-`));
  let dbName: string | undefined;
  let dbUrl: string | undefined;
  const admin = engine === 'postgres' ? postgres(pgUrl, { max: 1, onnotice: () => {} }) : null;
  if (admin) {
    dbName = `${dbPrefix}_${Date.now().toString(36)}`;
    await admin.unsafe(`CREATE DATABASE ${dbName}`);
    const u = new URL(pgUrl);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
  }
  const ctx: AppContext = await createContext(loadConfig({ dataDir, databaseUrl: dbUrl, demoOnEmpty: false }, {}));
  // CPU of the database: the backends of this database (server), or this whole process (embedded).
  const backendPids = async () => (admin ? (await admin.unsafe(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [dbName!])).map((r) => Number(r.pid)) : []);
  const measure = async <T>(fn: () => Promise<T>) => {
    const pids = await backendPids();
    const db0 = pids.reduce((a, p) => a + cpuOf(p), 0);
    const self0 = selfCpu();
    const out = await fn();
    const pids1 = await backendPids();
    const db1 = pids1.reduce((a, p) => a + cpuOf(p), 0);
    if (pids1.some((p) => !pids.includes(p))) console.warn('new backends during the measurement: their CPU before it is counted too');
    return { out, dbS: db1 - db0, nodeS: selfCpu() - self0 };
  };
  try {
    await startTagging(ctx);
    const now = new Date();
    const t0 = Date.now();
    const hist = await prepareIntakeDatabase(ctx, { historyDays, trainCases });
    await warmTagging(ctx);
    await ctx.db.exec('ALTER TABLE cases SET (autovacuum_enabled = off)');
    console.log(`${engine}: ${hist.historyCases} cases of history and a model ready in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    const input = bodies(nCases + 200);

    // Warm-up (caches, prepared statements, case-number blocks), then the measured intake.
    let seq = 0;
    const intake = async (list: Row[], tag: string) => {
      let next = 0;
      const ids: number[] = [];
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next < list.length) {
          const body = list[next++]!;
          const c = await createCase(ctx, body, SYSTEM_ACTOR, { idempotencyKey: `${tag}-${seq++}` });
          ids.push(c.id);
        }
      }));
      return ids;
    };
    await intake(input.slice(0, 200), 'warm');
    // Statements per case by kind (first words of the SQL), to see what the intake asks of the database.
    let flushes = 0;
    const statements: Record<string, number> = {};
    const count = (sql: string) => {
      const k = sql.replace(/\s+/g, ' ').trim().slice(0, 48);
      statements[k] = (statements[k] ?? 0) + 1;
    };
    const db = ctx.db as { tx: typeof ctx.db.tx; query: typeof ctx.db.query };
    const [tx0, q0] = [db.tx.bind(db), db.query.bind(db)];
    db.query = (sql, params) => (count(sql), q0(sql, params));
    db.tx = (fn) => (flushes++, count('BEGIN … COMMIT'), tx0((tx) => fn({ ...tx, query: (sql, params) => (count(sql), tx.query(sql, params)) } as typeof tx)));
    const a = await measure(async () => {
      const ids = await intake(input.slice(200), 'db-bench');
      await cleanGin(ctx.db);
      return ids;
    });
    [db.tx, db.query] = [tx0, q0];
    const ids = a.out;

    // The same cases again, in fixed batches, through the batcher's transaction.
    const stored = await ctx.db.query(`SELECT * FROM cases WHERE id = ANY($1::int8[]) ORDER BY id`, [ids]);
    const events = await ctx.db.query(`SELECT * FROM case_events WHERE case_id = ANY($1::int8[]) ORDER BY id`, [ids]);
    const eventsOf = new Map<number, Row[]>();
    for (const e of events) eventsOf.set(e.case_id, [...(eventsOf.get(e.case_id) ?? []), e]);
    const skip = new Set(['id', 'updated_at', 'version', 'accepted_at', 'replied_at', 'callback_result', 'callback_at', 'callback_note', 'extension_pending']);
    let round = 0;
    const items = () => {
      round++;
      return stored.map((r): NewCase => ({
        row: { ...Object.fromEntries(Object.entries(r).filter(([k]) => !skip.has(k))), case_no: `R${round}-${r.case_no}`, idempotency_key: `R${round}-${r.idempotency_key}` },
        events: (eventsOf.get(r.id) ?? []).map(({ id: _i, case_id: _c, ...e }) => e),
      }));
    };
    // On PostgreSQL the fixed batches go through one connection of their own: its backend's CPU is read
    // around each part of the transaction (insert; hooks; BEGIN + COMMIT the rest).
    const fdb = admin ? await openPostgres(dbUrl!, { max: 1 }) : ctx.db;
    const fpid = admin ? Number((await fdb.query('SELECT pg_backend_pid() AS pid'))[0]!.pid) : 0;
    const clock = () => (admin ? cpuOf(fpid) : selfCpu());
    const flushAll = async (list: NewCase[], hooks: boolean) => {
      const parts = { insert: 0, hooks: 0, gin: 0, total: 0, node: 0 };
      const n0 = selfCpu();
      const t0 = clock();
      for (let i = 0; i < list.length; i += batchSize) {
        const batch = list.slice(i, i + batchSize);
        await fdb.tx(async (tx) => {
          let t = clock();
          const rows = await insertCases(tx, batch);
          parts.insert += clock() - t;
          t = clock();
          if (hooks) await runAfterChange(tx, rows.map((after) => ({ action: 'create', before: null, after, actor: SYSTEM_ACTOR, at: new Date() })));
          parts.hooks += clock() - t;
        });
      }
      let t = clock();
      await cleanGin(fdb);
      parts.gin = clock() - t;
      parts.total = clock() - t0;
      parts.node = selfCpu() - n0;
      const k = list.length;
      return { dbCpuMsPerCase: ms3(parts.total, k), insert: ms3(parts.insert, k), hooks: ms3(parts.hooks, k), ginPendingList: ms3(parts.gin, k), txRest: ms3(parts.total - parts.insert - parts.hooks - parts.gin, k), ...(admin ? { nodeCpuMsPerCase: ms3(parts.node, k) } : {}) };
    };
    await flushAll(items().slice(0, 200), true); // warm the statements
    const flush = await flushAll(items(), true);
    const insertOnly = await flushAll(items(), false);
    // --what-if: each index of cases / case_events dropped in turn (then rebuilt), the batches measured again.
    const whatIf: Record<string, number> = {};
    if (process.argv.includes('--what-if')) {
      const idx = await ctx.db.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('cases', 'case_events') AND indexname NOT LIKE '%pkey' AND indexname NOT LIKE '%_key' ORDER BY indexname`);
      whatIf.none = (await flushAll(items(), true)).dbCpuMsPerCase;
      for (const { indexname, indexdef } of idx) {
        await ctx.db.exec(`DROP INDEX ${indexname}`);
        whatIf[`-${indexname}`] = (await flushAll(items(), true)).dbCpuMsPerCase;
        await ctx.db.exec(indexdef);
        console.log(indexname, whatIf[`-${indexname}`]);
      }
      for (const { indexname } of idx) await ctx.db.exec(`DROP INDEX ${indexname}`);
      whatIf['-allSecondaryIndexes'] = (await flushAll(items(), true)).dbCpuMsPerCase;
      for (const { indexdef } of idx) await ctx.db.exec(indexdef);
      // The foreign keys of cases and case_events (reference codes, repeat_of, the event's case): each is a
      // lookup with a row lock per new row.
      const fks = await ctx.db.query(`SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('cases'::regclass, 'case_events'::regclass)`);
      for (const f of fks) await ctx.db.exec(`ALTER TABLE ${f.tbl} DROP CONSTRAINT ${f.conname}`);
      whatIf['-foreignKeys'] = (await flushAll(items(), true)).dbCpuMsPerCase;
      for (const f of fks) await ctx.db.exec(`ALTER TABLE ${f.tbl} ADD CONSTRAINT ${f.conname} ${f.def}`);
      whatIf.noneAgain = (await flushAll(items(), true)).dbCpuMsPerCase;
    }
    if (admin) await fdb.close();
    const n = ids.length;
    const dbMs = (r: { dbS: number; nodeS: number }) => (admin ? ms3(r.dbS, n) : ms3(r.nodeS, n));
    return {
      cases: n,
      intake: { concurrency, flushes, statementsPerCase: Object.fromEntries(Object.entries(statements).map(([k, v]) => [k, Math.round((v / n) * 1000) / 1000])), meanBatch: Math.round((n / Math.max(1, flushes)) * 10) / 10, dbCpuMsPerCase: dbMs(a), ...(admin ? { nodeCpuMsPerCase: ms3(a.nodeS, n) } : {}) },
      flush: { batch: batchSize, ...flush },
      insertOnly: { batch: batchSize, ...insertOnly },
      ...(Object.keys(whatIf).length ? { whatIfDbCpuMsPerCase: whatIf } : {}),
      loadAverage1m: Math.round(os.loadavg()[0]! * 10) / 10,
    };
  } finally {
    await ctx.db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (admin && process.argv.includes('--keep')) console.log(`kept database ${dbName}`);
    else if (admin) {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    }
    await admin?.end();
  }
}

const results: Record<string, unknown> = {};
if (which === 'both' || which === 'postgres') results.postgres = await runEngine('postgres');
if (which === 'both' || which === 'pglite') results.pglite = await runEngine('pglite');
writeResults('intake-db', {
  method: `${nCases} synthetic requests after 200 warm-up ones on ${historyDays} days × ${HISTORY_PER_DAY} cases of history and an active model. intake: createCase by ${concurrency} in-process callers (tagging, case numbers, batched case + audit event + rollups with the same-caller lookup in one statement, NOTIFY). flush: the same cases stored again in batches of ${batchSize} (insertCases + afterChange hooks in one transaction); insertOnly: without the hooks. dbCpuMsPerCase: PostgreSQL backends of the database (/proc) or, on PGlite, the whole process (Node + wasm on one thread)`,
  ...results,
});
process.exit(0);
