import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { engines } from '../../tests/engines.ts';
import { seedTestReference, REF } from '../../tests/fixtures/reference.ts';
import { testContext } from '../../tests/fixtures/context.ts';
import { buildApp } from '../server/app.ts';
import { signedInject } from '../../tests/fixtures/http.ts';
import type { Db } from '../store/db.ts';
import { publishCatalogue } from './catalogue.ts';
import { DeadlinePolicySchema, setDeadlinePolicy } from './deadlines.ts';

for (const engine of engines()) {
  describe(`case list, reference and settings API (${engine.name})`, () => {
    let db: Db;
    let app: FastifyInstance;
    let inject: ReturnType<typeof signedInject>;
    const ids: number[] = [];
    beforeAll(async () => {
      db = await engine.open();
      await seedTestReference(db);
      app = await buildApp(testContext(db));
      inject = signedInject(app, db);
      const bodies = [
        { channel: '12345', content: '魅力之城小区物业乱收费', callerPhone: '13800138000', categoryCode: REF.categories.propertyFee, compoundId: REF.compoundMeili, receivedAt: '2026-11-01T02:00:00Z' },
        { channel: 'web', content: '岳麓区工地夜间施工噪音', callerPhone: '13900139000', categoryCode: REF.categories.constructionNoise, districtCode: REF.yuelu, receivedAt: '2026-11-10T02:00:00Z' },
        { channel: '12345', content: '广场舞噪音扰民', callerPhone: '138 0013 8000', categoryCode: REF.categories.socialNoise, districtCode: REF.furong, receivedAt: '2026-11-20T02:00:00Z' },
        { channel: 'wechat', content: '餐馆卫生差', categoryCode: REF.categories.food, unitId: REF.units.market, receivedAt: '2026-11-25T02:00:00Z' },
      ];
      for (const b of bodies) {
        const r = await inject({ method: 'POST', url: '/api/cases', headers: { 'content-type': 'application/json' }, payload: b });
        expect(r.statusCode, r.body).toBe(201);
        ids.push(r.json().id);
      }
      // Make the dispatched case overdue.
      await db.query(`UPDATE cases SET dispatched_at = now() - interval '10 days', accept_due_at = now() - interval '9 days', reply_due_at = now() - interval '1 day' WHERE id = $1`, [ids[3]]);
    });
    afterAll(async () => {
      await app?.close();
      await db?.close();
    });
    const list = async (qs: string) => {
      const r = await inject({ method: 'GET', url: `/api/cases?${qs}` });
      expect(r.statusCode, r.body).toBe(200);
      return r.json();
    };

    it('pages with total and filters', async () => {
      const all = await list('pageSize=2');
      expect(all.total).toBe(4);
      expect(all.items).toHaveLength(2);
      expect((await list('pageSize=2&page=3')).total).toBe(4);
      expect((await list(`categoryCode=${REF.categories.noise}`)).total).toBe(2); // subtree
      expect((await list(`categoryCode=${REF.categories.env}`)).total).toBe(2);
      expect((await list(`districtCode=${REF.furong}`)).total).toBe(2);
      expect((await list('channel=12345')).total).toBe(2);
      expect((await list('status=dispatched')).items.map((c: any) => c.id)).toEqual([ids[3]]);
      expect((await list('status=received,dispatched')).total).toBe(4);
      expect((await list(`unitId=${REF.units.market}`)).total).toBe(1);
      expect((await list('from=2026-11-05&to=2026-11-21')).total).toBe(2);
      expect((await list(`q=${encodeURIComponent('噪音')}`)).total).toBe(2);
      expect((await list(`q=${encodeURIComponent('魅力之城')}`)).items[0].id).toBe(ids[0]);
      expect((await list(`callerPhone=13800138000`)).total).toBe(2);
      expect((await list('deadline=red')).items.map((c: any) => c.id)).toEqual([ids[3]]);
      const overdue = (await inject({ method: 'GET', url: '/api/cases/overdue' })).json();
      expect(overdue.items.map((c: any) => c.id)).toEqual([ids[3]]);
      expect(overdue.items[0].deadlineLight).toBe('red');
      const bad = await inject({ method: 'GET', url: '/api/cases?pageSize=1000&status=nope' });
      expect(bad.statusCode).toBe(400);
      expect(Object.keys(bad.json().error.fields)).toEqual(expect.arrayContaining(['pageSize', 'status.0']));
      // in Chinese also where the schema does not word the message itself (a bound, an enum)
      for (const message of Object.values(bad.json().error.fields)) expect(message).toMatch(/[\u4e00-\u9fff]/);
    });

    it('serves units, channels, categories and divisions as trees, and the catalogue with versions', async () => {
      const units = (await inject({ method: 'GET', url: '/api/units' })).json().items;
      expect(units.find((u: any) => u.id === REF.units.furong).children[0].id).toBe(REF.units.wenyilu);
      const ch = (await inject({ method: 'GET', url: '/api/channels' })).json().items;
      expect(ch.map((c: any) => c.code)).toEqual(expect.arrayContaining(['12345', 'web', 'letter', 'app', 'wechat', '12315', '12333', 'import']));
      const cats = (await inject({ method: 'GET', url: '/api/categories' })).json().items;
      expect(cats.find((c: any) => c.code === REF.categories.env).children[0].children.length).toBe(2);
      const divs = (await inject({ method: 'GET', url: '/api/divisions' })).json().items;
      expect(divs[0].code).toBe('4301');
      expect(divs[0].children.map((d: any) => d.code)).toEqual([REF.furong, REF.yuelu]);
      const street = (await inject({ method: 'GET', url: `/api/dispatch-catalogue/propose?categoryCode=${REF.categories.socialNoise}&districtCode=${REF.furong}&streetCode=${REF.wenyilu}` })).json();
      expect(street.proposal).toMatchObject({ unitId: REF.units.wenyilu, toStreet: true });
      // Publishing is admin-only over HTTP (the placeholder auth acts as an operator): the domain call is tested directly.
      const pub = await inject({
        method: 'POST', url: '/api/dispatch-catalogue', headers: { 'content-type': 'application/json' },
        payload: { note: '第二版', rules: [{ categoryCode: REF.categories.noise, unitId: REF.units.furong }] },
      });
      expect(pub.statusCode).toBe(403);
      const asAdmin = await inject({
        method: 'POST', url: '/api/dispatch-catalogue', headers: { 'content-type': 'application/json', 'x-role': 'admin' },
        payload: { rules: [{ categoryCode: REF.categories.food, unitId: 'U-NOPE' }] },
      });
      expect(asAdmin.statusCode).toBe(400);
      expect(asAdmin.json().error.fields).toHaveProperty('rules.0.unitId');
      await expect(publishCatalogue(db, { rules: [{ categoryCode: REF.categories.noise, unitId: REF.units.furong }, { categoryCode: REF.categories.food, unitId: 'U-NOPE' }] }))
        .rejects.toMatchObject({ status: 400, fields: { 'rules.1.unitId': expect.any(String) } });
      const v2 = await publishCatalogue(db, { note: '第二版', rules: [{ categoryCode: REF.categories.noise, unitId: REF.units.furong }] });
      expect(v2).toMatchObject({ version: 2, active: true });
      const prop = (await inject({ method: 'GET', url: `/api/dispatch-catalogue/propose?categoryCode=${REF.categories.constructionNoise}&districtCode=${REF.yuelu}` })).json();
      expect(prop.proposal).toMatchObject({ unitId: REF.units.furong, version: 2 });
      const v1 = (await inject({ method: 'GET', url: '/api/dispatch-catalogue?version=1' })).json();
      expect(v1.active).toBe(false);
      expect(v1.rules.length).toBe(5);
    });

    it('deadline policy is changeable; the OpenAPI document lists the case API', async () => {
      const p = (await inject({ method: 'GET', url: '/api/settings/deadline-policy' })).json();
      expect(p.replyWorkingDays.complaint).toBe(5);
      p.replyWorkingDays.complaint = 7;
      const put = await inject({ method: 'PUT', url: '/api/settings/deadline-policy', headers: { 'content-type': 'application/json' }, payload: p });
      expect(put.statusCode, put.body).toBe(403); // admin only
      const bad = await inject({ method: 'PUT', url: '/api/settings/deadline-policy', headers: { 'content-type': 'application/json', 'x-role': 'admin' }, payload: { ...p, signInWorkingDays: -1 } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.fields).toHaveProperty('signInWorkingDays');
      expect(DeadlinePolicySchema.safeParse({ ...p, signInWorkingDays: -1 }).success).toBe(false);
      await setDeadlinePolicy(db, p);
      expect((await inject({ method: 'GET', url: '/api/settings/deadline-policy' })).json().replyWorkingDays.complaint).toBe(7);
      const cal = (await inject({ method: 'GET', url: '/api/calendar?year=2026' })).json();
      expect(cal.holidays).toContain('2026-10-01');
      const doc = (await inject({ method: 'GET', url: '/api/openapi.json' })).json();
      for (const p of ['/api/cases', '/api/cases/{id}', '/api/cases/{id}/actions/{action}', '/api/units', '/api/categories', '/api/divisions', '/api/channels']) expect(doc.paths).toHaveProperty(p);
    });
  });
}
