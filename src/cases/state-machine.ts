// The one lifecycle state machine: for each action, the statuses it applies to, the roles allowed, the next
// status and its effects on the case. performAction() is the only code that changes a case after intake.
import { z } from 'zod';
import type { Db, Row } from '../store/db.ts';
import type { Actor } from '../server/context.ts';
import { AppError, conflict, unprocessable, validationError } from '../shared/errors.ts';
import { computeDeadlines, deadlineSetup } from './deadlines.ts';
import { proposeUnit } from './catalogue.ts';
import { LIMITS } from './schema.ts';

export const STATUSES = ['received', 'resolved_online', 'dispatched', 'accepted', 'replied', 'closed'] as const;
export type Status = (typeof STATUSES)[number];
export const STATUS_NAMES: Record<Status, string> = {
  received: '已受理', resolved_online: '在线办结', dispatched: '已转办', accepted: '已签收', replied: '已答复', closed: '已办结',
};

type Role = Actor['role'];
const CENTRE: Role[] = ['operator', 'admin', 'system'];
const UNIT: Role[] = ['unit_staff', ...CENTRE];
const LEAD: Role[] = ['leader', ...CENTRE];

const note = z.string().trim().max(LIMITS.note, { error: `备注不能超过 ${LIMITS.note} 个字符` }).optional();
const required = (label: string, max: number = LIMITS.note) =>
  z.string({ error: `${label}不能为空` }).trim().min(1, { error: `${label}不能为空` }).max(max, { error: `${label}不能超过 ${max} 个字符` });
const version = z.number().int().positive().optional();

export interface Effect {
  /** Columns to set (snake_case) — values already final. */
  patch: Row;
  to?: Status;
  note?: string | null;
  data?: Record<string, unknown>;
  unitId?: string | null;
}

interface Env {
  db: Db;
  now: Date;
  actor: Actor;
}

export interface ActionRule<S extends z.ZodType = z.ZodType> {
  label: string;
  from: Status[];
  roles: Role[];
  input: S;
  effect: (c: Row, input: z.infer<S>, env: Env) => Promise<Effect> | Effect;
}

const rule = <S extends z.ZodType>(r: ActionRule<S>) => r as unknown as ActionRule;
const iso = (d: Date) => d.toISOString();
const requirePending = (c: Row) => {
  if (!c.extension_pending) throw conflict('extension_not_pending', '该工单没有待审批的延期申请');
};

async function deadlinesFor(env: Env, c: Row) {
  const due = computeDeadlines(await deadlineSetup(env.db), { requestType: c.request_type, urgency: c.urgency }, env.now);
  return { dispatched_at: iso(env.now), accept_due_at: iso(due.acceptDueAt), reply_due_at: iso(due.replyDueAt) };
}

export const ACTIONS = {
  'resolve-online': rule({
    label: '在线办结',
    from: ['received'],
    roles: CENTRE,
    input: z.object({ answer: required('答复内容', LIMITS.resolution), version }),
    effect: (_c, i, env) => ({ to: 'resolved_online', patch: { resolution: i.answer, closed_at: iso(env.now) }, note: i.answer }),
  }),
  dispatch: rule({
    label: '转办',
    from: ['received'],
    roles: CENTRE,
    input: z.object({ unitId: z.string().trim().min(1).max(64).optional(), note, version }),
    effect: async (c, i, env) => {
      const proposed = await proposeUnit(env.db, c.category_code, c.district_code, c.street_code);
      const unitId = i.unitId ?? proposed?.unitId;
      if (!unitId) throw unprocessable('no_unit_proposed', '派单目录中没有该分类与区县对应的承办单位，请手动指定', { unitId: '请指定承办单位' });
      const [u] = await env.db.query(`SELECT id, active FROM units WHERE id = $1`, [unitId]);
      if (!u || !u.active) throw validationError({ unitId: `承办单位不存在或已停用: ${unitId}` });
      return {
        to: 'dispatched',
        unitId,
        patch: { unit_id: unitId, accepted_at: null, replied_at: null, extension_pending: null, ...(await deadlinesFor(env, c)) },
        note: i.note ?? null,
        data: { manual: !!i.unitId && i.unitId !== proposed?.unitId, proposedUnitId: proposed?.unitId ?? null, catalogueVersion: proposed?.version ?? null },
      };
    },
  }),
  accept: rule({
    label: '签收',
    from: ['dispatched'],
    roles: UNIT,
    input: z.object({ note, version }),
    effect: (_c, i, env) => ({ to: 'accepted', patch: { accepted_at: iso(env.now) }, note: i.note ?? null }),
  }),
  return: rule({
    label: '退单',
    from: ['dispatched', 'accepted'],
    roles: UNIT,
    input: z.object({ reason: required('退单理由'), version }),
    effect: (c, i) => ({
      to: 'received',
      unitId: c.unit_id,
      patch: { unit_id: null, return_count: c.return_count + 1, dispatched_at: null, accepted_at: null, accept_due_at: null, reply_due_at: null, extension_pending: null },
      note: i.reason,
    }),
  }),
  extend: rule({
    label: '申请延期',
    from: ['dispatched', 'accepted'],
    roles: UNIT,
    input: z.object({ days: z.number({ error: '延期天数必须是数字' }).int({ error: '延期天数必须是整数' }).min(1, { error: '延期天数至少 1 天' }).max(60, { error: '延期天数最多 60 个工作日' }), reason: required('延期理由'), version }),
    effect: (c, i, env) => {
      if (c.extension_pending) throw conflict('extension_already_pending', '已有待审批的延期申请');
      return { patch: { extension_pending: { days: i.days, reason: i.reason, requestedAt: iso(env.now), by: env.actor.id } }, note: i.reason, data: { days: i.days } };
    },
  }),
  'approve-extension': rule({
    label: '批准延期',
    from: ['dispatched', 'accepted'],
    roles: LEAD,
    input: z.object({ days: z.number().int().min(1).max(60).optional(), note, version }),
    effect: async (c, i, env) => {
      requirePending(c);
      const days = i.days ?? c.extension_pending.days;
      const { calendar } = await deadlineSetup(env.db);
      const from = c.reply_due_at ? new Date(new Date(c.reply_due_at).getTime() - 1) : env.now;
      const due = calendar.deadlineAfter(from, days);
      return {
        patch: { reply_due_at: iso(due), extension_pending: null, extension_count: c.extension_count + 1 },
        note: i.note ?? null,
        data: { days, previousReplyDueAt: c.reply_due_at ? iso(new Date(c.reply_due_at)) : null, replyDueAt: iso(due) },
      };
    },
  }),
  'deny-extension': rule({
    label: '驳回延期',
    from: ['dispatched', 'accepted'],
    roles: LEAD,
    input: z.object({ reason: note, note, version }),
    effect: (c, i) => {
      requirePending(c);
      return { patch: { extension_pending: null }, note: i.reason ?? i.note ?? null, data: { requested: c.extension_pending } };
    },
  }),
  remind: rule({
    label: '催办',
    from: ['dispatched', 'accepted'],
    roles: LEAD,
    input: z.object({ note, version }),
    effect: (c, i) => ({ patch: { reminder_count: c.reminder_count + 1 }, note: i.note ?? null, data: { count: c.reminder_count + 1 } }),
  }),
  supervise: rule({
    label: '督办',
    from: ['received', 'dispatched', 'accepted', 'replied'],
    roles: LEAD,
    input: z.object({ supervised: z.boolean().default(true), note, version }),
    effect: (_c, i) => ({ patch: { supervised: i.supervised }, note: i.note ?? null, data: { supervised: i.supervised } }),
  }),
  reply: rule({
    label: '答复',
    from: ['accepted'],
    roles: UNIT,
    input: z.object({ result: required('办理结果', LIMITS.resolution), version }),
    effect: (_c, i, env) => ({ to: 'replied', patch: { resolution: i.result, replied_at: iso(env.now), extension_pending: null }, note: i.result }),
  }),
  close: rule({
    label: '办结',
    from: ['replied'],
    roles: CENTRE,
    input: z.object({ note, version }),
    effect: (_c, i, env) => ({ to: 'closed', patch: { closed_at: iso(env.now) }, note: i.note ?? null }),
  }),
  callback: rule({
    label: '回访',
    from: ['closed', 'resolved_online'],
    roles: CENTRE,
    input: z.object({
      result: z.enum(['satisfied', 'basically_satisfied', 'unsatisfied'], { error: '回访结果须为 satisfied / basically_satisfied / unsatisfied' }),
      note,
      version,
    }),
    effect: (_c, i, env) => ({
      patch: { callback_result: i.result, callback_at: iso(env.now), callback_note: i.note ?? null },
      note: i.note ?? null,
      data: { result: i.result },
    }),
  }),
  reopen: rule({
    label: '重办',
    from: ['closed', 'resolved_online'],
    roles: CENTRE,
    input: z.object({ reason: note, note, version }),
    effect: async (c, i, env) => {
      if (c.callback_result !== 'unsatisfied') throw conflict('reopen_requires_unsatisfied', '只有回访不满意的工单才能重办');
      const common = { reopen_count: c.reopen_count + 1, callback_result: null, callback_at: null, callback_note: null, accepted_at: null, replied_at: null, closed_at: null, extension_pending: null };
      // Back to the same unit; a case resolved online has none, so it returns to the centre for dispatch.
      if (!c.unit_id) return { to: 'received', patch: common, note: i.reason ?? i.note ?? null };
      return { to: 'dispatched', unitId: c.unit_id, patch: { ...common, ...(await deadlinesFor(env, c)) }, note: i.reason ?? i.note ?? null, data: { previousCallback: c.callback_result } };
    },
  }),
} satisfies Record<string, ActionRule>;

export type ActionName = keyof typeof ACTIONS;
export const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];

export function illegalTransition(action: ActionName, status: string): AppError {
  const label = ACTIONS[action].label;
  return new AppError('illegal_transition', `工单当前状态「${STATUS_NAMES[status as Status] ?? status}」不能执行「${label}」`, 409);
}

/** Which actions an actor may perform on a case now (for the UI). */
export function allowedActions(c: { status: string }, actor: Actor): ActionName[] {
  return ACTION_NAMES.filter((a) => ACTIONS[a].from.includes(c.status as Status) && ACTIONS[a].roles.includes(actor.role));
}
