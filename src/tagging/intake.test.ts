// Tagging through the real intake path (createCase → enrich hook → insert → afterCommit).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../tests/engines.ts';
import { testContext } from '../../tests/fixtures/context.ts';
import { createCase } from '../cases/create-case.ts';
import { registerCaseHooks } from '../cases/hooks.ts';
import { flushCaseNotifications } from '../cases/notify.ts';
import { SYSTEM_ACTOR, type AppContext } from '../server/context.ts';
import type { Db } from '../store/db.ts';
import { serializeModel, trainModel } from './classifier.ts';
import { storeModel } from './train-from-database.ts';
import { taggingHooks } from './hooks.ts';
import { setTaggingThreads } from './tag-in-worker.ts';
import { CODE_OF, seedTaggingFixture, TINY_CORPUS } from './fixtures.ts';

const operator = { id: 'op1', name: '话务员', role: 'operator' as const };

// On the main thread, and in a tagging thread (the server's default).
for (const [engine, threads] of engines().flatMap((e) => [[e, 0], [e, 1]] as const)) {
  describe(`tagging at intake (${engine.name}, ${threads} tagging threads)`, () => {
    let db: Db;
    let ctx: AppContext;
    beforeAll(async () => {
      setTaggingThreads(threads);
      db = await engine.open();
      await seedTaggingFixture(db);
      ctx = testContext(db);
      registerCaseHooks(taggingHooks);
      const model = trainModel(TINY_CORPUS.map((r) => r.text), TINY_CORPUS.map((r) => CODE_OF[r.label]));
      await storeModel(ctx, model, serializeModel(model), { actor: SYSTEM_ACTOR, source: 'test' });
    });
    afterAll(async () => {
      setTaggingThreads(0);
      if (db) await flushCaseNotifications(db); // the coalesced NOTIFY of the last case, before the database closes
      await db?.close();
    });

    it('fills category, type, urgency, place and keywords and stores the suggestions in tags', async () => {
      const c = await createCase(ctx, { channel: '12345', content: '魅力之城小区燃气泄漏，同时夜间施工噪音扰民，我要投诉', callerPhone: '13800138000' }, operator);
      expect(c.categoryCode).toBe('C0101');
      expect(c.requestType).toBe('complaint');
      expect(c.urgency).toBe('urgent');
      expect(c.compoundId).toBe('CP-MEILI');
      expect(c.districtCode).toBe('430104');
      expect(c.keywords.length).toBeGreaterThan(0);
      const [row] = await db.query('SELECT tags FROM cases WHERE id = $1', [c.id]);
      expect(row.tags.auto).toMatchObject({ modelVersion: 1, category: { code: 'C0101' }, urgency: { level: 'urgent' } });
      expect(row.tags.auto.category.evidence.length).toBeGreaterThan(0);
    });

    it('keeps what the operator chose and marks a near-identical repeat', async () => {
      const text = '公司拖欠工资三个月不发，老板一直推脱，十几名工人讨薪无门';
      const first = await createCase(ctx, { channel: '12345', content: text, callerPhone: '13900139000' }, operator);
      const second = await createCase(ctx, { channel: '12345', content: text + '！', callerPhone: '13900139000', categoryCode: 'C0201', requestType: 'help' }, operator);
      expect(second.categoryCode).toBe('C0201');
      expect(second.requestType).toBe('help');
      const [row] = await db.query('SELECT repeat_of, tags FROM cases WHERE id = $1', [second.id]);
      expect(Number(row.repeat_of)).toBe(first.id);
      expect(row.tags.auto.sameCaller.map((x: { id: number }) => x.id)).toContain(first.id);
      expect(row.tags.auto.category.code).toBe('C0301'); // the suggestion is kept even when not used
      expect(row.tags.auto.duplicates[0]).toMatchObject({ id: first.id, caseNo: first.caseNo });
    });

    it("finds the caller's earlier cases inside the insert: the window only, newest first, answered as stored", async () => {
      const phone = '13700137000';
      const daysAgo = (d: number) => new Date(Date.now() - d * 86400_000).toISOString();
      const call = (content: string, extra: Record<string, unknown> = {}) => createCase(ctx, { channel: '12345', content, callerPhone: phone, ...extra }, operator);
      await call('路灯不亮，晚上出行不便', { receivedAt: daysAgo(100) }); // before the 90-day window
      const a = await call('小区垃圾清运不及时，楼下堆满了', { receivedAt: daysAgo(30) });
      const b = await call('公交站台的顶棚破了，下雨没法等车', { receivedAt: daysAgo(2) });
      await createCase(ctx, { channel: '12345', content: '井盖松动，车辆经过响声很大', callerPhone: '13600136000' }, operator); // another caller
      const c = await call('菜市场门口占道经营，人车混行');
      const earlier = [{ id: b.id, caseNo: b.caseNo }, { id: a.id, caseNo: a.caseNo }];
      expect((c.tags as any).auto.sameCaller).toEqual(earlier);
      const [row] = await db.query('SELECT tags FROM cases WHERE id = $1', [c.id]);
      expect(row.tags.auto.sameCaller).toEqual(earlier);
      const anonymous = await createCase(ctx, { channel: 'web', content: '建议在公园增设健身器材' }, operator);
      expect((anonymous.tags as any).auto.sameCaller).toEqual([]);
      // Tags a client sent where tagging found nothing to analyse are stored as sent, whatever they hold.
      for (const withinDays of ['x', 1e12, -5]) {
        const odd = await call('\u0007\u0007', { tags: { auto: { sameCaller: { withinDays } } } });
        expect((odd.tags as any).auto.sameCaller).toEqual(typeof withinDays === 'number' ? expect.any(Array) : { withinDays });
      }
    });
  });
}
