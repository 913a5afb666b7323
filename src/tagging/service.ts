// The tagging state of a running process: active model, category names, place gazetteer and the
// near-duplicate index. Built once per database on first use (or at start), refreshed when a model is
// activated or a case arrives.
import type { Db } from '../store/db.ts';
import type { AppContext } from '../server/context.ts';
import { deserializeModel, type TextModel } from './classifier.ts';
import { Gazetteer } from './places.ts';
import { NearDuplicateIndex } from './near-duplicates.ts';

export interface TaggingSettings {
  /** Days back to look for near-identical texts. */
  duplicateWindowDays: number;
  /** Days back to look for earlier cases of the same caller. */
  repeatCallerWindowDays: number;
  /** Estimated Jaccard similarity above which two texts are near-identical. */
  duplicateThreshold: number;
  /** Similarity above which intake sets repeat_of. */
  repeatOfThreshold: number;
}

export const DEFAULT_SETTINGS: TaggingSettings = { duplicateWindowDays: 30, repeatCallerWindowDays: 90, duplicateThreshold: 0.6, repeatOfThreshold: 0.8 };

export interface CategoryInfo {
  code: string;
  name: string;
  path: string[];
}

export interface TaggingState {
  settings: TaggingSettings;
  model: TextModel | null;
  modelVersion: number | null;
  categories: Map<string, CategoryInfo>;
  gazetteer: Gazetteer;
  duplicates: NearDuplicateIndex;
}

const states = new WeakMap<Db, Promise<TaggingState>>();

export function taggingState(ctx: Pick<AppContext, 'db'>): Promise<TaggingState> {
  let s = states.get(ctx.db);
  if (!s) {
    s = buildState(ctx.db);
    states.set(ctx.db, s);
    s.catch(() => states.delete(ctx.db));
  }
  return s;
}

/** Forgets the cached state (after reference data changed or a bulk load); the next use rebuilds it. */
export function resetTaggingState(db: Db): void {
  states.delete(db);
}

async function loadSettings(db: Db): Promise<TaggingSettings> {
  const rows = await db.query<{ value: Partial<TaggingSettings> }>(`SELECT value FROM settings WHERE key = 'tagging'`);
  return { ...DEFAULT_SETTINGS, ...(rows[0]?.value ?? {}) };
}

async function buildState(db: Db): Promise<TaggingState> {
  const settings = await loadSettings(db);
  const gazetteer = await Gazetteer.load(db);
  const categories = await loadCategories(db);
  const state: TaggingState = { settings, model: null, modelVersion: null, categories, gazetteer, duplicates: new NearDuplicateIndex(settings.duplicateWindowDays, settings.duplicateThreshold) };
  await loadActiveModel(db, state);
  await fillDuplicateIndex(db, state);
  return state;
}

export async function loadCategories(db: Db): Promise<Map<string, CategoryInfo>> {
  const rows = await db.query<{ code: string; name: string; path: string[] }>('SELECT code, name, path FROM categories');
  return new Map(rows.map((r) => [r.code, { code: r.code, name: r.name, path: r.path }]));
}

export async function loadActiveModel(db: Db, state: TaggingState): Promise<void> {
  const rows = await db.query<{ version: number; model: Uint8Array }>(`SELECT version, model FROM tag_models WHERE kind = 'category' AND active LIMIT 1`);
  if (!rows.length || !rows[0].model) return;
  const m = rows[0].model;
  state.model = deserializeModel(Buffer.from(m.buffer, m.byteOffset, m.byteLength));
  state.modelVersion = rows[0].version;
}

/** The near-duplicate index from the cases of the window, read in pages by id. */
async function fillDuplicateIndex(db: Db, state: TaggingState, now = Date.now()): Promise<void> {
  const since = new Date(now - state.settings.duplicateWindowDays * 86400_000);
  let after = 0;
  for (;;) {
    const rows = await db.query<{ id: number; case_no: string; content: string; title: string | null; received_at: Date }>(
      `SELECT id, case_no, content, title, received_at FROM cases WHERE received_at >= $1 AND id > $2 ORDER BY id LIMIT 20000`,
      [since, after],
    );
    if (!rows.length) break;
    // Index in time order so expiry can drop from the front.
    for (const r of rows.sort((a, b) => a.received_at.getTime() - b.received_at.getTime())) state.duplicates.add(Number(r.id), caseText(r.title, r.content), r.received_at, r.case_no);
    after = Number(rows[rows.length - 1].id);
    if (rows.length < 20000) break;
  }
}

export const caseText = (title: string | null | undefined, content: string | null | undefined) => (title ? `${title} ${content ?? ''}` : (content ?? ''));
