// Generated days → COPY-ready CSV text. Everything but the caller's sealed columns is encoded here, so that
// this can run in a worker thread (generate-worker.ts) while the main thread, which holds the encryption key,
// seals the callers and streams COPY. The same code runs in-process for small loads: same bytes either way.
import { Worker } from 'node:worker_threads';
import { csvLine } from '../store/db.ts';
import { maskPhone, type Secrets } from '../shared/secrets.ts';
import { generateCity, type CityOptions, type GenCase, type GenEvent, type Truth } from './generate-city.ts';

/** `cases` columns in COPY order: the id, the four sealed caller columns, then the rest (see caseTail). */
export const CASE_COLUMNS = [
  'id', 'caller_name_enc', 'caller_phone_enc', 'caller_phone_hash', 'caller_phone_masked',
  'case_no', 'channel', 'received_at', 'local_day', 'title', 'content', 'district_code', 'street_code', 'community_code', 'compound_id',
  'address', 'lng', 'lat', 'category_code', 'request_type', 'urgency', 'keywords', 'sensitive', 'status', 'unit_id', 'dispatched_at',
  'accepted_at', 'accept_due_at', 'reply_due_at', 'replied_at', 'resolution', 'closed_at', 'callback_result', 'callback_at',
  'callback_note', 'return_count', 'extension_count', 'reminder_count', 'reopen_count', 'supervised', 'repeat_of', 'created_by', 'updated_at',
];
export const EVENT_COLUMNS = ['id', 'case_id', 'at', 'actor', 'action', 'from_status', 'to_status', 'unit_id', 'note', 'data'];

/** A few days of cases and events: ids are consecutive from firstId (the generator's order). */
export interface EncodedBatch {
  days: { day: string; lastNo: number | null }[];
  firstId: number;
  names: string[];
  phones: string[];
  /** Per case: CSV of the columns after the sealed ones, newline included. */
  caseTails: string[];
  eventsCsv: string;
  events: number;
}

export function caseTail(c: GenCase): string {
  return csvLine([
    c.caseNo, c.channel, c.receivedAt, c.localDay, c.title, c.content, c.districtCode, c.streetCode, c.communityCode, c.compoundId,
    c.address, c.lng, c.lat, c.categoryCode, c.requestType, c.urgency, c.keywords, c.sensitive, c.status, c.unitId, c.dispatchedAt,
    c.acceptedAt, c.acceptDueAt, c.replyDueAt, c.repliedAt, c.resolution, c.closedAt, c.callbackResult, c.callbackAt,
    c.callbackNote, c.returnCount, c.extensionCount, c.reminderCount, c.reopenCount, c.supervised, c.repeatOf, c.createdBy, c.updatedAt,
  ]);
}

export function eventLine(e: GenEvent): string {
  return csvLine([e.id, e.caseId, e.at, e.actor, e.action, e.fromStatus, e.toStatus, e.unitId, e.note, e.data]);
}

/** Generates and encodes `batchDays` days at a time; returns the ground truth when done. */
export function* encodeCity(opts: CityOptions, batchDays: number): Generator<EncodedBatch, Truth> {
  const gen = generateCity(opts);
  let batch: EncodedBatch | null = null;
  for (const b of gen.days()) {
    batch ??= { days: [], firstId: b.cases[0]?.id ?? 0, names: [], phones: [], caseTails: [], eventsCsv: '', events: 0 };
    if (!batch.caseTails.length && b.cases.length) batch.firstId = b.cases[0].id;
    for (const c of b.cases) {
      if (c.id !== batch.firstId + batch.caseTails.length) throw new Error(`ids not consecutive at ${c.caseNo}`);
      batch.names.push(c.callerName);
      batch.phones.push(c.callerPhone);
      batch.caseTails.push(caseTail(c));
    }
    let ev = '';
    for (const e of b.events) ev += eventLine(e);
    batch.eventsCsv += ev;
    batch.events += b.events.length;
    batch.days.push({ day: b.day, lastNo: b.cases.length ? Number(b.cases[b.cases.length - 1].caseNo.slice(9)) : null });
    if (batch.days.length >= batchDays) {
      yield batch;
      batch = null;
    }
  }
  if (batch) yield batch;
  return gen.truth();
}

/**
 * The same batches from a worker thread, `ahead` batches generated in advance (bounded memory). The worker
 * runs the same generator on the same options, so the output is byte-identical to encodeCity.
 */
export async function* encodeCityInWorker(opts: CityOptions, batchDays: number, ahead = 1): AsyncGenerator<EncodedBatch, Truth> {
  // A bounded heap makes the worker collect garbage early instead of growing (the process stays under 1 GB).
  const worker = new Worker(new URL('./generate-worker.mjs', import.meta.url), { workerData: { opts, batchDays }, resourceLimits: { maxOldGenerationSizeMb: 384 } });
  const inbox: ({ batch: EncodedBatch } | { truth: Truth })[] = [];
  let failure: Error | null = null;
  let wake = () => {};
  worker.on('message', (m) => (inbox.push(m), wake()));
  worker.on('error', (e) => ((failure = e), wake()));
  worker.on('exit', (code) => ((failure ??= code ? new Error(`城市数据生成线程异常退出（${code}）`) : null), wake()));
  try {
    for (let i = 0; i < ahead; i++) worker.postMessage('next');
    for (;;) {
      while (!inbox.length) {
        if (failure) throw failure;
        await new Promise<void>((r) => (wake = r));
      }
      const m = inbox.shift()!;
      if ('truth' in m) return m.truth;
      worker.postMessage('next');
      yield m.batch;
    }
  } finally {
    await worker.terminate();
  }
}

/**
 * Encrypting is the costliest step on the main thread; callers recur (frequent callers, 张先生-style names), so
 * each distinct value is encrypted once per load (bounded memory). Equal plaintexts then share a ciphertext.
 */
export function createSealCache(secrets: Secrets, max = 50_000) {
  const names = new Map<string, string>();
  const phones = new Map<string, string>();
  return {
    /** `"name_enc","phone_enc","phone_hash","phone_masked"` as CSV fields (base64 and digits: no quoting needed). */
    fields(name: string, phone: string): string {
      let n = names.get(name);
      if (n === undefined) {
        if (names.size >= max) names.clear();
        names.set(name, (n = secrets.encrypt(name)));
      }
      let p = phones.get(phone);
      if (p === undefined) {
        if (phones.size >= max) phones.clear();
        phones.set(phone, (p = `${secrets.encrypt(phone)},${secrets.hash(phone)},${maskPhone(phone)}`));
      }
      return `${n},${p}`;
    },
  };
}
export type SealCache = ReturnType<typeof createSealCache>;

/** The batch's cases as CSV text in CASE_COLUMNS order. */
export function sealCases(b: EncodedBatch, seal: SealCache): string {
  const parts = new Array<string>(b.caseTails.length);
  for (let k = 0; k < parts.length; k++) parts[k] = `${b.firstId + k},${seal.fields(b.names[k], b.phones[k])},${b.caseTails[k]}`;
  return parts.join('');
}
