// API tokens for integrations: `ms_` + random, shown once, stored as SHA-256; scopes like cases:write,
// optionally bound to a unit (acts as its staff) or a channel (creates cases only on that channel).
import type { Db, Row } from '../store/db.ts';
import type { Actor } from '../server/context.ts';
import { notFound, validationError } from '../shared/errors.ts';
import { randomToken, sha256 } from './password.ts';
import { recordAudit } from './audit.ts';
import { clearAuthCache } from './cache.ts';

export const SCOPE_RE = /^([a-z][a-z0-9_-]*|\*):(read|write)$/;

export interface TokenDto {
  id: string; name: string; prefix: string; scopes: string[]; unitId: string | null; channel: string | null;
  createdAt: string; expiresAt: string | null; lastUsedAt: string | null; revoked: boolean;
}

const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);

export function tokenDto(r: Row): TokenDto {
  return {
    id: String(r.id), name: r.name, prefix: r.prefix, scopes: r.scopes, unitId: r.unit_id ?? null, channel: r.channel ?? null,
    createdAt: iso(r.created_at)!, expiresAt: iso(r.expires_at), lastUsedAt: iso(r.last_used_at), revoked: !!r.revoked_at,
  };
}

export interface CreateTokenInput { name: string; scopes: string[]; unitId?: string | null; channel?: string | null; expiresInDays?: number | null }

export async function createToken(db: Db, input: CreateTokenInput, by: Actor): Promise<{ token: TokenDto; secret: string }> {
  const bad = input.scopes.filter((s) => !SCOPE_RE.test(s));
  if (!input.scopes.length || bad.length) throw validationError({ scopes: `权限范围格式应为 资源:read 或 资源:write${bad.length ? `，无效: ${bad.join(', ')}` : ''}` });
  if (input.unitId && !(await db.query('SELECT 1 FROM units WHERE id = $1', [input.unitId]))[0]) throw validationError({ unitId: '单位不存在' });
  if (input.channel && !(await db.query('SELECT 1 FROM channels WHERE code = $1', [input.channel]))[0]) throw validationError({ channel: '渠道不存在' });
  const secret = `ms_${randomToken(32)}`;
  const expires = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86400_000) : null;
  const [r] = await db.query(
    `INSERT INTO api_tokens (name, token_hash, prefix, scopes, unit_id, channel, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [input.name, sha256(secret), secret.slice(0, 10), input.scopes, input.unitId ?? null, input.channel ?? null, /^\d+$/.test(by.id) ? by.id : null, expires],
  );
  await recordAudit(db, { actor: by, action: 'token_create', target: `token:${r.id}`, detail: { name: input.name, scopes: input.scopes, unitId: input.unitId ?? null, channel: input.channel ?? null } });
  return { token: tokenDto(r), secret };
}

export async function listTokens(db: Db): Promise<TokenDto[]> {
  return (await db.query('SELECT * FROM api_tokens ORDER BY id DESC')).map(tokenDto);
}

export async function revokeToken(db: Db, id: string, by: Actor): Promise<TokenDto> {
  if (!/^\d{1,18}$/.test(id)) throw notFound('令牌');
  const [r] = await db.query('UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING *', [id]);
  if (!r) throw notFound('令牌');
  clearAuthCache();
  await recordAudit(db, { actor: by, action: 'token_revoke', target: `token:${id}` });
  return tokenDto(r);
}

/** The live token row for a presented secret, or null. Marks it used (at most once a minute). */
export async function resolveToken(db: Db, secret: string): Promise<Row | null> {
  if (!secret.startsWith('ms_') || secret.length > 100) return null;
  const [r] = await db.query(
    `SELECT * FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
    [sha256(secret)],
  );
  if (!r) return null;
  if (!r.last_used_at || Date.now() - new Date(r.last_used_at).getTime() > 60_000) {
    await db.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [r.id]);
  }
  return r;
}

/** The scope a request needs: the first path segment after /api/ and read (GET/HEAD) or write. */
export function requiredScope(method: string, url: string): string {
  const resource = url.split('?')[0].replace(/^\/api\//, '').split('/')[0] || 'api';
  return `${resource}:${method === 'GET' || method === 'HEAD' ? 'read' : 'write'}`;
}

export function scopeAllows(scopes: string[], needed: string): boolean {
  const [res, mode] = needed.split(':');
  return scopes.some((s) => {
    const [r, m] = s.split(':');
    return (r === res || r === '*') && (m === mode || (m === 'write' && mode === 'read'));
  });
}

export function tokenActor(r: Row): Actor {
  return { id: `token:${r.id}`, name: r.name, role: r.unit_id ? 'unit_staff' : 'integration', unitId: r.unit_id ?? null };
}
