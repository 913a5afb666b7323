// All tag suggestions for one text as the operator types: category top-3 with probabilities and evidence,
// request type, urgency, place, keywords, near-identical earlier cases and earlier cases of the caller.
import type { AppContext } from '../server/context.ts';
import type { Db } from '../store/db.ts';
import { coalescedPer } from '../shared/batch.ts';
import { validationError } from '../shared/errors.ts';
import { predict, topLevel } from './classifier.ts';
import { detectRequestType, type RequestTypeResult } from './request-type.ts';
import { detectUrgency, type UrgencyResult } from './urgency.ts';
import { extractKeywords } from './keywords.ts';
import type { PlaceResult } from './places.ts';
import { hasChinese, MAX_ANALYSED_CHARS, normalizeText } from './text.ts';
import { caseText, taggingState, type TaggingState } from './service.ts';
import { tagText } from './tag-in-worker.ts';
import { normalizePhone } from '../cases/schema.ts';
import { minhash } from './near-duplicates.ts';

export const MAX_INPUT_CHARS = 100_000;

export interface SuggestInput {
  text: string;
  title?: string | null;
  address?: string | null;
  callerPhone?: string | null;
  /** Evaluate the windows as of this instant (default now). */
  at?: Date;
  excludeCaseId?: number;
  /** Evidence terms for the top category only (intake, which keeps no more), not for each of the three. */
  topEvidenceOnly?: boolean;
}

export interface CategorySuggestion {
  code: string | null;
  name: string;
  path: string[];
  probability: number;
  evidence: { term: string; weight: number }[];
}

export interface Suggestions {
  modelVersion: number | null;
  category: CategorySuggestion[];
  topLevel: { name: string; probability: number }[];
  requestType: RequestTypeResult;
  urgency: UrgencyResult;
  place: PlaceResult;
  keywords: { word: string; weight: number }[];
  similarCases: { id: number; caseNo: string; title: string | null; similarity: number; receivedAt: string; status: string }[];
  sameCaller: { id: number; caseNo: string; title: string | null; receivedAt: string; status: string }[];
  /** Notes on the input: empty_after_cleaning, no_chinese, truncated. */
  warnings: string[];
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

export function categorySuggestions(state: TaggingState, text: string, k = 3, explained = k): CategorySuggestion[] {
  if (!state.model) return [];
  return predict(state.model, text, k, 5, explained).map((s) => {
    const info = state.categories.get(s.label);
    const path = info?.path ?? s.label.split('/');
    return { code: info ? info.code : null, name: info?.name ?? path[path.length - 1], path, probability: round(s.probability), evidence: s.evidence };
  });
}

/** The part of the suggestions that is pure CPU on the text (no database): what a tagging thread computes. */
export interface TextTags {
  modelVersion: number | null;
  category: CategorySuggestion[];
  requestType: RequestTypeResult;
  urgency: UrgencyResult;
  place: PlaceResult;
  keywords: { word: string; weight: number }[];
  /** MinHash signature of the text for the near-duplicate index (null: nothing left after cleaning). */
  signature: Uint32Array | null;
}

/** Category top-3, request type, urgency, place and keywords of a normalised text (and normalised address);
 *  evidence for the first `explained` categories (intake keeps only the top one's). */
export function textTags(state: Pick<TaggingState, 'model' | 'modelVersion' | 'categories' | 'gazetteer'>, norm: string, address: string | null, explained = 3): TextTags {
  return {
    modelVersion: state.modelVersion,
    category: categorySuggestions(state as TaggingState, norm, 3, explained),
    requestType: detectRequestType(norm),
    urgency: detectUrgency(norm),
    place: state.gazetteer.resolve(norm, address),
    keywords: extractKeywords(norm, 5, state.model?.keywordIdf),
    signature: minhash(norm), // the same as of the raw text: minhash normalises first
  };
}

/** What intake stores of the suggestions: the text's tags and near-identical earlier cases, without reading the
 *  database (the index knows each case's number); the caller's earlier cases are found by the insert itself (see
 *  hooks.ts), so that a request meets the database once, when it is stored. */
export interface IntakeSuggestions {
  tags: TextTags;
  similar: { id: number; caseNo: string; similarity: number }[];
  warnings: string[];
}

/** The analysis both callers share: checks and normalises the text, tags it (in a tagging thread when there is one)
 *  and finds near-identical earlier cases in the index. `beside` runs while the text is being tagged. */
async function analyse<T>(ctx: AppContext, input: SuggestInput, beside: (state: TaggingState, at: Date) => Promise<T>) {
  const raw = [input.title, input.text].filter(Boolean).join(' ');
  if (raw.length > MAX_INPUT_CHARS + 1000) throw validationError({ text: `文本不能超过 ${MAX_INPUT_CHARS} 个字符` });
  const norm = normalizeText(raw);
  if (!norm) throw validationError({ text: '文本为空（去除空白和控制字符后没有内容）' });
  const warnings: string[] = [];
  if (!hasChinese(norm)) warnings.push('no_chinese');
  if (raw.length > MAX_ANALYSED_CHARS) warnings.push('truncated');
  const state = await taggingState(ctx);
  const address = input.address ? normalizeText(input.address) : null;
  const at = input.at ?? new Date();
  const tagsP = tagText(state, norm, address, input.topEvidenceOnly ? 1 : 3);
  tagsP.catch(() => {});
  const besides = await beside(state, at);
  const tags = await tagsP;
  const similar = state.duplicates.query(caseText(input.title, input.text), { now: at.getTime(), excludeId: input.excludeCaseId, limit: 5, signature: tags.signature });
  return { tags, similar, warnings, besides };
}

export async function intakeSuggestions(ctx: AppContext, input: SuggestInput): Promise<IntakeSuggestions> {
  const { tags, similar, warnings } = await analyse(ctx, input, async () => null);
  // (cases the index holds without a number — none since it keeps them — are named from the database)
  const unnamed = similar.filter((s) => !s.caseNo);
  const named = unnamed.length ? new Map((await casesById(ctx.db, unnamed.map((s) => s.id))).map((r) => [Number(r.id), r.case_no])) : null;
  return {
    tags,
    similar: similar.flatMap((s) => {
      const caseNo = s.caseNo ?? named?.get(s.id);
      return caseNo ? [{ id: s.id, caseNo, similarity: s.similarity }] : [];
    }),
    warnings,
  };
}

export async function suggestTags(ctx: AppContext, input: SuggestInput): Promise<Suggestions> {
  // The caller's earlier cases are looked up while the text is being tagged.
  const { tags, similar, warnings, besides: sameCaller } = await analyse(ctx, input, (state, at) => earlierCallerCases(ctx, state, input, at));
  const similarRows = similar.length ? await casesById(ctx.db, similar.map((s) => s.id)) : [];
  const byId = new Map(similarRows.map((r) => [Number(r.id), r]));
  return {
    modelVersion: tags.modelVersion,
    category: tags.category,
    topLevel: topLevel(tags.category.map((c) => ({ label: c.path[0] ?? c.name, probability: c.probability }))).map((t) => ({ name: t.label, probability: round(t.probability) })),
    requestType: tags.requestType,
    urgency: tags.urgency,
    place: tags.place,
    keywords: tags.keywords,
    similarCases: similar
      .filter((s) => byId.has(s.id))
      .map((s) => ({ id: s.id, caseNo: byId.get(s.id)!.case_no, title: byId.get(s.id)!.title, similarity: s.similarity, receivedAt: s.receivedAt, status: byId.get(s.id)!.status })),
    sameCaller,
    warnings,
  };
}

async function earlierCallerCases(ctx: AppContext, state: TaggingState, input: SuggestInput, at: Date) {
  const phone = input.callerPhone ? normalizePhone(input.callerPhone) : null;
  const hash = phone ? ctx.secrets.hash(phone) : null;
  if (!hash) return [];
  const since = new Date(at.getTime() - state.settings.repeatCallerWindowDays * 86400_000);
  const rows = await callerCases(ctx.db, { hash, since: since.toISOString(), upto: at.toISOString(), excl: input.excludeCaseId ?? 0 });
  return rows.map((r) => ({ id: Number(r.id), caseNo: r.case_no, title: r.title, receivedAt: new Date(r.received_at).toISOString(), status: r.status }));
}

// Concurrent intakes look up together: one statement for all lookups that arrive while the previous one runs.
type CaseRef = { id: number; case_no: string; title: string | null; received_at: Date; status: string };

/** The latest 10 cases of a caller (keyed phone hash) in a time window, excluding one case. */
const callerCases = coalescedPer((db: Db) => async (keys: { hash: string; since: string; upto: string; excl: number }[]) => {
  const rows = await db.query<CaseRef & { i: number }>(
    `SELECT q.i, c.* FROM json_to_recordset($1::text::json) AS q(i int, hash text, since timestamptz, upto timestamptz, excl bigint)
     CROSS JOIN LATERAL (SELECT id, case_no, title, received_at, status FROM cases
       WHERE caller_phone_hash = q.hash AND received_at >= q.since AND received_at <= q.upto AND id <> q.excl
       ORDER BY received_at DESC LIMIT 10) c
     ORDER BY q.i, c.received_at DESC`,
    [JSON.stringify(keys.map((k, i) => ({ ...k, i })))],
  );
  const out = keys.map((): CaseRef[] => []);
  for (const r of rows) out[r.i]!.push(r);
  return out;
});

/** Case references by id (ids that do not exist are left out). */
const casesById = coalescedPer((db: Db) => async (keys: number[][]) => {
  const rows = await db.query<CaseRef>('SELECT id, case_no, title, received_at, status FROM cases WHERE id = ANY($1::bigint[])', [[...new Set(keys.flat())]]);
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  return keys.map((ids) => ids.flatMap((id) => byId.get(id) ?? []));
});
