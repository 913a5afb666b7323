import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { engines } from '../../tests/engines.ts';
import { seedTestReference, REF } from '../../tests/fixtures/reference.ts';
import { testContext } from '../../tests/fixtures/context.ts';
import { buildApp } from '../server/app.ts';
import { signedInject } from '../../tests/fixtures/http.ts';
import type { Db } from '../store/db.ts';

for (const engine of engines()) {
  describe(`lifecycle (${engine.name})`, () => {
    let db: Db;
    let app: FastifyInstance;
    let inject: ReturnType<typeof signedInject>;
    beforeAll(async () => {
      db = await engine.open();
      await seedTestReference(db);
      app = await buildApp(testContext(db));
      inject = signedInject(app, db);
    });
    afterAll(async () => {
      await app?.close();
      await db?.close();
    });
    const json = { 'content-type': 'application/json' };
    const create = async (extra: Record<string, unknown> = {}) => {
      const r = await inject({ method: 'POST', url: '/api/cases', headers: json, payload: { channel: '12345', content: '工地夜间施工噪音', callerPhone: '13800138000', ...extra } });
      expect(r.statusCode, r.body).toBe(201);
      return r.json().id as number;
    };
    const act = (id: number, action: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
      inject({ method: 'POST', url: `/api/cases/${id}/actions/${action}`, headers: { ...json, ...headers }, payload: body });
    const ok = async (id: number, action: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
      const r = await act(id, action, body, headers);
      expect(r.statusCode, `${action}: ${r.body}`).toBe(200);
      return r.json();
    };

    it('runs the full path: dispatch by catalogue → accept → extend → approve → remind → supervise → reply → close → callback → reopen', async () => {
      const id = await create({ categoryCode: REF.categories.constructionNoise, districtCode: REF.furong, requestType: 'complaint' });
      const prop = await inject({ method: 'GET', url: `/api/cases/${id}/proposal` });
      expect(prop.json().proposal.unitId).toBe(REF.units.env);
      let c = await ok(id, 'dispatch');
      expect(c).toMatchObject({ status: 'dispatched', unitId: REF.units.env, unitName: '市生态环境局', deadlineLight: 'green' });
      expect(Date.parse(c.replyDueAt)).toBeGreaterThan(Date.parse(c.acceptDueAt));
      const unit = { 'x-unit-id': REF.units.env };
      const empty = await inject({ method: 'POST', url: `/api/cases/${id}/actions/accept`, headers: { 'content-type': 'application/json', ...unit }, payload: '' });
      expect(empty.statusCode, empty.body).toBe(200);
      c = empty.json();
      expect(c.status).toBe('accepted');
      c = await ok(id, 'extend', { days: 5, reason: '需协调多部门' }, unit);
      expect(c.extensionPending).toMatchObject({ days: 5 });
      const again = await act(id, 'extend', { days: 2, reason: '再延' }, unit);
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('extension_already_pending');
      const due0 = Date.parse(c.replyDueAt);
      c = await ok(id, 'approve-extension');
      expect(Date.parse(c.replyDueAt) - due0).toBeGreaterThanOrEqual(5 * 86400_000);
      expect(c.counts.extensions).toBe(1);
      const deny = await act(id, 'deny-extension');
      expect(deny.statusCode).toBe(409);
      expect(deny.json().error.code).toBe('extension_not_pending');
      c = await ok(id, 'remind', { note: '请加快办理' });
      c = await ok(id, 'remind');
      expect(c.counts.reminders).toBe(2);
      c = await ok(id, 'supervise');
      expect(c.supervised).toBe(true);
      const noResult = await act(id, 'reply', {}, unit);
      expect(noResult.statusCode).toBe(400);
      expect(noResult.json().error.fields).toHaveProperty('result');
      c = await ok(id, 'reply', { result: '已责令停止夜间施工' }, unit);
      expect(c).toMatchObject({ status: 'replied', resolution: '已责令停止夜间施工', deadlineLight: null });
      const early = await act(id, 'reopen');
      expect(early.statusCode).toBe(409);
      expect(early.json().error.code).toBe('illegal_transition');
      c = await ok(id, 'close');
      expect(c.status).toBe('closed');
      const needsUnsatisfied = await ok(id, 'callback', { result: 'satisfied' });
      expect(needsUnsatisfied.callbackResult).toBe('satisfied');
      const r = await act(id, 'reopen');
      expect(r.statusCode).toBe(409);
      expect(r.json().error.code).toBe('reopen_requires_unsatisfied');
      c = await ok(id, 'callback', { result: 'unsatisfied', note: '仍有噪音' });
      c = await ok(id, 'reopen', { reason: '群众不满意' });
      expect(c).toMatchObject({ status: 'dispatched', unitId: REF.units.env });
      expect(c.counts.reopens).toBe(1);
      const g = (await inject({ method: 'GET', url: `/api/cases/${id}` })).json();
      expect(g.events.map((e: any) => e.action)).toEqual([
        'create', 'dispatch', 'accept', 'extend', 'approve-extension', 'remind', 'remind', 'supervise', 'reply', 'close', 'callback', 'callback', 'reopen',
      ]);
      expect(g.events[2]).toMatchObject({ fromStatus: 'dispatched', toStatus: 'accepted', data: { actorRole: 'unit_staff' } });
      expect(g.events[1].data).toMatchObject({ manual: false, catalogueVersion: 1 });
    });

    it('district-specific rule first, manual override, return with reason, resolve online', async () => {
      const a = await create({ categoryCode: REF.categories.constructionNoise, districtCode: REF.yuelu });
      expect((await ok(a, 'dispatch')).unitId).toBe(REF.units.yuelu);
      const ret0 = await act(a, 'return', {}, { 'x-unit-id': REF.units.yuelu });
      expect(ret0.statusCode).toBe(400);
      expect(ret0.json().error.fields).toHaveProperty('reason');
      const ret = await ok(a, 'return', { reason: '不属于本单位职责' }, { 'x-unit-id': REF.units.yuelu });
      expect(ret).toMatchObject({ status: 'received', unitId: null, acceptDueAt: null });
      expect(ret.counts.returns).toBe(1);
      const manual = await ok(a, 'dispatch', { unitId: REF.units.housing });
      expect(manual.unitId).toBe(REF.units.housing);
      const unknownUnit = await act(await create(), 'dispatch', { unitId: 'U-NOPE' });
      expect(unknownUnit.statusCode).toBe(400);
      expect(unknownUnit.json().error.fields).toHaveProperty('unitId');
      const nothing = await act(await create(), 'dispatch');
      expect(nothing.statusCode).toBe(422);
      expect(nothing.json().error.code).toBe('no_unit_proposed');

      const b = await create({ requestType: 'consultation' });
      const noAnswer = await act(b, 'resolve-online');
      expect(noAnswer.statusCode).toBe(400);
      const res = await ok(b, 'resolve-online', { answer: '办理居住证请携带身份证到派出所' });
      expect(res.status).toBe('resolved_online');
      expect((await act(b, 'dispatch')).json().error.code).toBe('illegal_transition');
      await ok(b, 'callback', { result: 'unsatisfied' });
      expect((await ok(b, 'reopen')).status).toBe('received');
      const badCb = await act(a, 'callback', { result: 'meh' });
      expect(badCb.statusCode).toBe(400); // input is validated before the state machine
      expect(badCb.json().error.fields).toHaveProperty('result');
    });

    it('illegal transitions are 409 illegal_transition; unknown action 400; unknown case 404', async () => {
      const id = await create();
      for (const a of ['accept', 'reply', 'close', 'callback', 'reopen', 'return', 'extend', 'approve-extension', 'remind']) {
        const r = await act(id, a, { reason: 'x', days: 1, result: 'satisfied' });
        expect(r.statusCode, a).toBe(409);
        expect(r.json().error.code, a).toBe('illegal_transition');
      }
      const u = await act(id, 'teleport');
      expect(u.statusCode).toBe(400);
      expect(u.json().error.fields).toHaveProperty('action');
      expect((await act(999999, 'accept')).statusCode).toBe(404);
      expect((await inject({ method: 'GET', url: '/api/cases/abc' })).statusCode).toBe(400);
      const [n] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM case_events WHERE case_id = $1`, [id]);
      expect(n!.n).toBe(1);
    });

    it('optimistic concurrency: two operators cannot both dispatch; stale version is 409', async () => {
      const id = await create({ categoryCode: REF.categories.food });
      const [a, b] = await Promise.all([act(id, 'dispatch'), act(id, 'dispatch', { unitId: REF.units.housing })]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
      expect(['illegal_transition', 'version_conflict']).toContain((a.statusCode === 409 ? a : b).json().error.code);
      const events = await db.query(`SELECT action FROM case_events WHERE case_id = $1`, [id]);
      expect(events.filter((e) => e.action === 'dispatch')).toHaveLength(1);
      const stale = await act(id, 'remind', { version: 1 });
      expect(stale.statusCode).toBe(409);
      expect(stale.json().error.code).toBe('version_conflict');
    });

    it('unit staff see and act only on their own unit', async () => {
      const id = await create({ categoryCode: REF.categories.food });
      await ok(id, 'dispatch');
      const other = { 'x-unit-id': REF.units.env };
      expect((await inject({ method: 'GET', url: `/api/cases/${id}`, headers: other })).statusCode).toBe(404);
      expect((await act(id, 'accept', {}, other)).statusCode).toBe(404);
      const list = (await inject({ method: 'GET', url: `/api/cases?pageSize=200`, headers: other })).json();
      expect(list.items.every((c: any) => c.unitId === REF.units.env)).toBe(true);
      const mine = { 'x-unit-id': REF.units.market };
      expect((await inject({ method: 'GET', url: `/api/cases/${id}`, headers: mine })).statusCode).toBe(200);
      expect((await act(id, 'close', {}, mine)).statusCode).toBe(403);
      expect((await act(id, 'accept', {}, mine)).statusCode).toBe(200);
    });
  });
}
