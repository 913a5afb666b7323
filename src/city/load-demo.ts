// Streams the generated city into the database (COPY through db.copyRows) or into CSV files: a week of cases
// and their events at a time, so memory stays flat however many days are asked for.
import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../server/context.ts';
import type { Db } from '../store/db.ts';
import { csvLine, quoteIdent } from '../store/db.ts';
import { maskPhone, type Secrets } from '../shared/secrets.ts';
import { caseHooks } from '../cases/hooks.ts';
import { addDays } from '../shared/time.ts';
import { generateCity, type CityOptions, type DayBatch, type GenCase, type GenEvent, type Truth } from './generate-city.ts';
import { seedReference, isReferenceEmpty } from './seed-reference.ts';

export const CASE_COLUMNS = [
  'id', 'case_no', 'channel', 'received_at', 'local_day', 'caller_name_enc', 'caller_phone_enc', 'caller_phone_hash', 'caller_phone_masked',
  'title', 'content', 'district_code', 'street_code', 'community_code', 'compound_id', 'address', 'lng', 'lat', 'category_code',
  'request_type', 'urgency', 'keywords', 'sensitive', 'status', 'unit_id', 'dispatched_at', 'accepted_at', 'accept_due_at',
  'reply_due_at', 'replied_at', 'resolution', 'closed_at', 'callback_result', 'callback_at', 'callback_note', 'return_count',
  'extension_count', 'reminder_count', 'reopen_count', 'supervised', 'repeat_of', 'created_by', 'updated_at',
];
export const EVENT_COLUMNS = ['id', 'case_id', 'at', 'actor', 'action', 'from_status', 'to_status', 'unit_id', 'note', 'data'];

/**
 * Encrypting is the costliest step of a bulk load; callers recur (frequent callers, 张先生-style names), so each
 * distinct value is encrypted once per load (bounded memory). Equal plaintexts then share a ciphertext.
 */
export function createSealCache(secrets: Secrets, max = 250_000) {
  const enc = new Map<string, string>();
  const phone = new Map<string, [string, string, string]>();
  return {
    name(v: string): string {
      let x = enc.get(v);
      if (x === undefined) {
        if (enc.size >= max) enc.clear();
        enc.set(v, (x = secrets.encrypt(v)));
      }
      return x;
    },
    /** [ciphertext, keyed hash, masked] */
    phone(v: string): [string, string, string] {
      let x = phone.get(v);
      if (x === undefined) {
        if (phone.size >= max) phone.clear();
        phone.set(v, (x = [secrets.encrypt(v), secrets.hash(v), maskPhone(v)]));
      }
      return x;
    },
  };
}
export type SealCache = ReturnType<typeof createSealCache>;

export function caseRow(c: GenCase, seal: SealCache): unknown[] {
  const [phoneEnc, phoneHash, phoneMasked] = seal.phone(c.callerPhone);
  return [
    c.id, c.caseNo, c.channel, c.receivedAt, c.localDay, seal.name(c.callerName), phoneEnc, phoneHash, phoneMasked,
    c.title, c.content, c.districtCode, c.streetCode, c.communityCode, c.compoundId, c.address, c.lng, c.lat, c.categoryCode,
    c.requestType, c.urgency, c.keywords, c.sensitive, c.status, c.unitId, c.dispatchedAt, c.acceptedAt, c.acceptDueAt,
    c.replyDueAt, c.repliedAt, c.resolution, c.closedAt, c.callbackResult, c.callbackAt, c.callbackNote, c.returnCount,
    c.extensionCount, c.reminderCount, c.reopenCount, c.supervised, c.repeatOf, c.createdBy, c.updatedAt,
  ];
}

export function eventRow(e: GenEvent): unknown[] {
  return [e.id, e.caseId, e.at, e.actor, e.action, e.fromStatus, e.toStatus, e.unitId, e.note, e.data];
}

export interface DemoOptions extends Omit<CityOptions, 'startId' | 'startEventId' | 'caseNoStart'> {
  /** Write the ground truth here (JSON). */
  truthFile?: string;
  onProgress?: (p: { day: string; daysDone: number; days: number; cases: number; events: number; ms: number }) => void;
  /** Told when each post-load step has finished (foreign keys, indexes, each afterBulkLoad hook: rollups…), with its duration. */
  onHookDone?: (name: string, ms: number) => void;
  /** Days per COPY batch (default 4: bounds memory at about two batches of rows). */
  batchDays?: number;
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
  const gen = generateCity({ ...opts, startId: Number(maxid) + 1, startEventId: Number(maxev) + 1, caseNoStart: Object.fromEntries(counters.map((r) => [r.day, r.last])) });
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
  try {
    const seal = createSealCache(ctx.secrets);
    let inFlight: Promise<void> = Promise.resolve();
    for (const batch of batches(gen.days(), opts.batchDays ?? 4)) {
      for (const b of batch) {
        if (b.cases.length) lastNo.set(b.day, Number(b.cases[b.cases.length - 1].caseNo.slice(9)));
      }
      // One batch is copied while the next is generated (the server parses while we compute).
      await inFlight;
      inFlight = copyBatch(db, batch, seal);
      daysDone += batch.length;
      cases += batch.reduce((a, b) => a + b.cases.length, 0);
      events += batch.reduce((a, b) => a + b.events.length, 0);
      opts.onProgress?.({ day: batch[batch.length - 1].day, daysDone, days: opts.days, cases, events, ms: Date.now() - t0 });
    }
    await inFlight;
  } finally {
    if (deferred) await restoreDeferred(db, deferred, (name, ms) => opts.onHookDone?.(name, ms));
  }
  await finishBulkLoad(db, lastNo);
  const truth = gen.truth();
  if (opts.truthFile) writeTruth(opts.truthFile, truth);
  for (const h of caseHooks()) {
    if (!h.afterBulkLoad) continue;
    const th = Date.now();
    await h.afterBulkLoad(ctx, { fromDay: opts.start, toDay: endDay });
    opts.onHookDone?.(h.name, Date.now() - th);
  }
  return { cases, events, days: opts.days, ms: Date.now() - t0, truth };
}

async function copyBatch(db: Db, batch: DayBatch[], seal: SealCache): Promise<void> {
  await db.copyRows('cases', CASE_COLUMNS, (function* () {
    for (const b of batch) for (const c of b.cases) yield caseRow(c, seal);
  })());
  await db.copyRows('case_events', EVENT_COLUMNS, (function* () {
    for (const b of batch) for (const e of b.events) yield eventRow(e);
  })());
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
  const gen = generateCity(opts);
  const seal = createSealCache(secrets);
  const casesOut = fs.createWriteStream(path.join(dir, 'cases.csv'));
  const eventsOut = fs.createWriteStream(path.join(dir, 'case_events.csv'));
  const write = (s: fs.WriteStream, text: string) => (s.write(text) ? Promise.resolve() : new Promise<void>((r) => s.once('drain', () => r())));
  await write(casesOut, CASE_COLUMNS.join(',') + '\n');
  await write(eventsOut, EVENT_COLUMNS.join(',') + '\n');
  let cases = 0;
  let events = 0;
  let daysDone = 0;
  for (const b of gen.days()) {
    await write(casesOut, b.cases.map((c) => csvLine(caseRow(c, seal))).join(''));
    await write(eventsOut, b.events.map((e) => csvLine(eventRow(e))).join(''));
    cases += b.cases.length;
    events += b.events.length;
    daysDone++;
    if (daysDone % 7 === 0 || daysDone === opts.days) opts.onProgress?.({ day: b.day, daysDone, days: opts.days, cases, events, ms: Date.now() - t0 });
  }
  await Promise.all([casesOut, eventsOut].map((s) => new Promise<void>((r) => s.end(() => r()))));
  const truth = gen.truth();
  writeTruth(opts.truthFile ?? path.join(dir, 'truth.json'), truth);
  return { cases, events, days: opts.days, ms: Date.now() - t0, truth };
}

export function writeTruth(file: string, truth: Truth): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(truth, null, 1) + '\n');
}

function* batches(days: Generator<DayBatch>, size: number): Generator<DayBatch[]> {
  let cur: DayBatch[] = [];
  for (const d of days) {
    cur.push(d);
    if (cur.length >= size) {
      yield cur;
      cur = [];
    }
  }
  if (cur.length) yield cur;
}
