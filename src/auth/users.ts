// User administration: list, create, update role & unit, reset password, deactivate; first-start admin and
// demo users. Every change is written to the audit log.
import type { Db, Row } from '../store/db.ts';
import type { Actor } from '../server/context.ts';
import { conflict, notFound, validationError } from '../shared/errors.ts';
import { hashPassword, passwordProblem, randomPassword } from './password.ts';
import { recordAudit } from './audit.ts';
import { clearAuthCache } from './cache.ts';
import { endUserSessions } from './sessions.ts';

export type Role = 'operator' | 'unit_staff' | 'analyst' | 'leader' | 'admin';
export const ROLES: Role[] = ['operator', 'unit_staff', 'analyst', 'leader', 'admin'];
export const ROLE_NAMES: Record<Role, string> = { operator: '话务员', unit_staff: '承办单位人员', analyst: '分析员', leader: '领导', admin: '管理员' };

export interface UserDto {
  id: string;
  username: string;
  name: string;
  role: Role;
  unitId: string | null;
  unitName?: string | null;
  active?: boolean;
  locked?: boolean;
  lastLoginAt?: string | null;
  createdAt?: string;
}

export function userDto(r: Row, full = false): UserDto {
  const base: UserDto = { id: String(r.id), username: r.username, name: r.name, role: r.role, unitId: r.unit_id ?? null };
  if (!full) return base;
  return {
    ...base,
    unitName: r.unit_name ?? null,
    active: r.active,
    locked: !!(r.locked_until && new Date(r.locked_until).getTime() > Date.now()),
    lastLoginAt: r.last_login_at ? new Date(r.last_login_at).toISOString() : null,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export function actorOf(r: Row): Actor {
  return { id: String(r.id), name: r.name, role: r.role, unitId: r.unit_id ?? null };
}

const SELECT = `SELECT u.*, un.name AS unit_name FROM users u LEFT JOIN units un ON un.id = u.unit_id`;

export async function listUsers(db: Db, f: { q?: string; role?: Role; active?: boolean; limit?: number; offset?: number } = {}) {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.q) { params.push(`%${f.q}%`); where.push(`(u.username ILIKE $${params.length} OR u.name ILIKE $${params.length})`); }
  if (f.role) { params.push(f.role); where.push(`u.role = $${params.length}`); }
  if (f.active !== undefined) { params.push(f.active); where.push(`u.active = $${params.length}`); }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM users u ${w}`, params);
  params.push(f.limit ?? 100, f.offset ?? 0);
  const rows = await db.query(`${SELECT} ${w} ORDER BY u.id LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  return { total: n, items: rows.map((r) => userDto(r, true)) };
}

export async function getUserRow(db: Db, id: string): Promise<Row> {
  if (!/^\d{1,18}$/.test(id)) throw notFound('用户');
  const [r] = await db.query(`${SELECT} WHERE u.id = $1`, [id]);
  if (!r) throw notFound('用户');
  return r;
}

async function checkUnit(db: Db, role: Role, unitId: string | null | undefined): Promise<void> {
  if (role === 'unit_staff' && !unitId) throw validationError({ unitId: '承办单位人员必须绑定单位' });
  if (unitId) {
    const [u] = await db.query('SELECT id FROM units WHERE id = $1', [unitId]);
    if (!u) throw validationError({ unitId: '单位不存在' });
  }
}

export interface CreateUserInput { username: string; name: string; role: Role; unitId?: string | null; password?: string; demo?: boolean }

/** Creates a user; returns the generated password once when none was given. */
export async function createUser(db: Db, input: CreateUserInput, by: Actor | null): Promise<{ user: UserDto; password?: string }> {
  const username = input.username.trim().toLowerCase();
  if (!/^[a-z0-9_.-]{2,64}$/.test(username)) throw validationError({ username: '用户名只能包含小写字母、数字、_ . -（2–64 位）' });
  const unitId = input.role === 'unit_staff' || input.unitId ? input.unitId ?? null : null;
  await checkUnit(db, input.role, unitId);
  const generated = input.password ? undefined : randomPassword();
  const password = input.password ?? generated!;
  const problem = passwordProblem(password);
  if (problem) throw validationError({ password: problem });
  const hash = await hashPassword(password);
  const rows = await db.query(
    `INSERT INTO users (username, name, role, unit_id, password_hash, demo) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (username) DO NOTHING RETURNING *`,
    [username, input.name.trim() || username, input.role, unitId, hash, input.demo ?? false],
  );
  if (!rows[0]) throw conflict('username_taken', '用户名已存在');
  if (by) await recordAudit(db, { actor: by, action: 'user_create', target: `user:${rows[0].id}`, detail: { username, role: input.role, unitId } });
  return { user: userDto(rows[0]), ...(generated ? { password: generated } : {}) };
}

export async function updateUser(db: Db, id: string, patch: { name?: string; role?: Role; unitId?: string | null; active?: boolean }, by: Actor): Promise<UserDto> {
  const cur = await getUserRow(db, id);
  const role: Role = patch.role ?? cur.role;
  const unitId = patch.unitId !== undefined ? patch.unitId : cur.unit_id;
  await checkUnit(db, role, unitId);
  if (String(cur.id) === by.id && (role !== 'admin' || patch.active === false)) throw validationError({ role: '不能降低或停用自己的管理员账号' });
  const active = patch.active ?? cur.active;
  const [r] = await db.query(
    `UPDATE users SET name = $2, role = $3, unit_id = $4, active = $5, updated_at = now() WHERE id = $1 RETURNING *`,
    [id, patch.name?.trim() || cur.name, role, role === 'unit_staff' ? unitId : unitId ?? null, active],
  );
  // A role, unit or activity change ends existing sessions: the next request must carry the new rights.
  if (role !== cur.role || unitId !== cur.unit_id || !active) await endUserSessions(db, id);
  clearAuthCache(); // the cached actor carries the name too
  await recordAudit(db, { actor: by, action: 'user_update', target: `user:${id}`, detail: patch });
  return userDto((await db.query(`${SELECT} WHERE u.id = $1`, [r.id]))[0], true);
}

export async function resetPassword(db: Db, id: string, password: string | undefined, by: Actor): Promise<{ password?: string }> {
  await getUserRow(db, id);
  const generated = password ? undefined : randomPassword();
  const pw = password ?? generated!;
  const problem = passwordProblem(pw);
  if (problem) throw validationError({ password: problem });
  await db.query(
    `UPDATE users SET password_hash = $2, failed_attempts = 0, locked_until = NULL, password_changed_at = now(), updated_at = now() WHERE id = $1`,
    [id, await hashPassword(pw)],
  );
  await endUserSessions(db, id);
  await recordAudit(db, { actor: by, action: 'user_reset_password', target: `user:${id}` });
  return generated ? { password: generated } : {};
}

export async function deactivateUser(db: Db, id: string, by: Actor): Promise<UserDto> {
  return updateUser(db, id, { active: false }, by);
}

/**
 * First start: when no admin exists, creates `admin` with the configured password or a random one that is
 * printed once (returned so the caller prints it). Returns null when an admin already exists.
 */
export async function ensureAdmin(db: Db, configured?: string): Promise<{ username: string; password?: string } | null> {
  const [has] = await db.query(`SELECT 1 FROM users WHERE role = 'admin' LIMIT 1`);
  if (has) return null;
  const r = await createUser(db, { username: 'admin', name: '系统管理员', role: 'admin', password: configured }, null).catch((e) => {
    if (e?.code === 'username_taken') return null; // another process won the race
    throw e;
  });
  if (!r) return null;
  return { username: 'admin', password: r.password };
}

/** Demo users (one per role) with documented passwords; only for demo databases (see README). */
export const DEMO_USERS: { username: string; name: string; role: Role; password: string }[] = [
  { username: 'operator', name: '演示话务员', role: 'operator', password: 'operator12345' },
  { username: 'unit', name: '演示承办单位人员', role: 'unit_staff', password: 'unit12345' },
  { username: 'analyst', name: '演示分析员', role: 'analyst', password: 'analyst12345' },
  { username: 'leader', name: '演示领导', role: 'leader', password: 'leader12345' },
];

/**
 * Creates the demo users once (a settings flag remembers it, so deleting one does not bring it back).
 * The unit user is bound to the unit with the most dispatched cases, so its inbox is not empty.
 */
export async function ensureDemoUsers(db: Db): Promise<string[]> {
  const [done] = await db.query(`SELECT 1 FROM settings WHERE key = 'auth.demo_users'`);
  if (done) return [];
  const [unit] = await db.query(
    `SELECT u.id FROM units u LEFT JOIN cases c ON c.unit_id = u.id WHERE u.active AND u.kind <> 'centre'
     GROUP BY u.id ORDER BY count(c.id) DESC, u.id LIMIT 1`,
  );
  if (!unit) return []; // no reference data yet: try again after the demo load
  const created: string[] = [];
  for (const d of DEMO_USERS) {
    const r = await createUser(db, { ...d, unitId: d.role === 'unit_staff' ? unit.id : null, demo: true }, null).catch((e) => {
      if (e?.code === 'username_taken') return null;
      throw e;
    });
    if (r) created.push(d.username);
  }
  await db.query(`INSERT INTO settings (key, value) VALUES ('auth.demo_users', $1) ON CONFLICT (key) DO NOTHING`, [JSON.stringify({ unitId: unit.id, at: new Date().toISOString() })]);
  return created;
}
