// Test helper: one line to authenticate a request in app.inject.
//   const h = await authHeaders(ctx.db, 'operator');                 // cookie session of a fresh operator
//   const h = await authHeaders(ctx.db, 'unit_staff', { unitId });    // unit staff of a unit (must exist)
//   const h = await tokenHeaders(ctx.db, ['cases:write'], { channel: '12315' });
//   await app.inject({ method: 'GET', url: '/api/cases', headers: h });
// Users are inserted directly (one scrypt hash per process), so the helper is fast.
import crypto from 'node:crypto';
import type { Db } from '../src/store/db.ts';
import type { Actor } from '../src/server/context.ts';
import { hashPassword } from '../src/auth/password.ts';
import { createSession, SESSION_COOKIE } from '../src/auth/sessions.ts';
import { createToken } from '../src/auth/tokens.ts';
import { actorOf, type Role } from '../src/auth/users.ts';

export const TEST_PASSWORD = 'test-password-123';
let hashOnce: Promise<string> | undefined;

export interface SignedIn {
  headers: Record<string, string>;
  actor: Actor;
  user: { id: string; username: string; name: string; role: Role; unitId: string | null };
  csrfToken: string;
}

/** Creates a user of `role` (password TEST_PASSWORD) and a session; returns headers with its cookie. */
export async function signIn(db: Db, role: Role, opts: { unitId?: string | null; username?: string; name?: string } = {}): Promise<SignedIn> {
  const hash = await (hashOnce ??= hashPassword(TEST_PASSWORD));
  const username = opts.username ?? `t_${role}_${crypto.randomBytes(4).toString('hex')}`;
  const [row] = await db.query(
    `INSERT INTO users (username, name, role, unit_id, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
    [username, opts.name ?? `测试${role}`, role, opts.unitId ?? null, hash],
  );
  const s = await createSession(db, String(row.id));
  return {
    headers: { cookie: `${SESSION_COOKIE}=${s.id}` },
    actor: actorOf(row),
    user: { id: String(row.id), username, name: row.name, role, unitId: row.unit_id ?? null },
    csrfToken: s.csrfToken,
  };
}

/** Headers for app.inject signed in as a fresh user of `role`. */
export async function authHeaders(db: Db, role: Role, opts: { unitId?: string | null; username?: string; name?: string } = {}): Promise<Record<string, string>> {
  return (await signIn(db, role, opts)).headers;
}

/** Headers with a fresh API token (`Authorization: Bearer …`) of these scopes. */
export async function tokenHeaders(db: Db, scopes: string[], opts: { unitId?: string | null; channel?: string | null; name?: string } = {}): Promise<Record<string, string>> {
  const by: Actor = { id: 'test', name: '测试', role: 'admin' };
  const { secret } = await createToken(db, { name: opts.name ?? `测试令牌 ${scopes.join(' ')}`, scopes, unitId: opts.unitId, channel: opts.channel }, by);
  return { authorization: `Bearer ${secret}` };
}

/**
 * Signs every app.inject of this app in: as `role` by default, or — when a request carries the old
 * placeholder header `x-unit-id` — as staff of that unit. Requests that bring their own cookie or
 * Authorization header are left alone. One line for existing tests: `app = await signedInApp(await buildApp(ctx), db)`.
 */
export async function signedInApp<T extends { inject: (...args: any[]) => any }>(app: T, db: Db, role: Role = 'operator'): Promise<T> {
  const defaults = await authHeaders(db, role);
  const units = new Map<string, Promise<Record<string, string>>>();
  const inject = app.inject.bind(app);
  (app as any).inject = (opts: any, ...rest: any[]) => {
    if (typeof opts === 'string') opts = { url: opts };
    if (!opts || typeof opts !== 'object') return inject(opts, ...rest);
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const has = (k: string) => Object.keys(headers).some((h) => h.toLowerCase() === k);
    const unitKey = Object.keys(headers).find((h) => h.toLowerCase() === 'x-unit-id');
    const run = async () => {
      if (unitKey) {
        const unitId = headers[unitKey];
        delete headers[unitKey];
        if (!units.has(unitId)) units.set(unitId, authHeaders(db, 'unit_staff', { unitId }));
        Object.assign(headers, await units.get(unitId)!);
      } else if (!has('cookie') && !has('authorization')) Object.assign(headers, defaults);
      return inject({ ...opts, headers }, ...rest);
    };
    return run();
  };
  return app;
}
