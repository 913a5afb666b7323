// A request's life after intake, simulated: resolved on the line, or dispatched → accepted → replied →
// closed → callback, with returns (退单), extensions (延期), reminders (催办), supervision (督办) and reopens
// (重办). Produces the audit events and the case's final state as of `horizon` (later steps are not written).
import type { Rng } from './prng.ts';
import type { Leaf, RequestType } from './taxonomy.ts';
import { CITY_UNITS } from './units-data.ts';
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
  /** The request's category: what an answer on the line talks about. */
  topic: Pick<Leaf, 'name' | 'secondName' | 'topName'>;
}

// Answers given on the line (在线办结) — they seed the knowledge base, so they say something about the matter:
// the category, where to go (the department in charge) and what to do (guidance per top category).
const GUIDANCE: Record<string, string> = {
  城乡建设: '可先拍照留存现场情况，通过"我的长沙"App上传位置，便于核查',
  住房保障: '需携带身份证、户口簿和家庭收入证明到社区服务中心提交申请，审核结果会在区住房保障部门公示',
  物业管理: '可先向物业服务企业书面反映，协商不成可请社区居委会和业主委员会协调，物业收费标准以合同和备案价格为准',
  噪音扰民: '夜间22时至次日6时的噪声扰民可直接拨打110，施工噪声可查询工地是否办理了夜间施工许可',
  劳动保障: '请保留劳动合同、工资条、考勤记录等证据，可向劳动保障监察机构投诉，或在一年内申请劳动仲裁',
  价格投诉: '请保留购物小票、价目表照片等证据，可通过全国12315平台在线投诉，明码标价问题由市场监管部门查处',
  购房资格: '购房资格以户籍和社保缴纳记录为准，可携带户口簿和社保证明到不动产登记窗口或通过住建部门网站查询',
  交通出行: '线路、站点和交通管制信息可在"长沙公交"和交警部门公众号查询，违章处理可通过"交管12123"办理',
  生态环境: '可在污染发生时拍摄视频并注明时间地点，生态环境部门依法监测，超标排放将立案查处',
  教育: '招生入学政策以教育局当年公布的方案为准，可登录教育局网站查询学区划分，或咨询所在学校',
  医疗卫生: '可先向医院医务科或患者服务中心反映，医疗纠纷也可申请医疗纠纷人民调解',
  市场监管: '请保留票据和商品实物，可通过全国12315平台投诉举报，食品安全问题可要求经营者先行赔偿',
  公共服务: '供水、供电、燃气故障可拨打相应企业的24小时服务热线报修，计划停水停电信息会提前公告',
  社会保障: '社保参保、缴费和待遇可在社保网上服务平台或社区服务中心查询办理，需携带身份证',
  疫情防控: '请以卫健部门发布的最新防控指引为准，发热症状可到就近发热门诊就诊',
  公安政法: '涉及治安问题可直接拨打110，户籍和证件业务可到辖区派出所或政务服务中心办理',
  党务政务: '办事指南和所需材料可在政务服务网查询，多数事项已可网上办理',
  农业农村: '可咨询所在乡镇农业综合服务中心，补贴政策以农业农村部门公布的文件为准',
  文化旅游: '景区服务问题可向景区管理处反映，旅游合同纠纷可向文化旅游部门投诉',
};
const ONLINE_ANSWERS: Record<RequestType, ((t: LifecycleInput['topic'], dept: string, guide: string) => string)[]> = {
  consultation: [
    (t, dept, guide) => `市民咨询${t.name}相关事项。已答复：${guide}。主管部门为${dept}，市民表示清楚。`,
    (t, dept) => `已向市民解释${t.secondName}方面的政策规定和办理流程，告知${t.name}事项由${dept}负责，可到其服务窗口或网上办理，市民无异议。`,
  ],
  help: [
    (t, dept, guide) => `市民反映${matter(t)}，已告知：${guide}；如仍需帮助，可联系${dept}，市民表示先按此处理。`,
    (t, dept) => `已告知市民${matter(t)}的求助渠道，提供了${dept}的服务电话，市民表示会自行联系。`,
  ],
  complaint: [
    (t, dept, guide) => `已向市民说明${matter(t)}的处理依据：${guide}。市民同意先按此途径解决，如未解决可再次来电由${dept}处理。`,
    (t, dept) => `已解释${t.secondName}相关规定，市民对${matter(t)}的处理方式表示理解，暂不需要转${dept}办理。`,
  ],
  report: [
    (t, dept) => `已告知市民${t.name}线索可直接向${dept}实名或匿名举报，并说明举报人信息依法保密。`,
    (t, dept, guide) => `已记录市民反映的${t.name}情况并答复：${guide}。如有新的线索可随时向${dept}反映。`,
  ],
  suggestion: [
    (t, dept) => `已记录市民关于${t.name}的建议，将汇总转${dept}研究参考，并感谢市民。`,
    (t, dept) => `已向市民介绍${t.secondName}方面的现行做法，市民的${t.name}建议已登记，定期汇总报送${dept}。`,
  ],
  praise: [
    (t, dept) => `已记录市民对${dept}在${t.name}方面工作的表扬，将转达相关单位，感谢市民的肯定。`,
    (_t, dept) => `市民来电表扬${dept}工作人员服务热情、办事高效，已登记并转达。`,
  ],
};

const matter = (t: LifecycleInput['topic']) => (t.name.endsWith('问题') ? t.name : `${t.name}问题`);
const departmentOf = (unitId: string) =>
  unitId.startsWith('U-D') ? '所在区人民政府' : unitId.startsWith('U-S') ? '所在街道办事处' : (CITY_UNITS.find((u) => `U-${u.key}` === unitId)?.name ?? '相关部门');

/** An answer on the line for the request's category and type; `u` in [0, 1) picks the wording. */
export function onlineAnswer(x: Pick<LifecycleInput, 'topic' | 'requestType' | 'unitId'>, u: number): string {
  const forms = ONLINE_ANSWERS[x.requestType];
  const guide = GUIDANCE[x.topic.topName] ?? '可通过政务服务网查询办事指南';
  return forms[Math.floor(u * forms.length)]!(x.topic, departmentOf(x.unitId), guide);
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
    const resolution = onlineAnswer(x, rng.next()); // one draw, as before: the rest of the story is unchanged
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
