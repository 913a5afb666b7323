// Incidents injected on top of the background, with their ground truth: concentrated (one compound, 5–40
// requests over 1–14 days), trending (a second-level category in a district ×1.2–2 for 2–8 weeks, step or ramp)
// and emerging (a topic never seen before, spread over several categories and districts).
import type { Rng } from './prng.ts';
import type { Gazetteer, Place } from './gazetteer.ts';
import type { Category, Leaf } from './taxonomy.ts';
import { addDays } from '../shared/time.ts';

export type Family = 'concentrated' | 'trending' | 'emerging';

export interface IncidentPlan {
  id: string;
  family: Family;
  start: string; // first local day
  end: string; // last local day
  /** Concentrated: the compound. */
  place?: { compoundId: string; compoundName: string; communityCode: string; streetCode: string; districtCode: string };
  /** Trending: the series. */
  series?: { categoryCode: string; categoryName: string; districtCode: string; districtName: string; factor: number; shape: 'step' | 'ramp' };
  /** Emerging: the new topic. */
  topic?: { term: string; kind: 'scam' | 'policy'; categoryCodes: string[]; districtCodes: string[] };
  leafCodes: string[];
  problem: string;
  /** Expected members per day index (concentrated and emerging). */
  daily: number[];
}

export interface IncidentCounts { concentrated: number; trending: number; emerging: number }

const CONCENTRATED: [string, string][] = [
  ['房产证办理', '房产证办不下来'], ['夜间施工', '工地夜间施工噪音扰民'], ['搅拌站噪音', '搅拌站噪音粉尘扰民'], ['电梯故障', '电梯频繁故障还困人'],
  ['停水', '小区反复停水'], ['物业收费', '物业费乱涨价'], ['二次供水', '高层水压不足经常没水'], ['交房纠纷', '开发商延期交房'],
  ['车位管理', '车位只租不售'], ['餐饮油烟', '楼下餐馆油烟直排'], ['农民工欠薪', '工地拖欠农民工工资'], ['停电', '小区频繁停电'],
  ['垃圾清运', '垃圾站臭气熏天'], ['烂尾楼', '楼盘停工烂尾'], ['预付卡消费', '健身房突然关门跑路'], ['充电设施', '物业不让装充电桩'],
];
const SCAM_ORGS: [string, string][] = [['12345热线', '热线咨询'], ['社保局', '养老金领取'], ['医保局', '医保卡'], ['快递公司', '网络购物'], ['电商客服', '网络购物'], ['供电公司', '停电'], ['燃气公司', '燃气安全'], ['学校老师', '助学金'], ['税务局', '政策咨询'], ['公积金中心', '公积金提取'], ['银行', '网络安全'], ['交警', '车辆业务']];
const SCAM_PRETEXT = ['退费', '补贴发放', '账户认证', '积分兑换', '刷单返利', '注销账户', '资格审核', '包裹理赔'];
const SYL1 = ['鑫', '融', '汇', '易', '快', '聚', '金', '宝', '利', '盈', '优', '乐', '安', '信', '诚', '瑞', '星', '恒', '泰', '达'];
const SYL2 = ['享', '付', '通', '盈', '益', '惠', '联', '捷', '丰', '富', '汇', '康', '家', '链', '云', '点', '米', '豆', '芯', '圈'];
const SYL3 = ['宝', '贷', '通', 'APP', '钱包', '助手'];
const POLICY_ITEMS = ['家电', '手机', '电动自行车', '新能源汽车', '家装厨卫', '智能手表', '空调', '燃气灶', '笔记本电脑', '适老化家具', '热水器', '平板电脑'];
const SPONSORS = ['工会', '商务局', '供销社', '电商平台', '家电卖场', '银行', '区政府', '街道', '国企', '商会'];
const POLICY_KINDS: [string, string[]][] = [['以旧换新补贴', ['政策咨询', '超市价格', '售后服务']], ['消费券', ['政策咨询', '网络购物', '农贸市场价格']], ['购置补贴', ['政策咨询', '汽车消费', '热线咨询']], ['换购补贴', ['政策咨询', '售后服务', '燃气报装']], ['回收补贴', ['政策咨询', '大件垃圾', '热线咨询']], ['焕新补贴', ['政策咨询', '网络购物', '售后服务']]];

/** Plans incidents over [start, start+days) without overlapping the same series or compound. */
export function planIncidents(rng: Rng, g: Gazetteer, leaves: Leaf[], seconds: Category[], start: string, days: number, counts: IncidentCounts): IncidentPlan[] {
  const byName = new Map(leaves.map((l) => [l.name, l]));
  const leafOf = (name: string) => {
    const l = byName.get(name);
    if (!l) throw new Error(`incident leaf not in taxonomy: ${name}`);
    return l;
  };
  const out: IncidentPlan[] = [];
  const usedCompounds = new Set<string>();
  const allCompounds: Place[] = g.compounds;
  for (let i = 0; i < counts.concentrated; i++) {
    const len = 1 + rng.int(14);
    const s = rng.int(Math.max(1, days - len + 1));
    let c = rng.pick(allCompounds);
    while (usedCompounds.has(c.id)) c = rng.pick(allCompounds);
    usedCompounds.add(c.id);
    const community = g.byCode.get(c.communityCode)!;
    const street = g.byCode.get(community.parentCode!)!;
    const [leafName, problem] = rng.pick(CONCENTRATED);
    const size = 5 + rng.int(36);
    const daily = spread(rng, size, Math.min(len, days - s));
    out.push({
      id: `C${String(i + 1).padStart(3, '0')}`, family: 'concentrated', start: addDays(start, s), end: addDays(start, s + daily.length - 1),
      place: { compoundId: c.id, compoundName: c.name, communityCode: c.communityCode, streetCode: street.code, districtCode: street.parentCode! },
      leafCodes: [leafOf(leafName).code], problem, daily,
    });
  }
  const busy = new Map<string, number>(); // series → first free day index
  for (let i = 0; i < counts.trending; i++) {
    const len = 14 + rng.int(43);
    for (let tries = 0; tries < 50; tries++) {
      const second = rng.pick(seconds);
      const district = rng.pick(g.districts);
      const key = `${second.code}|${district.code}`;
      const s = rng.int(Math.max(1, days - len + 1));
      if ((busy.get(key) ?? -1) >= s) continue;
      busy.set(key, s + len + 14);
      const factor = Math.round(rng.range(1.2, 2) * 100) / 100;
      const shape = rng.next() < 0.5 ? 'step' : 'ramp';
      const n = Math.min(len, days - s);
      out.push({
        id: `T${String(i + 1).padStart(3, '0')}`, family: 'trending', start: addDays(start, s), end: addDays(start, s + n - 1),
        series: { categoryCode: second.code, categoryName: second.name, districtCode: district.code, districtName: district.name, factor, shape },
        leafCodes: leaves.filter((l) => l.parentCode === second.code).map((l) => l.code), problem: '', daily: [],
      });
      break;
    }
  }
  const usedTerms = new Set<string>();
  for (let i = 0; i < counts.emerging; i++) {
    const len = 7 + rng.int(24);
    const s = rng.int(Math.max(1, days - len + 1));
    const n = Math.min(len, days - s);
    let term: string;
    let kind: 'scam' | 'policy';
    let leafNames: string[];
    let problem: string;
    if (rng.next() < 0.5) {
      kind = 'scam';
      do term = `${rng.pick(SYL1)}${rng.pick(SYL2)}${rng.pick(SYL3)}`;
      while (usedTerms.has(term));
      const [org, leafName] = rng.pick(SCAM_ORGS);
      problem = `有人冒充${org}，以${rng.pick(SCAM_PRETEXT)}为由让我下载“${term}”并转账`;
      leafNames = ['电信诈骗', '网络安全', leafName];
    } else {
      kind = 'policy';
      const [k, names] = rng.pick(POLICY_KINDS);
      let item = rng.pick(POLICY_ITEMS);
      term = `${item}${k}`;
      for (let t = 0; usedTerms.has(term) && t < 30; t++) term = `${(item = rng.pick(POLICY_ITEMS))}${k}`;
      // every name taken (a dense plan): the same scheme from another sponsor, named as people would name it
      // (a batch number alone would read as the same topic)
      if (usedTerms.has(term)) { const base = term; for (let j = 0; usedTerms.has(term); j++) term = `${SPONSORS[(i + j) % SPONSORS.length]}${j >= SPONSORS.length ? `第${Math.floor(j / SPONSORS.length) + 1}期` : ''}${base}`; }
      problem = `${term}`;
      leafNames = names;
    }
    usedTerms.add(term);
    const districts = shuffle(rng, g.districts.map((d) => d.code)).slice(0, 3 + rng.int(4));
    const peak = 3 + rng.int(10);
    const daily = Array.from({ length: n }, (_, d) => (peak * (d + 1)) / n);
    out.push({
      id: `E${String(i + 1).padStart(3, '0')}`, family: 'emerging', start: addDays(start, s), end: addDays(start, s + n - 1),
      topic: { term, kind, categoryCodes: [...new Set(leafNames.map((x) => leafOf(x).code))], districtCodes: districts },
      leafCodes: [...new Set(leafNames.map((x) => leafOf(x).code))], problem, daily,
    });
  }
  return out;
}

/** Splits `size` members over `len` days, front-loaded with noise; every day gets at least one if possible. */
function spread(rng: Rng, size: number, len: number): number[] {
  const w = Array.from({ length: len }, (_, i) => (1 + rng.next()) * (len > 3 ? Math.exp(-i / len) : 1));
  const tot = w.reduce((a, b) => a + b, 0);
  const daily = w.map((x) => Math.floor((x / tot) * size));
  let left = size - daily.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0; i = (i + 1) % len, left--) daily[i]++;
  return daily;
}

function shuffle<T>(rng: Rng, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}
