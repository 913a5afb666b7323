// Dashboard API: metric glossary, metric by dimension and period with MoM / YoY, series, drill-down,
// top-N, unit rankings, the big-screen summary, priority topics and the live event stream.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Actor, AppContext } from '../server/context.ts';
import { route } from '../server/route.ts';
import { localDay, monthStart } from '../shared/time.ts';
import { ALL_DIMENSIONS, DIMENSIONS, METRICS, type Dimension } from './definitions.ts';
import { EventHub } from './events.ts';
import { listMetricCases, metricSeries, monthPeriod, queryMetricCompared, type Filters, type Period } from './query.ts';
import { RANKABLE, rankUnits } from './rank-units.ts';
import { bigScreenSummary, topCategories, topPlaces } from './summary.ts';
import { getTopic, loadTopics, saveTopics, TopicSchema, topicPredicate } from './topics.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
const PeriodQuery = z.object({
  from: day.optional(),
  to: day.optional(),
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM').optional(),
  ...Object.fromEntries(ALL_DIMENSIONS.map((d) => [d, z.string().max(64).optional()])),
});
const dimEnum = z.enum(ALL_DIMENSIONS as [Dimension, ...Dimension[]]);
const ANALYSTS: Actor['role'][] = ['analyst', 'leader', 'admin', 'operator', 'unit_staff'];

/** Period from ?month= or ?from=&to= (default: this month so far). */
function periodOf(q: { from?: string; to?: string; month?: string }): Period {
  if (q.month) return monthPeriod(q.month);
  const today = localDay(new Date());
  return { from: q.from ?? monthStart(q.to ?? today), to: q.to ?? today };
}
const filtersOf = (q: Record<string, unknown>): Filters => Object.fromEntries(ALL_DIMENSIONS.filter((d) => typeof q[d] === 'string').map((d) => [d, q[d]])) as Filters;
const scopeOf = (actor: Actor) => (actor.role === 'unit_staff' ? (actor.unitId ?? '-') : null);

export async function registerMetricsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const tag = '指标与大屏';
  route(app, ctx, {
    method: 'GET', url: '/api/metrics', tag, summary: '指标定义（口径说明）', roles: ANALYSTS,
    handler: async () => ({ dimensions: DIMENSIONS, metrics: METRICS.map(({ drill, drillDen, num, den, ...m }) => ({ ...m, numerator: num, denominator: den ?? null })) }),
  });
  route(app, ctx, {
    method: 'GET', url: '/api/metrics/:name', tag, summary: '按维度与期间查询指标（含环比、同比）', roles: ANALYSTS,
    params: z.object({ name: z.string() }),
    query: PeriodQuery.extend({ by: dimEnum.optional() }),
    handler: async ({ params, query, actor, ctx }) =>
      queryMetricCompared(ctx.db, { metric: params.name, ...periodOf(query), by: query.by, filters: filtersOf(query), unitScope: scopeOf(actor) }),
  });
  route(app, ctx, {
    method: 'GET', url: '/api/metrics/:name/series', tag, summary: '指标时间序列（日 / 周 / 月）', roles: ANALYSTS,
    params: z.object({ name: z.string() }),
    query: PeriodQuery.extend({ granularity: z.enum(['day', 'week', 'month']).default('day') }),
    handler: async ({ params, query, actor, ctx }) =>
      metricSeries(ctx.db, { metric: params.name, ...periodOf(query), granularity: query.granularity, filters: filtersOf(query), unitScope: scopeOf(actor) }),
  });
  route(app, ctx, {
    method: 'GET', url: '/api/metrics/:name/cases', tag, summary: '指标钻取：列出构成该数字的工单（分页）', roles: ANALYSTS,
    params: z.object({ name: z.string() }),
    query: PeriodQuery.extend({ part: z.enum(['numerator', 'denominator']).default('numerator'), page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(200).default(20) }),
    handler: async ({ params, query, actor, ctx }) =>
      listMetricCases(ctx.db, { metric: params.name, ...periodOf(query), filters: filtersOf(query), unitScope: scopeOf(actor), part: query.part, page: query.page, pageSize: query.pageSize }),
  });
  route(app, ctx, {
    method: 'GET', url: '/api/dashboard/top', tag, summary: '热点问题分类与热点地区 Top N', roles: ANALYSTS,
    query: PeriodQuery.extend({ n: z.coerce.number().int().min(1).max(100).default(10), place: z.enum(['district', 'street', 'community']).default('district'), categoryLevel: z.enum(['1', 'leaf']).default('leaf') }),
    handler: async ({ query, actor, ctx }) => {
      const p = periodOf(query);
      const unitScope = scopeOf(actor);
      const [categories, places] = await Promise.all([
        topCategories(ctx.db, { ...p, n: query.n, level: query.categoryLevel === '1' ? 1 : 'leaf', unitScope }),
        topPlaces(ctx.db, { ...p, n: query.n, level: query.place, unitScope }),
      ]);
      return { ...p, categories, places };
    },
  });
  route(app, ctx, {
    method: 'GET', url: '/api/dashboard/rankings', tag, summary: '承办单位考核排名（按案件结构调整，含置信区间）', roles: ['analyst', 'leader', 'admin'],
    query: PeriodQuery.extend({ metric: z.enum(RANKABLE as [string, ...string[]]).default('satisfaction_rate'), minCount: z.coerce.number().int().min(1).max(100000).default(30) }),
    handler: async ({ query, ctx }) => rankUnits(ctx.db, { ...periodOf(query), metric: query.metric, minCount: query.minCount }),
  });
  let cache: { at: number; value: unknown } | null = null;
  route(app, ctx, {
    method: 'GET', url: '/api/dashboard/summary', tag, summary: '大屏汇总（今日受理、在线办结、转办办结、满意率、热点、地图、趋势、专题）', roles: ANALYSTS,
    handler: async ({ ctx }) => {
      // Big screens poll; a few seconds of caching keeps many screens from repeating the same queries.
      if (!cache || Date.now() - cache.at > 3000) cache = { at: Date.now(), value: await bigScreenSummary(ctx.db) };
      return cache.value;
    },
  });
  route(app, ctx, {
    method: 'GET', url: '/api/dashboard/topics', tag, summary: '重点专题配置', roles: ANALYSTS,
    handler: async ({ ctx }) => ({ topics: await loadTopics(ctx.db) }),
  });
  route(app, ctx, {
    method: 'PUT', url: '/api/dashboard/topics', tag, summary: '修改重点专题（分类集合 / 关键词）', roles: ['admin', 'leader'],
    body: z.object({ topics: z.array(TopicSchema).max(20) }),
    handler: async ({ body, ctx }) => {
      await saveTopics(ctx.db, body.topics);
      cache = null;
      return { topics: await loadTopics(ctx.db) };
    },
  });
  route(app, ctx, {
    method: 'GET', url: '/api/dashboard/topics/:code/cases', tag, summary: '专题钻取：专题下的工单', roles: ANALYSTS,
    params: z.object({ code: z.string() }),
    query: PeriodQuery.extend({ page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(200).default(20) }),
    handler: async ({ params, query, actor, ctx }) => {
      const t = await getTopic(ctx.db, params.code);
      const p = periodOf(query);
      const args: unknown[] = [p.from, p.to];
      const scope = scopeOf(actor);
      let where = `c.local_day BETWEEN $1::date AND $2::date AND ${topicPredicate(t, args)}`;
      if (scope) { args.push(scope); where += ` AND c.unit_id = $${args.length}`; }
      const [{ n }] = await ctx.db.query(`SELECT count(*)::int AS n FROM cases c WHERE ${where}`, args);
      const items = await ctx.db.query(`SELECT c.id::text AS id, c.case_no AS "caseNo", c.received_at AS "receivedAt", c.title, left(c.content, 200) AS content, c.category_code AS "categoryCode", c.district_code AS "districtCode", c.status
        FROM cases c WHERE ${where} ORDER BY c.received_at DESC, c.id DESC LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`, args);
      return { topic: t, ...p, total: n, page: query.page, pageSize: query.pageSize, items };
    },
  });

  const hub = new EventHub(ctx.db);
  app.addHook('onClose', async () => hub.close());
  route(app, ctx, {
    method: 'GET', url: '/api/events', tag, summary: '实时事件流（Server-Sent Events：case_changed / alert_changed）',
    handler: async ({ req, reply }) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      const unsubscribe = await hub.subscribe((channel, payload) => res.write(`event: ${channel}\ndata: ${payload.replace(/\n/g, ' ')}\n\n`));
      res.write(`retry: 3000\n: connected\n\n`);
      const ping = setInterval(() => res.write(`: ping\n\n`), 15_000);
      req.raw.on('close', () => {
        clearInterval(ping);
        unsubscribe();
      });
    },
  });
}
