// A request's life after intake, simulated: resolved on the line, or dispatched → accepted → replied →
// closed → callback, with returns (退单), extensions (延期), reminders (催办), supervision (督办) and reopens
// (重办). Produces the audit events and the case's final state as of `horizon` (later steps are not written).
import type { Rng } from './prng.ts';
import type { RequestType } from './taxonomy.ts';
import { builtinCalendarData, createCalendar, type WorkCalendar } from '../cases/calendar.ts';
import { computeDeadlines, DEFAULT_POLICY } from '../cases/deadlines.ts';

// The cases domain's default deadline policy and working-day calendar, so that generated deadlines match live ones.
// A deadline depends only on the local day and the number of working days: memoised (millions of cases).
const SETUP = { policy: DEFAULT_POLICY, calendar: memoDeadlines(createCalendar(builtinCalendarData())) };

function memoDeadlines(cal: WorkCalendar): WorkCalendar {
  const memo = new Map<number, Date>();
  return {
    ...cal,
    deadlineAfter(at, n) {
      if (n >= 256) return cal.deadlineAfter(at, n);
      const key = Math.floor((at.getTime() + 8 * 3600_000) / 86400_000) * 256 + n; // the local day's number
      let due = memo.get(key);
      if (due === undefined) memo.set(key, (due = cal.deadlineAfter(at, n)));
      return new Date(due.getTime());
    },
  };
}

export type Status = 'received' | 'resolved_online' | 'dispatched' | 'accepted' | 'replied' | 'closed';
export type CallbackResult = 'satisfied' | 'basically_satisfied' | 'unsatisfied';

export interface LifecycleState {
  status: Status;
  unitId: string | null;
  dispatchedAt: Date | null;
  acceptedAt: Date | null;
  acceptDueAt: Date | null;
  replyDueAt: Date | null;
  repliedAt: Date | null;
  resolution: string | null;
  closedAt: Date | null;
  callbackResult: CallbackResult | null;
  callbackAt: Date | null;
  callbackNote: string | null;
  returnCount: number;
  extensionCount: number;
  reminderCount: number;
  reopenCount: number;
  supervised: boolean;
  updatedAt: Date;
}

export interface LifecycleEvent {
  id: number;
  caseId: number;
  at: Date;
  actor: string;
  action: string;
  fromStatus: Status | null;
  toStatus: Status;
  unitId: string | null;
  note: string | null;
  data: Record<string, unknown> | null;
}

/** Probability that a request of a type is answered on the line (calibrated to ≈ 67 % overall). */
export const ONLINE_RATE: Record<RequestType, number> = { consultation: 0.95, help: 0.6, complaint: 0.58, report: 0.3, suggestion: 0.85, praise: 1 };

const H = 3600_000;
const RETURN_REASONS = ['非本单位职责范围', '地址不在本辖区', '诉求涉及多个部门，请重新派发', '信息不全无法办理'];
const RESOLUTIONS_ONLINE = ['已按知识库解答，市民表示清楚', '已告知办理流程和所需材料', '已解释相关政策，市民无异议', '已提供相关部门联系电话', '已记录建议并感谢市民'];
const RESOLUTIONS = ['已现场核实并处理完毕', '已责令整改，问题已解决', '已与市民沟通，解释相关政策', '已协调相关单位处理，后续持续跟踪', '经核查情况属实，已依法处理', '已安排维修，现已恢复正常', '已约谈相关责任方，限期整改'];

export interface LifecycleInput {
  receivedAt: Date;
  requestType: RequestType;
  urgent: boolean;
  unitId: string;
  /** Unit a misrouted case is re-dispatched to after a return. */
  fallbackUnitId: string;
  operator: string;
  channel: string;
  horizon: number;
  /** Forces dispatch (incidents, repeat calls that need a unit). */
  forceDispatch?: boolean;
}

export function simulateLifecycle(rng: Rng, x: LifecycleInput): { state: LifecycleState; events: LifecycleEvent[] } {
  const s: LifecycleState = {
    status: 'received', unitId: null, dispatchedAt: null, acceptedAt: null, acceptDueAt: null, replyDueAt: null, repliedAt: null,
    resolution: null, closedAt: null, callbackResult: null, callbackAt: null, callbackNote: null,
    returnCount: 0, extensionCount: 0, reminderCount: 0, reopenCount: 0, supervised: false, updatedAt: x.receivedAt,
  };
  const events: LifecycleEvent[] = [];
  let done = false;
  // Applies a step unless it lies beyond the horizon; once one does, the rest of the story has not happened yet.
  const step = (atMs: number, actor: string, action: string, to: Status | null, unitId: string | null, note: string | null, data: Record<string, unknown> | null, apply?: () => void): boolean => {
    if (done || atMs > x.horizon) return !(done = true);
    const at = new Date(Math.round(atMs / 1000) * 1000);
    const from = s.status;
    apply?.();
    if (to) s.status = to;
    s.updatedAt = at;
    events.push({ id: 0, caseId: 0, at, actor, action, fromStatus: action === 'create' ? null : from, toStatus: s.status, unitId, note, data });
    return true;
  };
  const t0 = x.receivedAt.getTime();
  step(t0, x.operator, 'create', 'received', null, null, { channel: x.channel });

  const online = !x.forceDispatch && !x.urgent && rng.next() < ONLINE_RATE[x.requestType];
  if (online) {
    const t = t0 + rng.range(3, 15) * 60_000;
    const resolution = RESOLUTIONS_ONLINE[rng.int(RESOLUTIONS_ONLINE.length)];
    step(t, x.operator, 'resolve-online', 'resolved_online', null, resolution, null, () => { s.resolution = resolution; s.closedAt = new Date(t); });
    if (rng.next() < 0.3) callback(t + rng.range(12, 60) * H, false);
    return { state: s, events };
  }

  let t = t0 + (x.urgent ? rng.range(2, 15) : rng.range(5, 90)) * 60_000;
  const dispatch = (unitId: string, at: number, action = 'dispatch') => {
    const due = computeDeadlines(SETUP, { requestType: x.requestType, urgency: x.urgent ? 'urgent' : 'normal' }, new Date(at));
    const acceptDue = due.acceptDueAt.getTime();
    const replyDue = due.replyDueAt.getTime();
    return step(at, action === 'dispatch' ? x.operator : 'centre', action, 'dispatched', unitId, null, { unitId, replyDueAt: new Date(replyDue).toISOString() }, () => {
      s.unitId = unitId;
      s.dispatchedAt = new Date(at);
      s.acceptedAt = null;
      s.acceptDueAt = new Date(acceptDue);
      s.replyDueAt = new Date(replyDue);
      if (action === 'reopen') s.reopenCount++;
    });
  };
  if (!dispatch(x.unitId, t)) return { state: s, events };

  if (rng.next() < 0.04) {
    t += rng.range(1, 20) * H;
    const reason = RETURN_REASONS[rng.int(RETURN_REASONS.length)];
    if (!step(t, `unit:${s.unitId}`, 'return', 'received', s.unitId, reason, { reason }, () => { s.unitId = null; s.returnCount++; s.acceptDueAt = null; s.replyDueAt = null; })) return { state: s, events };
    t += rng.range(0.5, 4) * H;
    if (!dispatch(x.fallbackUnitId, t)) return { state: s, events };
  }
  handle(1);
  return { state: s, events };

  function handle(round: number): void {
    const unit = s.unitId!;
    const late = rng.next() < 0.04;
    t = late ? s.acceptDueAt!.getTime() + rng.range(1, 16) * H : s.dispatchedAt!.getTime() + rng.range(0.1, 0.9) * (s.acceptDueAt!.getTime() - s.dispatchedAt!.getTime());
    if (!step(t, `unit:${unit}`, 'accept', 'accepted', unit, null, null, () => (s.acceptedAt = new Date(t)))) return;
    if (rng.next() < 0.03) {
      const days = 5;
      t += rng.range(2, 30) * H;
      if (!step(t, `unit:${unit}`, 'extend', null, unit, '情况复杂，申请延期', { days })) return;
      t += rng.range(1, 8) * H;
      const previous = s.replyDueAt!;
      const due = SETUP.calendar.deadlineAfter(previous, days).getTime();
      if (!step(t, 'centre', 'approve-extension', null, unit, null, { days, previousReplyDueAt: previous.toISOString(), replyDueAt: new Date(due).toISOString() }, () => { s.replyDueAt = new Date(due); s.extensionCount++; })) return;
    }
    const due = s.replyDueAt!.getTime();
    const replyLate = rng.next() < 0.07;
    const replyAt = replyLate ? due + rng.range(0.2, 5) * 24 * H : t + rng.range(0.1, 0.95) * Math.max(H, due - t);
    if (replyLate || rng.next() < 0.04) {
      const remindAt = replyLate ? due - rng.range(1, 20) * H : t + rng.range(0.3, 0.8) * (replyAt - t);
      if (remindAt > t && !step(remindAt, 'centre', 'remind', null, unit, '请加快办理', null, () => s.reminderCount++)) return;
      if (replyLate && rng.next() < 0.3 && !step(due + rng.range(0.1, 0.2) * (replyAt - due), 'centre', 'supervise', null, unit, '超期未办结，督办', null, () => (s.supervised = true))) return;
    }
    t = Math.max(replyAt, t + 60_000);
    const resolution = RESOLUTIONS[rng.int(RESOLUTIONS.length)];
    if (!step(t, `unit:${unit}`, 'reply', 'replied', unit, resolution, null, () => { s.repliedAt = new Date(t); s.resolution = resolution; })) return;
    t += rng.range(2, 30) * H;
    if (!step(t, 'centre', 'close', 'closed', unit, null, null, () => (s.closedAt = new Date(t)))) return;
    if (rng.next() < 0.85) callback(t + rng.range(12, 72) * H, round === 1);
  }

  function callback(at: number, mayReopen: boolean): void {
    const r = rng.next();
    const result: CallbackResult = r < 0.85 ? 'satisfied' : r < 0.952 ? 'basically_satisfied' : 'unsatisfied';
    const note = result === 'unsatisfied' ? '市民表示问题未解决' : null;
    if (!step(at, 'centre', 'callback', null, s.unitId, note, { result }, () => { s.callbackResult = result; s.callbackAt = new Date(at); s.callbackNote = note; })) return;
    if (result === 'unsatisfied' && mayReopen && s.unitId && rng.next() < 0.5) {
      t = at + rng.range(2, 24) * H;
      if (!dispatch(s.unitId, t, 'reopen')) return;
      s.callbackResult = null;
      handle(2);
    }
  }

}
