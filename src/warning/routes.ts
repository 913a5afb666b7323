// Alert API: thin handlers over src/warning/alerts.ts.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../server/context.ts';
import { route } from '../server/route.ts';
import { ALERT_ACTIONS, getAlert, listAlerts, performAlertAction } from './alerts.ts';

const READ = ['analyst', 'leader', 'admin', 'operator', 'unit_staff'] as const;
const ACT = ['analyst', 'admin', 'unit_staff'] as const; // unit staff: comment / resolve on their own alerts only

const ListQuery = z.object({
  kind: z.enum(['trending', 'concentrated', 'emerging']).optional(),
  status: z.enum(['new', 'acknowledged', 'assigned', 'resolved', 'dismissed']).optional(),
  district: z.string().max(32).optional(),
  category: z.string().max(64).optional(),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
const IdParams = z.object({ id: z.coerce.number().int().positive() });
const ActionParams = IdParams.extend({ action: z.enum(ALERT_ACTIONS) });
const ActionBody = z.object({ unitId: z.string().max(64).optional(), note: z.string().max(2000).optional() }).default({});

export async function registerWarningRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  route(app, ctx, {
    method: 'GET', url: '/api/alerts', tag: 'warning', summary: '预警列表（类型、状态、区县、分类、时间筛选，分页）',
    query: ListQuery, roles: [...READ],
    handler: ({ query, actor }) => listAlerts(ctx, query, actor),
  });
  route(app, ctx, {
    method: 'GET', url: '/api/alerts/:id', tag: 'warning', summary: '预警详情（关联诉求、序列、处理记录）',
    params: IdParams, roles: [...READ],
    handler: ({ params, actor }) => getAlert(ctx, params.id, actor),
  });
  route(app, ctx, {
    method: 'POST', url: '/api/alerts/:id/actions/:action', tag: 'warning', summary: '预警处置：acknowledge 确认、assign 交办、resolve 办结、dismiss 排除、comment 备注',
    params: ActionParams, body: ActionBody, roles: [...ACT],
    handler: ({ params, body, actor }) => performAlertAction(ctx, params.id, params.action, body ?? {}, actor),
  });
}
