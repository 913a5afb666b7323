// Intake validation, shared by the API and the import command. Text limits are part of the contract
// (README): content ≤ 10,000 chars, title ≤ 200, caller name ≤ 50, address ≤ 500, resolution ≤ 10,000,
// ≤ 20 keywords of ≤ 30 chars each.
import { z } from 'zod';
import { REQUEST_TYPES } from './deadlines.ts';

export const LIMITS = { content: 10_000, title: 200, callerName: 50, address: 500, resolution: 10_000, note: 2_000, keywords: 20, keyword: 30 } as const;

/** Strips spaces, dashes, brackets and a +86 / 0086 prefix. */
export function normalizePhone(raw: string): string {
  let p = raw.replace(/[\s\-()（）]/g, '');
  p = p.replace(/^(\+86|0086)/, '');
  return p;
}

/** Chinese mobile (1[3-9]xxxxxxxxx), landline with area code (0xx(x) + 7–8 digits, optional extension), or a local 7–8 digit number. */
export function isValidPhone(p: string): boolean {
  return /^1[3-9]\d{9}$/.test(p) || /^0[1-9]\d{1,2}[2-9]\d{6,7}(#\d{1,6})?$/.test(p) || /^[2-9]\d{6,7}$/.test(p);
}

const text = (max: number, label: string) =>
  z.string({ error: `${label}必须是文本` }).trim().max(max, { error: `${label}不能超过 ${max} 个字符` });
const code = (label: string) => z.string({ error: `${label}必须是文本` }).trim().min(1, { error: `${label}不能为空` }).max(64, { error: `${label}过长` });

export const CreateCaseSchema = z.object({
  channel: code('渠道').describe('渠道代码: 12345, web, letter, app, wechat, 12315, 12333, import'),
  content: text(LIMITS.content, '诉求内容').min(1, { error: '诉求内容不能为空' }).describe('诉求内容（≤ 10000 字）'),
  callerPhone: z
    .string({ error: '来电号码必须是文本' })
    .max(32, { error: '来电号码过长' })
    .transform((s) => normalizePhone(s))
    .refine((p) => p === '' || isValidPhone(p), { error: '来电号码格式无效（手机号或带区号的固定电话）' })
    .optional()
    .describe('来电号码：手机或固定电话，加密存储、脱敏显示'),
  callerName: text(LIMITS.callerName, '来电人姓名').optional(),
  title: text(LIMITS.title, '标题').optional(),
  receivedAt: z.iso
    .datetime({ offset: true, error: '受理时间须为 ISO 8601 时间' })
    .refine((s) => Date.parse(s) <= Date.now() + 5 * 60_000, { error: '受理时间不能晚于当前时间' })
    .optional()
    .describe('受理时间（默认现在）'),
  districtCode: code('区县代码').optional(),
  streetCode: code('街道代码').optional(),
  communityCode: code('社区代码').optional(),
  compoundId: code('小区').optional(),
  address: text(LIMITS.address, '地址').optional(),
  lng: z.number({ error: '经度必须是数字' }).min(-180).max(180).optional(),
  lat: z.number({ error: '纬度必须是数字' }).min(-90).max(90).optional(),
  categoryCode: code('分类代码').optional(),
  requestType: z.enum(REQUEST_TYPES, { error: '诉求类型无效（consultation/help/complaint/report/suggestion/praise）' }).optional(),
  urgency: z.enum(['normal', 'urgent'], { error: '紧急程度无效（normal/urgent）' }).optional(),
  keywords: z.array(text(LIMITS.keyword, '关键词').min(1), { error: '关键词必须是文本数组' }).max(LIMITS.keywords, { error: `关键词最多 ${LIMITS.keywords} 个` }).optional(),
  tags: z.record(z.string(), z.unknown(), { error: '标签必须是对象' }).optional(),
  sensitive: z.boolean({ error: '敏感标记必须是布尔值' }).optional(),
  unitId: code('承办单位').optional().describe('直接转办到此单位'),
  resolution: text(LIMITS.resolution, '答复内容').min(1).optional().describe('在线办结的答复（与 unitId 互斥）'),
  repeatOf: z.number().int().positive().optional().describe('重复件所指的原工单 id'),
});
export type CreateCaseInput = z.input<typeof CreateCaseSchema>;
export type CreateCaseData = z.output<typeof CreateCaseSchema>;
