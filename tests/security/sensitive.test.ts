// Sensitive cases (举报) are readable only by admins, the assigned unit and the recording operator; a full
// phone number only on ?reveal=phone by admins/operators; reads and reveals land in the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { engines } from '../engines.ts';
import { authHeaders, signIn } from '../auth.ts';
import { loadConfig } from '../../src/config.ts';
import { createSecrets } from '../../src/shared/secrets.ts';
import { buildApp } from '../../src/server/app.ts';
import type { AppContext } from '../../src/server/context.ts';
import { SENSITIVE_MASK } from '../../src/auth/guard.ts';
import { securityWorld, type SecurityWorld } from './fixture.ts';

for (const engine of engines()) {
  describe(`sensitive cases and phone numbers (${engine.name})`, () => {
    let ctx: AppContext;
    let app: FastifyInstance;
    let w: SecurityWorld;
    let served = true;
    beforeAll(async () => {
      const db = await engine.open();
      ctx = { db, config: loadConfig({ dataDir: '/tmp/minsheng-sensitive-test' }), secrets: createSecrets('p'.repeat(32)) };
      app = await buildApp(ctx);
      w = await securityWorld(db);
      await db.query(`UPDATE cases SET caller_phone_enc = $2, caller_phone_masked = '138****8000' WHERE id = ANY($1::bigint[])`, [[w.caseB, w.caseBSensitive], ctx.secrets.encrypt('13800138000')]);
      const doc = (await app.inject({ url: '/api/openapi.json' })).json();
      served = !!doc.paths['/api/cases/{id}']?.get;
      if (!served) {
        if (process.env.CI) throw new Error('CI cannot skip: GET /api/cases/{id} is not served');
        console.warn('SKIP sensitive-case tests: GET /api/cases/{id} is not served on this branch yet');
      }
    });
    afterAll(async () => {
      await app?.close();
      await ctx?.db.close();
    });

    it('only admin, the assigned unit and the recording operator read a sensitive case', async () => {
      if (!served) return;
      const get = async (h: Record<string, string>, id = w.caseBSensitive) => app.inject({ url: `/api/cases/${id}`, headers: h });
      expect((await get(await authHeaders(ctx.db, 'operator'))).statusCode).toBe(404);
      expect((await get(await authHeaders(ctx.db, 'analyst'))).statusCode).toBe(404);
      expect((await get(await authHeaders(ctx.db, 'leader'))).statusCode).toBe(404);
      expect((await get(await authHeaders(ctx.db, 'unit_staff', { unitId: w.unitA }))).statusCode).toBe(404);
      const unitB = await signIn(ctx.db, 'unit_staff', { unitId: w.unitB });
      expect((await get(unitB.headers)).statusCode).toBe(200);
      expect((await get(await authHeaders(ctx.db, 'admin'))).statusCode).toBe(200);
      const recorder = await signIn(ctx.db, 'operator');
      await ctx.db.query('UPDATE cases SET created_by = $2 WHERE id = $1', [w.caseBSensitive, recorder.actor.id]);
      expect((await get(recorder.headers)).statusCode).toBe(200);
      // Non-sensitive cases stay readable by operators.
      expect((await get(await authHeaders(ctx.db, 'operator'), w.caseB)).statusCode).toBe(200);
      const audit = await ctx.db.query(`SELECT actor_id FROM audit_log WHERE action = 'read_sensitive' AND case_id = $1`, [w.caseBSensitive]);
      expect(audit.map((a) => a.actor_id)).toContain(unitB.actor.id);
      expect(audit.length).toBe(3);
    });

    it('lists mask sensitive cases the reader may not see', async () => {
      if (!served) return;
      const r = await app.inject({ url: '/api/cases?limit=100', headers: await authHeaders(ctx.db, 'operator') });
      expect(r.statusCode).toBe(200);
      const item = (r.json().items ?? []).find((c: any) => String(c.id) === w.caseBSensitive);
      if (item) {
        expect(item.content).toBe(SENSITIVE_MASK);
        expect(r.body).not.toContain('违规经营');
      }
    });

    it('?reveal=phone: masked by default, full for admins and operators (audited), 403 for others', async () => {
      if (!served) return;
      const op = await signIn(ctx.db, 'operator');
      const plain = await app.inject({ url: `/api/cases/${w.caseB}`, headers: op.headers });
      expect(plain.body).not.toContain('13800138000');
      const revealed = await app.inject({ url: `/api/cases/${w.caseB}?reveal=phone`, headers: op.headers });
      expect(revealed.statusCode).toBe(200);
      expect(revealed.json().callerPhone).toBe('13800138000');
      expect((await app.inject({ url: `/api/cases/${w.caseB}?reveal=phone`, headers: await authHeaders(ctx.db, 'analyst') })).statusCode).toBe(403);
      const admin = await authHeaders(ctx.db, 'admin');
      const log = await app.inject({ url: `/api/audit?action=reveal_phone&caseId=${w.caseB}`, headers: admin });
      expect(log.json().items).toHaveLength(1);
      expect(log.json().items[0]).toMatchObject({ actorId: op.actor.id, action: 'reveal_phone', caseId: w.caseB });
    });

    it('every export lands in the audit log: who exported what', async () => {
      const analyst = await signIn(ctx.db, 'analyst');
      const res = await app.inject({ method: 'POST', url: '/api/reports', headers: analyst.headers, payload: { kind: 'monthly', month: '2026-03', format: 'docx' } });
      if (res.statusCode === 404) return; // reports not served on this branch
      expect(res.statusCode).toBe(200);
      const log = await app.inject({ url: `/api/audit?action=export&actorId=${analyst.actor.id}`, headers: await authHeaders(ctx.db, 'admin') });
      expect(log.json().items).toHaveLength(1);
      expect(log.json().items[0]).toMatchObject({ actorId: analyst.actor.id, action: 'export', target: '/api/reports' });
      expect(log.json().items[0].detail.contentType).toContain('wordprocessingml');
    });
  });
}
