// Sign-in with throttling (failures per IP and per username over a window, shared by all processes through
// the database) and lockout after repeated failures on one account.
import type { Db, Row } from '../store/db.ts';
import { AppError, unauthorized } from '../shared/errors.ts';
import { DUMMY_HASH, verifyPassword } from './password.ts';
import { createSession } from './sessions.ts';
import { recordAudit } from './audit.ts';
import { actorOf } from './users.ts';

export const LOGIN_WINDOW_MIN = 15;
export const MAX_FAILS_PER_IP = 30;
export const MAX_FAILS_PER_USERNAME = 10;
export const LOCK_AFTER = 5;
export const LOCK_MINUTES = 15;

const tooMany = (retryAfterS: number) => {
  const e = new AppError('too_many_attempts', `登录失败次数过多，请 ${Math.ceil(retryAfterS / 60)} 分钟后再试`, 429);
  (e as AppError & { retryAfter?: number }).retryAfter = retryAfterS;
  return e;
};

export async function login(db: Db, input: { username: string; password: string; ip: string; userAgent?: string }): Promise<{ user: Row; sessionId: string; csrfToken: string; expiresAt: Date }> {
  const username = input.username.trim().toLowerCase().slice(0, 64);
  const [{ by_ip, by_user }] = await db.query<{ by_ip: number; by_user: number }>(
    `SELECT count(*) FILTER (WHERE ip = $1)::int AS by_ip, count(*) FILTER (WHERE username = $2)::int AS by_user
       FROM login_attempts WHERE NOT ok AND at > now() - make_interval(mins => $3) AND (ip = $1 OR username = $2)`,
    [input.ip, username, LOGIN_WINDOW_MIN],
  );
  if (by_ip >= MAX_FAILS_PER_IP || by_user >= MAX_FAILS_PER_USERNAME) throw tooMany(LOGIN_WINDOW_MIN * 60);

  const [user] = await db.query('SELECT * FROM users WHERE username = $1', [username]);
  if (user?.locked_until && new Date(user.locked_until).getTime() > Date.now()) {
    await db.query('INSERT INTO login_attempts (ip, username, ok) VALUES ($1, $2, false)', [input.ip, username]);
    const e = new AppError('account_locked', `账号已被锁定，请 ${Math.ceil((new Date(user.locked_until).getTime() - Date.now()) / 60_000)} 分钟后再试或联系管理员`, 423);
    (e as AppError & { retryAfter?: number }).retryAfter = Math.ceil((new Date(user.locked_until).getTime() - Date.now()) / 1000);
    throw e;
  }
  const ok = await verifyPassword(input.password, user?.password_hash ?? DUMMY_HASH);
  if (!user || !ok || !user.active) {
    await db.query('INSERT INTO login_attempts (ip, username, ok) VALUES ($1, $2, false)', [input.ip, username]);
    if (user && user.active) {
      await db.query(
        `UPDATE users SET failed_attempts = failed_attempts + 1,
           locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END
         WHERE id = $1`,
        [user.id, LOCK_AFTER, LOCK_MINUTES],
      );
    }
    throw unauthorized('用户名或密码错误');
  }
  await db.query('UPDATE users SET failed_attempts = 0, locked_until = NULL, last_login_at = now() WHERE id = $1', [user.id]);
  await db.query('INSERT INTO login_attempts (ip, username, ok) VALUES ($1, $2, true)', [input.ip, username]);
  const s = await createSession(db, String(user.id), { ip: input.ip, userAgent: input.userAgent });
  await recordAudit(db, { actor: actorOf(user), action: 'login', ip: input.ip });
  return { user, sessionId: s.id, csrfToken: s.csrfToken, expiresAt: s.expiresAt };
}

/** Forgets old attempts and expired sessions (a background job). */
export async function pruneAuth(db: Db): Promise<void> {
  await db.query(`DELETE FROM login_attempts WHERE at < now() - interval '1 day'`);
  await db.query(`DELETE FROM sessions WHERE expires_at < now()`);
}
