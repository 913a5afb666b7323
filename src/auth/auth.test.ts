import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { engines } from '../../tests/engines.ts';
import { authHeaders, signIn, tokenHeaders } from '../../tests/auth.ts';
import { loadConfig } from '../config.ts';
import { createSecrets } from '../shared/secrets.ts';
import { buildApp } from '../server/app.ts';
import type { AppContext } from '../server/context.ts';
import { ensureAdmin, ensureDemoUsers, DEMO_USERS } from './users.ts';

const cookieOf = (setCookie: string | string[] | undefined) => String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0];

for (const engine of engines()) {
  describe(`auth (${engine.name})`, () => {
    let ctx: AppContext;
    let app: FastifyInstance;
    beforeAll(async () => {
      const db = await engine.open();
      await db.query(`INSERT INTO units (id, name, kind) VALUES ('u-a', '甲单位', 'bureau'), ('u-b', '乙单位', 'bureau')`);
      ctx = { db, config: loadConfig({ adminPassword: 'admin-pass-1', dataDir: '/tmp/minsheng-auth-test' }), secrets: createSecrets('s'.repeat(32)) };
      app = await buildApp(ctx);
      await ensureAdmin(db, 'admin-pass-1');
    });
    afterAll(async () => {
      await app?.close();
      await ctx?.db.close();
    });

    it('public endpoints are open, everything else needs a signed-in actor', async () => {
      expect((await app.inject({ url: '/api/health' })).statusCode).toBe(200);
      expect((await app.inject({ url: '/api/openapi.json' })).statusCode).toBe(200);
      const r = await app.inject({ url: '/api/auth/me' });
      expect(r.statusCode).toBe(401);
      expect(r.json().error.code).toBe('unauthorized');
      expect((await app.inject({ url: '/api/users', headers: { cookie: 'ms_session=forged' } })).statusCode).toBe(401);
      expect((await app.inject({ url: '/api/users', headers: { authorization: 'Bearer ms_forged' } })).statusCode).toBe(401);
    });

    it('logs in with a secure cookie, reports me, logs out', async () => {
      const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'admin-pass-1' } });
      expect(r.statusCode).toBe(200);
      expect(r.json().user).toMatchObject({ username: 'admin', role: 'admin', unitId: null });
      const sc = String(r.headers['set-cookie']);
      expect(sc).toMatch(/ms_session=/);
      expect(sc).toMatch(/HttpOnly/);
      expect(sc).toMatch(/SameSite=Lax/);
      expect(sc).not.toMatch(/Secure/);
      const cookie = cookieOf(r.headers['set-cookie']);
      const me = await app.inject({ url: '/api/auth/me', headers: { cookie } });
      expect(me.statusCode).toBe(200);
      expect(me.json().user).toMatchObject({ username: 'admin', role: 'admin' });
      expect(Object.keys(me.json().user).sort()).toEqual(['id', 'name', 'role', 'unitId', 'username']);
      expect((await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } })).statusCode).toBe(200);
      expect((await app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401);
      // Behind an https proxy the cookie is Secure.
      const s = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-forwarded-proto': 'https' }, payload: { username: 'admin', password: 'admin-pass-1' } });
      expect(String(s.headers['set-cookie'])).toMatch(/Secure/);
      // Sessions are stored hashed: the cookie value is not in the table.
      const raw = cookieOf(s.headers['set-cookie']).split('=')[1];
      expect(await ctx.db.query('SELECT 1 FROM sessions WHERE id_hash = $1', [raw])).toHaveLength(0);
    });

    it('locks an account after repeated failures and throttles', async () => {
      await signIn(ctx.db, 'operator', { username: 'victim' });
      for (let i = 0; i < 5; i++) {
        const r = await app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.0.0.9', payload: { username: 'victim', password: 'wrong-password' } });
        expect(r.statusCode).toBe(401);
      }
      const locked = await app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.0.0.9', payload: { username: 'victim', password: 'test-password-123' } });
      expect(locked.statusCode).toBe(423);
      expect(locked.json().error.code).toBe('account_locked');
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      // Unknown usernames cost the same and are throttled per username.
      for (let i = 0; i < 10; i++) await app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: `10.1.0.${i}`, payload: { username: 'ghost', password: 'x' } });
      const t = await app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.2.0.1', payload: { username: 'ghost', password: 'x' } });
      expect(t.statusCode).toBe(429);
      expect(t.headers['retry-after']).toBeDefined();
    });

    it('rejects cross-site cookie requests (CSRF) but lets scripted clients pass', async () => {
      const h = await authHeaders(ctx.db, 'operator');
      const evil = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { ...h, origin: 'https://evil.example' } });
      expect(evil.statusCode).toBe(403);
      expect(evil.json().error.code).toBe('csrf');
      const site = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { ...h, 'sec-fetch-site': 'cross-site' } });
      expect(site.statusCode).toBe(403);
      const same = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { ...h, origin: 'http://localhost:80', host: 'localhost:80', 'sec-fetch-site': 'same-origin' } });
      expect(same.statusCode).toBe(200);
      const login = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { origin: 'https://evil.example' }, payload: { username: 'admin', password: 'admin-pass-1' } });
      expect(login.statusCode).toBe(403);
      const h2 = await authHeaders(ctx.db, 'operator');
      expect((await app.inject({ method: 'POST', url: '/api/auth/logout', headers: h2 })).statusCode).toBe(200);
    });

    it('administers users: create, role & unit, reset password, deactivate', async () => {
      const admin = await authHeaders(ctx.db, 'admin');
      const op = await authHeaders(ctx.db, 'operator');
      expect((await app.inject({ url: '/api/users', headers: op })).statusCode).toBe(403);
      const c = await app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { username: 'zhang', name: '张三', role: 'unit_staff', unitId: 'u-a' } });
      expect(c.statusCode).toBe(201);
      const pw = c.json().password;
      expect(pw).toHaveLength(16);
      const id = c.json().user.id;
      const bad = await app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { username: 'li', name: '李四', role: 'unit_staff' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.fields.unitId).toBeTruthy();
      expect((await app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { username: 'zhang', name: 'x', role: 'analyst' } })).statusCode).toBe(409);
      const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'zhang', password: pw } });
      expect(login.json().user).toMatchObject({ role: 'unit_staff', unitId: 'u-a' });
      const cookie = cookieOf(login.headers['set-cookie']);
      const p = await app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: admin, payload: { role: 'analyst', unitId: null } });
      expect(p.statusCode).toBe(200);
      expect(p.json().user).toMatchObject({ role: 'analyst', unitId: null });
      // The role change ended the old session.
      expect((await app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401);
      const reset = await app.inject({ method: 'POST', url: `/api/users/${id}/password`, headers: admin, payload: { password: 'new-password-9' } });
      expect(reset.statusCode).toBe(200);
      expect((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'zhang', password: 'new-password-9' } })).statusCode).toBe(200);
      expect((await app.inject({ method: 'POST', url: `/api/users/${id}/deactivate`, headers: admin })).statusCode).toBe(200);
      expect((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'zhang', password: 'new-password-9' } })).statusCode).toBe(401);
      const list = await app.inject({ url: '/api/users?q=zhang', headers: admin });
      expect(list.json().items[0]).toMatchObject({ username: 'zhang', active: false });
      expect(JSON.stringify(list.json())).not.toMatch(/scrypt/);
      const audit = await app.inject({ url: '/api/audit?action=user_create', headers: admin });
      expect(audit.json().items.some((x: any) => x.target === `user:${id}`)).toBe(true);
    });

    it('API tokens: shown once, scoped, unit-bound, revocable', async () => {
      const admin = await authHeaders(ctx.db, 'admin');
      const c = await app.inject({ method: 'POST', url: '/api/tokens', headers: admin, payload: { name: '12315 对接', scopes: ['cases:write'], channel: null } });
      expect(c.statusCode).toBe(201);
      const secret = c.json().secret;
      expect(secret).toMatch(/^ms_/);
      const list = await app.inject({ url: '/api/tokens', headers: admin });
      expect(JSON.stringify(list.json())).not.toContain(secret);
      const bearer = { authorization: `Bearer ${secret}` };
      expect((await app.inject({ url: '/api/auth/me', headers: bearer })).statusCode).toBe(403); // auth:read not granted
      expect((await app.inject({ url: '/api/users', headers: bearer })).statusCode).toBe(403);
      const t2 = await tokenHeaders(ctx.db, ['auth:read']);
      const me = await app.inject({ url: '/api/auth/me', headers: t2 });
      expect(me.statusCode).toBe(200);
      expect(me.json().user.role).toBe('integration');
      const unitTok = await tokenHeaders(ctx.db, ['*:read'], { unitId: 'u-b' });
      expect((await app.inject({ url: '/api/auth/me', headers: unitTok })).json().user).toMatchObject({ role: 'unit_staff', unitId: 'u-b' });
      const bad = await app.inject({ method: 'POST', url: '/api/tokens', headers: admin, payload: { name: 'x', scopes: ['everything'] } });
      expect(bad.statusCode).toBe(400);
      const id = c.json().token.id;
      expect((await app.inject({ method: 'DELETE', url: `/api/tokens/${id}`, headers: admin })).statusCode).toBe(200);
      expect((await app.inject({ url: '/api/auth/me', headers: bearer })).statusCode).toBe(401);
    });

    it('demo users: one per role, unit user bound to a real unit', async () => {
      const created = await ensureDemoUsers(ctx.db);
      expect(created.sort()).toEqual(DEMO_USERS.map((d) => d.username).sort());
      expect(await ensureDemoUsers(ctx.db)).toEqual([]);
      const u = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'unit', password: 'unit12345' } });
      expect(u.json().user.role).toBe('unit_staff');
      expect(['u-a', 'u-b']).toContain(u.json().user.unitId);
    });

    it('rate-limits per user with 429 and Retry-After', async () => {
      const small = await buildApp({ ...ctx, config: { ...ctx.config, rateLimitBurst: 3, rateLimitPerSecond: 0.01 } });
      const h = await authHeaders(ctx.db, 'analyst');
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await small.inject({ url: '/api/auth/me', headers: h })).statusCode);
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      const r = await small.inject({ url: '/api/auth/me', headers: h });
      expect(r.json().error.code).toBe('rate_limited');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      // Another user has their own bucket.
      expect((await small.inject({ url: '/api/auth/me', headers: await authHeaders(ctx.db, 'analyst') })).statusCode).toBe(200);
      await small.close();
    });
  });
}
