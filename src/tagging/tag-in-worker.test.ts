// Tagging threads give the same tags as tagging on the main thread, and follow model activations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPglite } from '../../tests/engines.ts';
import { testContext } from '../../tests/fixtures/context.ts';
import { SYSTEM_ACTOR, type AppContext } from '../server/context.ts';
import type { Db } from '../store/db.ts';
import { serializeModel, trainModel } from './classifier.ts';
import { storeModel } from './train-from-database.ts';
import { taggingState } from './service.ts';
import { textTags } from './suggest.ts';
import { normalizeText } from './text.ts';
import { setTaggingThreads, tagText, taggingThreads, warmTaggingThreads } from './tag-in-worker.ts';
import { CODE_OF, seedTaggingFixture, TINY_CORPUS } from './fixtures.ts';

const TEXTS: [string, string | null][] = [
  ['魅力之城小区燃气泄漏，同时夜间施工噪音扰民，我要投诉', null],
  ['公司拖欠工资三个月不发，老板一直推脱，十几名工人讨薪无门', '岳麓区望月湖街道'],
  ['物业乱收费，停车费涨价不合理，请问怎么办', '芙蓉区文艺路社区阳光小区'],
  ['麓山路路灯不亮', null],
  ['hello world', null],
];

describe('tagging threads', () => {
  let db: Db;
  let ctx: AppContext;
  beforeAll(async () => {
    db = await freshPglite();
    await seedTaggingFixture(db);
    ctx = testContext(db);
    const model = trainModel(TINY_CORPUS.map((r) => r.text), TINY_CORPUS.map((r) => CODE_OF[r.label]));
    await storeModel(ctx, model, serializeModel(model), { actor: SYSTEM_ACTOR, source: 'test' });
  });
  afterAll(async () => {
    setTaggingThreads(0);
    await db?.close();
  });

  it('tags every text exactly as the main thread does, concurrent texts in one batch', async () => {
    const state = await taggingState(ctx);
    const inThread = TEXTS.map(([t, a]) => textTags(state, normalizeText(t), a && normalizeText(a)));
    setTaggingThreads(1);
    await warmTaggingThreads(state); // started and sent the state before the first text
    const threaded = await Promise.all(TEXTS.map(([t, a]) => tagText(state, normalizeText(t), a && normalizeText(a))));
    expect(taggingThreads()).toBe(1); // really in a thread (not the fallback)
    expect(threaded).toEqual(inThread);
    expect(threaded[0]!.category[0]!.code).toBe('C0101');
    expect(threaded[0]!.place.compoundId).toBe('CP-MEILI');
  });

  it('tags with a newly activated model from the next text on', async () => {
    setTaggingThreads(1);
    const state = await taggingState(ctx);
    const before = await tagText(state, normalizeText(TEXTS[0]![0]), null);
    expect(before.modelVersion).toBe(1);
    // A model that knows only two of the labels: the first text can no longer be noise.
    const rows = TINY_CORPUS.filter((r) => r.label !== '环境保护/噪声污染');
    const model = trainModel(rows.map((r) => r.text), rows.map((r) => CODE_OF[r.label]));
    await storeModel(ctx, model, serializeModel(model), { actor: SYSTEM_ACTOR, source: 'test' });
    const after = await tagText(state, normalizeText(TEXTS[0]![0]), null);
    expect(after.modelVersion).toBe(2);
    expect(after.category.map((c) => c.code)).not.toContain('C0101');
    expect(after).toEqual(textTags(state, normalizeText(TEXTS[0]![0]), null));
  });
});
