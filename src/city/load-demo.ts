// Streams the generated city into the database (COPY) or into CSV files, a few days of cases and their events
// at a time, so memory stays flat however many days are asked for.
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { AppContext } from '../server/context.ts';
import type { Db } from '../store/db.ts';
import { quoteIdent } from '../store/db.ts';
import type { Secrets } from '../shared/secrets.ts';
import { caseHooks } from '../cases/hooks.ts';
import { addDays } from '../shared/time.ts';
import type { CityOptions, Truth } from './generate-city.ts';
import { CASE_COLUMNS, EVENT_COLUMNS, createSealCache, encodeCity, encodeCityInWorker, sealCases, type EncodedBatch } from './encode-city.ts';
import { seedReference, isReferenceEmpty } from './seed-reference.ts';

export { CASE_COLUMNS, EVENT_COLUMNS } from './encode-city.ts';

export interface DemoOptions extends Omit<CityOptions, 'startId' | 'startEventId' | 'caseNoStart'> {
  /** Write the ground truth here (JSON). */
  truthFile?: string;
  onProgress?: (p: { day: string; daysDone: number; days: number; cases: number; events: number; ms: number }) => void;
  /** Told when each post-load step has finished (foreign keys, indexes, each afterBulkLoad hook: rollups…), with its duration. */
  onHookDone?: (name: string, ms: number) => void;
  /** Days per COPY batch (default 1; memory holds about four batches: generating, waiting, sealing, copying). */
  batchDays?: number;
  /**
   * Generate in a worker thread while this thread seals callers and streams COPY (default: for loads of
   * 50,000 cases or more). The output is the same either way.
   */
  worker?: boolean;
  /** Run the afterBulkLoad hooks (rollups, knowledge, first model…): true (default), false, or only these names. */
  afterBulkLoad?: boolean | string[];
}

export interface DemoResult { cases: number; events: number; days: number; ms: number; truth: Truth }

/** Loads reference data (if missing) and the generated days into the database, then runs afterBulkLoad hooks. */
export async function loadDemo(ctx: AppContext, opts: DemoOptions): Promise<DemoResult> {
  const { db } = ctx;
  const t0 = Date.now();
  if (await isReferenceEmpty(db)) await seedReference(db);
  const endDay = addDays(opts.start, opts.days - 1);
  const [{ maxid, maxev }] = await db.query<{ maxid: number; maxev: number }>('SELECT (SELECT coalesce(max(id), 0) FROM cases)::int8 AS maxid, (SELECT coalesce(max(id), 0) FROM case_events)::int8 AS maxev');
  const counters = await db.query<{ day: string; last: number }>('SELECT day, last FROM case_number_counters WHERE day BETWEEN $1 AND $2', [opts.start, endDay]);
  const genOpts: CityOptions = {
    seed: opts.seed, start: opts.start, days: opts.days, perDay: opts.perDay, incidents: opts.incidents, horizon: opts.horizon,
    startId: Number(maxid) + 1, startEventId: Number(maxev) + 1, caseNoStart: Object.fromEntries(counters.map((r) => [r.day, r.last])),
  };
  let cases = 0;
  let events = 0;
  let daysDone = 0;
  const lastNo = new Map<string, number>();
  // A large load into few rows builds the secondary indexes once at the end instead of row by row.
  // (Existing rows: the planner's estimate, or an exact count up to 100,000 when the table was never analysed.)
  const [{ existing }] = await db.query<{ existing: number }>(
    `SELECT greatest((SELECT reltuples FROM pg_class WHERE relname = 'cases' AND relkind IN ('r', 'p') LIMIT 1), (SELECT count(*) FROM (SELECT 1 FROM cases LIMIT 100000) x))::int8 AS existing`);
  const bulk = opts.days * opts.perDay > Number(existing);
  const deferred = bulk ? await deferIndexesAndForeignKeys(db, ['cases', 'case_events']) : null;
  const step = (name: string, ms: number) => opts.onHookDone?.(name, ms);
  const source = cityBatches(genOpts, opts);
  let truth: Truth;
  try {
    const seal = createSealCache(ctx.secrets);
    let inFlight: Promise<unknown> = Promise.resolve();
    truth = await eachBatch(source, async (b) => {
      for (const d of b.days) if (d.lastNo !== null) lastNo.set(d.day, d.lastNo);
      const casesCsv = sealCases(b, seal);
      // One batch is copied while the next is sealed (and generated in the worker). Without foreign keys,
      // cases and events go on two connections at once (a real server parses both in parallel).
      await inFlight;
      inFlight = deferred
        ? Promise.all([db.copyCsv('cases', CASE_COLUMNS, [casesCsv]), db.copyCsv('case_events', EVENT_COLUMNS, [b.eventsCsv])])
        : db.copyCsv('cases', CASE_COLUMNS, [casesCsv]).then(() => db.copyCsv('case_events', EVENT_COLUMNS, [b.eventsCsv]));
      inFlight.catch(() => {}); // awaited above on the next round or below; a failure must not go unhandled meanwhile
      daysDone += b.days.length;
      cases += b.caseTails.length;
      events += b.events;
      opts.onProgress?.({ day: b.days[b.days.length - 1].day, daysDone, days: opts.days, cases, events, ms: Date.now() - t0 });
    });
    await inFlight;
  } catch (err) {
    await source.return?.(undefined as never); // stops the worker thread
    if (deferred) await restoreDeferred(db, deferred, step);
    throw err;
  }
  await finishBulkLoad(db, lastNo);
  if (opts.truthFile) writeTruth(opts.truthFile, truth);
  // The index builds (the trigram ones take minutes for a year) run on their own connections while the hooks
  // rebuild rollups and seed knowledge from the table: both only read `cases`, so they overlap.
  const rebuilt = deferred ? restoreDeferred(db, deferred, step) : Promise.resolve();
  rebuilt.catch(() => {});
  if (db.engine === 'pglite') await rebuilt; // one connection: nothing to overlap
  try {
    const run = opts.afterBulkLoad ?? true;
    for (const h of caseHooks()) {
      if (!h.afterBulkLoad || run === false || (Array.isArray(run) && !run.includes(h.name))) continue;
      const th = Date.now();
      await h.afterBulkLoad(ctx, { fromDay: opts.start, toDay: endDay });
      step(h.name, Date.now() - th);
    }
  } finally {
    await rebuilt;
  }
  return { cases, events, days: opts.days, ms: Date.now() - t0, truth };
}

/**
 * Every batch leaves tens of MB of dead strings; V8 lets the heap grow by hundreds of MB before it collects on
 * its own, so a long load asks for a full collection every few batches instead (tens of ms each): memory stays flat.
 */
const GC_EVERY = 4;

/** Hands every generated batch to `onBatch` in order (a full collection every GC_EVERY batches keeps memory
 *  flat) and returns the ground truth the generator ends with. */
async function eachBatch(source: ReturnType<typeof cityBatches>, onBatch: (b: EncodedBatch) => Promise<void>): Promise<Truth> {
  for (let batchNo = 1; ; batchNo++) {
    const next = await source.next();
    if (next.done) return next.value;
    if (batchNo % GC_EVERY === 0) fullGc();
    await onBatch(next.value);
  }
}
const fullGc: () => void = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return () => {};
  }
})();

/** Encoded batches of the generated city: from a worker thread for big loads, else in this thread. */
function cityBatches(genOpts: CityOptions, opts: DemoOptions): Iterator<EncodedBatch, Truth> | AsyncIterator<EncodedBatch, Truth> {
  const batchDays = opts.batchDays ?? 1;
  const useWorker = opts.worker ?? opts.days * opts.perDay >= 50_000;
  return useWorker ? encodeCityInWorker(genOpts, batchDays) : encodeCity(genOpts, batchDays);
}

interface Deferred {
  indexes: { indexname: string; indexdef: string }[];
  foreignKeys: { table: string; name: string; def: string }[];
}

/**
 * A large load goes into tables without their secondary indexes and foreign keys (PostgreSQL's "populating a
 * database" advice): per-row foreign-key triggers cost more server CPU than the COPY itself, and one index
 * build after the load is far cheaper than maintaining it row by row. Returns what to restore.
 */
async function deferIndexesAndForeignKeys(db: Db, tables: string[]): Promise<Deferred> {
  const indexes = await db.query<{ indexname: string; indexdef: string }>(
    `SELECT i.indexname, i.indexdef FROM pg_indexes i
      WHERE i.schemaname = current_schema() AND i.tablename = ANY($1::text[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`, [tables]);
  const foreignKeys = await db.query<{ table: string; name: string; def: string }>(
    `SELECT c.conrelid::regclass::text AS table, c.conname AS name, pg_get_constraintdef(c.oid) AS def
       FROM pg_constraint c
      WHERE c.contype = 'f' AND c.conrelid = ANY(SELECT oid FROM pg_class WHERE relname = ANY($1::text[]) AND relnamespace = current_schema()::regnamespace)`, [tables]);
  for (const r of indexes) await db.exec(`DROP INDEX IF EXISTS ${quoteIdent(r.indexname)}`);
  for (const f of foreignKeys) await db.exec(`ALTER TABLE ${quoteIdent(f.table)} DROP CONSTRAINT ${quoteIdent(f.name)}`);
  return { indexes, foreignKeys };
}

/**
 * Foreign keys come back NOT VALID (enforced for new rows at once) and are then validated by one join each
 * (a violation throws, and the constraint stays NOT VALID rather than missing); indexes are rebuilt on two
 * connections at once, the slow trigram (GIN) builds first, with more sort memory than the default.
 */
async function restoreDeferred(db: Db, d: Deferred, onStep: (name: string, ms: number) => void): Promise<void> {
  let t = Date.now();
  for (const f of d.foreignKeys) await db.exec(`ALTER TABLE ${quoteIdent(f.table)} ADD CONSTRAINT ${quoteIdent(f.name)} ${f.def} NOT VALID`);
  for (const f of d.foreignKeys) await db.exec(`ALTER TABLE ${quoteIdent(f.table)} VALIDATE CONSTRAINT ${quoteIdent(f.name)}`);
  onStep('foreign-keys', Date.now() - t);
  t = Date.now();
  const queue = [...d.indexes].sort((a, b) => Number(/USING gin/i.test(b.indexdef)) - Number(/USING gin/i.test(a.indexdef)));
  const lane = async () => {
    for (let ix = queue.shift(); ix; ix = queue.shift()) {
      const def = ix.indexdef;
      await db.tx(async (tx) => {
        if (db.engine === 'postgres') await tx.exec(`SET LOCAL maintenance_work_mem = '256MB'`);
        await tx.exec(def);
      });
    }
  };
  await Promise.all([lane(), lane()]);
  onStep('indexes', Date.now() - t);
}

/** After COPY with explicit ids: move the identity sequences and the case-number counters past them. */
async function finishBulkLoad(db: Db, lastNo: Map<string, number>): Promise<void> {
  await db.query(`SELECT setval(pg_get_serial_sequence('cases', 'id'), greatest((SELECT max(id) FROM cases), 1))`);
  await db.query(`SELECT setval(pg_get_serial_sequence('case_events', 'id'), greatest((SELECT max(id) FROM case_events), 1))`);
  const days = [...lastNo.keys()];
  for (let i = 0; i < days.length; i += 500) {
    const part = days.slice(i, i + 500);
    const params: unknown[] = [];
    const values = part.map((d) => `($${params.push(d)}::date, $${params.push(lastNo.get(d))}::int)`).join(',');
    await db.query(`INSERT INTO case_number_counters (day, last) VALUES ${values} ON CONFLICT (day) DO UPDATE SET last = greatest(case_number_counters.last, excluded.last)`, params);
  }
  await db.exec('ANALYZE cases; ANALYZE case_events');
}

/** Writes cases.csv and case_events.csv (COPY-ready, with header) and the truth file into a directory. */
export async function writeDemoCsv(dir: string, opts: DemoOptions, secrets: Secrets): Promise<DemoResult> {
  const t0 = Date.now();
  fs.mkdirSync(dir, { recursive: true });
  const seal = createSealCache(secrets);
  const casesOut = fs.createWriteStream(path.join(dir, 'cases.csv'));
  const eventsOut = fs.createWriteStream(path.join(dir, 'case_events.csv'));
  const write = (s: fs.WriteStream, text: string) => (s.write(text) ? Promise.resolve() : new Promise<void>((r) => s.once('drain', () => r())));
  await write(casesOut, CASE_COLUMNS.join(',') + '\n');
  await write(eventsOut, EVENT_COLUMNS.join(',') + '\n');
  let cases = 0;
  let events = 0;
  let daysDone = 0;
  const genOpts: CityOptions = { seed: opts.seed, start: opts.start, days: opts.days, perDay: opts.perDay, incidents: opts.incidents, horizon: opts.horizon };
  const source = cityBatches(genOpts, { ...opts, batchDays: opts.batchDays ?? 7 });
  const truth = await eachBatch(source, async (b) => {
    await write(casesOut, sealCases(b, seal));
    await write(eventsOut, b.eventsCsv);
    cases += b.caseTails.length;
    events += b.events;
    daysDone += b.days.length;
    opts.onProgress?.({ day: b.days[b.days.length - 1].day, daysDone, days: opts.days, cases, events, ms: Date.now() - t0 });
  });
  await Promise.all([casesOut, eventsOut].map((s) => new Promise<void>((r) => s.end(() => r()))));
  writeTruth(opts.truthFile ?? path.join(dir, 'truth.json'), truth);
  return { cases, events, days: opts.days, ms: Date.now() - t0, truth };
}

export function writeTruth(file: string, truth: Truth): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(truth, null, 1) + '\n');
}
