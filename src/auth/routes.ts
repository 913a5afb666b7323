// Auth API: sign in / out / me, user administration, API tokens, audit log. Thin handlers over src/auth/*.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { route } from '../server/route.ts';
import type { AppContext } from '../server/context.ts';
import { AppError, unauthorized, validationError } from '../shared/errors.ts';
import { login } from './login.ts';
import { clearedCookie, deleteSession, endUserSessions, readCookie, SESSION_COOKIE, sessionCookie } from './sessions.ts';
import { createUser, deactivateUser, getUserRow, listUsers, resetPassword, ROLES, updateUser, userDto } from './users.ts';
import { createToken, listTokens, revokeToken } from './tokens.ts';
import { listAudit, recordAudit } from './audit.ts';
import { hashPassword, passwordProblem, verifyPassword } from './password.ts';

const Role = z.enum(ROLES as [string, ...string[]]);
const Id = z.object({ id: z.string().regex(/^\d{1,18}$/, '编号无效') });
const isHttps = (req: { protocol: string }) => req.protocol === 'https';

/** Errors that carry a retry delay (throttling, lockout) get a Retry-After header. */
const withRetryAfter = async <T>(reply: FastifyReply, fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (e) {
    const ra = (e as { retryAfter?: number }).retryAfter;
    if (e instanceof AppError && ra) reply.header('retry-after', String(ra));
    throw e;
  }
};

export async function registerAuthRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  route(app, ctx, {
    method: 'POST', url: '/api/auth/login', tag: 'auth', summary: '登录（设置会话 Cookie ms_session）',
    body: z.object({ username: z.string().min(1, '请输入用户名').max(64), password: z.string().min(1, '请输入密码').max(200) }),
    handler: async ({ body, req, reply }) =>
      withRetryAfter(reply, async () => {
        const r = await login(ctx.db, { username: body.username, password: body.password, ip: req.ip, userAgent: req.headers['user-agent'] });
        reply.header('set-cookie', sessionCookie(r.sessionId, { secure: isHttps(req) }));
        return { user: userDto(r.user), csrfToken: r.csrfToken, expiresAt: r.expiresAt.toISOString() };
      }),
  });

  route(app, ctx, {
    method: 'GET', url: '/api/auth/me', tag: 'auth', summary: '当前登录用户',
    handler: async ({ actor, req }) => {
      if (req.auth?.kind === 'session') return { user: userDto(await getUserRow(ctx.db, actor.id)), csrfToken: req.auth.csrfToken };
      return { user: { id: actor.id, username: actor.id, name: actor.name, role: actor.role, unitId: actor.unitId ?? null }, scopes: req.auth?.scopes ?? [] };
    },
  });

  route(app, ctx, {
    method: 'POST', url: '/api/auth/logout', tag: 'auth', summary: '退出登录',
    handler: async ({ actor, req, reply }) => {
      const sid = readCookie(req.headers.cookie, SESSION_COOKIE);
      if (sid) await deleteSession(ctx.db, sid);
      await recordAudit(ctx.db, { actor, action: 'logout', ip: req.ip });
      reply.header('set-cookie', clearedCookie(isHttps(req)));
      return { ok: true };
    },
  });

  route(app, ctx, {
    method: 'POST', url: '/api/auth/password', tag: 'auth', summary: '修改自己的密码',
    body: z.object({ oldPassword: z.string().min(1).max(200), newPassword: z.string().min(1).max(200) }),
    handler: async ({ body, actor, req }) => {
      if (req.auth?.kind !== 'session') throw unauthorized('请使用账号登录后修改密码');
      const row = await getUserRow(ctx.db, actor.id);
      if (!(await verifyPassword(body.oldPassword, row.password_hash))) throw validationError({ oldPassword: '原密码错误' });
      const problem = passwordProblem(body.newPassword);
      if (problem) throw validationError({ newPassword: problem });
      await ctx.db.query('UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE id = $1', [actor.id, await hashPassword(body.newPassword)]);
      // Other sessions of this user end; this one stays.
      await endUserSessions(ctx.db, actor.id, req.auth.sessionHash);
      return { ok: true };
    },
  });

  // —— user administration (admin) ——
  route(app, ctx, {
    method: 'GET', url: '/api/users', tag: 'auth', summary: '用户列表（管理员）', roles: ['admin'],
    query: z.object({
      q: z.string().max(64).optional(), role: Role.optional(), active: z.enum(['true', 'false']).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100), offset: z.coerce.number().int().min(0).default(0),
    }),
    handler: async ({ query }) => listUsers(ctx.db, { ...query, role: query.role as any, active: query.active === undefined ? undefined : query.active === 'true' }),
  });

  route(app, ctx, {
    method: 'POST', url: '/api/users', tag: 'auth', summary: '新建用户（管理员；未给密码时生成并仅显示一次）', roles: ['admin'], status: 201,
    body: z.object({
      username: z.string().min(2).max(64), name: z.string().min(1).max(64), role: Role,
      unitId: z.string().max(64).nullish(), password: z.string().max(200).optional(),
    }),
    handler: async ({ body, actor }) => createUser(ctx.db, { ...body, role: body.role as any }, actor),
  });

  route(app, ctx, {
    method: 'PATCH', url: '/api/users/:id', tag: 'auth', summary: '修改用户角色、单位或状态（管理员）', roles: ['admin'], params: Id,
    body: z.object({ name: z.string().min(1).max(64).optional(), role: Role.optional(), unitId: z.string().max(64).nullish(), active: z.boolean().optional() }),
    handler: async ({ params, body, actor }) => ({ user: await updateUser(ctx.db, params.id, { ...body, role: body.role as any }, actor) }),
  });

  route(app, ctx, {
    method: 'POST', url: '/api/users/:id/password', tag: 'auth', summary: '重置用户密码（管理员；未给密码时生成并仅显示一次）', roles: ['admin'], params: Id,
    body: z.object({ password: z.string().max(200).optional() }),
    handler: async ({ params, body, actor }) => ({ ok: true, ...(await resetPassword(ctx.db, params.id, body.password, actor)) }),
  });

  route(app, ctx, {
    method: 'POST', url: '/api/users/:id/deactivate', tag: 'auth', summary: '停用用户（管理员）', roles: ['admin'], params: Id,
    handler: async ({ params, actor }) => ({ user: await deactivateUser(ctx.db, params.id, actor) }),
  });

  // —— API tokens (admin) ——
  route(app, ctx, {
    method: 'GET', url: '/api/tokens', tag: 'auth', summary: 'API 令牌列表（管理员）', roles: ['admin'],
    handler: async () => ({ items: await listTokens(ctx.db) }),
  });

  route(app, ctx, {
    method: 'POST', url: '/api/tokens', tag: 'auth', summary: '新建 API 令牌（管理员；令牌仅显示一次）', roles: ['admin'], status: 201,
    body: z.object({
      name: z.string().min(1).max(100), scopes: z.array(z.string().max(64)).min(1).max(50),
      unitId: z.string().max(64).nullish(), channel: z.string().max(32).nullish(), expiresInDays: z.number().int().min(1).max(3650).nullish(),
    }),
    handler: async ({ body, actor }) => createToken(ctx.db, body, actor),
  });

  route(app, ctx, {
    method: 'DELETE', url: '/api/tokens/:id', tag: 'auth', summary: '吊销 API 令牌（管理员）', roles: ['admin'], params: Id,
    handler: async ({ params, actor }) => ({ token: await revokeToken(ctx.db, params.id, actor) }),
  });

  // —— audit log (admin) ——
  route(app, ctx, {
    method: 'GET', url: '/api/audit', tag: 'auth', summary: '审计日志：敏感工单查阅、号码查看、导出、账号变更（管理员）', roles: ['admin'],
    query: z.object({
      action: z.string().max(64).optional(), caseId: z.string().regex(/^\d{1,18}$/).optional(), actorId: z.string().max(64).optional(),
      from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100), offset: z.coerce.number().int().min(0).default(0),
    }),
    handler: async ({ query }) => listAudit(ctx.db, query),
  });
}
