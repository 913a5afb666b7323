// Storing new cases: one statement writes any number of cases and their audit events (json_to_recordset:
// jsonb first builds a tree of the whole batch — parsing 15 cases took twice as long, the whole insert ≈ 6 % more),
// and a small batcher groups concurrent intake requests into one statement / transaction — group commit in
// the application; the metrics hook's rollup queue insert joins the insert statement as a CTE (one round trip). Under
// light load a case is flushed alone at once; under heavy load the requests that arrived while the previous flush
// ran go together. If a batch fails (a bad row, a hook that throws, an idempotency
// race), its cases are retried one by one so that each request gets its own outcome.
import type { Db, Row } from '../store/db.ts';
import { isDbUnavailable } from '../shared/errors.ts';
import { CASE_NAMES_LOOKED_UP } from './dto.ts';
import { noteCasesInserted } from './search-index.ts';
import { changeCtes, hasAfterChange, intakeTagsSql, runAfterChange, type CaseChange } from './hooks.ts';

const TYPES: Record<string, string> = {
  case_no: 'text', channel: 'text', received_at: 'timestamptz', local_day: 'date', caller_name_enc: 'text', caller_phone_enc: 'text',
  caller_phone_hash: 'text', caller_phone_masked: 'text', title: 'text', content: 'text', district_code: 'text', street_code: 'text',
  community_code: 'text', compound_id: 'text', address: 'text', lng: 'float8', lat: 'float8', category_code: 'text', request_type: 'text',
  urgency: 'text', keywords: 'jsonb', tags: 'jsonb', sensitive: 'boolean', status: 'text', unit_id: 'text', dispatched_at: 'timestamptz',
  accept_due_at: 'timestamptz', reply_due_at: 'timestamptz', resolution: 'text', closed_at: 'timestamptz', repeat_of: 'int8',
  idempotency_key: 'text', request_hash: 'text', created_by: 'text',
};
const COLS = Object.keys(TYPES);
/** Columns the caller sent that can be large (text, JSON): not read back — the stored row is the sent values plus
 *  what the database filled in, so a batch does not travel back and get parsed a second time (the tags are read
 *  back when a hook rewrites them in the insert, see intakeTagsSql). */
const SENT_ONLY = new Set(['caller_name_enc', 'caller_phone_enc', 'caller_phone_hash', 'caller_phone_masked', 'title', 'content', 'address', 'keywords', 'tags', 'resolution', 'idempotency_key', 'request_hash']);
/** The defaults of the columns a new case does not send (as migrations 0001/0002 declare them). */
const NEW_CASE_DEFAULTS: Row = { accepted_at: null, replied_at: null, callback_result: null, callback_at: null, callback_note: null, extension_pending: null, return_count: 0, extension_count: 0, reminder_count: 0, reopen_count: 0, supervised: false, version: 1 };
/** Columns the database fills in for a new case. */
const DB_FILLED = ['id', 'updated_at', ...Object.keys(NEW_CASE_DEFAULTS)];
const READ_BACK = [...DB_FILLED, ...COLS.filter((c) => !SENT_ONLY.has(c))];

const SENT_TAGS = `coalesce(src.tags, '{}')`;

/** The insert of a batch, after `before`: other data-modifying CTEs that join the statement (the hooks'). */
function insertSql(before: string[] = []): string {
  const tags = intakeTagsSql(SENT_TAGS);
  const readBack = tags === SENT_TAGS ? READ_BACK : [...READ_BACK, 'tags'];
  return `WITH ${[...before, `src AS (
    SELECT * FROM json_to_recordset($1::text::json) AS x(ord int, ${COLS.map((c) => `${c} ${TYPES[c]}`).join(', ')}))`, `c AS (
    INSERT INTO cases (${COLS.join(', ')})
    SELECT ${COLS.map((c) => (c === 'keywords' ? `ARRAY(SELECT jsonb_array_elements_text(coalesce(src.keywords, '[]')))` : c === 'tags' ? tags : c === 'sensitive' ? `coalesce(src.sensitive, false)` : c === 'urgency' ? `coalesce(src.urgency, 'normal')` : `src.${c}`)).join(', ')}
    FROM src ORDER BY src.ord
    RETURNING *)`, `e AS (
    INSERT INTO case_events (case_id, at, actor, action, from_status, to_status, unit_id, note, data)
    SELECT c.id, x.at, x.actor, x.action, x.from_status, x.to_status, x.unit_id, x.note, x.data
    FROM json_to_recordset($2::text::json) AS x(case_no text, seq int, at timestamptz, actor text, action text, from_status text, to_status text, unit_id text, note text, data jsonb)
    JOIN c ON c.case_no = x.case_no ORDER BY c.id, x.seq
    RETURNING 1)`].join(',\n  ')}
  SELECT ${readBack.map((k) => `c.${k}`).join(', ')}, ${CASE_NAMES_LOOKED_UP}, (SELECT count(*) FROM e) AS event_count FROM c`;
}

export interface NewCase {
  row: Row; // snake_case columns of cases (keywords: string[], tags: object)
  events: Row[]; // case_events columns without case_id
}

/** Inserts cases and their events in one statement; returns the stored rows (with names) in input order. */
export async function insertCases(db: Db, items: NewCase[]): Promise<Row[]> {
  const rows = sentRows(items);
  const stored = storedRows(rows, await db.query(insertSql(), insertParams(items, rows)));
  noteCasesInserted(items.length);
  return stored;
}

/** The columns of each case as sent to the insert (`ord`: its place in the batch). The columns a new case does not
 *  send read through to their defaults (the prototype), so that the hooks see a whole new row without a copy of it
 *  (JSON.stringify sends own properties only). Built by plain assignments in one order, all rows share one shape:
 *  measured 2.5 µs a row against 20 µs for fromEntries + spread + a merged copy, and a tenth of the garbage. */
const sentRows = (items: NewCase[]): Row[] =>
  items.map((it, ord) => {
    const row: Row = Object.create(NEW_CASE_DEFAULTS);
    row.ord = ord;
    for (const c of COLS) row[c] = it.row[c] ?? null;
    return row;
  });

function insertParams(items: NewCase[], rows: Row[]): unknown[] {
  const events = items.flatMap((it) => it.events.map((e, seq) => ({ ...e, case_no: it.row.case_no, seq, at: e.at instanceof Date ? e.at.toISOString() : e.at })));
  return [JSON.stringify(rows), JSON.stringify(events)];
}

/** The stored rows in input order: what the insert read back, plus the values sent (as the insert stores them). */
function storedRows(sent: Row[], back: Row[]): Row[] {
  const byNo = new Map(back.map((r) => [r.case_no as string, r]));
  return sent.map((s) => {
    const row = byNo.get(s.case_no)!; // the driver's fresh object: completed in place
    for (const c of SENT_ONLY) if (!(c in row)) row[c] = s[c];
    row.keywords ??= [];
    row.tags ??= {};
    return row;
  });
}

/** When a case submitted through the batcher was queued, its batch's statement sent, and answered
 *  (performance.now() ms; filled in by the batcher for the caller's Server-Timing). */
export interface StoreTiming { queuedAt?: number; sentAt?: number; storedAt?: number }

interface Pending extends NewCase {
  /** The change the afterChange hooks see (with the stored row as `after`), in the batch's transaction. */
  change: Omit<CaseChange, 'after'>;
  queuedAt: number;
  timing?: StoreTiming;
  resolve: (r: Row) => void;
  reject: (e: unknown) => void;
}
interface Batcher { queue: Pending[]; inFlight: number; lastStart: number; lastEnd: number; timer: NodeJS.Timeout | null; preparing: number }
const batchers = new WeakMap<Db, Batcher>();
const MAX_BATCH = 200;

const batcherOf = (db: Db) => {
  let b = batchers.get(db);
  if (!b) batchers.set(db, (b = { queue: [], inFlight: 0, lastStart: 0, lastEnd: 0, timer: null, preparing: 0 }));
  return b;
};

/** Marks an intake request as being prepared (validation, enrichment) until it is submitted or fails, so that a
 *  flush waits for such requests only when there are some. Returns the function that ends the mark (idempotent). */
export function startPreparing(db: Db): () => void {
  const b = batcherOf(db);
  b.preparing++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    b.preparing--;
    if (b.preparing === 0 && b.queue.length) pump(db, b); // a batch may be waiting for this request
  };
}

/** Stores one new case through the batcher; resolves with its stored row. */
export function submitCase(db: Db, item: NewCase & { change: Pending['change'] }, prepared?: () => void, timing?: StoreTiming): Promise<Row> {
  const b = batcherOf(db);
  return new Promise<Row>((resolve, reject) => {
    b.queue.push({ ...item, queuedAt: performance.now(), timing, resolve, reject });
    prepared?.();
    pump(db, b);
  });
}

// One flush at a time on both engines: PGlite runs one statement at a time anyway (in its own thread); on a server
// while one flush runs the next batch grows, and a bigger batch costs fewer statements per case (measured when
// intake still upserted the rollups: server + PostgreSQL CPU per case fell by about a quarter from 4 flushes in
// flight to 1, at the same throughput; 2 in flight gave 850 cases/s against 892 with 1 at 32 concurrent requests).
const MAX_IN_FLIGHT = 1;
// A flush that has not settled after this long (a connection lost mid-statement may never answer) no longer
// holds the others back.
const STUCK_MS = 5_000;
// Under load (a flush ended moments ago) a batch waits while other requests are still being prepared (validation,
// tagging), up to lingerMs after its first case was queued, so that concurrent callers share one statement (a
// batch's fixed cost is ≈ 1 ms of PostgreSQL: bench intake-db at batches of 1, 4 and 16). A lone or serial caller,
// or a batch with nobody else on the way, goes at once. Measured (bench intake, PostgreSQL, 16 clients, alternating
// runs): a fixed 2 ms wait gave batches of 7 cases; waiting up to 6 ms while others are being prepared, 11–12;
// up to 10 ms, 15 — CPU per case 1.86–2.26 → 1.54–1.82 → 1.51–1.58 ms, the rate up 5–15 %, p99 no worse. PGlite,
// whose statements run in this process, did better with 3 ms than 10 (8 clients: 557–632 against 422–578 cases/s).
// "Under load": the last flush ended less than underLoadMs ago. (Exported so that tests can widen both and not
// depend on the machine's speed.)
export const batchTiming = { lingerMs: { pglite: 3, postgres: 10 }, underLoadMs: 20 };

/** How many ms the batch at the head of the queue should still wait for requests being prepared (≤ 0: go now). */
function lingerLeft(db: Db, b: Batcher): number {
  if (!b.preparing || b.queue.length >= MAX_BATCH || Date.now() - b.lastEnd > batchTiming.underLoadMs) return 0;
  return batchTiming.lingerMs[db.engine] - (performance.now() - b.queue[0]!.queuedAt);
}

function pump(db: Db, b: Batcher): void {
  while (b.queue.length && (b.inFlight < MAX_IN_FLIGHT || Date.now() - b.lastStart > STUCK_MS)) {
    const wait = lingerLeft(db, b);
    if (wait > 0) {
      // (the deadline depends only on the head of the queue, which stays until this batch goes)
      b.timer ??= setTimeout(() => {
        b.timer = null;
        pump(db, b);
      }, Math.ceil(wait));
      return;
    }
    if (b.timer) {
      clearTimeout(b.timer);
      b.timer = null;
    }
    const batch = b.queue.splice(0, MAX_BATCH);
    b.inFlight++;
    b.lastStart = Date.now();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      b.inFlight--;
      b.lastEnd = Date.now();
      pump(db, b);
    };
    void flush(db, batch, release).finally(release);
  }
}

/** Stores a batch; `stored` runs once the database has answered, before the batch's requests are answered, so that
 *  the next batch's statement runs in PostgreSQL while this one's responses are built and sent. */
async function flush(db: Db, batch: Pending[], stored: () => void = () => {}): Promise<void> {
  try {
    const sentAt = performance.now();
    const rows = await store(db, batch);
    const storedAt = performance.now();
    for (const p of batch) if (p.timing) Object.assign(p.timing, { queuedAt: p.queuedAt, sentAt, storedAt });
    noteCasesInserted(batch.length);
    stored();
    batch.forEach((p, i) => p.resolve(rows[i]!));
  } catch (err) {
    // Isolating a bad case only helps when the database answered; during an outage every case gets the 503 now.
    if (batch.length === 1 || isDbUnavailable(err)) return batch.forEach((p) => p.reject(err));
    for (const p of batch) await flush(db, [p]); // isolate the failing case(s)
  }
}

/** The batch's insert and its hooks in one transaction. When every hook gives its work as CTEs, they join the
 *  insert: one statement, one round trip to a server (no BEGIN and COMMIT of their own). */
async function store(db: Db, batch: Pending[]): Promise<Row[]> {
  const rows = sentRows(batch);
  const params = insertParams(batch, rows);
  if (!hasAfterChange()) return storedRows(rows, await db.query(insertSql(), params));
  const hooked = changeCtes(batch.map((p, i) => ({ ...p.change, after: rows[i]! })), params.length + 1);
  if (hooked) return storedRows(rows, await db.query(insertSql(hooked.ctes), [...params, ...hooked.params]));
  return db.tx(async (tx) => {
    const stored = storedRows(rows, await tx.query(insertSql(), params));
    await runAfterChange(tx, batch.map((p, i) => ({ ...p.change, after: stored[i]! })));
    return stored;
  });
}
