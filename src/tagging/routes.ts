// Tagging API: suggestions as the operator types, corrections, models and retraining. Thin handlers.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../server/context.ts';
import { route } from '../server/route.ts';
import { suggestTags, MAX_INPUT_CHARS } from './suggest.ts';
import { recordTagCorrection } from './record-correction.ts';
import { listModels } from './list-models.ts';
import { startRetrain } from './train-from-database.ts';

const SuggestBody = z.object({
  text: z.string({ error: '文本必须是字符串' }).min(1, { error: '文本不能为空' }).max(MAX_INPUT_CHARS, { error: `文本不能超过 ${MAX_INPUT_CHARS} 个字符` }),
  title: z.string().max(1000, { error: '标题过长' }).optional().nullable(),
  address: z.string().max(1000, { error: '地址过长' }).optional().nullable(),
  callerPhone: z.string().max(32, { error: '来电号码过长' }).optional().nullable(),
});

const code = z.string().trim().min(1).max(64);
const CorrectionBody = z
  .object({
    categoryCode: code.optional(),
    requestType: z.enum(['consultation', 'help', 'complaint', 'report', 'suggestion', 'praise'], { error: '诉求类型无效' }).optional(),
    urgency: z.enum(['normal', 'urgent'], { error: '紧急程度无效' }).optional(),
    districtCode: code.nullable().optional(),
    streetCode: code.nullable().optional(),
    communityCode: code.nullable().optional(),
    compoundId: code.nullable().optional(),
    keywords: z.array(z.string().trim().min(1).max(30)).max(20).optional(),
    accept: z.array(z.enum(['category', 'requestType', 'urgency', 'place', 'keywords'])).optional(),
  })
  .strict();

export async function registerTaggingRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  route(app, ctx, {
    method: 'POST',
    url: '/api/tagging/suggest',
    summary: '标签建议：分类前三（概率与依据）、诉求类型、紧急程度、地点、关键词、相似工单、同一来电人的历史工单',
    tag: 'tagging',
    body: SuggestBody,
    roles: ['operator', 'admin', 'analyst', 'leader'],
    handler: async ({ body }) => suggestTags(ctx, body),
  });
  route(app, ctx, {
    method: 'POST',
    url: '/api/cases/:id/tags',
    summary: '确认或更正工单的数据标签（写入工单、操作记录与标签反馈）',
    tag: 'tagging',
    params: z.object({ id: z.coerce.number().int().positive({ error: '工单编号无效' }) }),
    body: CorrectionBody,
    roles: ['operator', 'admin', 'analyst'],
    handler: async ({ params, body, actor }) => recordTagCorrection(ctx, params.id, body, actor),
  });
  route(app, ctx, {
    method: 'GET',
    url: '/api/tagging/models',
    summary: '分类模型版本列表（当前启用的版本标记为 active）',
    tag: 'tagging',
    handler: async () => ({ models: await listModels(ctx.db) }),
  });
  route(app, ctx, {
    method: 'POST',
    url: '/api/tagging/train',
    summary: '用数据库中的已分类工单与标签反馈重新训练分类模型（后台线程，完成后自动启用）',
    tag: 'tagging',
    status: 202,
    roles: ['admin', 'analyst'],
    handler: async ({ actor }) => startRetrain(ctx, actor),
  });
}
