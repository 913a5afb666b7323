// Knowledge base API: search for everyone signed in; staff (operators, analysts, admins) write entries.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../server/context.ts';
import { route } from '../server/route.ts';
import { searchKnowledge } from './search-knowledge.ts';
import { createKnowledgeEntry, getKnowledgeEntry, updateKnowledgeEntry } from './save-entry.ts';

const Entry = z.object({
  title: z.string().max(200),
  content: z.string().max(20000),
  categoryCode: z.string().max(50).nullish(),
  keywords: z.array(z.string().max(30)).max(20).optional(),
  active: z.boolean().optional(),
});
const Id = z.object({ id: z.coerce.number().int().positive() });
const STAFF = ['operator', 'analyst', 'admin'] as const;

export async function registerKnowledgeRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  route(app, ctx, {
    method: 'GET', url: '/api/knowledge', tag: '知识库', summary: '检索知识库（中文分词 + pg_trgm）',
    query: z.object({
      q: z.string().max(200).optional(), categoryCode: z.string().max(50).optional(), source: z.enum(['staff', 'past_reply']).optional(),
      limit: z.coerce.number().int().min(1).max(100).optional(), offset: z.coerce.number().int().min(0).optional(),
    }),
    handler: async ({ query }) => searchKnowledge(ctx.db, query),
  });
  route(app, ctx, {
    method: 'GET', url: '/api/knowledge/:id', tag: '知识库', summary: '知识库条目', params: Id,
    handler: async ({ params }) => getKnowledgeEntry(ctx.db, params.id),
  });
  route(app, ctx, {
    method: 'POST', url: '/api/knowledge', tag: '知识库', summary: '新增知识库条目', status: 201, roles: [...STAFF], body: Entry,
    handler: async ({ body, actor }) => createKnowledgeEntry(ctx.db, body, actor),
  });
  route(app, ctx, {
    method: 'PUT', url: '/api/knowledge/:id', tag: '知识库', summary: '修改知识库条目', roles: [...STAFF], params: Id, body: Entry.partial(),
    handler: async ({ params, body, actor }) => updateKnowledgeEntry(ctx.db, params.id, body, actor),
  });
}
