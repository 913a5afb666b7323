// Cookie sessions: a random id in an HttpOnly cookie, only its hash stored; idle and absolute expiry.
import type { Db, Row } from '../store/db.ts';
import { randomToken, sha256 } from './password.ts';
import { clearAuthCache } from './cache.ts';

export const SESSION_COOKIE = 'ms_session';
export const SESSION_IDLE_MS = 8 * 3600_000; // a working shift
export const SESSION_MAX_MS = 24 * 3600_000;
const TOUCH_EVERY_MS = 5 * 60_000;

export async function createSession(db: Db, userId: string, meta: { ip?: string; userAgent?: string } = {}): Promise<{ id: string; csrfToken: string; expiresAt: Date }> {
  const id = randomToken(32);
  const csrfToken = randomToken(24);
  const expiresAt = new Date(Date.now() + SESSION_IDLE_MS);
  await db.query(`INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6)`, [
    sha256(id), userId, csrfToken, expiresAt, meta.ip ?? null, (meta.userAgent ?? '').slice(0, 300) || null,
  ]);
  return { id, csrfToken, expiresAt };
}

/** The session's user row (active users only), sliding its idle expiry now and then; null when invalid. */
export async function resolveSession(db: Db, id: string): Promise<{ user: Row; session: Row } | null> {
  if (!id || id.length > 100) return null;
  const idHash = sha256(id);
  const [r] = await db.query(
    `SELECT s.id_hash, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, u.*
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > now() AND u.active`,
    [idHash],
  );
  if (!r) return null;
  const now = Date.now();
  if (now - new Date(r.last_seen_at).getTime() > TOUCH_EVERY_MS) {
    const expires = new Date(Math.min(now + SESSION_IDLE_MS, new Date(r.created_at).getTime() + SESSION_MAX_MS));
    await db.query('UPDATE sessions SET last_seen_at = now(), expires_at = $2 WHERE id_hash = $1', [idHash, expires]);
  }
  return { user: r, session: { idHash, csrfToken: r.csrf_token } };
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE id_hash = $1', [sha256(id)]);
  clearAuthCache();
}

/** Ends a user's sessions (all, or all but the one with hash `keepHash`). */
export async function endUserSessions(db: Db, userId: string, keepHash?: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE user_id = $1 AND id_hash IS DISTINCT FROM $2', [userId, keepHash ?? null]);
  clearAuthCache();
}

export function sessionCookie(id: string, opts: { secure: boolean; maxAgeS?: number }): string {
  const parts = [`${SESSION_COOKIE}=${id}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${opts.maxAgeS ?? Math.floor(SESSION_MAX_MS / 1000)}`];
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

export function clearedCookie(secure: boolean): string {
  return sessionCookie('', { secure, maxAgeS: 0 });
}

/** Reads one cookie from a Cookie header without a parser plugin. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}
