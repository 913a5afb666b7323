// Tagging end to end on both engines: model versions in the database, suggest API (incl. bad input),
// corrections (case + case_events + tag_feedback in one transaction), intake enrichment, retraining.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { engines } from '../../tests/engines.ts';
import { authHeaders, signedInApp } from '../../tests/auth.ts';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../config.ts';
import { createSecrets } from '../shared/secrets.ts';
import { SYSTEM_ACTOR, type AppContext } from '../server/context.ts';
import type { Db } from '../store/db.ts';
import { serializeModel, trainModel } from './classifier.ts';
import { startRetrain, storeModel, trainFromDatabase, waitForRetrain } from './train-from-database.ts';
import { enrichDraft, taggingHooks } from './hooks.ts';
import { resetTaggingState, taggingState } from './service.ts';
import { CODE_OF, insertCase, seedTaggingFixture, TINY_CORPUS } from './fixtures.ts';

for (const engine of engines()) {
  describe(`tagging API (${engine.name})`, () => {
    let db: Db;
    let ctx: AppContext;
    let app: FastifyInstance;
    const phone = '13912345678';

    beforeAll(async () => {
      db = await engine.open();
      await seedTaggingFixture(db);
      ctx = { db, config: loadConfig({ dataDir: '/tmp/minsheng-tagging-test' }), secrets: createSecrets('test-secret-0123456789abcdef') };
      const model = trainModel(TINY_CORPUS.map((r) => r.text), TINY_CORPUS.map((r) => CODE_OF[r.label]));
      await storeModel(ctx, model, serializeModel(model), { actor: SYSTEM_ACTOR, source: 'test' });
      const old = new Date(Date.now() - 3 * 86400_000);
      await insertCase(db, { content: '万科魅力之城小区夜间施工噪音扰民，凌晨两点还在打桩，严重影响休息', categoryCode: 'C0101', receivedAt: old, phoneHash: ctx.secrets.hash(phone) });
      resetTaggingState(db);
      app = await signedInApp(await buildApp(ctx), db, 'operator');
    });
    afterAll(async () => {
      await app?.close();
      await db?.close();
    });

    it('suggests category top-3 with codes, paths, probabilities and evidence, and every other tag', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/tagging/suggest', payload: { text: '魅力之城小区夜间施工噪音扰民，凌晨两点还在打桩，严重影响休息。我要投诉', callerPhone: phone } });
      expect(res.statusCode).toBe(200);
      const s = res.json();
      expect(s.modelVersion).toBe(1);
      expect(s.category[0]).toMatchObject({ code: 'C0101', name: '噪声污染', path: ['环境保护', '噪声污染'] });
      expect(s.category[0].probability).toBeGreaterThan(0.34);
      expect(s.category[0].evidence.length).toBeGreaterThan(0);
      expect(s.topLevel[0].name).toBe('环境保护');
      expect(s.requestType.type).toBe('complaint');
      expect(s.urgency.level).toBe('normal');
      expect(s.place).toMatchObject({ compoundId: 'CP-MEILI', districtCode: '430104', communityCode: '430104001001' });
      expect(s.keywords.length).toBeGreaterThan(0);
      expect(s.similarCases).toHaveLength(1);
      expect(s.similarCases[0].similarity).toBeGreaterThan(0.6);
      expect(s.sameCaller).toHaveLength(1);
      expect(JSON.stringify(s)).not.toContain(phone);
    });

    it('documents its routes in the OpenAPI document', async () => {
      const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/tagging/suggest', '/api/tagging/models', '/api/tagging/train']));
    });

    it('answers bad input with a defined result or a clear 400', async () => {
      const post = (payload: unknown) => app.inject({ method: 'POST', url: '/api/tagging/suggest', payload: payload as object });
      const empty = await post({ text: '' });
      expect(empty.statusCode).toBe(400);
      expect(empty.json().error).toMatchObject({ code: 'validation_failed', fields: { text: expect.any(String) } });
      const blank = await post({ text: ' \u0000\u0007\u200b ' });
      expect(blank.statusCode).toBe(400);
      expect(blank.json().error.fields.text).toMatch(/为空/);
      expect((await post({})).statusCode).toBe(400);
      expect((await post({ text: 42 })).statusCode).toBe(400);
      const latin = await post({ text: 'street light broken' });
      expect(latin.statusCode).toBe(200);
      expect(latin.json().warnings).toContain('no_chinese');
      const emoji = await post({ text: '😡😡 噪音 🔊 扰民' });
      expect(emoji.statusCode).toBe(200);
      expect(emoji.json().category[0].code).toBe('C0101');
      const control = await post({ text: '\u001b[31m物业\u0000乱收费\u0007' });
      expect(control.statusCode).toBe(200);
      expect(control.json().category[0].code).toBe('C0201');
      const long = await post({ text: '物业乱收费'.repeat(20_000) });
      expect(long.statusCode).toBe(200);
      expect(long.json().warnings).toContain('truncated');
      const tooLong = await post({ text: '长'.repeat(100_001) });
      expect(tooLong.statusCode).toBe(400);
      expect(tooLong.json().error.fields.text).toMatch(/100000/);
    });

    it('fills missing tags at intake and keeps the suggestions with model version and evidence', async () => {
      const draft: Record<string, unknown> = { channel: '12345', content: '望月湖社区有工厂燃气泄漏，气味很大，请速处理', callerPhoneHash: ctx.secrets.hash(phone), requestType: 'help' };
      await enrichDraft(ctx, draft);
      expect(draft.requestType).toBe('help'); // the operator's choice stays
      expect(draft.urgency).toBe('urgent');
      expect(draft.communityCode).toBe('430104001001');
      expect(Array.isArray(draft.keywords)).toBe(true);
      const auto = (draft.tags as any).auto;
      expect(auto.modelVersion).toBe(1);
      expect(auto.category.probability).toBeGreaterThan(0);
      expect(auto.category.evidence.length).toBeGreaterThan(0);
      expect(auto.urgency.cues[0].cue).toBe('燃气泄漏');
      expect(auto.sameCaller).toEqual({ withinDays: 90 }); // the lookup the insert does (intake.test.ts)

      const dup: Record<string, unknown> = { channel: '12345', content: '万科魅力之城小区夜间施工噪音扰民，凌晨两点还在打桩，严重影响休息' };
      await enrichDraft(ctx, dup);
      expect(dup.repeatOf).toBeGreaterThan(0);
      expect(dup.categoryCode).toBe('C0101');
    });

    it('records a correction: case updated, case_events and tag_feedback rows written together', async () => {
      const tags = { auto: { modelVersion: 1, category: { code: 'C0201' }, requestType: { type: 'complaint' }, urgency: { level: 'normal' }, keywords: ['物业'] } };
      const id = await insertCase(db, { content: '小区门口夜里施工很吵', categoryCode: 'C0201', tags });
      const res = await app.inject({ method: 'POST', url: `/api/cases/${id}/tags`, payload: { categoryCode: 'C0101', accept: ['requestType'] } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ caseId: id, changed: ['category'], feedback: 2 });
      const [c] = await db.query('SELECT category_code, version FROM cases WHERE id = $1', [id]);
      expect(c).toMatchObject({ category_code: 'C0101', version: 2 });
      const fb = await db.query('SELECT field, suggested, chosen, accepted, model_version, actor FROM tag_feedback WHERE case_id = $1 ORDER BY id', [id]);
      expect(fb).toEqual([
        { field: 'category', suggested: 'C0201', chosen: 'C0101', accepted: false, model_version: 1, actor: expect.any(String) },
        { field: 'requestType', suggested: 'complaint', chosen: 'complaint', accepted: true, model_version: 1, actor: expect.any(String) },
      ]);
      const ev = await db.query(`SELECT action, data FROM case_events WHERE case_id = $1`, [id]);
      expect(ev).toHaveLength(1);
      expect(ev[0].action).toBe('retag');

      const bad = await app.inject({ method: 'POST', url: `/api/cases/${id}/tags`, payload: { categoryCode: 'NOPE' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.fields.categoryCode).toBeTruthy();
      expect((await db.query('SELECT count(*)::int AS n FROM tag_feedback WHERE case_id = $1', [id]))[0].n).toBe(2); // rolled back
      expect((await app.inject({ method: 'POST', url: `/api/cases/999999/tags`, payload: { urgency: 'urgent' } })).statusCode).toBe(404);
      expect((await app.inject({ method: 'POST', url: `/api/cases/${id}/tags`, payload: {} })).statusCode).toBe(400);
      expect((await app.inject({ method: 'POST', url: `/api/cases/${id}/tags`, payload: { place: 'x' } })).statusCode).toBe(400);
    });

    it('retrains from the labelled history plus feedback in a worker and activates the new version', async () => {
      for (const r of TINY_CORPUS) await insertCase(db, { content: r.text, categoryCode: CODE_OF[r.label] });
      // Operators may not retrain; admins may, one retrain at a time.
      expect((await app.inject({ method: 'POST', url: '/api/tagging/train' })).statusCode).toBe(403);
      const admin = await authHeaders(db, 'admin');
      const started = await app.inject({ method: 'POST', url: '/api/tagging/train', headers: admin });
      expect(started.statusCode).toBe(202);
      expect(started.json().status).toBe('training');
      await expect(startRetrain(ctx, { id: 'admin', name: '管理员', role: 'admin' })).rejects.toMatchObject({ code: 'training_in_progress' });
      await waitForRetrain(db);
      const models = (await app.inject({ method: 'GET', url: '/api/tagging/models' })).json().models;
      expect(models[0]).toMatchObject({ version: 2, status: 'ready', active: true, feedback: 1 });
      expect(models[1]).toMatchObject({ version: 1, active: false });
      expect(models[0].docs).toBeGreaterThan(TINY_CORPUS.length);
      expect((await taggingState(ctx)).modelVersion).toBe(2);
      const s = (await app.inject({ method: 'POST', url: '/api/tagging/suggest', payload: { text: '物业乱收费' } })).json();
      expect(s.modelVersion).toBe(2);
    });

    it('trains a first model after a bulk load when none is active', async () => {
      await db.query('UPDATE tag_models SET active = false');
      await taggingHooks.afterBulkLoad!(ctx, { fromDay: '2026-01-01', toDay: '2026-12-31' });
      await waitForRetrain(db); // trained in the background
      const [m] = await db.query(`SELECT version, source FROM tag_models WHERE active`);
      expect(m).toMatchObject({ version: 3, source: 'bulk-load' });
      await expect(trainFromDatabase(ctx, SYSTEM_ACTOR)).resolves.toMatchObject({ version: 4 });
    });
  });
}
