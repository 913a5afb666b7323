import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { engines } from '../../tests/engines.ts';
import { authHeaders } from '../../tests/auth.ts';
import { seedKnownCases } from '../../tests/metrics-known.ts';
import { loadConfig } from '../config.ts';
import { buildApp } from '../server/app.ts';
import { createSecrets } from '../shared/secrets.ts';
import type { Db } from '../store/db.ts';
import { rebuildRollups } from './rollups.ts';

for (const engine of engines()) {
  describe(`dashboard API (${engine.name})`, () => {
    let db: Db;
    let app: FastifyInstance;
    let analyst: Record<string, string>;
    beforeAll(async () => {
      db = await engine.open();
      await seedKnownCases(db);
      await rebuildRollups(db);
      const config = loadConfig({ dataDir: '/tmp/minsheng-metrics-test', logLevel: 'silent' }, {});
      app = await buildApp({ db, config, secrets: createSecrets('x'.repeat(32)) });
      analyst = await authHeaders(db, 'analyst');
    }, 180_000);
    afterAll(async () => {
      await app?.close();
      await db?.close();
    });
    const get = async (url: string, headers?: Record<string, string>) => {
      const r = await app.inject({ method: 'GET', url, headers: headers ?? analyst });
      return { status: r.statusCode, body: r.json() };
    };

    it('lists definitions and answers a metric by dimension with MoM / YoY', async () => {
      const defs = await get('/api/metrics');
      expect(defs.body.metrics.map((m: any) => m.name)).toContain('satisfaction_rate');
      expect(defs.body.metrics.find((m: any) => m.name === 'response_rate').label).toBe('响应率');
      const r = await get('/api/metrics/volume?month=2026-03&by=district');
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ value: 5, mom: { value: 1 }, yoy: { value: 2 } });
      expect(r.body.groups.map((g: any) => [g.label, g.value])).toEqual([['芙蓉区', 3], ['天心区', 2]]);
      const rate = await get('/api/metrics/satisfaction_rate?from=2026-03-01&to=2026-03-31&district=430102');
      expect(rate.body.value).toBe(100);
    });

    it('gives series, drill-down, top-N, rankings and the big-screen summary', async () => {
      const s = await get('/api/metrics/volume/series?from=2026-01-01&to=2026-03-31&granularity=month');
      expect(s.body.points.map((p: any) => p.value)).toEqual([0, 1, 5]);
      const cases = await get('/api/metrics/transfer_count/cases?month=2026-03&pageSize=2');
      expect(cases.body.total).toBe(3);
      expect(cases.body.items).toHaveLength(2);
      expect(cases.body.items[0]).toHaveProperty('caseNo');
      const top = await get('/api/dashboard/top?month=2026-03&categoryLevel=1');
      expect(top.body.categories[0]).toMatchObject({ code: 'T01', name: '城乡建设', value: 3 });
      const rank = await get('/api/dashboard/rankings?month=2026-03&metric=transfer_closure_rate&minCount=1');
      expect(rank.body.units).toHaveLength(2);
      expect(rank.body.units.find((u: any) => u.unitId === 'u-house')).toMatchObject({ rawRate: 100, den: 1 });
      // Rankings are for analysts and leaders, not operators; nothing without signing in.
      expect((await get('/api/dashboard/rankings?month=2026-03', await authHeaders(db, 'operator'))).status).toBe(403);
      expect((await get('/api/metrics/volume?month=2026-03', {})).status).toBe(401);
      const sum = await get('/api/dashboard/summary');
      expect(sum.status).toBe(200);
      expect(sum.body.trend30d).toHaveLength(30);
      expect(sum.body.trend24h).toHaveLength(24);
      expect(sum.body.topics.map((t: any) => t.name)).toEqual(['营商环境', '蓝天保卫战', '疫情防控']);
    });

    it('scopes unit staff to their unit and rejects bad input with field errors', async () => {
      const r = await get('/api/metrics/volume?month=2026-03', await authHeaders(db, 'unit_staff', { unitId: 'u-env' }));
      expect(r.body.value).toBe(2);
      const bad = await get('/api/metrics/volume?from=2026-03-31&to=2026-03-01');
      expect(bad.status).toBe(400);
      expect(bad.body.error.fields).toHaveProperty('to');
      const badDim = await get('/api/metrics/volume?month=2026-03&by=unsat_reason');
      expect(badDim.status).toBe(400);
      expect((await get('/api/metrics/nope?month=2026-03')).status).toBe(404);
    });

    it('relays case_changed notifications as Server-Sent Events', async () => {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const port = (app.server.address() as any).port;
      const received = await new Promise<string>((resolve, reject) => {
        const req = http.get(`http://127.0.0.1:${port}/api/events`, { headers: analyst }, (res) => {
          expect(res.headers['content-type']).toContain('text/event-stream');
          let buf = '';
          res.on('data', (chunk) => {
            buf += chunk;
            if (buf.includes(': connected')) void db.notify('case_changed', JSON.stringify({ id: '1', action: 'create', status: 'received' }));
            if (buf.includes('event: case_changed')) {
              req.destroy();
              resolve(buf);
            }
          });
        });
        req.on('error', reject);
        setTimeout(() => reject(new Error('no event within 10 s')), 10_000);
      });
      expect(received).toContain('data: {"id":"1","action":"create","status":"received"}');
    });
  });
}
