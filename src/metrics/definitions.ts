// The metric glossary: every number the dashboard, big screen and reports show is defined here once —
// name, Chinese label, formula, unit, allowed dimensions, the rollup counters it is computed from, and the
// predicate over cases (alias c) that lists the cases behind it (drill-down). Periods are by the local day
// the case was received (受理日期), for every metric.
import { INDICATORS, type Counter } from './indicators.ts';

export const DIMENSIONS = {
  channel: '渠道',
  request_type: '诉求类型',
  category: '问题分类',
  category1: '一级分类',
  district: '区县',
  unit: '承办单位',
  unsat_reason: '不满意原因',
} as const;
export type Dimension = keyof typeof DIMENSIONS;
export const ALL_DIMENSIONS = Object.keys(DIMENSIONS) as Dimension[];
const PLACE_DIMS: Dimension[] = ['channel', 'request_type', 'category', 'category1', 'district', 'unit'];

export interface MetricDef {
  name: string;
  label: string;
  kind: 'count' | 'rate' | 'average';
  unit: '件' | '%' | '天';
  /** Formula in words (Chinese), shown in the glossary and the API. */
  formula: string;
  description: string;
  /** Numerator (and denominator) as sums of rollup counters. */
  num: Counter[];
  den?: Counter[];
  /** Multiplier of num/den: 100 for percentages, 1/86400 for seconds → days. */
  scale?: number;
  /** Lower is better (rankings sort ascending). */
  lowerIsBetter?: boolean;
  dims: Dimension[];
  /** Cases behind the numerator / denominator (SQL predicate over cases c). */
  drill: string;
  drillDen?: string;
}

const I = INDICATORS;
const HANDLED = `(${I.resolved_online} OR ${I.transferred})`;

export const METRICS: MetricDef[] = [
  { name: 'volume', label: '受理量', kind: 'count', unit: '件', formula: '受理日期在统计期内的诉求件数', description: '各渠道受理的全部诉求（含在线办结与转办）。', num: ['received'], dims: PLACE_DIMS, drill: I.received },
  { name: 'resolved_online', label: '在线办结量', kind: 'count', unit: '件', formula: '话务员在线答复办结、未转办的诉求件数', description: '当前状态为“在线办结”的诉求。', num: ['resolved_online'], dims: PLACE_DIMS, drill: I.resolved_online },
  { name: 'online_resolution_rate', label: '在线办结率', kind: 'rate', unit: '%', formula: '在线办结量 ÷ 受理量 × 100%', description: '受理诉求中在线直接办结的比例。', num: ['resolved_online'], den: ['received'], scale: 100, dims: PLACE_DIMS, drill: I.resolved_online, drillDen: I.received },
  { name: 'transfer_count', label: '转办量', kind: 'count', unit: '件', formula: '派发至承办单位的诉求件数（含被退回待重新派发的）', description: '状态为已派发、已签收、已答复、已办结，或被退单后待重新派发的诉求；退单后由中心直接答复办结的计入在线办结，不计转办。', num: ['transferred'], dims: PLACE_DIMS, drill: I.transferred },
  { name: 'transfer_closure_rate', label: '转办办结率', kind: 'rate', unit: '%', formula: '转办件中已办结件数 ÷ 转办量 × 100%', description: '转办诉求中已经办结（答复并经中心审核办结）的比例。', num: ['closed'], den: ['transferred'], scale: 100, dims: PLACE_DIMS, drill: I.closed, drillDen: I.transferred },
  { name: 'on_time_closure_rate', label: '按时办结率', kind: 'rate', unit: '%', formula: '在办理时限（含批准延期）内答复的办结件 ÷ 办结件 × 100%', description: '以答复时间（无答复时间时为办结时间）对比办理时限。', num: ['closed_on_time'], den: ['closed'], scale: 100, dims: PLACE_DIMS, drill: I.closed_on_time, drillDen: I.closed },
  { name: 'response_rate', label: '响应率', kind: 'rate', unit: '%', formula: '（在线办结量 + 按时签收的转办件）÷（在线办结量 + 转办量）× 100%', description: '三率之一：诉求是否得到及时响应。在线办结视为即时响应；转办件须在签收时限内签收。', num: ['resolved_online', 'accepted_on_time'], den: ['resolved_online', 'transferred'], scale: 100, dims: PLACE_DIMS, drill: `(${I.resolved_online} OR ${I.accepted_on_time})`, drillDen: HANDLED },
  { name: 'resolution_rate', label: '解决率', kind: 'rate', unit: '%', formula: '已解决件 ÷（在线办结量 + 转办量）× 100%；已解决件 = 在线办结或转办办结、且回访未评价为不满意', description: '三率之一：诉求是否真正得到解决。回访不满意的办结件不计为已解决。', num: ['solved'], den: ['resolved_online', 'transferred'], scale: 100, dims: PLACE_DIMS, drill: I.solved, drillDen: HANDLED },
  { name: 'satisfaction_rate', label: '满意率', kind: 'rate', unit: '%', formula: '（满意 + 基本满意）÷ 回访件数 × 100%', description: '三率之一：回访中诉求人评价为满意或基本满意的比例。', num: ['satisfied', 'basically_satisfied'], den: ['callbacks'], scale: 100, dims: PLACE_DIMS, drill: `(${I.satisfied} OR ${I.basically_satisfied})`, drillDen: I.callbacks },
  { name: 'repeat_rate', label: '重复诉求率', kind: 'rate', unit: '%', formula: '重复诉求件数 ÷ 受理量 × 100%', description: '与此前诉求为同一人同一事项（关联了原工单）的诉求比例。', num: ['repeats'], den: ['received'], scale: 100, lowerIsBetter: true, dims: PLACE_DIMS, drill: I.repeats, drillDen: I.received },
  { name: 'return_rate', label: '退单率', kind: 'rate', unit: '%', formula: '曾被退单的转办件 ÷ 转办量 × 100%', description: '承办单位以非本单位职责等理由退回的诉求比例（一件多次退回计一件）。', num: ['returned'], den: ['transferred'], scale: 100, lowerIsBetter: true, dims: PLACE_DIMS, drill: I.returned, drillDen: I.transferred },
  { name: 'extension_rate', label: '延期率', kind: 'rate', unit: '%', formula: '获批延期的转办件 ÷ 转办量 × 100%', description: '承办单位申请并获批延长办理时限的诉求比例。', num: ['extended'], den: ['transferred'], scale: 100, lowerIsBetter: true, dims: PLACE_DIMS, drill: I.extended, drillDen: I.transferred },
  { name: 'avg_handling_days', label: '平均办理时长', kind: 'average', unit: '天', formula: 'Σ（办结时间 − 受理时间）÷ 办结件数，单位：天', description: '转办办结诉求从受理到办结的平均自然日数。', num: ['handling_seconds'], den: ['closed'], scale: 1 / 86400, lowerIsBetter: true, dims: PLACE_DIMS, drill: I.closed },
  { name: 'callback_count', label: '回访量', kind: 'count', unit: '件', formula: '已回访并记录满意度的诉求件数', description: '', num: ['callbacks'], dims: PLACE_DIMS, drill: I.callbacks },
  { name: 'unsatisfied_count', label: '不满意诉求量', kind: 'count', unit: '件', formula: '回访评价为不满意的诉求件数，按不满意原因（由回访记录归类）分组', description: '原因归类：问题未解决、办理时效慢、服务态度差、推诿扯皮、对答复不认可、其他。', num: ['unsatisfied'], dims: [...PLACE_DIMS, 'unsat_reason'], drill: I.unsatisfied },
  { name: 'reopen_count', label: '重办量', kind: 'count', unit: '件', formula: '因回访不满意被重新交办的诉求件数', description: '', num: ['reopened'], dims: PLACE_DIMS, drill: I.reopened },
];

export const METRIC_BY_NAME = new Map(METRICS.map((m) => [m.name, m]));

export const REQUEST_TYPE_LABELS: Record<string, string> = {
  consultation: '咨询', help: '求助', complaint: '投诉', report: '举报', suggestion: '建议', praise: '表扬',
};

/** Value of a metric from summed counters (rounded to 2 decimals); null when the denominator is 0. */
export function metricValue(m: MetricDef, sums: Partial<Record<Counter, number>>): { value: number | null; num: number; den: number | null } {
  const num = m.num.reduce((s, k) => s + Number(sums[k] ?? 0), 0);
  if (!m.den) return { value: round2(num * (m.scale ?? 1)), num, den: null };
  const den = m.den.reduce((s, k) => s + Number(sums[k] ?? 0), 0);
  return { value: den > 0 ? round2((num / den) * (m.scale ?? 1)) : null, num: m.kind === 'average' ? round2(num / 86400) : num, den };
}

export const round2 = (x: number) => Math.round(x * 100) / 100;
