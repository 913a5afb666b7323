// Reports through the API: POST /api/reports → the file (docx or pdf) as a download.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../server/context.ts';
import { route } from '../server/route.ts';
import { generateReport } from './generate-report.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
export const ReportRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('monthly'), month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM'), format: z.enum(['docx', 'pdf']).default('docx') }),
  z.object({
    kind: z.literal('special'), from: day, to: day, format: z.enum(['docx', 'pdf']).default('docx'),
    topic: z.string().max(40).optional(), category: z.string().max(40).optional(), district: z.string().max(20).optional(), alertId: z.string().max(40).optional(),
  }),
]);

export async function registerReportRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  route(app, ctx, {
    method: 'POST', url: '/api/reports', tag: '报告', summary: '生成月报 / 专报（docx 或 pdf 文件下载）', roles: ['analyst', 'leader', 'admin', 'operator'],
    body: ReportRequest,
    handler: async ({ body, reply, ctx }) => {
      const { format, ...spec } = body;
      const r = await generateReport(ctx.db, spec, format);
      reply.header('content-type', r.contentType).header('content-disposition', `attachment; filename="report.${format}"; filename*=UTF-8''${encodeURIComponent(r.fileName)}`);
      return reply.send(r.data);
    },
  });
}
