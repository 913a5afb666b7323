import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { engines } from '../../tests/engines.ts';
import { REF } from '../../tests/fixtures/reference.ts';
import { seededContext, testContext } from '../../tests/fixtures/context.ts';
import { buildApp } from '../server/app.ts';
import { signedInject } from '../../tests/fixtures/http.ts';
import type { Db } from '../store/db.ts';
import type { AppContext } from '../server/context.ts';
import { registerCaseHooks, caseHooks } from './hooks.ts';
import { createCase } from './create-case.ts';
import { batchTiming } from './insert-cases.ts';
import { SYSTEM_ACTOR } from '../server/context.ts';

for (const engine of engines()) {
  describe(`intake (${engine.name})`, () => {
    let db: Db;
    let ctx: AppContext;
    let app: FastifyInstance;
    let inject: ReturnType<typeof signedInject>;
    beforeAll(async () => {
      ({ db, ctx } = await seededContext(engine));
      app = await buildApp(ctx);
      inject = signedInject(app, db);
    });
    afterAll(async () => {
      await app?.close();
      await db?.close();
    });
    const dropTestHooks = () => (caseHooks() as any[]).splice(0, caseHooks().length, ...caseHooks().filter((h) => !h.name.startsWith('test-')));
    /** The same database seen through a proxy that reports each batch insert's parameters (the batcher keys its
     *  queue by Db, so cases created through it form batches of their own). */
    const tracingInserts = (onInsert: (params: unknown[]) => void): Db =>
      new Proxy(db, {
        get: (target, key) =>
          key === 'query'
            ? (sql: string, params?: unknown[]) => (/INSERT INTO cases/.test(sql) && onInsert(params ?? []), target.query(sql, params))
            : (target as any)[key],
      });
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      inject({ method: 'POST', url: '/api/cases', payload: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

    it('creates a case from the smallest valid body, phone masked and encrypted', async () => {
      const r = await post({ channel: '12345', content: '小区门口施工噪音扰民', callerPhone: '13800138000' });
      expect(r.statusCode).toBe(201);
      const c = r.json();
      expect(c.id).toBeGreaterThan(0);
      expect(c.caseNo).toMatch(/^\d{8}-\d{6}$/);
      expect(c.status).toBe('received');
      expect(c.callerPhone).toBe('138****8000');
      const [row] = await db.query('SELECT * FROM cases WHERE id = $1', [c.id]);
      expect(JSON.stringify(row)).not.toContain('13800138000');
      expect(ctx.secrets.decrypt(row!.caller_phone_enc)).toBe('13800138000');
      const g = await inject({ method: 'GET', url: `/api/cases/${c.id}` });
      expect(g.statusCode).toBe(200);
      expect(g.json().events).toHaveLength(1);
      expect(g.json().events[0]).toMatchObject({ action: 'create', toStatus: 'received', data: { actorRole: 'operator' } });
      const ev = g.json().events[0];
      const [user] = await db.query('SELECT name FROM users WHERE id::text = $1', [ev.actor]);
      expect(ev.actorName).toBe(user!.name); // the timeline names people, not ids
      // Where the request's time went, for devtools and the intake benchmark.
      const stages = Object.fromEntries(String(r.headers['server-timing']).split(', ').map((p) => [p.split(';')[0], Number(p.split('dur=')[1])]));
      expect(Object.keys(stages)).toEqual(['tag', 'queue', 'db', 'total']);
      for (const ms of Object.values(stages)) expect(ms).toBeGreaterThanOrEqual(0);
      expect(stages.total).toBeGreaterThanOrEqual(stages.tag! + stages.db! - 0.2); // (rounded to 0.1 ms each)
      expect(ev.actorName).not.toBe(ev.actor);
    });

    it('derives place parents, names and category path', async () => {
      const r = await post({ channel: 'web', content: '物业乱收费', callerPhone: '0731-84567890', callerName: '张三丰', compoundId: REF.compoundMeili, categoryCode: REF.categories.propertyFee, requestType: 'complaint' });
      expect(r.statusCode).toBe(201);
      const c = r.json();
      expect(c).toMatchObject({ communityCode: REF.wenyiCommunity, streetCode: REF.wenyilu, districtCode: REF.furong, districtName: '芙蓉区', compoundName: '魅力之城小区', callerName: '张**' });
      expect(c.categoryPath).toEqual(['城乡建设', '物业管理', '物业收费']);
      expect(c.callerPhone).toBe('********7890');
    });

    it('accepts a compound added after places were cached, and still rejects a wrong parent', async () => {
      expect((await post({ channel: 'web', content: '小区路灯不亮', compoundId: REF.compoundMeili })).statusCode).toBe(201); // places now cached
      await db.query(`INSERT INTO compounds (id, name, community_code) VALUES ('C-NEW-1', '新建小区', $1)`, [REF.wenyiCommunity]);
      const r = await post({ channel: 'web', content: '新小区路灯不亮', compoundId: 'C-NEW-1' });
      expect(r.statusCode).toBe(201);
      expect(r.json()).toMatchObject({ communityCode: REF.wenyiCommunity, streetCode: REF.wenyilu, districtCode: REF.furong });
      const bad = await post({ channel: 'web', content: '新小区路灯不亮', compoundId: 'C-NEW-1', districtCode: REF.yuelu });
      expect(bad.statusCode).toBe(400);
      expect(Object.keys(bad.json().error.fields)).toContain('streetCode');
    });

    it('rejects bad input naming each field', async () => {
      const cases: [unknown, string, number, string?][] = [
        ['{"channel": "12345", ', 'malformed_json', 400],
        [{ content: '内容', callerPhone: '13800138000' }, 'validation_failed', 400, 'channel'],
        [{ channel: '12345', callerPhone: '13800138000' }, 'validation_failed', 400, 'content'],
        [{ channel: '12345', content: 123, callerPhone: '13800138000' }, 'validation_failed', 400, 'content'],
        [{ channel: '12345', content: '   ', callerPhone: '13800138000' }, 'validation_failed', 400, 'content'],
        [{ channel: '12345', content: '长'.repeat(10_001), callerPhone: '13800138000' }, 'validation_failed', 400, 'content'],
        [{ channel: '12345', content: '内容', title: '题'.repeat(201) }, 'validation_failed', 400, 'title'],
        [{ channel: '12345', content: '内容', callerPhone: '12345' }, 'validation_failed', 400, 'callerPhone'],
        [{ channel: '12345', content: '内容', callerPhone: '1380013800a' }, 'validation_failed', 400, 'callerPhone'],
        [{ channel: '12345', content: '内容', callerPhone: 13800138000 }, 'validation_failed', 400, 'callerPhone'],
        [{ channel: 'fax', content: '内容' }, 'validation_failed', 400, 'channel'],
        [{ channel: '12345', content: '内容', categoryCode: 'NOPE' }, 'validation_failed', 400, 'categoryCode'],
        [{ channel: '12345', content: '内容', unitId: 'U-NOPE' }, 'validation_failed', 400, 'unitId'],
        [{ channel: '12345', content: '内容', districtCode: '999999' }, 'validation_failed', 400, 'districtCode'],
        [{ channel: '12345', content: '内容', districtCode: REF.yuelu, streetCode: REF.wenyilu }, 'validation_failed', 400, 'streetCode'],
        [{ channel: '12345', content: '内容', requestType: 'rant' }, 'validation_failed', 400, 'requestType'],
        [{ channel: '12345', content: '内容', receivedAt: 'yesterday' }, 'validation_failed', 400, 'receivedAt'],
        [{ channel: '12345', content: '内容', lat: 'north' }, 'validation_failed', 400, 'lat'],
        [[1, 2], 'validation_failed', 400],
      ];
      for (const [body, code, status, field] of cases) {
        const r = await post(body);
        expect(r.statusCode, JSON.stringify(body).slice(0, 80)).toBe(status);
        expect(r.json().error.code).toBe(code);
        expect(r.json().error.message).toMatch(/[\u4e00-\u9fff]/);
        if (field) expect(Object.keys(r.json().error.fields ?? {}), JSON.stringify(r.json())).toContain(field);
      }
      const [n] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cases WHERE content = '内容'`);
      expect(n!.n).toBe(0);
    });

    it('Idempotency-Key: same body → same case, different body → 422, a race → one case', async () => {
      const body = { channel: '12345', content: '路灯不亮', callerPhone: '13900139000' };
      const a = await post(body, { 'idempotency-key': 'k-1' });
      const b = await post(body, { 'idempotency-key': 'k-1' });
      expect(a.statusCode).toBe(201);
      expect(b.statusCode).toBe(201);
      expect(b.json().id).toBe(a.json().id);
      expect(b.headers['idempotent-replayed']).toBe('true');
      const c = await post({ ...body, content: '路灯又不亮' }, { 'idempotency-key': 'k-1' });
      expect(c.statusCode).toBe(422);
      expect(c.json().error.code).toBe('idempotency_key_reused');
      const race = await Promise.all(Array.from({ length: 6 }, () => post({ ...body, content: '并发' }, { 'idempotency-key': 'k-race' })));
      expect(race.map((r) => r.statusCode)).toEqual(Array(6).fill(201));
      expect(new Set(race.map((r) => r.json().id)).size).toBe(1);
      const [n] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cases WHERE idempotency_key = 'k-race'`);
      expect(n!.n).toBe(1);
    });

    it('a failing hook leaves no partial case or event', async () => {
      const before = await db.query<{ c: number; e: number }>(`SELECT (SELECT count(*)::int FROM cases) AS c, (SELECT count(*)::int FROM case_events) AS e`);
      registerCaseHooks({ name: 'test-boom', afterChange: async (_tx, ch) => { if (ch.after.content === '触发故障') throw new Error('boom'); } });
      registerCaseHooks({ name: 'test-enrich-boom', enrich: async (_c, d) => { if (d.content === '富化故障') throw new Error('enrich boom'); } });
      try {
        const r = await post({ channel: '12345', content: '触发故障', callerPhone: '13800138000' });
        expect(r.statusCode).toBe(500);
        expect(r.json().error.code).toBe('internal');
        await expect(createCase(ctx, { channel: '12345', content: '富化故障' }, SYSTEM_ACTOR)).rejects.toThrow('enrich boom');
        const ok = await post({ channel: '12345', content: '正常' });
        expect(ok.statusCode).toBe(201);
      } finally {
        dropTestHooks();
      }
      const after = await db.query<{ c: number; e: number }>(`SELECT (SELECT count(*)::int FROM cases) AS c, (SELECT count(*)::int FROM case_events) AS e`);
      expect(after[0]!.c).toBe(before[0]!.c + 1);
      expect(after[0]!.e).toBe(before[0]!.e + 1);
    });

    it('concurrent intake is batched, yet every request gets its own case and a bad one fails alone', async () => {
      registerCaseHooks({ name: 'test-batch-boom', afterChange: async (_tx, ch) => { if (ch.after.content === '批量故障') throw new Error('boom'); } });
      try {
        const bodies = Array.from({ length: 40 }, (_, i) => ({ channel: '12345', content: i === 17 ? '批量故障' : `批量${i}`, ...(i === 23 ? { categoryCode: 'NOPE' } : {}) }));
        const results = await Promise.allSettled(bodies.map((b) => createCase(ctx, b, SYSTEM_ACTOR)));
        const ok = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<any>).value);
        expect(ok).toHaveLength(38);
        expect(new Set(ok.map((c) => c.id)).size).toBe(38);
        expect(new Set(ok.map((c) => c.caseNo)).size).toBe(38);
        for (const c of ok) expect(c.content).toMatch(/^批量\d+$/);
        expect((results[23] as PromiseRejectedResult).reason).toMatchObject({ code: 'validation_failed', fields: { categoryCode: expect.any(String) } });
        const rows = await db.query(`SELECT c.id, count(e.id)::int AS n FROM cases c JOIN case_events e ON e.case_id = c.id WHERE c.content LIKE '批量%' GROUP BY c.id`);
        expect(rows).toHaveLength(38);
        expect(rows.every((r) => r.n === 1)).toBe(true);
      } finally {
        dropTestHooks();
      }
    });

    it('sends the next batch to the database before finishing the requests of the one just stored', async () => {
      const flushes: number[] = [];
      const traced = tracingInserts(() => flushes.push(Date.now()));
      const seen = new Map<string, number>(); // content → batches sent when its request went on after the insert
      registerCaseHooks({ name: 'test-next-batch', afterCommit: async (_ctx, c) => void seen.set(String(c.after.content), flushes.length) });
      try {
        const tctx = { ...ctx, db: traced };
        await Promise.all(['分批测试1', '分批测试2', '分批测试3'].map((content) => createCase(tctx, { channel: '12345', content }, SYSTEM_ACTOR)));
        expect(flushes).toHaveLength(2); // the first case alone, the two that came while it was stored together
        expect(seen.get('分批测试1')).toBe(2);
      } finally {
        dropTestHooks();
      }
    });

    it('under load a batch waits for the requests still being prepared, so that they share one statement', async () => {
      const flushes: string[][] = [];
      const traced = tracingInserts((params) => flushes.push(JSON.parse(String(params[0])).map((r: any) => r.content)));
      let openGate = () => {};
      const gate = new Promise<void>((r) => (openGate = r));
      // Requests 5–8 of the wave are still being enriched when 1–4 are submitted.
      registerCaseHooks({ name: 'test-slow-enrich', enrich: async (_ctx, d) => { if (/^波次[5-8]$/.test(String(d.content))) await gate; } });
      // (the waits widened from milliseconds so that a busy test machine cannot tell a different story)
      const timing = structuredClone(batchTiming);
      Object.assign(batchTiming, { lingerMs: { pglite: 2_000, postgres: 2_000 }, underLoadMs: 60_000 });
      try {
        const tctx = { ...ctx, db: traced };
        await createCase(tctx, { channel: '12345', content: '波次0' }, SYSTEM_ACTOR); // a flush just ended: under load
        const wave = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => createCase(tctx, { channel: '12345', content: `波次${i}` }, SYSTEM_ACTOR));
        setTimeout(openGate, 50);
        await Promise.all(wave);
        expect(flushes.slice(1).map((f) => f.sort())).toEqual([['波次1', '波次2', '波次3', '波次4', '波次5', '波次6', '波次7', '波次8']]);
      } finally {
        Object.assign(batchTiming, timing);
        dropTestHooks();
      }
    });

    it('a database error mid-transaction leaves nothing behind', async () => {
      // An event with an impossible timestamp fails the second insert of the same statement.
      await expect(db.query(`WITH c AS (INSERT INTO cases (case_no, channel, received_at, local_day, content, status) VALUES ('X-1', '12345', now(), current_date, 'x', 'received') RETURNING id)
        INSERT INTO case_events (case_id, at, actor, action) SELECT id, 'not a time'::timestamptz, 'a', 'create' FROM c`)).rejects.toThrow();
      expect(await db.query(`SELECT 1 FROM cases WHERE case_no = 'X-1'`)).toHaveLength(0);
    });
  });
}

describe('case_changed notifications', () => {
  it('are sent after commit with id, action and status', async () => {
    const { freshPglite } = await import('../../tests/engines.ts');
    const { flushCaseNotifications } = await import('./notify.ts');
    const db = await freshPglite();
    try {
      const ctx = testContext(db);
      const got: any[] = [];
      await db.listen('case_changed', (p) => got.push(JSON.parse(p)));
      const c = await createCase(ctx, { channel: '12345', content: '通知测试' }, SYSTEM_ACTOR);
      await flushCaseNotifications(db);
      await new Promise((r) => setTimeout(r, 50));
      expect(got).toContainEqual({ id: c.id, action: 'create', status: 'received' });
    } finally {
      await db.close();
    }
  });
});
