// Unit scoping: staff of unit A walk EVERY operation of the OpenAPI document against unit B's data. Nothing of
// B may come back (its case ids/numbers/text), and nothing of B may change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { engines } from '../engines.ts';
import { authHeaders } from '../auth.ts';
import { loadConfig } from '../../src/config.ts';
import { createSecrets } from '../../src/shared/secrets.ts';
import { buildApp } from '../../src/server/app.ts';
import type { AppContext } from '../../src/server/context.ts';
import { example, expandPaths, listOperations } from './openapi.ts';
import { MARK_B, securityWorld, type SecurityWorld } from './fixture.ts';

for (const engine of engines()) {
  describe(`unit scoping over every endpoint (${engine.name})`, () => {
    let ctx: AppContext;
    let app: FastifyInstance;
    let w: SecurityWorld;
    beforeAll(async () => {
      const db = await engine.open();
      ctx = { db, config: loadConfig({ dataDir: '/tmp/minsheng-scope-test', rateLimitBurst: 1_000_000, rateLimitPerSecond: 1_000_000 }), secrets: createSecrets('u'.repeat(32)) };
      app = await buildApp(ctx);
      w = await securityWorld(db);
    });
    afterAll(async () => {
      await app?.close();
      await ctx?.db.close();
    });

    it('unit A staff get nothing of unit B and change nothing of it', async () => {
      const h = await authHeaders(ctx.db, 'unit_staff', { unitId: w.unitA });
      const ops = await listOperations(app, h);
      expect(ops.length).toBeGreaterThan(5);
      const before = await ctx.db.query(`SELECT id, status, unit_id, version, updated_at FROM cases WHERE unit_id = $1 ORDER BY id`, [w.unitB]);
      const leaks: string[] = [];
      const param = (name: string) => (/unit/i.test(name) ? w.unitB : /no$/i.test(name) ? w.caseNoB : name === 'caseId' || name === 'id' ? w.caseB : w.caseB);
      for (const op of ops) {
        for (const caseId of [w.caseB, w.caseBSensitive]) for (const url of expandPaths(op, (n) => (param(n) === w.caseB ? caseId : param(n)))) {
          const query = op.method === 'GET' ? `?unitId=${w.unitB}&reveal=phone` : '';
          const body = op.body ? JSON.stringify(example(op.body, true)) : undefined;
          const r = await app.inject({ method: op.method as any, url: url + query, headers: { ...h, ...(body ? { 'content-type': 'application/json' } : {}) }, payload: body });
          const text = r.body;
          if (r.statusCode >= 500) leaks.push(`${op.method} ${url}: ${r.statusCode} ${text.slice(0, 200)}`);
          if (text.includes(MARK_B) || text.includes(w.caseNoB) || text.includes('SEC-B-0002')) leaks.push(`${op.method} ${url}: response contains unit B's case (${r.statusCode})`);
        }
      }
      const after = await ctx.db.query(`SELECT id, status, unit_id, version, updated_at FROM cases WHERE unit_id = $1 ORDER BY id`, [w.unitB]);
      expect(leaks).toEqual([]);
      expect(after).toEqual(before);
      const events = await ctx.db.query(`SELECT count(*)::int AS n FROM case_events WHERE case_id IN ($1, $2)`, [w.caseB, w.caseBSensitive]);
      expect(events[0].n).toBe(0);
    });

    it('control: the same walk as unit B staff does see unit B (the detector works)', async () => {
      const h = await authHeaders(ctx.db, 'unit_staff', { unitId: w.unitB });
      const ops = (await listOperations(app, h)).filter((o) => o.method === 'GET');
      let seen = 0;
      for (const op of ops) {
        for (const url of expandPaths(op, (n) => (/unit/i.test(n) ? w.unitB : w.caseB))) {
          const r = await app.inject({ url, headers: h });
          if (r.body.includes(MARK_B)) seen++;
        }
      }
      const doc = (await app.inject({ url: '/api/openapi.json', headers: h })).json();
      if (doc.paths['/api/cases/{id}']) expect(seen).toBeGreaterThan(0);
    });
  });
}
