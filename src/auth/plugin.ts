// Authentication for every /api route: the actor comes from the `ms_session` cookie or an
// `Authorization: Bearer` API token, resolved once per request in an onRequest hook (so routes registered
// without route() are protected too). Also: CSRF checks for cookie sessions, token scopes and channel
// binding, and token-bucket rate limits per token / user / IP (429 + Retry-After).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor, AppContext } from '../server/context.ts';
import { AppError, forbidden, unauthorized } from '../shared/errors.ts';
import { readCookie, resolveSession, SESSION_COOKIE } from './sessions.ts';
import { requiredScope, resolveToken, scopeAllows, tokenActor } from './tokens.ts';
import { actorOf } from './users.ts';
import { RateLimiter } from './rate-limit.ts';
import { cachedAuth } from './cache.ts';
import { installSensitiveGuard } from './guard.ts';

/** Reachable without signing in (besides the web app's static files, which are outside /api). */
export const PUBLIC_API = new Set(['/api/health', '/api/openapi.json', '/api/docs', '/api/auth/login']);
export const ANONYMOUS: Actor = { id: 'anonymous', name: '匿名', role: 'citizen' };

export interface RequestAuth {
  actor: Actor;
  kind: 'session' | 'token' | 'anonymous';
  sessionHash?: string;
  csrfToken?: string;
  scopes?: string[];
  channel?: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth?: RequestAuth;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const pathOf = (url: string) => url.split('?')[0];
export const isPublicApi = (url: string) => PUBLIC_API.has(pathOf(url).replace(/\/$/, ''));

export async function installAuth(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const limiter = new RateLimiter(ctx.config.rateLimitPerSecond, ctx.config.rateLimitBurst);

  const limit = (reply: FastifyReply, key: string) => {
    const wait = limiter.take(key);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      throw new AppError('rate_limited', `请求过于频繁，请 ${wait} 秒后重试`, 429);
    }
  };

  app.decorateRequest('auth', undefined);

  app.addHook('onRequest', async (req, reply) => {
    // Decide on the matched route pattern when there is one (not on the raw URL, which can be dressed up).
    const routeUrl = req.routeOptions.url;
    if (!(routeUrl ?? '').startsWith('/api') && !pathOf(req.url).startsWith('/api')) return;
    if (routeUrl ? PUBLIC_API.has(routeUrl) : isPublicApi(req.url)) {
      limit(reply, `ip:${req.ip}`);
      req.auth = { actor: ANONYMOUS, kind: 'anonymous' };
      if (UNSAFE.has(req.method)) checkCsrf(req, req.auth); // no login CSRF: a foreign page cannot sign a browser in
      return;
    }
    const auth = await resolveAuth(ctx, req);
    if (!auth) {
      limit(reply, `ip:${req.ip}`);
      throw unauthorized();
    }
    limit(reply, auth.kind === 'token' ? auth.actor.id : `user:${auth.actor.id}`);
    if (auth.kind === 'session' && UNSAFE.has(req.method)) checkCsrf(req, auth);
    if (auth.kind === 'token') {
      const needed = requiredScope(req.method, req.url);
      if (!scopeAllows(auth.scopes ?? [], needed)) throw forbidden(`令牌缺少权限范围 ${needed}`);
    }
    req.auth = auth;
  });

  installSensitiveGuard(app, ctx);

  app.decorate('authenticate', async (req: FastifyRequest, roles?: Actor['role'][]): Promise<Actor> => {
    const auth = req.auth ?? (isPublicApi(req.url) ? { actor: ANONYMOUS, kind: 'anonymous' as const } : await resolveAuth(ctx, req));
    if (!auth) throw unauthorized();
    if (auth.kind === 'anonymous') {
      if (roles?.length) throw unauthorized();
      return auth.actor;
    }
    if (!roleAllows(auth, roles)) throw forbidden();
    if (auth.channel) bindChannel(req, auth.channel);
    return auth.actor;
  });
}

/**
 * Admins may do everything. Integration tokens (not bound to a unit) are governed by their scopes, which
 * the hook already checked; they never pass admin-only routes.
 */
function roleAllows(auth: RequestAuth, roles?: Actor['role'][]): boolean {
  if (!roles || roles.length === 0) return true;
  const a = auth.actor;
  if (a.role === 'admin' || roles.includes(a.role)) return true;
  if (a.role === 'integration') return roles.some((r) => r !== 'admin');
  return false;
}

async function resolveAuth(ctx: AppContext, req: FastifyRequest): Promise<RequestAuth | null> {
  const header = req.headers.authorization;
  if (typeof header === 'string' && /^bearer\s+/i.test(header)) {
    const secret = header.replace(/^bearer\s+/i, '').trim();
    const auth = await cachedAuth(`token:${secret}`, async (): Promise<RequestAuth & { until: number | null } | null> => {
      const row = await resolveToken(ctx.db, secret);
      return row && { actor: tokenActor(row), kind: 'token', scopes: row.scopes, channel: row.channel, until: row.expires_at ? new Date(row.expires_at).getTime() : null };
    }, (a) => a.until);
    if (!auth) throw unauthorized('API 令牌无效、已过期或已吊销');
    return auth;
  }
  const sid = readCookie(req.headers.cookie, SESSION_COOKIE);
  if (!sid) return null;
  return cachedAuth(`session:${sid}`, async (): Promise<RequestAuth & { until: number } | null> => {
    const s = await resolveSession(ctx.db, sid);
    return s && { actor: actorOf(s.user), kind: 'session', sessionHash: s.session.idHash, csrfToken: s.session.csrfToken, until: new Date(s.user.expires_at).getTime() };
  }, (a) => a.until);
}

/**
 * Cookie sessions on unsafe methods: a browser tells us where the request came from. Reject when Origin names
 * another host, or Sec-Fetch-Site says cross-site / same-site; a matching X-CSRF-Token always passes.
 * Scripted clients (curl, tests) send neither header and pass — they cannot ride a victim's cookie anyway.
 */
function checkCsrf(req: FastifyRequest, auth: RequestAuth): void {
  const token = req.headers['x-csrf-token'];
  if (typeof token === 'string' && token && token === auth.csrfToken) return;
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin) {
    let same = false;
    try {
      // URL() normalises default ports on both sides (http://h:80 ≡ http://h).
      same = new URL(origin).host === new URL(`${req.protocol}://${req.host}`).host;
    } catch {
      same = false;
    }
    if (!same) throw new AppError('csrf', '跨站请求被拒绝', 403);
    return;
  }
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') throw new AppError('csrf', '跨站请求被拒绝', 403);
}

/** A channel-bound token creates cases only on its own channel: fill it in, refuse any other. */
function bindChannel(req: FastifyRequest, channel: string): void {
  const body = req.body;
  if (!UNSAFE.has(req.method) || !body || typeof body !== 'object' || Array.isArray(body)) return;
  const b = body as Record<string, unknown>;
  if (b.channel === undefined || b.channel === null || b.channel === '') b.channel = channel;
  else if (b.channel !== channel) throw new AppError('forbidden', `该令牌只能提交渠道 ${channel} 的诉求`, 403, { channel: '渠道与令牌绑定的渠道不符' });
}
