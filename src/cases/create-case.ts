// Intake: validate → enrich hooks → place → case number → one INSERT of case + audit event (batched with
// concurrent requests, see insert-cases.ts), inside a transaction with the afterChange hooks when there are
// any → NOTIFY + afterCommit hooks after commit.
// Idempotency: a unique key per request; the same key with the same body returns the first case. The key is
// not looked up first (a retry is rare): the unique index catches it, then the stored case is re-read.
import crypto from 'node:crypto';
import type { Db, Row } from '../store/db.ts';
import type { Actor, AppContext } from '../server/context.ts';
import { unprocessable, validationError } from '../shared/errors.ts';
import { maskPhone } from '../shared/secrets.ts';
import { localDay } from '../shared/time.ts';
import { caseHooks, runAfterChange, type CaseChange } from './hooks.ts';
import { CreateCaseSchema, type CreateCaseData } from './schema.ts';
import { zodFields } from '../server/route.ts';
import { resolvePlace } from './place.ts';
import { nextCaseNo } from './case-number.ts';
import { computeDeadlines, deadlineSetup } from './deadlines.ts';
import { CASE_COLUMNS, CASE_JOINS, toCaseDto, type CaseDto } from './dto.ts';
import { insertCases, startPreparing, submitCase, type NewCase, type StoreTiming } from './insert-cases.ts';
import { isUniqueViolation, mapCaseConstraintError } from './db-errors.ts';
import { runAfterCommit } from './notify.ts';

export interface CreateCaseOptions {
  idempotencyKey?: string;
  now?: Date;
  /** Run inside this caller's transaction (imports); afterCommit changes are then pushed to `committed` for the caller to run. */
  tx?: Db;
  committed?: CaseChange[];
  /** A case number reserved by the caller (see reserveCaseNos). */
  caseNo?: string;
  /** Filled in with where the request's time went (the intake route's Server-Timing header). */
  timing?: IntakeTiming;
}

/** performance.now() ms at the steps of one intake: tagging (enrich hooks) started and ended; the batcher's part. */
export interface IntakeTiming extends StoreTiming { enrichFrom?: number; enrichTo?: number }

export type CreatedCase = CaseDto & { replayed: boolean };

export async function createCase(ctx: AppContext, input: unknown, actor: Actor, opts: CreateCaseOptions = {}): Promise<CreatedCase> {
  const parsed = CreateCaseSchema.safeParse(input);
  if (!parsed.success) throw validationError(zodFields(parsed.error));
  return createValidatedCase(ctx, parsed.data, actor, opts);
}

/** createCase for a body the route has already validated with CreateCaseSchema (intake parses it once). */
export async function createValidatedCase(ctx: AppContext, data: CreateCaseData, actor: Actor, opts: CreateCaseOptions = {}): Promise<CreatedCase> {
  if (opts.tx) return createCaseNow(ctx, data, actor, opts);
  const prepared = startPreparing(ctx.db); // the batcher then knows more cases are on their way
  try {
    return await createCaseNow(ctx, data, actor, opts, prepared);
  } finally {
    prepared();
  }
}

async function createCaseNow(ctx: AppContext, data: CreateCaseData, actor: Actor, opts: CreateCaseOptions, prepared?: () => void): Promise<CreatedCase> {
  if (data.unitId && data.resolution) throw validationError({ unitId: '转办单位与在线答复不能同时填写', resolution: '转办单位与在线答复不能同时填写' });
  const key = opts.idempotencyKey?.trim() || undefined;
  if (key && key.length > 200) throw validationError({ 'Idempotency-Key': 'Idempotency-Key 不能超过 200 个字符' });
  const requestHash = key ? hashRequest(data) : null;
  const db = opts.tx ?? ctx.db;
  if (key && opts.tx) {
    // Inside a caller's transaction a unique violation would abort it: look the key up first.
    const prior = await findByKey(ctx, key, requestHash!, db);
    if (prior) return prior;
  }

  const now = opts.now ?? new Date();
  const receivedAt = data.receivedAt ? new Date(data.receivedAt) : now;
  // Enrichment (tagging) may fill category, type, place, keywords and tags the caller left out. The keyed phone hash
  // is computed here once: it is stored with the case, and the insert finds the caller's earlier cases by it.
  const callerPhoneHash = data.callerPhone ? ctx.secrets.hash(data.callerPhone) : null;
  const draft: Record<string, unknown> = { ...data, receivedAt: receivedAt.toISOString(), callerPhoneHash };
  if (opts.timing) opts.timing.enrichFrom = performance.now();
  for (const h of caseHooks()) if (h.enrich) await h.enrich(ctx, draft);
  if (opts.timing) opts.timing.enrichTo = performance.now();
  const d = draft as CreateCaseData & { receivedAt: string };
  const place = await resolvePlace(db, d);

  let status = 'received';
  const events: Row[] = [{ at: now, action: 'create', from_status: null, to_status: 'received', unit_id: null, note: null, data: { channel: d.channel } }];
  const row: Row = {
    channel: d.channel,
    received_at: receivedAt.toISOString(),
    local_day: localDay(receivedAt),
    title: d.title || null,
    content: d.content,
    district_code: place.districtCode ?? null,
    street_code: place.streetCode ?? null,
    community_code: place.communityCode ?? null,
    compound_id: place.compoundId ?? null,
    address: d.address || null,
    lng: d.lng ?? null,
    lat: d.lat ?? null,
    category_code: d.categoryCode ?? null,
    request_type: d.requestType ?? null,
    urgency: d.urgency ?? 'normal',
    keywords: d.keywords ?? [],
    tags: d.tags ?? {},
    sensitive: d.sensitive ?? false,
    repeat_of: d.repeatOf ?? null,
    idempotency_key: key ?? null,
    request_hash: requestHash,
    created_by: actor.id,
  };
  if (d.callerPhone) {
    row.caller_phone_enc = ctx.secrets.encrypt(d.callerPhone);
    row.caller_phone_hash = callerPhoneHash;
    row.caller_phone_masked = maskPhone(d.callerPhone);
  }
  if (d.callerName) row.caller_name_enc = ctx.secrets.encrypt(d.callerName);
  if (d.resolution) {
    status = 'resolved_online';
    Object.assign(row, { resolution: d.resolution, closed_at: now.toISOString() });
    events[0]!.to_status = status;
    events[0]!.data = { channel: d.channel, resolvedOnline: true };
  } else if (d.unitId) {
    status = 'dispatched';
    const due = computeDeadlines(await deadlineSetup(db), { requestType: row.request_type, urgency: row.urgency }, now);
    Object.assign(row, { unit_id: d.unitId, dispatched_at: now.toISOString(), accept_due_at: due.acceptDueAt.toISOString(), reply_due_at: due.replyDueAt.toISOString() });
    events.push({ at: now, action: 'dispatch', from_status: 'received', to_status: 'dispatched', unit_id: d.unitId, note: null, data: { manual: true } });
  }
  row.status = status;
  // Numbers come from outside any transaction (imports reserve theirs beforehand).
  row.case_no = opts.caseNo ?? (await nextCaseNo(ctx.db, row.local_day));

  const item: NewCase = { row, events: events.map((e) => ({ ...e, actor: actor.id, data: { ...e.data, actorName: actor.name, actorRole: actor.role } })) };
  const change = { action: 'create', before: null, actor, at: now };
  let stored: Row;
  try {
    if (opts.tx) {
      stored = (await insertCases(opts.tx, [item]))[0]!;
      await runAfterChange(opts.tx, [{ ...change, after: stored }]);
    } else stored = await submitCase(db, { ...item, change }, prepared, opts.timing);
  } catch (err) {
    // A concurrent request with the same key won the race: answer with its case.
    if (key && !opts.tx && isUniqueViolation(err, 'cases_idempotency_key_key')) {
      const prior = await findByKey(ctx, key, requestHash!, db);
      if (prior) return prior;
    }
    throw mapCaseConstraintError(err) ?? err;
  }
  const created: CaseChange = { ...change, after: stored };
  if (opts.tx) opts.committed?.push(created);
  else runAfterCommit(ctx, created);
  return { ...toCaseDto(stored, ctx.secrets), replayed: false };
}

async function findByKey(ctx: AppContext, key: string, requestHash: string, db: Db): Promise<CreatedCase | null> {
  const [r] = await db.query(`SELECT ${CASE_COLUMNS} FROM cases c ${CASE_JOINS} WHERE c.idempotency_key = $1`, [key]);
  if (!r) return null;
  if (r.request_hash !== requestHash) {
    throw unprocessable('idempotency_key_reused', '该 Idempotency-Key 已用于内容不同的请求', { 'Idempotency-Key': '同一幂等键对应了不同的请求内容' });
  }
  return { ...toCaseDto(r, ctx.secrets), replayed: true };
}

/** A stable hash of the validated request (keys sorted), to tell a retry from a different request. */
export function hashRequest(data: unknown): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canon) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as any)[k])])) : v;
  return crypto.createHash('sha256').update(JSON.stringify(canon(data))).digest('base64url');
}
