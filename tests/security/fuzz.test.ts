// Fuzz: every write endpoint of the OpenAPI document gets random and malformed payloads (fixed seed).
// No 5xx ever; a rejected request (4xx) changes no row count anywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { engines } from '../engines.ts';
import { authHeaders } from '../auth.ts';
import { loadConfig } from '../../src/config.ts';
import { createSecrets } from '../../src/shared/secrets.ts';
import { buildApp } from '../../src/server/app.ts';
import type { AppContext } from '../../src/server/context.ts';
import { fillPath, fuzzBody, listOperations, rng, snapshot } from './openapi.ts';
import { securityWorld, type SecurityWorld } from './fixture.ts';

const SEED = 12345;
const PER_OP = Number(process.env.FUZZ_PER_OP ?? 25);
// Rows that a rejected request may legitimately write: failed sign-ins are recorded for throttling.
const MAY_CHANGE_ON_4XX = ['login_attempts'];
const BAD_IDS = ['0', '-1', 'abc', '99999999999999999999', "1' OR '1'='1", '𠮷', '1.5', ''];

for (const engine of engines()) {
  describe(`fuzz every write endpoint (${engine.name})`, () => {
    let ctx: AppContext;
    let app: FastifyInstance;
    let w: SecurityWorld;
    beforeAll(async () => {
      const db = await engine.open();
      ctx = { db, config: loadConfig({ dataDir: '/tmp/minsheng-fuzz-test', rateLimitBurst: 1_000_000, rateLimitPerSecond: 1_000_000 }), secrets: createSecrets('f'.repeat(32)) };
      app = await buildApp(ctx);
      w = await securityWorld(db);
    });
    afterAll(async () => {
      await app?.close();
      await ctx?.db.close();
    });

    it(`random and malformed payloads (seed ${SEED}, ${PER_OP} per endpoint): no 5xx, no partial writes`, async () => {
      const r = rng(SEED);
      const admin = await authHeaders(ctx.db, 'admin');
      const ops = (await listOperations(app, admin)).filter((o) => o.method !== 'GET');
      expect(ops.length).toBeGreaterThan(3);
      const failures: string[] = [];
      for (const op of ops) {
        for (let i = 0; i < PER_OP; i++) {
          const id = r() < 0.5 ? w.caseA : BAD_IDS[Math.floor(r() * BAD_IDS.length)];
          const url = fillPath(op.path, (n) => (/unit/i.test(n) && r() < 0.5 ? w.unitA : id));
          const { payload, contentType } = fuzzBody(op, r);
          const before = await snapshot(ctx.db, MAY_CHANGE_ON_4XX);
          const res = await app.inject({ method: op.method as any, url, headers: { ...admin, 'content-type': contentType }, payload });
          if (res.statusCode >= 500) failures.push(`${op.method} ${url} ${payload.slice(0, 120)} → ${res.statusCode} ${res.body.slice(0, 200)}`);
          else if (res.statusCode >= 400) {
            const after = await snapshot(ctx.db, MAY_CHANGE_ON_4XX);
            if (JSON.stringify(after) !== JSON.stringify(before)) failures.push(`${op.method} ${url} ${payload.slice(0, 120)} → ${res.statusCode} but rows changed`);
            const err = res.json().error;
            if (!err?.code || !err?.message) failures.push(`${op.method} ${url} → ${res.statusCode} without {error:{code,message}}`);
          }
        }
      }
      expect(failures).toEqual([]);
    });

    it('a body over 1 MiB is refused with 413 on every write endpoint', async () => {
      const admin = await authHeaders(ctx.db, 'admin');
      const big = JSON.stringify({ content: 'x'.repeat(1024 * 1024 + 10) });
      for (const op of (await listOperations(app, admin)).filter((o) => o.method !== 'GET')) {
        const res = await app.inject({ method: op.method as any, url: fillPath(op.path, () => w.caseA), headers: { ...admin, 'content-type': 'application/json' }, payload: big });
        expect(res.statusCode, `${op.method} ${op.path}`).toBe(413);
      }
    });
  });
}
