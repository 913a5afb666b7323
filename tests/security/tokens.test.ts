// API tokens against the real case API: channel binding for a merged line (12315 feed), scopes, unit binding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { engines } from '../engines.ts';
import { tokenHeaders } from '../auth.ts';
import { seedTestReference, REF } from '../fixtures/reference.ts';
import { testContext } from '../fixtures/context.ts';
import { buildApp } from '../../src/server/app.ts';
import type { Db } from '../../src/store/db.ts';

for (const engine of engines()) {
  describe(`API tokens on the case API (${engine.name})`, () => {
    let db: Db;
    let app: FastifyInstance;
    beforeAll(async () => {
      db = await engine.open();
      await seedTestReference(db);
      app = await buildApp(testContext(db));
    });
    afterAll(async () => {
      await app?.close();
      await db?.close();
    });
    const post = (headers: Record<string, string>, body: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/api/cases', headers: { ...headers, 'content-type': 'application/json' }, payload: body });

    it('a channel-bound token creates cases only on its channel', async () => {
      const feed = await tokenHeaders(db, ['cases:write'], { channel: '12315' });
      const a = await post(feed, { content: '超市出售过期食品' });
      expect(a.statusCode, a.body).toBe(201);
      expect(a.json().channel).toBe('12315');
      const b = await post(feed, { channel: 'web', content: '超市出售过期食品' });
      expect(b.statusCode).toBe(403);
      expect(b.json().error.fields.channel).toBeTruthy();
      expect((await post(feed, { channel: '12315', content: '餐馆卫生差' })).statusCode).toBe(201);
    });

    it('scopes: read cannot write; write can read', async () => {
      const reader = await tokenHeaders(db, ['cases:read']);
      expect((await post(reader, { channel: '12345', content: '路灯不亮' })).statusCode).toBe(403);
      expect((await app.inject({ url: '/api/cases', headers: reader })).statusCode).toBe(200);
      const writer = await tokenHeaders(db, ['cases:write']);
      expect((await app.inject({ url: '/api/cases', headers: writer })).statusCode).toBe(200);
      expect((await app.inject({ url: '/api/units', headers: writer })).statusCode).toBe(403); // units:read not granted
    });

    it('a unit-bound token sees only its unit', async () => {
      const op = await tokenHeaders(db, ['cases:write']);
      const c = await post(op, { channel: '12345', content: '餐馆卫生差', unitId: REF.units.market });
      expect(c.statusCode, c.body).toBe(201);
      const other = await tokenHeaders(db, ['cases:read'], { unitId: REF.units.env });
      expect((await app.inject({ url: `/api/cases/${c.json().id}`, headers: other })).statusCode).toBe(404);
      const mine = await tokenHeaders(db, ['cases:read'], { unitId: REF.units.market });
      expect((await app.inject({ url: `/api/cases/${c.json().id}`, headers: mine })).statusCode).toBe(200);
      const list = (await app.inject({ url: '/api/cases?pageSize=200', headers: other })).json();
      expect(list.items.every((x: any) => x.unitId === REF.units.env)).toBe(true);
    });
  });
}
