// Case API: intake, read, list, lifecycle actions; units, dispatch catalogue, reference lists, deadline policy.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../server/context.ts';
import { route } from '../server/route.ts';
import { CreateCaseSchema } from './schema.ts';
import { createValidatedCase, type IntakeTiming } from './create-case.ts';
import { getCase } from './get-case.ts';
import { listCases, ListCasesQuery } from './list-cases.ts';
import { performAction } from './perform-action.ts';
import { ACTION_NAMES, allowedActions } from './state-machine.ts';
import { getCatalogue, listUnits, proposeUnit, publishCatalogue, PublishCatalogueSchema } from './catalogue.ts';
import { listCategories, listChannels, listDivisions } from './reference.ts';
import { setCalendarOverrides, DeadlinePolicySchema, deadlineSetup, getDeadlinePolicy, setDeadlinePolicy } from './deadlines.ts';
import { validationError } from '../shared/errors.ts';

const IdParams = z.object({ id: z.coerce.number({ error: '工单 id 必须是数字' }).int().positive({ error: '工单 id 必须是正整数' }) });
const Flat = z.object({ flat: z.enum(['true', 'false']).optional().describe('true = 平铺列表') });
const ActionBody = z
  .object({
    unitId: z.string().optional().describe('dispatch: 承办单位（缺省按派单目录推荐）'),
    answer: z.string().optional().describe('resolve-online: 答复内容'),
    reason: z.string().optional().describe('return / extend: 理由（必填）'),
    days: z.number().optional().describe('extend / approve-extension: 工作日'),
    result: z.string().optional().describe('reply: 办理结果；callback: satisfied | basically_satisfied | unsatisfied'),
    supervised: z.boolean().optional().describe('supervise: 督办标记'),
    note: z.string().optional(),
    version: z.number().optional().describe('乐观并发：期望的工单版本'),
  })
  .loose()
  .optional();

export async function registerCaseRoutes(root: FastifyInstance, ctx: AppContext): Promise<void> {
  // Own scope: an action such as `accept` needs no body, and clients that always send
  // `content-type: application/json` with an empty body must not get a JSON error for it.
  await root.register(async (app) => {
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      const text = String(body);
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch {
        done(Object.assign(new Error('请求体不是有效的 JSON'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }), undefined);
      }
    });
    registerRoutes(app, ctx);
  });
}

function registerRoutes(app: FastifyInstance, ctx: AppContext): void {
  route(app, ctx, {
    method: 'POST',
    url: '/api/cases',
    summary: '受理诉求（创建工单）；支持 Idempotency-Key 请求头',
    tag: '工单',
    body: CreateCaseSchema,
    status: 201,
    roles: ['operator', 'admin', 'integration', 'citizen', 'system'],
    handler: async ({ body, req, reply, actor, ctx }) => {
      const key = req.headers['idempotency-key'];
      const timing: IntakeTiming = {};
      const from = performance.now();
      const { replayed, ...dto } = await createValidatedCase(ctx, body, actor, { idempotencyKey: typeof key === 'string' ? key : undefined, timing });
      reply.header('server-timing', serverTiming(timing, from));
      if (replayed) reply.header('idempotent-replayed', 'true');
      reply.header('location', `/api/cases/${dto.id}`);
      return dto;
    },
  });
  route(app, ctx, {
    method: 'GET',
    url: '/api/cases',
    summary: '工单列表（分页、筛选、全文检索）',
    tag: '工单',
    query: ListCasesQuery,
    handler: ({ query, actor, ctx }) => listCases(ctx, query, actor),
  });
  route(app, ctx, {
    method: 'GET',
    url: '/api/cases/overdue',
    summary: '超期工单（红灯）',
    tag: '工单',
    query: ListCasesQuery.omit({ deadline: true }),
    handler: ({ query, actor, ctx }) => listCases(ctx, { ...query, deadline: 'red', sort: 'replyDueAt' }, actor),
  });
  route(app, ctx, {
    method: 'GET',
    url: '/api/cases/:id',
    summary: '工单详情（含流转记录 events）',
    tag: '工单',
    params: IdParams,
    handler: async ({ params, actor, ctx }) => {
      const c = await getCase(ctx, params.id, actor);
      return { ...c, allowedActions: allowedActions(c, actor) };
    },
  });
  route(app, ctx, {
    method: 'POST',
    url: '/api/cases/:id/actions/:action',
    summary: `执行流转操作: ${ACTION_NAMES.join(', ')}`,
    tag: '工单',
    params: IdParams.extend({ action: z.enum(ACTION_NAMES as [string, ...string[]], { error: `未知操作（可用: ${ACTION_NAMES.join(', ')}）` }) }),
    body: ActionBody,
    handler: ({ params, body, actor, ctx }) => performAction(ctx, params.id, params.action, body ?? {}, actor),
  });
  route(app, ctx, {
    method: 'GET',
    url: '/api/cases/:id/proposal',
    summary: '按派单目录推荐承办单位',
    tag: '工单',
    params: IdParams,
    handler: async ({ params, actor, ctx }) => {
      const c = await getCase(ctx, params.id, actor);
      return { proposal: await proposeUnit(ctx.db, c.categoryCode, c.districtCode, c.streetCode) };
    },
  });

  route(app, ctx, {
    method: 'GET',
    url: '/api/units',
    summary: '承办单位（树）',
    tag: '单位与派单目录',
    query: Flat,
    handler: async ({ query, ctx }) => ({ items: await listUnits(ctx.db, { flat: query.flat === 'true' }) }),
  });
  route(app, ctx, {
    method: 'GET',
    url: '/api/dispatch-catalogue',
    summary: '派单目录（当前生效版本，或 ?version=N）',
    tag: '单位与派单目录',
    query: z.object({ version: z.coerce.number().int().positive().optional() }),
    handler: ({ query, ctx }) => getCatalogue(ctx.db, query.version),
  });
  route(app, ctx, {
    method: 'GET',
    url: '/api/dispatch-catalogue/propose',
    summary: '按分类与区县推荐承办单位（区县专属规则优先）',
    tag: '单位与派单目录',
    query: z.object({ categoryCode: z.string().min(1).max(64), districtCode: z.string().max(64).optional(), streetCode: z.string().max(64).optional() }),
    handler: async ({ query, ctx }) => ({ proposal: await proposeUnit(ctx.db, query.categoryCode, query.districtCode, query.streetCode) }),
  });
  route(app, ctx, {
    method: 'POST',
    url: '/api/dispatch-catalogue',
    summary: '发布新版派单目录（成为唯一生效版本）',
    tag: '单位与派单目录',
    body: PublishCatalogueSchema,
    status: 201,
    roles: ['admin'],
    handler: ({ body, ctx }) => publishCatalogue(ctx.db, body),
  });

  route(app, ctx, { method: 'GET', url: '/api/channels', summary: '渠道', tag: '基础数据', handler: async ({ ctx }) => ({ items: await listChannels(ctx.db) }) });
  route(app, ctx, {
    method: 'GET',
    url: '/api/categories',
    summary: '诉求分类（树）',
    tag: '基础数据',
    query: Flat,
    handler: async ({ query, ctx }) => ({ items: await listCategories(ctx.db, { flat: query.flat === 'true' }) }),
  });
  route(app, ctx, {
    method: 'GET',
    url: '/api/divisions',
    summary: '行政区划（树；或 ?parentCode= / ?level= 平铺）',
    tag: '基础数据',
    query: Flat.extend({ parentCode: z.string().max(64).optional(), level: z.enum(['city', 'district', 'street', 'community']).optional() }),
    handler: async ({ query, ctx }) => ({ items: await listDivisions(ctx.db, { flat: query.flat === 'true', parentCode: query.parentCode, level: query.level }) }),
  });

  route(app, ctx, { method: 'GET', url: '/api/settings/deadline-policy', summary: '办理时限策略', tag: '时限', handler: ({ ctx }) => getDeadlinePolicy(ctx.db) });
  route(app, ctx, {
    method: 'PUT',
    url: '/api/settings/deadline-policy',
    summary: '修改办理时限策略',
    tag: '时限',
    body: DeadlinePolicySchema,
    roles: ['admin'],
    handler: ({ body, ctx }) => setDeadlinePolicy(ctx.db, body),
  });
  route(app, ctx, {
    method: 'GET',
    url: '/api/calendar',
    summary: '工作日历（某年的节假日与调休工作日）',
    tag: '时限',
    query: z.object({ year: z.coerce.number().int().min(2000).max(2100).default(new Date().getFullYear()) }),
    handler: async ({ query, ctx }) => {
      const { calendar } = await deadlineSetup(ctx.db);
      const rest: string[] = [];
      const adjustedWorkdays: string[] = [];
      for (let t = Date.UTC(query.year, 0, 1); t < Date.UTC(query.year + 1, 0, 1); t += 86400_000) {
        const d = new Date(t).toISOString().slice(0, 10);
        const wd = new Date(t).getUTCDay();
        const weekend = wd === 0 || wd === 6;
        if (!calendar.isWorkingDay(d) && !weekend) rest.push(d);
        if (calendar.isWorkingDay(d) && weekend) adjustedWorkdays.push(d);
      }
      return { year: query.year, holidays: rest, adjustedWorkdays };
    },
  });
  route(app, ctx, {
    method: 'PUT',
    url: '/api/settings/calendar',
    summary: '上传工作日历（覆盖/补充内置节假日，如新一年的安排）',
    tag: '时限',
    body: z.object({
      holidays: z.record(z.iso.date(), z.string()).default({}),
      workdays: z.record(z.iso.date(), z.string()).default({}),
    }),
    roles: ['admin'],
    handler: async ({ body, ctx }) => {
      if (!Object.keys(body.holidays).length && !Object.keys(body.workdays).length) throw validationError({ holidays: '至少提供一个节假日或调休工作日' });
      await setCalendarOverrides(ctx.db, body);
      return { ok: true };
    },
  });
}

/** Where an intake's time went, as a Server-Timing header (browser devtools show it; bench intake aggregates it):
 *  tag — the enrich hooks (tagging thread and lookups); queue — waiting for the batch's statement; db — the
 *  statement; total — the handler, from after validation to the answer. */
function serverTiming(t: IntakeTiming, from: number): string {
  const dur = (a?: number, b?: number) => (a !== undefined && b !== undefined ? (b - a).toFixed(1) : undefined);
  const parts: [string, string | undefined][] = [['tag', dur(t.enrichFrom, t.enrichTo)], ['queue', dur(t.queuedAt, t.sentAt)], ['db', dur(t.sentAt, t.storedAt)], ['total', dur(from, performance.now())]];
  return parts.filter(([, d]) => d !== undefined).map(([name, d]) => `${name};dur=${d}`).join(', ');
}
