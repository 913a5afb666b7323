// Thin typed routes: parse (zod) → call one domain function → respond. Each route also documents itself
// in the OpenAPI registry, so /api/openapi.json is always what the server really serves.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { validationError, type FieldErrors } from '../shared/errors.ts';
import { registerOperation } from './openapi.ts';
import type { Actor, AppContext } from './context.ts';

// Validation messages the schemas do not word themselves (bounds, types, enums) in Chinese, as every message users see.
z.config(z.locales.zhCN());

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType, R> {
  method: Method;
  url: string; // fastify style: /api/cases/:id
  summary: string;
  tag: string;
  body?: B;
  query?: Q;
  params?: P;
  /** HTTP status of a success; default 200. */
  status?: number;
  /** Roles allowed; undefined = any signed-in actor (auth decides anonymous access). */
  roles?: Actor['role'][];
  handler: (input: { body: z.infer<B>; query: z.infer<Q>; params: z.infer<P>; actor: Actor; req: FastifyRequest; reply: FastifyReply; ctx: AppContext }) => Promise<R>;
}

/** Formats zod issues as {field: message}, with dotted paths. */
export function zodFields(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : '_';
    if (!fields[key]) fields[key] = issue.message;
  }
  return fields;
}

export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, where = 'body'): z.infer<T> {
  const r = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!r.success) throw validationError(zodFields(r.error));
  return r.data;
}

export function route<B extends z.ZodType = z.ZodAny, Q extends z.ZodType = z.ZodAny, P extends z.ZodType = z.ZodAny, R = unknown>(
  app: FastifyInstance,
  ctx: AppContext,
  spec: RouteSpec<B, Q, P, R>,
): void {
  registerOperation(spec);
  app.route({
    method: spec.method,
    url: spec.url,
    handler: async (req, reply) => {
      const actor = await app.authenticate(req, spec.roles);
      const body = spec.body ? parseOr400(spec.body, req.body, 'body') : req.body;
      const query = spec.query ? parseOr400(spec.query, req.query, 'query') : req.query;
      const params = spec.params ? parseOr400(spec.params, req.params, 'params') : req.params;
      const result = await spec.handler({ body, query, params, actor, req, reply, ctx } as any);
      if (reply.sent) return reply;
      reply.status(spec.status ?? 200);
      return result;
    },
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Resolves the actor of a request or throws 401/403. Installed by the auth plugin. */
    authenticate(req: FastifyRequest, roles?: Actor['role'][]): Promise<Actor>;
  }
}
