// The HTTP app: plugins, then each domain's routes. Handlers stay thin; the domains do the work.
import Fastify, { type FastifyInstance } from 'fastify';
import type { AppContext } from './context.ts';
import { installErrorHandler, RETRY_AFTER_S } from './errors.ts';
import { openApiDocument, openApiHtml } from './openapi.ts';
import { installAuth } from '../auth/plugin.ts';
import { registerCaseRoutes } from '../cases/routes.ts';
import { registerAuthRoutes } from '../auth/routes.ts';
import { registerTaggingRoutes } from '../tagging/routes.ts';
import { registerWarningRoutes } from '../warning/routes.ts';
import { registerKnowledgeRoutes } from '../knowledge/routes.ts';
import { installWeb } from './web.ts';
import { registerMetricsRoutes } from '../metrics/routes.ts';
import { registerReportRoutes } from '../reports/routes.ts';

export const BODY_LIMIT = 1024 * 1024; // 1 MiB: a case is text, not attachments

export async function buildApp(ctx: AppContext, opts: { logger?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ? { level: ctx.config.logLevel } : false,
    bodyLimit: BODY_LIMIT,
    trustProxy: true,
  });
  installErrorHandler(app);
  await installAuth(app, ctx);

  app.get('/api/health', async (_req, reply) => {
    try {
      await ctx.db.query('SELECT 1');
      return { status: 'ok', engine: ctx.db.engine };
    } catch {
      return reply.status(503).header('retry-after', String(RETRY_AFTER_S)).send({ error: { code: 'db_unavailable', message: '数据库不可用' } });
    }
  });
  app.get('/api/openapi.json', async () => openApiDocument());
  app.get('/api/docs', async (_req, reply) => reply.type('text/html; charset=utf-8').send(openApiHtml));

  await registerAuthRoutes(app, ctx);
  await registerCaseRoutes(app, ctx);
  await registerTaggingRoutes(app, ctx);
  await registerWarningRoutes(app, ctx);
  await registerMetricsRoutes(app, ctx);
  await registerReportRoutes(app, ctx);
  await registerKnowledgeRoutes(app, ctx);
  await installWeb(app);
  return app;
}
