// Builds a monthly (月报) or special (专报) report from the metric functions — the same ones behind the
// dashboard — so every figure in a report equals the dashboard's figure for the same period.
import type { Db } from '../store/db.ts';
import { validationError, notFound } from '../shared/errors.ts';
import { daysBetween } from '../shared/time.ts';
import { REQUEST_TYPE_LABELS } from '../metrics/definitions.ts';
import { metricSeries, monthPeriod, queryMetric, queryMetricCompared, type ComparedResult, type Filters, type Period } from '../metrics/query.ts';
import { rankUnits } from '../metrics/rank-units.ts';
import { getTopic, topicPredicate, topicVolumes, type Topic } from '../metrics/topics.ts';
import { barOption, lineOption, pieOption } from './charts.ts';
import type { Block, ReportDoc, Section } from './model.ts';

export type ReportSpec =
  | { kind: 'monthly'; month: string }
  | { kind: 'special'; from: string; to: string; topic?: string; category?: string; district?: string; alertId?: string };

const fmtPct = (v: number | null) => (v === null ? '—' : `${v.toFixed(2)}%`);
const fmtNum = (v: number | null, unit: string) => (v === null ? '—' : unit === '%' ? fmtPct(v) : unit === '天' ? `${v.toFixed(2)}天` : `${v}件`);
const zh = (day: string) => `${Number(day.slice(0, 4))}年${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;
const zhMonth = (day: string) => `${Number(day.slice(0, 4))}年${Number(day.slice(5, 7))}月`;

/** “上升 12.50%” / “下降 3.00%” / “持平” for a change; percentage points for rates. */
function trend(r: ComparedResult, which: 'mom' | 'yoy'): string {
  const c = r[which];
  if (c.value === null || r.value === null) return '无可比数据';
  if (r.unit === '%') {
    if (c.change === 0) return '持平';
    return `${c.change! > 0 ? '上升' : '下降'}${Math.abs(c.change!).toFixed(2)}个百分点`;
  }
  if (c.changePct === null) return c.change === 0 ? '持平' : '无可比数据';
  if (c.changePct === 0) return '持平';
  return `${c.changePct > 0 ? '上升' : '下降'}${Math.abs(c.changePct).toFixed(2)}%`;
}

async function cityName(db: Db): Promise<string> {
  const [row] = await db.query(`SELECT name FROM divisions WHERE level = 'city' ORDER BY code LIMIT 1`);
  return row?.name ?? '本市';
}

const CORE = ['volume', 'resolved_online', 'online_resolution_rate', 'transfer_count', 'transfer_closure_rate', 'on_time_closure_rate', 'response_rate', 'resolution_rate', 'satisfaction_rate', 'repeat_rate', 'return_rate', 'extension_rate', 'avg_handling_days'];

export async function buildReport(db: Db, spec: ReportSpec): Promise<ReportDoc> {
  const city = await cityName(db);
  if (spec.kind === 'monthly') {
    const period = monthPeriod(spec.month);
    const label = zhMonth(period.from);
    return {
      title: `${city}12345政务服务便民热线${label}诉求办理情况分析报告`,
      subtitle: `统计期间：${zh(period.from)}至${zh(period.to)}（按受理日期）`,
      issuer: `${city}12345政务服务便民热线管理中心`,
      sections: await analysis(db, period, {}, label, null),
    };
  }
  const period = { from: spec.from, to: spec.to };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(spec.from) || !/^\d{4}-\d{2}-\d{2}$/.test(spec.to) || spec.from > spec.to) throw validationError({ from: '请提供有效的 --from / --to 日期（YYYY-MM-DD）' });
  const filters: Filters = {};
  let subject = '';
  let topic: Topic | null = null;
  if (spec.category) {
    const [c] = await db.query('SELECT name FROM categories WHERE code = $1', [spec.category]);
    if (!c) throw notFound(`问题分类 ${spec.category} `);
    filters.category = spec.category;
    subject = `“${c.name}”类诉求`;
  }
  if (spec.district) {
    const [d] = await db.query('SELECT name FROM divisions WHERE code = $1', [spec.district]);
    if (!d) throw notFound(`区县 ${spec.district} `);
    filters.district = spec.district;
    subject = `${d.name}${subject || '诉求'}`;
  }
  if (spec.topic) {
    topic = await getTopic(db, spec.topic);
    subject = `“${topic.name}”专题诉求`;
  }
  let alertSection: Section | null = null;
  if (spec.alertId) {
    const alert = await findAlert(db, spec.alertId);
    if (!alert) throw notFound(`预警 ${spec.alertId} `);
    subject = subject || `预警“${alertTitle(alert)}”相关诉求`;
    if (alert.category_code && !filters.category) filters.category = String(alert.category_code);
    if (alert.district_code && !filters.district) filters.district = String(alert.district_code);
    const show = (k: string, v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 16).replace('T', ' ') : k === 'kind' ? (ALERT_KINDS[String(v)] ?? String(v)) : k === 'status' ? (ALERT_STATUS[String(v)] ?? String(v)) : String(v));
    alertSection = { heading: '预警详情', blocks: [{ type: 'table', columns: ['项目', '内容'], rows: Object.keys(ALERT_FIELDS).filter((k) => alert[k] !== undefined && alert[k] !== null).map((k) => [ALERT_FIELDS[k], show(k, alert[k])]) }] };
  }
  if (!subject) subject = '全部诉求';
  const sections = await analysis(db, period, filters, `${zh(period.from)}至${zh(period.to)}`, topic);
  if (alertSection) sections.splice(1, 0, alertSection);
  return {
    title: `关于${subject}情况的专题报告`,
    subtitle: `统计期间：${zh(period.from)}至${zh(period.to)}（按受理日期）`,
    issuer: `${city}12345政务服务便民热线管理中心`,
    sections,
  };
}

async function analysis(db: Db, period: Period, filters: Filters, label: string, topic: Topic | null): Promise<Section[]> {
  const q = (metric: string) => queryMetricCompared(db, { metric, ...period, filters });
  const r: Record<string, ComparedResult> = {};
  for (const m of CORE) r[m] = await q(m);
  const sections: Section[] = [];

  // 一、总体情况
  const overall: Block[] = [];
  overall.push({ type: 'p', text:
    `${label}，热线共受理群众诉求${r.volume.value}件，环比${trend(r.volume, 'mom')}，同比${trend(r.volume, 'yoy')}。` +
    `其中在线办结${r.resolved_online.value}件，在线办结率${fmtPct(r.online_resolution_rate.value)}；转办${r.transfer_count.value}件，转办办结率${fmtPct(r.transfer_closure_rate.value)}，` +
    `按时办结率${fmtPct(r.on_time_closure_rate.value)}，平均办理时长${fmtNum(r.avg_handling_days.value, '天')}。` +
    `“三率”方面，响应率${fmtPct(r.response_rate.value)}，解决率${fmtPct(r.resolution_rate.value)}，满意率${fmtPct(r.satisfaction_rate.value)}（环比${trend(r.satisfaction_rate, 'mom')}）。` });
  overall.push({ type: 'table', title: '表1 主要指标', columns: ['指标', '本期', '上期', '环比', '去年同期', '同比'], rows: CORE.map((m) => {
    const x = r[m];
    return [x.label, fmtNum(x.value, x.unit), fmtNum(x.mom.value, x.unit), trend(x, 'mom'), fmtNum(x.yoy.value, x.unit), trend(x, 'yoy')];
  }) });
  const channels = await queryMetric(db, { metric: 'volume', ...period, filters, by: 'channel' });
  const types = await queryMetric(db, { metric: 'volume', ...period, filters, by: 'request_type' });
  if (channels.groups!.length) overall.push({ type: 'chart', title: '图1 受理渠道分布', option: pieOption('受理渠道分布', channels.groups!.map((g) => ({ name: g.label, value: g.num }))), width: 520, height: 300 });
  if (types.groups!.length) overall.push({ type: 'p', text: `从诉求类型看，${types.groups!.map((g) => `${REQUEST_TYPE_LABELS[g.key] ?? g.label}${g.num}件（占${pctOf(g.num, r.volume.value)}）`).join('，')}。` });
  const long = daysBetween(period.from, period.to) > 92;
  const series = await metricSeries(db, { metric: 'volume', ...period, filters, granularity: long ? 'month' : 'day' });
  overall.push({ type: 'chart', title: '图2 受理量走势', option: lineOption(long ? '月受理量走势' : '日受理量走势', series.points.map((p) => p.bucket.slice(5)), [{ name: '受理量', values: series.points.map((p) => p.value) }]), width: 520, height: 260 });
  sections.push({ heading: '总体情况', blocks: overall });

  // 二、热点问题
  const hot: Block[] = [];
  const cats = await queryMetricCompared(db, { metric: 'volume', ...period, filters, by: 'category' });
  const top = cats.groups!.filter((g) => g.key).slice(0, 10);
  const prevCats = await queryMetric(db, { metric: 'volume', ...cats.mom, filters, by: 'category' });
  const prevBy = new Map(prevCats.groups!.map((g) => [g.key, g.num]));
  if (top.length) {
    hot.push({ type: 'p', text: `诉求量排名前三的问题分类为：${top.slice(0, 3).map((g) => `${g.label}（${g.num}件，占${pctOf(g.num, r.volume.value)}）`).join('、')}，合计占受理总量的${pctOf(top.slice(0, 3).reduce((s, g) => s + g.num, 0), r.volume.value)}。` });
    const rising = top.map((g) => ({ g, prev: prevBy.get(g.key) ?? 0 })).filter((x) => x.g.num > x.prev).sort((a, b) => b.g.num - b.prev - (a.g.num - a.prev))[0];
    if (rising) hot.push({ type: 'p', text: `环比增幅最大的热点为“${rising.g.label}”，由上期${rising.prev}件增至${rising.g.num}件，增加${rising.g.num - rising.prev}件，需重点关注。` });
    hot.push({ type: 'table', title: '表2 热点问题分类 Top 10', columns: ['排名', '问题分类', '诉求量', '占比', '上期', '环比变化'], rows: top.map((g, i) => {
      const prev = prevBy.get(g.key) ?? 0;
      return [i + 1, g.label, g.num, pctOf(g.num, r.volume.value), prev, prev ? `${(((g.num - prev) / prev) * 100).toFixed(2)}%` : '新增'];
    }) });
    hot.push({ type: 'chart', title: '图3 热点问题分类', option: barOption('热点问题分类 Top 10', top.map((g) => g.label), top.map((g) => g.num), true), width: 520, height: 320 });
  } else hot.push({ type: 'p', text: '本期无分类诉求数据。' });
  const places = await queryMetric(db, { metric: 'volume', ...period, filters, by: 'district' });
  const pl = places.groups!.filter((g) => g.key);
  if (pl.length) {
    hot.push({ type: 'p', text: `从区域分布看，诉求量居前的区县为${pl.slice(0, 3).map((g) => `${g.label}（${g.num}件）`).join('、')}。` });
    hot.push({ type: 'chart', title: '图4 各区县诉求量', option: barOption('各区县诉求量', pl.map((g) => g.label), pl.map((g) => g.num)), width: 520, height: 280 });
  }
  const topics = topic ? await topicVolumes(db, period, [topic]) : await topicVolumes(db, period);
  hot.push({ type: 'table', title: '表3 重点专题诉求', columns: ['专题', '诉求量'], rows: topics.map((t) => [t.name, t.value]) });
  if (topic) hot.push({ type: 'p', text: `本期“${topic.name}”专题（${[topic.categories.length ? `分类${topic.categories.join('、')}` : '', topic.keywords.length ? `关键词：${topic.keywords.join('、')}` : ''].filter(Boolean).join('；')}）共涉及诉求${topics[0].value}件。` + (await topicSamples(db, period, topic)) });
  sections.push({ heading: '热点问题', blocks: hot });

  // 三、预警与处置
  sections.push({ heading: '预警与处置', blocks: await alertBlocks(db, period) });

  // 四、承办单位考核
  const rank: Block[] = [];
  const sat = await rankUnits(db, { ...period, metric: 'satisfaction_rate' });
  const ontime = await rankUnits(db, { ...period, metric: 'on_time_closure_rate' });
  const ranked = sat.units.filter((u) => u.rank !== null);
  if (ranked.length) {
    rank.push({ type: 'p', text: `按问题分类和诉求类型结构调整后，满意率排名前列的承办单位为${ranked.slice(0, 3).map((u) => `${u.unitName}（${fmtPct(u.adjustedRate)}）`).join('、')}；` +
      `排名靠后的为${ranked.slice(-3).reverse().map((u) => `${u.unitName}（${fmtPct(u.adjustedRate)}）`).join('、')}。` +
      `${ranked.filter((u) => u.verdict === 'below').length ? `其中${ranked.filter((u) => u.verdict === 'below').map((u) => u.unitName).join('、')}的满意率显著低于全市水平（${fmtPct(sat.cityRate)}）。` : '各单位满意率与全市水平无显著差异。'}` });
    rank.push({ type: 'table', title: `表4 承办单位满意率考核（${sat.method}）`, columns: ['排名', '承办单位', '回访件', '原始满意率', '调整后满意率', '95%置信区间', '评价'], rows: sat.units.slice(0, 20).map((u) => [
      u.rank ?? '—', u.unitName, u.den, fmtPct(u.rawRate), fmtPct(u.adjustedRate), u.ciLow === null ? '—' : `${u.ciLow.toFixed(2)}%–${u.ciHigh!.toFixed(2)}%`, VERDICT[u.verdict],
    ]) });
  } else rank.push({ type: 'p', text: `本期回访件数达到 ${sat.minCount} 件的承办单位不足，暂不排名。` });
  const late = ontime.units.filter((u) => u.verdict === 'below');
  rank.push({ type: 'p', text: late.length ? `按时办结率显著低于全市（${fmtPct(ontime.cityRate)}）的单位：${late.map((u) => `${u.unitName}（${fmtPct(u.rawRate)}）`).join('、')}。` : `按时办结率方面，全市为${fmtPct(ontime.cityRate)}，无单位显著低于全市水平。` });
  sections.push({ heading: '承办单位考核', blocks: rank });

  // 五、不满意诉求分析
  const unsat: Block[] = [];
  const reasons = await queryMetric(db, { metric: 'unsatisfied_count', ...period, filters, by: 'unsat_reason' });
  unsat.push({ type: 'p', text: reasons.value ? `本期回访不满意诉求${reasons.value}件，主要原因为${reasons.groups!.slice(0, 3).map((g) => `${g.label}（${g.num}件，占${pctOf(g.num, reasons.value)}）`).join('、')}。` : '本期无回访不满意诉求。' });
  if (reasons.value) {
    unsat.push({ type: 'table', title: '表5 不满意原因', columns: ['原因', '件数', '占比'], rows: reasons.groups!.map((g) => [g.label, g.num, pctOf(g.num, reasons.value)]) });
    const byCat = await queryMetric(db, { metric: 'unsatisfied_count', ...period, filters, by: 'category' });
    unsat.push({ type: 'table', title: '表6 不满意诉求较多的问题分类', columns: ['问题分类', '件数'], rows: byCat.groups!.slice(0, 5).map((g) => [g.label, g.num]) });
    unsat.push({ type: 'chart', title: '图5 不满意原因', option: pieOption('不满意原因', reasons.groups!.map((g) => ({ name: g.label, value: g.num }))), width: 520, height: 280 });
  }
  sections.push({ heading: '不满意诉求分析', blocks: unsat });

  // 六、下步建议
  const tips: string[] = [];
  if (top[0]) tips.push(`聚焦“${top[0].label}”等高频问题，推动责任单位开展专项治理，变“接诉即办”为“未诉先办”。`);
  if (r.satisfaction_rate.value !== null && r.satisfaction_rate.value < 90) tips.push(`满意率为${fmtPct(r.satisfaction_rate.value)}，低于90%的工作目标，对不满意诉求逐件复核，确有未解决的督促重办。`);
  if (r.on_time_closure_rate.value !== null && r.on_time_closure_rate.value < 95) tips.push(`按时办结率为${fmtPct(r.on_time_closure_rate.value)}，加强临期、超期工单催办督办。`);
  if (r.return_rate.value !== null && r.return_rate.value > 5) tips.push(`退单率为${fmtPct(r.return_rate.value)}，及时修订派单目录，减少职责不清导致的退单。`);
  if (r.repeat_rate.value !== null && r.repeat_rate.value > 10) tips.push(`重复诉求率为${fmtPct(r.repeat_rate.value)}，对重复来电问题建立台账，从源头化解。`);
  tips.push('持续做好诉求数据分析研判，定期通报热点问题和承办单位考核结果。');
  sections.push({ heading: '下步建议', blocks: tips.map((t, i) => ({ type: 'p', text: `${i + 1}. ${t}` })) });
  return sections;
}

const VERDICT = { above: '显著高于全市', below: '显著低于全市', typical: '与全市相当', insufficient: '样本不足' } as const;
const pctOf = (n: number, total: number | null) => (total ? `${((n / total) * 100).toFixed(2)}%` : '—');

async function topicSamples(db: Db, period: Period, t: Topic): Promise<string> {
  const params: unknown[] = [period.from, period.to];
  const rows = await db.query(`SELECT coalesce(c.title, left(c.content, 30)) AS t FROM cases c WHERE c.local_day BETWEEN $1::date AND $2::date AND ${topicPredicate(t, params)} ORDER BY c.received_at DESC LIMIT 3`, params);
  return rows.length ? `典型诉求如：${rows.map((r) => `“${r.t}”`).join('；')}。` : '';
}

// Alerts belong to the warning domain (migration 0030+). Until its table exists, the section says so.
async function alertsTableExists(db: Db): Promise<boolean> {
  const [r] = await db.query(`SELECT to_regclass('alerts') IS NOT NULL AS ok`);
  return Boolean(r?.ok);
}
async function alertColumns(db: Db): Promise<Set<string>> {
  return new Set((await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'alerts'`)).map((r) => r.column_name));
}
const ALERT_KINDS: Record<string, string> = { emerging: '苗头性', trending: '倾向性', concentrated: '集中性' };
const ALERT_STATUS: Record<string, string> = { new: '新预警', acknowledged: '已确认', assigned: '已交办', resolved: '已处置', dismissed: '已排除' };
const ALERT_FIELDS: Record<string, string> = { id: '预警编号', kind: '类型', status: '处置状态', title: '预警内容', category_code: '问题分类', district_code: '区县', place_name: '地点', observed: '实际数', expected: '期望数', p_value: 'P 值', recurrence_days: '重现间隔（天）', member_count: '相关诉求数', first_seen_at: '首次发现', last_seen_at: '最近发现', unit_id: '处置单位' };
const alertTitle = (a: Record<string, unknown>) => String(a.title ?? a.summary ?? a.name ?? a.id);

async function findAlert(db: Db, id: string): Promise<Record<string, unknown> | null> {
  if (!(await alertsTableExists(db))) return null;
  const [a] = await db.query(`SELECT * FROM alerts WHERE id::text = $1`, [id]);
  return a ?? null;
}

async function alertBlocks(db: Db, period: Period): Promise<Block[]> {
  if (!(await alertsTableExists(db))) return [{ type: 'p', text: '本期无预警。' }];
  const cols = await alertColumns(db);
  const timeCol = ['first_seen_at', 'created_at', 'detected_at', 'at'].find((c) => cols.has(c));
  const where = timeCol ? `WHERE (${timeCol} AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $1::date AND $2::date` : '';
  const rows = await db.query(`SELECT * FROM alerts ${where} ORDER BY ${timeCol ?? 'id'} LIMIT 50`, timeCol ? [period.from, period.to] : []);
  if (!rows.length) return [{ type: 'p', text: '本期无预警。' }];
  const pick = (a: Record<string, unknown>, ...names: string[]) => { for (const n of names) if (a[n] !== undefined && a[n] !== null) return String(a[n] instanceof Date ? (a[n] as Date).toISOString().slice(0, 10) : a[n]); return ''; };
  const kinds = ALERT_KINDS;
  const byKind = new Map<string, number>();
  for (const a of rows) { const k = kinds[pick(a, 'kind', 'type')] ?? (pick(a, 'kind', 'type') || '其他'); byKind.set(k, (byKind.get(k) ?? 0) + 1); }
  return [
    { type: 'p', text: `本期共发出预警${rows.length}条，其中${[...byKind].map(([k, n]) => `${k}${n}条`).join('、')}。` },
    { type: 'table', title: '表 预警与处置情况', columns: ['发现时间', '类型', '预警内容', '地点', '实际/期望', '处置状态'], rows: rows.map((a) => [
      pick(a, timeCol ?? 'id'), kinds[pick(a, 'kind', 'type')] ?? pick(a, 'kind', 'type'), alertTitle(a), pick(a, 'place_name', 'district_code'),
      a.observed !== undefined && a.observed !== null ? `${Number(a.observed).toFixed(0)}/${Number(a.expected ?? 0).toFixed(1)}` : '—', ALERT_STATUS[pick(a, 'status')] ?? pick(a, 'status'),
    ]) },
  ];
}

