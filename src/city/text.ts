// The request-text grammar: one sentence plan per request type, filled from the leaf's problems, the place
// (gazetteer), times, amounts and colloquial variety, with occasional typos — thousands of distinct texts per
// category. Everything is drawn from the caller's Rng, so that a seed reproduces the same words.
import type { Rng } from './prng.ts';
import type { Leaf, RequestType } from './taxonomy.ts';

export interface PlaceRef {
  districtName: string;
  streetName: string;
  communityName: string;
  compoundName: string | null;
  compoundAlias: string | null;
  roadName: string;
  building: string | null;
}

export interface Text { title: string; content: string; keywords: string[] }

const pick = <T>(rng: Rng, xs: readonly T[]) => xs[rng.int(xs.length)];
const maybe = (rng: Rng, p: number, s: string) => (rng.next() < p ? s : '');

const GREETINGS = ['您好，', '你好，', '喂，你好，', '', '', '', '麻烦问一下，', '打扰一下，', '你好啊，', '同志你好，'];
const TIMES = ['最近一个月', '这几天', '从上周开始', '今天早上', '昨天晚上十点多', '这段时间', '最近半个月', '每天晚上', '一直以来', '从上个月开始', '今天下午', '前天', '这两个星期', '已经持续很久了，', '连续三天', '周末', '每天早上六点多'];
const IMPACTS = ['严重影响居民正常生活', '已经好几次了', '给我们带来很大不便', '存在很大的安全隐患', '大家意见很大', '周边居民苦不堪言', '我们实在受不了了', '很多人都有意见', '真的很烦人', '一直拖着不解决', '耽误了很多事'];
const IMPACTS_BY_TOP: Record<string, string[]> = {
  噪音扰民: ['晚上根本睡不着', '老人小孩都休息不好', '上班的人根本睡不好', '家里孩子要高考了', '吵得人心烦意乱'],
  交通出行: ['出行非常不方便', '上下班耽误时间', '很容易出事故'],
  物业管理: ['很多业主都有意见', '业主群里都在讨论', '物业一直推诿'],
  劳动保障: ['一家老小等着用钱', '过年都回不了家', '生活都成问题了'],
  生态环境: ['窗户都不敢开', '气味熏得人头疼', '担心影响身体健康'],
};
const TRIED = ['找过物业没人管', '跟社区反映过没有结果', '之前打过电话也没解决', '找过他们好几次都推来推去', '自己协商过没用', '在网上留言过没人回复'];
const DEMANDS: Record<RequestType, string[]> = {
  complaint: ['希望相关部门尽快处理', '请有关部门管一管', '要求尽快解决', '强烈要求整改', '希望给个说法', '请相关部门督促落实', '希望能尽快解决这个问题', '麻烦你们帮忙督促一下'],
  help: ['请帮忙协调解决', '能不能派人来看看', '麻烦尽快安排人处理', '希望尽快恢复', '请帮帮我们', '不知道该找哪个部门，请帮忙转一下', '麻烦帮忙联系一下'],
  report: ['现实名举报，请依法查处', '希望执法部门来查一下', '请相关部门核实处理', '请尽快调查处理', '希望依法严肃处理', '请派人现场核查'],
  suggestion: ['建议相关部门统筹考虑', '希望能够改进', '建议有关部门研究一下', '希望能采纳', '建议尽快规划建设', '供领导参考'],
  consultation: [],
  praise: [],
};
const ASPECTS = ['需要什么材料', '怎么办理', '有什么条件', '在哪里办理', '要多长时间', '的具体政策是什么', '最新的规定是怎样的', '能不能在网上办', '需要本人到场吗', '收不收费', '找哪个部门'];
const CONSULT_FRAMES = [
  (t: string, a: string) => `想咨询一下${t}${a}`,
  (t: string, a: string) => `请问${t}${a}？`,
  (t: string, a: string) => `我想问问${t}${a}`,
  (t: string, a: string) => `咨询${t}相关问题，${a.replace(/^的/, '')}`,
  (t: string, a: string) => `关于${t}，想了解${a.replace(/^的/, '')}`,
];
const WHO = ['本人', '我', '我们', '我们一家', '我们这栋楼的住户', '我们几户人家'];
const COLLOQUIAL = ['啊', '呢', '哈', '嘛', '了', '呀'];
const URGENT = ['情况紧急，', '现在很危险，', '请马上派人，', '十万火急，', '人命关天，'];
const AMOUNTS: Record<string, (rng: Rng) => string> = {
  劳动保障: (r) => `，一共${(r.int(40) + 2) * 1000}元`,
  价格投诉: (r) => `，多收了${r.int(300) + 5}元`,
  市场监管: (r) => `，花了${r.int(2000) + 20}元`,
  住房保障: (r) => `，已经等了${r.int(30) + 2}个月`,
  购房资格: (r) => `，房款${r.int(200) + 60}万`,
};
// Common slips in hurried typing or dictated notes (同音别字).
const TYPOS: [RegExp, string][] = [[/的/, '得'], [/在/, '再'], [/已经/, '以经'], [/反映/, '反应'], [/那/, '哪'], [/投诉/, '投述'], [/希望/, '希忘'], [/处理/, '处里'], [/现在/, '限在'], [/晚上/, '完上'], [/噪音/, '燥音'], [/工资/, '工姿']];

export function placePhrase(rng: Rng, p: PlaceRef): string {
  const compound = p.compoundAlias && rng.next() < 0.35 ? p.compoundAlias : p.compoundName;
  const b = p.building && rng.next() < 0.5 ? p.building : '';
  const forms = [
    () => `${p.districtName}${p.streetName}${compound ?? p.communityName}${b}`,
    () => `${compound ?? p.communityName}${b}`,
    () => `${p.districtName}${compound ?? p.roadName}`,
    () => `${p.roadName}${pick(rng, ['附近', '旁边', '路口', '与' + p.communityName + '交界处'])}`,
    () => `${p.streetName}${p.communityName}`,
    () => `${p.districtName}${p.roadName}${compound ? '的' + compound : ''}`,
  ];
  return forms[rng.weighted([0, 1, 2, 3, 4, 5], [3, 4, 2, 2, 1, 1])]();
}

export interface ComposeOptions {
  urgent?: boolean;
  repeat?: boolean;
  /** A fixed problem phrase (incidents and repeat callers keep theirs). */
  problem?: string;
  /** Extra sentence (incident topics). */
  extra?: string;
  short?: boolean;
}

/** Composes a request's title, content and keywords. */
export function composeText(rng: Rng, leaf: Leaf, type: RequestType, place: PlaceRef, o: ComposeOptions = {}): Text & { problem: string } {
  const problem = o.problem ?? pick(rng, leaf.problems);
  const where = placePhrase(rng, place);
  const parts: string[] = [];
  const short = o.short ?? rng.next() < 0.22;
  if (!short) parts.push(pick(rng, GREETINGS));
  if (o.urgent) parts.push(pick(rng, URGENT));
  if (o.repeat) parts.push(pick(rng, ['我之前打过电话反映过，', '这是第二次反映了，', '上次反映的问题', '又来反映，', '之前的工单']));
  if (type === 'consultation') {
    const intro = short ? '' : pick(rng, [`${pick(rng, WHO)}住在${where}，`, `我是${where}的居民，`, '', '']);
    parts.push(intro + pick(rng, CONSULT_FRAMES)(problem, pick(rng, ASPECTS)));
    if (!short && rng.next() < 0.4) parts.push(pick(rng, ['，谢谢。', '，麻烦告知一下。', '，之前问过没搞清楚。', '，网上没查到。']));
  } else if (type === 'praise') {
    parts.push(`${maybe(rng, 0.5, `我是${where}的${pick(rng, ['居民', '业主', '住户'])}，`)}之前反映${problem}的问题，${pick(rng, ['社区', '街道', '承办单位', '工作人员'])}${pick(rng, ['很快就来处理了', '当天就解决了', '跑了好几趟帮我们解决了'])}，${pick(rng, ['非常感谢', '特别表扬一下', '给你们点个赞', '谢谢12345'])}`);
  } else if (type === 'suggestion') {
    parts.push(`${where}${pick(rng, ['这边', '一带', ''])}${problem}，${pick(rng, DEMANDS.suggestion)}`);
    if (!short) parts.push(`，${pick(rng, IMPACTS)}`);
  } else {
    const time = pick(rng, TIMES);
    const order = rng.int(3);
    if (order === 0) parts.push(`${where}${time}${problem}`);
    else if (order === 1) parts.push(`${time}，${where}${problem}`);
    else parts.push(`${pick(rng, WHO)}${pick(rng, ['住在', '家在', '是'])}${where}${pick(rng, ['', '的业主', '的住户'])}，${time}${problem}`);
    const amount = AMOUNTS[leaf.topName];
    if (amount && rng.next() < 0.5) parts.push(amount(rng));
    if (!short) {
      const own = IMPACTS_BY_TOP[leaf.topName];
      parts.push(`，${own && rng.next() < 0.6 ? pick(rng, own) : pick(rng, IMPACTS)}`);
      if (rng.next() < 0.35) parts.push(`，${pick(rng, TRIED)}`);
    }
    if (o.repeat) parts.push(pick(rng, ['，到现在还没解决', '，问题依旧', '，一直没人处理']));
    parts.push(`，${pick(rng, DEMANDS[type])}`);
  }
  if (o.extra) parts.push(`。${o.extra}`);
  let content = parts.join('').replace(/，，/g, '，').replace(/^，/, '');
  if (rng.next() < 0.15) content = content.replace(/，/, pick(rng, COLLOQUIAL) + '，');
  if (!/[。？！]$/.test(content)) content += rng.next() < 0.9 ? '。' : '！';
  if (rng.next() < 0.08) {
    const [re, to] = pick(rng, TYPOS);
    content = content.replace(re, to);
  }
  const placeName = place.compoundName ?? place.roadName;
  const title = rng.next() < 0.5 ? `${placeName}${leaf.name}问题` : `关于${placeName}${problem}的${TYPE_ZH[type]}`;
  return { title, content, keywords: [leaf.name, problem, placeName], problem };
}

export const TYPE_ZH: Record<RequestType, string> = { consultation: '咨询', help: '求助', complaint: '投诉', report: '举报', suggestion: '建议', praise: '表扬' };
