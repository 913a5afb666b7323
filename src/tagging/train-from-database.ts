// Retraining from the labelled history in the database plus the operators' corrections (corrected cases
// count twice), in a worker thread; the new version becomes the active model when it is done.
import type { Db } from '../store/db.ts';
import type { Actor, AppContext } from '../server/context.ts';
import { unprocessable } from '../shared/errors.ts';
import type { TextModel, TrainOptions } from './classifier.ts';
import { trainInWorker } from './train-in-worker.ts';
import { caseText, taggingState } from './service.ts';

export const MAX_TRAINING_CASES = 200_000;

export interface TrainingSet {
  texts: string[];
  labels: string[];
  feedback: number;
}

export async function loadTrainingSet(db: Db, limit = MAX_TRAINING_CASES): Promise<TrainingSet> {
  const rows = await db.query<{ title: string | null; content: string; category_code: string; corrected: boolean }>(
    `SELECT c.title, c.content, c.category_code,
            EXISTS (SELECT 1 FROM tag_feedback f WHERE f.case_id = c.id AND f.field = 'category') AS corrected
       FROM cases c JOIN categories k ON k.code = c.category_code
      ORDER BY c.received_at DESC LIMIT $1`,
    [limit],
  );
  const texts: string[] = [];
  const labels: string[] = [];
  let feedback = 0;
  for (const r of rows) {
    const t = caseText(r.title, r.content);
    texts.push(t);
    labels.push(r.category_code);
    if (r.corrected) {
      feedback++;
      texts.push(t);
      labels.push(r.category_code);
    }
  }
  return { texts, labels, feedback };
}

async function newVersion(db: Db, actor: Actor, source: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      const [r] = await db.query<{ version: number }>(
        `INSERT INTO tag_models (version, status, source, created_by) SELECT coalesce(max(version), 0) + 1, 'training', $1, $2 FROM tag_models RETURNING version`,
        [source, actor.id],
      );
      return r.version;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

/** Stores a trained model as a new version and makes it the active one. */
export async function storeModel(ctx: AppContext, model: TextModel, bytes: Buffer, info: { actor: Actor; source: string; feedback?: number; version?: number; metrics?: Record<string, unknown> }): Promise<number> {
  const version = info.version ?? (await newVersion(ctx.db, info.actor, info.source));
  await ctx.db.tx(async (tx) => {
    await tx.query(`UPDATE tag_models SET active = false WHERE kind = 'category' AND active`);
    await tx.query(
      `UPDATE tag_models SET status = 'ready', active = true, model = $2, labels = $3, docs = $4, feedback = $5, size_bytes = $6, metrics = $7::text::jsonb, finished_at = now() WHERE version = $1`,
      [version, bytes, model.labels.length, model.meta.trainedDocs, info.feedback ?? 0, bytes.length, JSON.stringify({ trainS: round(model.meta.trainS), scale: round(model.scale), features: model.keys.length, ...info.metrics })],
    );
  });
  const state = await taggingState(ctx);
  state.model = model;
  state.modelVersion = version;
  await ctx.db.notify('tag_model_changed', JSON.stringify({ version })).catch(() => {});
  return version;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Trains from the database; resolves when the new model is active. */
export async function trainFromDatabase(ctx: AppContext, actor: Actor, opts: { source?: string; options?: TrainOptions; limit?: number } = {}): Promise<{ version: number; docs: number; labels: number }> {
  const set = await loadTrainingSet(ctx.db, opts.limit);
  const distinct = new Set(set.labels).size;
  if (distinct < 2) throw unprocessable('not_enough_labels', '带分类的历史工单不足（至少需要两个分类），无法训练', { cases: `已有 ${set.texts.length} 件，${distinct} 个分类` });
  const version = await newVersion(ctx.db, actor, opts.source ?? 'database');
  try {
    const state = await taggingState(ctx);
    const { model, bytes } = await trainInWorker(set.texts, set.labels, opts.options ?? {}, state.gazetteer.words);
    await storeModel(ctx, model, bytes, { actor, source: opts.source ?? 'database', feedback: set.feedback, version });
    return { version, docs: set.texts.length, labels: model.labels.length };
  } catch (err) {
    await ctx.db.query(`UPDATE tag_models SET status = 'failed', error = $2, finished_at = now() WHERE version = $1`, [version, String((err as Error).message).slice(0, 500)]).catch(() => {});
    throw err;
  }
}

const running = new WeakMap<Db, Promise<unknown>>();

/** Starts a retrain in the background (one at a time per process); returns the version being trained. */
export async function startRetrain(ctx: AppContext, actor: Actor, opts: { source?: string; limit?: number; onError?: (err: unknown) => void } = {}): Promise<{ status: 'training'; cases: number }> {
  if (running.has(ctx.db)) throw unprocessable('training_in_progress', '模型正在训练中，请稍后再试');
  const set = await loadTrainingSet(ctx.db, 1);
  if (!set.texts.length) throw unprocessable('not_enough_labels', '没有带分类的历史工单，无法训练');
  const p = trainFromDatabase(ctx, actor, { source: opts.source, limit: opts.limit })
    .catch((err) => opts.onError?.(err))
    .finally(() => running.delete(ctx.db));
  running.set(ctx.db, p);
  const [{ n }] = await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases WHERE category_code IS NOT NULL');
  return { status: 'training', cases: n };
}

/** For tests and shutdown: waits for a background retrain of this database, if any. */
export async function waitForRetrain(db: Db): Promise<void> {
  await running.get(db);
}
