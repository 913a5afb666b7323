// The case list: paging with total and filters; unit staff confined to their unit inside the query.
import { z } from 'zod';
import type { Actor, AppContext } from '../server/context.ts';
import { CASE_COLUMNS, CASE_JOINS, toCaseDto, type CaseDto } from './dto.ts';
import { deadlineSetup, lightSql } from './deadlines.ts';
import { scopeUnit } from './get-case.ts';
import { normalizePhone } from './schema.ts';

const STATUSES = ['received', 'resolved_online', 'dispatched', 'accepted', 'replied', 'closed'] as const;
const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v), z.array(item));

export const ListCasesQuery = z.object({
  page: z.coerce.number().int().min(1).default(1).describe('页码，从 1 开始'),
  pageSize: z.coerce.number().int().min(1).max(200).default(20).describe('每页条数（≤ 200）'),
  status: csv(z.enum(STATUSES)).optional().describe('状态，可逗号分隔多个'),
  unitId: z.string().max(64).optional(),
  districtCode: z.string().max(64).optional().describe('区县（或街道、社区）代码'),
  categoryCode: z.string().max(64).optional().describe('分类代码（含下级分类）'),
  channel: z.string().max(64).optional(),
  requestType: z.string().max(32).optional(),
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional().describe('受理时间起（含）'),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional().describe('受理时间止（不含）'),
  q: z.string().trim().max(100).optional().describe('全文检索（标题、内容、地址、工单号）'),
  callerPhone: z.string().max(32).optional().describe('来电号码（按密文哈希匹配）'),
  deadline: z.enum(['red', 'yellow', 'green']).optional().describe('时限灯'),
  supervised: z.enum(['true', 'false']).optional(),
  sort: z.enum(['receivedAt', '-receivedAt', 'replyDueAt']).default('-receivedAt'),
});
export type ListCasesParams = z.infer<typeof ListCasesQuery>;

const dayStart = (s: string) => (/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00+08:00` : s);

export async function listCases(ctx: AppContext, p: ListCasesParams, actor: Actor): Promise<{ items: CaseDto[]; total: number; page: number; pageSize: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (v: unknown) => (params.push(v), `$${params.length}`);
  const scope = scopeUnit(actor);
  if (scope) where.push(`c.unit_id = ${add(scope)}`);
  if (p.status?.length) where.push(`c.status = ANY(string_to_array(${add(p.status.join(','))}, ','))`);
  if (p.unitId) where.push(`c.unit_id = ${add(p.unitId)}`);
  if (p.districtCode) {
    const v = add(p.districtCode);
    where.push(`(c.district_code = ${v} OR c.street_code = ${v} OR c.community_code = ${v})`);
  }
  if (p.categoryCode) {
    where.push(`c.category_code IN (WITH RECURSIVE sub AS (SELECT code FROM categories WHERE code = ${add(p.categoryCode)}
      UNION SELECT k.code FROM categories k JOIN sub ON k.parent_code = sub.code) SELECT code FROM sub)`);
  }
  if (p.channel) where.push(`c.channel = ${add(p.channel)}`);
  if (p.requestType) where.push(`c.request_type = ${add(p.requestType)}`);
  if (p.from) where.push(`c.received_at >= ${add(dayStart(p.from))}::timestamptz`);
  if (p.to) where.push(`c.received_at < ${add(dayStart(p.to))}::timestamptz`);
  if (p.q) {
    const like = add(`%${p.q.replace(/[\\%_]/g, (m) => '\\' + m)}%`);
    // The expression of the trigram index cases_search_trgm (migration 0081): title, content, address, case number.
    where.push(`case_search_text(c.title, c.content, c.address, c.case_no) ILIKE ${like}`);
  }
  if (p.callerPhone) where.push(`c.caller_phone_hash = ${add(ctx.secrets.hash(normalizePhone(p.callerPhone)))}`);
  if (p.supervised) where.push(`c.supervised = ${add(p.supervised === 'true')}`);
  const { policy } = await deadlineSetup(ctx.db);
  if (p.deadline) where.push(lightSql(p.deadline, policy.yellowFraction));
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const order = p.sort === 'receivedAt' ? 'c.received_at ASC, c.id ASC' : p.sort === 'replyDueAt' ? 'c.reply_due_at ASC NULLS LAST, c.id' : 'c.received_at DESC, c.id DESC';
  const limit = add(p.pageSize);
  const offset = add((p.page - 1) * p.pageSize);
  const rows = await ctx.db.query(
    `SELECT ${CASE_COLUMNS}, count(*) OVER () AS total_count FROM cases c ${CASE_JOINS} ${w} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`,
    params,
  );
  let total = rows.length ? Number(rows[0]!.total_count) : 0;
  if (!rows.length && p.page > 1) {
    const [r] = await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cases c ${w}`, params.slice(0, -2));
    total = r!.n;
  }
  return { items: rows.map((r) => toCaseDto(r, ctx.secrets, { yellowFraction: policy.yellowFraction })), total, page: p.page, pageSize: p.pageSize };
}
