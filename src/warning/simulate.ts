// A background + injected-incident simulator for the warning benchmark and tests. It stands in for the city
// engineer's generateCity until that lands; everything downstream goes through simulateStream(), so switching
// is one line. Places have coordinates; categories map to responsible units; texts come from per-category
// templates so that only injected new topics are novel.
import { addDays, weekday } from '../shared/time.ts';
import { calendarKind } from './baseline.ts';
import { negbin, poisson, rng } from './random.ts';

export interface SimCity {
  districts: string[];
  streets: { code: string; district: number }[];
  places: { key: string; name: string; lng: number; lat: number; street: number; district: number }[];
  categories: { code: string; name: string; parent: string; unit: string; share: number; words: string[] }[];
  units: string[];
}

const CAT_WORDS = [
  ['物业', '服务', '收费', '保安'], ['噪音', '扰民', '施工', '夜间'], ['道路', '破损', '坑洼', '维修'], ['路灯', '照明', '不亮', '损坏'],
  ['垃圾', '清运', '臭味', '堆放'], ['停水', '水压', '自来水', '供水'], ['停电', '电压', '供电', '跳闸'], ['公交', '线路', '站点', '班次'],
  ['学校', '入学', '学位', '招生'], ['医保', '报销', '药费', '门诊'], ['社保', '缴费', '养老', '退休'], ['工资', '拖欠', '劳动', '合同'],
  ['占道', '经营', '摊贩', '城管'], ['油烟', '餐馆', '排放', '污染'], ['违建', '搭建', '拆除', '违章'], ['停车', '车位', '收费', '乱停'],
  ['电梯', '故障', '维保', '困人'], ['房产证', '办证', '开发商', '产权'], ['燃气', '天然气', '泄漏', '安全'], ['绿化', '树木', '修剪', '草坪'],
];
const FILLER = ['希望相关部门尽快处理', '已经反映多次没有结果', '严重影响居民生活', '请尽快安排人员查看', '市民对此意见很大', '请给予答复'];

export function simulateCity(seed = 1, o: { districts?: number; streetsPer?: number; placesPerStreet?: number } = {}): SimCity {
  const rand = rng(seed);
  const D = o.districts ?? 9, S = o.streetsPer ?? 8, P = o.placesPerStreet ?? 18;
  const districts = Array.from({ length: D }, (_, d) => `4301${String(d + 2).padStart(2, '0')}`);
  const streets: SimCity['streets'] = [];
  const places: SimCity['places'] = [];
  for (let d = 0; d < D; d++) {
    const cx = 112.9 + (d % 3) * 0.12, cy = 28.1 + Math.floor(d / 3) * 0.12;
    for (let s = 0; s < S; s++) {
      const street = streets.length;
      streets.push({ code: `${districts[d]}${String(s + 1).padStart(3, '0')}`, district: d });
      const sx = cx + (rand() - 0.5) * 0.1, sy = cy + (rand() - 0.5) * 0.1;
      for (let p = 0; p < P; p++) places.push({ key: `P${places.length}`, name: `第${places.length}小区`, lng: sx + (rand() - 0.5) * 0.02, lat: sy + (rand() - 0.5) * 0.02, street, district: d });
    }
  }
  const units = ['住建局', '生态环境局', '交通运输局', '城管局', '教育局', '医保局', '人社局', '水务局', ...districts.map((d) => `区政府${d}`)];
  const categories = CAT_WORDS.map((w, i) => ({ code: `K${String(i + 1).padStart(2, '0')}`, name: `${w[0]}${w[1]}`, parent: `G${Math.floor(i / 4) + 1}`, unit: units[i % 8], share: 0.5 + rand(), words: w }));
  const total = categories.reduce((a, c) => a + c.share, 0);
  categories.forEach((c) => (c.share /= total));
  return { districts, streets, places, categories, units };
}

/** Expected-count multiplier of a day: weekday profile, holidays, 调休 and a yearly season. */
export function dayFactor(day: string, t: number): number {
  const wd = weekday(day);
  const kind = calendarKind(day);
  let f = wd >= 6 ? 0.7 : wd === 1 ? 1.15 : 1;
  if (kind === 1) f = 0.6;
  if (kind === 2) f = 1;
  return f * (1 + 0.15 * Math.sin((2 * Math.PI * t) / 365.25));
}

export function backgroundText(rand: () => number, cat: SimCity['categories'][number], place: string): string {
  const w = cat.words;
  const pick = () => w[Math.floor(rand() * w.length)];
  return `${place}${pick()}${pick()}问题，${pick()}${FILLER[Math.floor(rand() * FILLER.length)]}，编号${Math.floor(rand() * 1e5)}`;
}

export interface SimCase { id: number; day: number; at: number; cat: number; district: number; street: number; place: number; text?: string; person: string; truth?: string }

/**
 * Case-level stream over [firstDay, firstDay+days): NB background per category with the day factor,
 * spread over places (some places busier), plus the injected cases returned with their incident id.
 */
export function simulateStream(
  city: SimCity,
  o: { firstDay: string; days: number; perDay: number; seed?: number; text?: boolean; textFromDay?: number; fromDay?: number; inject?: (day: number, add: (c: Omit<SimCase, 'id' | 'person' | 'at'> & { person?: string; hour?: number }) => void) => void },
  onCase: (c: SimCase) => void,
): number {
  const rand = rng(o.seed ?? 7);
  const weights = new Float64Array(city.places.length);
  let acc = 0;
  for (let i = 0; i < weights.length; i++) { acc += 0.3 + rand() * rand() * 3; weights[i] = acc; }
  const pickPlace = () => {
    const x = rand() * acc;
    let lo = 0, hi = weights.length - 1;
    while (lo < hi) { const m = (lo + hi) >> 1; if (weights[m] < x) lo = m + 1; else hi = m; }
    return lo;
  };
  let id = 0;
  const base = Date.parse(`${o.firstDay}T00:00:00+08:00`);
  for (let d = o.fromDay ?? 0; d < o.days; d++) {
    const day = addDays(o.firstDay, d);
    const f = dayFactor(day, d);
    for (let c = 0; c < city.categories.length; c++) {
      const n = negbin(rand, o.perDay * city.categories[c].share * f, 0.02);
      for (let k = 0; k < n; k++) {
        const p = pickPlace();
        const pl = city.places[p];
        const cat = city.categories[c];
        id++;
        onCase({ id, day: d, at: base + d * 86400_000 + Math.floor(rand() * 86400_000), cat: c, district: pl.district, street: pl.street, place: p, text: o.text && d >= (o.textFromDay ?? 0) ? backgroundText(rand, cat, pl.name) : undefined, person: `u${Math.floor(rand() * 2 ** 31)}` });
      }
    }
    o.inject?.(d, (c) => {
      id++;
      onCase({ ...c, id, at: base + d * 86400_000 + (c.hour ?? Math.floor(rand() * 24)) * 3600_000, person: c.person ?? `i${Math.floor(rand() * 2 ** 31)}` });
    });
  }
  return id;
}

/** Daily counts of one series: NB around a seasonal mean, optionally ×factor over [start, end]. */
export function simulateSeries(rand: () => number, firstDay: string, days: number, level: number, alpha: number, rise?: { start: number; end: number; factor: number }): Float64Array {
  const y = new Float64Array(days);
  for (let t = 0; t < days; t++) {
    let mu = level * dayFactor(addDays(firstDay, t), t);
    if (rise && t >= rise.start && t <= rise.end) mu *= rise.factor;
    y[t] = negbin(rand, mu, alpha);
  }
  return y;
}

export { poisson };
