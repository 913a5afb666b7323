// The synthetic city's request stream, day by day: background volume with weekly, holiday and seasonal
// rhythm, category mix, places, callers (some calling again), channels incl. merged lines, lifecycles, and
// injected incidents whose members are recorded as ground truth. Deterministic for a seed; memory holds one
// day (plus pending repeat calls), so any number of days streams in flat memory.
import { createRng, rngFor, type Rng } from './prng.ts';
import { loadGazetteer, type Division, type Gazetteer, type Place } from './gazetteer.ts';
import { loadTaxonomy, type Category, type Leaf, type RequestType } from './taxonomy.ts';
import { dayFactor, HOUR_WEIGHTS, seasonFactor } from './calendar.ts';
import { composeText, type PlaceRef } from './text.ts';
import { simulateLifecycle, type LifecycleEvent, type LifecycleState } from './lifecycle.ts';
import { planIncidents, type IncidentCounts, type IncidentPlan, type Family } from './incidents.ts';
import { unitId } from './units-data.ts';
import { addDays, startOfLocalDay } from '../shared/time.ts';

export interface CityOptions {
  seed: number | string;
  /** First local day (YYYY-MM-DD). */
  start: string;
  days: number;
  /** Mean requests a day (before weekly/holiday/season rhythm). */
  perDay: number;
  /** Incidents per family over the whole period (default ≈ 100 a year each, at least 1). */
  incidents?: Partial<IncidentCounts>;
  /** Lifecycle steps after this instant are not written (default: end of the last day). */
  horizon?: Date;
  /** First case id and event id (the database may already hold rows). */
  startId?: number;
  startEventId?: number;
  /** Last case number already used per local day. */
  caseNoStart?: Record<string, number>;
}

export interface GenCase extends LifecycleState {
  id: number;
  caseNo: string;
  channel: string;
  receivedAt: Date;
  localDay: string;
  callerName: string;
  callerPhone: string;
  title: string;
  content: string;
  districtCode: string;
  streetCode: string;
  communityCode: string;
  compoundId: string | null;
  address: string;
  lng: number;
  lat: number;
  categoryCode: string;
  requestType: RequestType;
  urgency: 'normal' | 'urgent';
  keywords: string[];
  sensitive: boolean;
  repeatOf: number | null;
  createdBy: string;
  /** Ground truth: the incident this request was injected for, or null (background). */
  incidentId: string | null;
}

export interface GenEvent extends LifecycleEvent { id: number; caseId: number }

export interface DayBatch { day: string; cases: GenCase[]; events: GenEvent[] }

export interface TruthIncident {
  id: string;
  family: Family;
  start: string;
  end: string;
  place?: IncidentPlan['place'];
  series?: IncidentPlan['series'];
  topic?: IncidentPlan['topic'];
  members: { id: number; caseNo: string }[];
}

export interface Truth {
  seed: number | string;
  start: string;
  days: number;
  perDay: number;
  incidents: TruthIncident[];
}

interface Draft {
  at: number;
  leaf: Leaf;
  type: RequestType;
  community: Division;
  compound: Place | null;
  callerName: string;
  callerPhone: string;
  channel: string;
  urgent: boolean;
  problem?: string;
  extra?: string;
  repeatOf?: { id: number; day: string };
  incident?: IncidentPlan;
  forceDispatch?: boolean;
}

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏飞斌宇浩凯婷雪琳晨欣怡佳俊志慧颖博思雨梦晓海波'];
const MOBILE = ['138', '139', '135', '136', '137', '150', '151', '152', '157', '158', '159', '182', '183', '187', '188', '130', '131', '132', '155', '156', '185', '186', '133', '153', '180', '181', '189', '177', '199', '166', '191', '173'];
const OPERATORS = 150;
const REPEAT_RATE = 0.06;

/** Expected background requests of a day before its day-to-day noise: perDay × the day's rhythm (≈ perDay on an ordinary weekday). */
export function dayVolume(perDay: number, day: string): number {
  return perDay * (dayFactor(day) / 0.96);
}
/** Relative sd of a day's total volume around dayVolume (weather, news: every series of the day moves together). */
export const DAY_NOISE = 0.03;

/** Each leaf's weight on a day (its share of the background, before normalising): weight × season. */
export function leafWeightsOn(leaves: readonly Leaf[], day: string): number[] {
  return leaves.map((l) => l.weight * seasonFactor(l.season, day));
}

export function defaultIncidentCounts(days: number): IncidentCounts {
  const n = Math.max(1, Math.round((days * 100) / 365));
  return { concentrated: n, trending: n, emerging: n };
}

export class CityGenerator {
  readonly opts: Required<Pick<CityOptions, 'seed' | 'start' | 'days' | 'perDay'>> & CityOptions;
  readonly gazetteer: Gazetteer;
  readonly leaves: Leaf[];
  readonly plans: IncidentPlan[];
  private readonly truthById = new Map<string, TruthIncident>();
  private nextId: number;
  private nextEventId: number;
  private readonly pendingRepeats = new Map<string, Draft[]>();
  private readonly horizon: number;
  private readonly districtCodes: string[];
  private readonly districtWeights: number[];
  private readonly seconds: Category[];
  private readonly callerSalt: number;

  constructor(opts: CityOptions) {
    this.opts = opts as CityGenerator['opts'];
    this.gazetteer = loadGazetteer();
    const tax = loadTaxonomy();
    this.leaves = tax.leaves;
    this.seconds = tax.categories.filter((c) => c.level === 2);
    this.callerSalt = Math.floor(rngFor(opts.seed, 'callers').next() * 2 ** 32);
    this.nextId = opts.startId ?? 1;
    this.nextEventId = opts.startEventId ?? 1;
    this.horizon = (opts.horizon ?? startOfLocalDay(addDays(opts.start, opts.days))).getTime();
    this.districtCodes = this.gazetteer.districts.map((d) => d.code);
    this.districtWeights = this.districtCodes.map((c) => this.gazetteer.districtWeight.get(c)!);
    const counts = { ...defaultIncidentCounts(opts.days), ...opts.incidents };
    this.plans = planIncidents(rngFor(opts.seed, 'incidents'), this.gazetteer, this.leaves, this.seconds, opts.start, opts.days, counts);
    for (const p of this.plans) this.truthById.set(p.id, { id: p.id, family: p.family, start: p.start, end: p.end, place: p.place, series: p.series, topic: p.topic, members: [] });
  }

  /** Ground truth so far (complete after all days were generated). */
  truth(): Truth {
    const { seed, start, days, perDay } = this.opts;
    return { seed, start, days, perDay, incidents: [...this.truthById.values()] };
  }

  *days(): Generator<DayBatch> {
    for (let i = 0; i < this.opts.days; i++) yield this.generateDay(i);
  }

  generateDay(index: number): DayBatch {
    const day = addDays(this.opts.start, index);
    const rng = rngFor(this.opts.seed, day);
    const drafts: Draft[] = [];
    // Background: the day's volume over leaves (with seasons) and districts (by population).
    const leafWeights = leafWeightsOn(this.leaves, day);
    const leafTotal = leafWeights.reduce((a, b) => a + b, 0);
    const leafCum = cumulative(leafWeights);
    const n = Math.max(0, Math.round(dayVolume(this.opts.perDay, day) * (1 + rng.normal(0, DAY_NOISE))));
    const dayStart = startOfLocalDay(day).getTime();
    for (let k = 0; k < n; k++) {
      const leaf = this.leaves[sample(leafCum, rng.next())];
      drafts.push(this.draft(rng, dayStart, leaf, this.pickDistrict(rng)));
    }
    // Incidents active today add their members.
    for (const p of this.plans) {
      if (day < p.start || day > p.end) continue;
      const di = indexBetween(p.start, day);
      if (p.family === 'concentrated') {
        for (let k = 0; k < p.daily[di]; k++) {
          const leaf = this.leaves.find((l) => l.code === p.leafCodes[0])!;
          const compound = this.gazetteer.compounds.find((c) => c.id === p.place!.compoundId)!;
          const d = this.draft(rng, dayStart, leaf, p.place!.districtCode, compound);
          d.problem = p.problem;
          d.type = rng.next() < 0.8 ? 'complaint' : 'help';
          d.incident = p;
          d.forceDispatch = rng.next() < 0.9;
          drafts.push(d);
        }
      } else if (p.family === 'trending') {
        const s = p.series!;
        const len = indexBetween(p.start, p.end) + 1;
        const f = s.shape === 'step' ? s.factor : 1 + ((s.factor - 1) * (di + 1)) / len;
        const kids = this.leaves.filter((l) => l.parentCode === s.categoryCode);
        const kidW = kids.map((l) => l.weight * seasonFactor(l.season, day));
        const share = kidW.reduce((a, b) => a + b, 0) / leafTotal;
        const dShare = this.gazetteer.districtWeight.get(s.districtCode)! / this.districtWeights.reduce((a, b) => a + b, 0);
        const extra = rng.poisson(n * share * dShare * (f - 1));
        for (let k = 0; k < extra; k++) {
          const d = this.draft(rng, dayStart, rng.weighted(kids, kidW), s.districtCode);
          d.incident = p;
          drafts.push(d);
        }
      } else {
        const t = p.topic!;
        const count = rng.poisson(p.daily[di]);
        for (let k = 0; k < count; k++) {
          const code = rng.pick(p.leafCodes);
          const leaf = this.leaves.find((l) => l.code === code)!;
          const d = this.draft(rng, dayStart, leaf, rng.pick(t.districtCodes));
          d.type = t.kind === 'scam' ? (rng.next() < 0.5 ? 'report' : 'help') : 'consultation';
          d.problem = p.problem;
          d.extra = t.kind === 'scam' ? rng.pick(['请提醒大家不要上当', '我已经损失了一些钱', '身边好几个老人都接到了', '这个“' + t.term + '”是不是骗局？']) : rng.pick(['听说最近出了' + t.term + '，怎么申请？', t.term + '在哪里领？', t.term + '有哪些条件？', '商家说' + t.term + '用不了，怎么回事？']);
          d.incident = p;
          drafts.push(d);
        }
      }
    }
    // Repeat calls scheduled for today (same caller, same issue, days later).
    for (const d of this.pendingRepeats.get(day) ?? []) {
      d.at = dayStart + hourOffset(rng);
      drafts.push(d);
    }
    this.pendingRepeats.delete(day);

    drafts.sort((a, b) => a.at - b.at);
    const cases: GenCase[] = [];
    const events: GenEvent[] = [];
    let no = this.opts.caseNoStart?.[day] ?? 0;
    const ymd = day.replaceAll('-', '');
    for (const d of drafts) {
      if (d.at > this.horizon) break; // not yet received (a demo ending now): sorted, so the rest are later too
      const c = this.materialize(rng, d, day, `${ymd}-${String(++no).padStart(6, '0')}`, events);
      cases.push(c);
      if (d.incident) this.truthById.get(d.incident.id)!.members.push({ id: c.id, caseNo: c.caseNo });
      if (!d.repeatOf && !d.incident && (c.requestType === 'complaint' || c.requestType === 'help') && c.status !== 'resolved_online' && rng.next() < REPEAT_RATE) {
        const later = addDays(day, 2 + rng.int(9));
        const again: Draft = { ...d, problem: c.keywords[1], repeatOf: { id: c.id, day }, forceDispatch: true, channel: '12345' };
        (this.pendingRepeats.get(later) ?? this.pendingRepeats.set(later, []).get(later)!).push(again);
      }
    }
    return { day, cases, events };
  }

  /**
   * Callers come from a population: a small group of frequent callers makes a quarter of the calls, the rest
   * from a large pool. Each caller's name and phone derive from (seed, index), so they are stable across days.
   * Most callers leave a surname only (张先生 / 李女士), as operators record it.
   */
  private caller(rng: Rng): { callerName: string; callerPhone: string } {
    const frequent = Math.max(1, Math.round(this.opts.perDay / 2));
    const k = rng.next() < 0.25 ? rng.int(frequent) : frequent + rng.int(Math.max(1, this.opts.perDay * 60));
    // A cheap integer hash per caller (no Rng object: this runs for every request).
    let h = (this.callerSalt ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0;
    const next = () => {
      h = (h + 0x6d2b79f5) >>> 0;
      let t = Math.imul(h ^ (h >>> 15), h | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const at = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
    const surname = at(SURNAMES);
    const callerName = next() < 0.8 ? surname + (next() < 0.55 ? '先生' : '女士') : surname + at(GIVEN) + (next() < 0.7 ? at(GIVEN) : '');
    const callerPhone = next() < 0.9 ? at(MOBILE) + String(Math.floor(next() * 1e8)).padStart(8, '0') : `0731-8${String(Math.floor(next() * 1e7)).padStart(7, '0')}`;
    return { callerName, callerPhone };
  }

  private pickDistrict(rng: Rng): string {
    return rng.weighted(this.districtCodes, this.districtWeights);
  }

  private draft(rng: Rng, dayStart: number, leaf: Leaf, districtCode: string, compound?: Place): Draft {
    const g = this.gazetteer;
    let community: Division;
    if (compound) community = g.byCode.get(compound.communityCode)!;
    else {
      const street = rng.pick(g.streetsOf.get(districtCode)!);
      community = rng.pick(g.communitiesOf.get(street.code)!);
      compound = rng.next() < 0.75 ? rng.pick(g.compoundsOf.get(community.code) ?? [null as unknown as Place]) : undefined;
    }
    const type = drawType(rng, leaf);
    const channel = drawChannel(rng, leaf);
    return {
      at: dayStart + hourOffset(rng), leaf, type, community, compound: compound ?? null,
      ...this.caller(rng),
      channel, urgent: rng.next() < (type === 'help' ? 0.06 : 0.01),
    };
  }

  private materialize(rng: Rng, d: Draft, day: string, caseNo: string, events: GenEvent[]): GenCase {
    const g = this.gazetteer;
    const id = this.nextId++;
    const community = d.community;
    const street = g.byCode.get(community.parentCode!)!;
    const district = g.byCode.get(street.parentCode!)!;
    const road = g.roadsOf.get(community.code)![0];
    const building = d.compound && rng.next() < 0.6 ? `${1 + rng.int(24)}栋${rng.next() < 0.5 ? `${1 + rng.int(4)}单元` : ''}` : null;
    const place: PlaceRef = {
      districtName: district.name, streetName: street.name, communityName: community.name,
      compoundName: d.compound?.name ?? null, compoundAlias: d.compound?.aliases[0] ?? null, roadName: road.name, building,
    };
    const text = composeText(rng, d.leaf, d.type, place, { urgent: d.urgent, repeat: !!d.repeatOf, problem: d.problem, extra: d.extra, short: d.channel === 'app' || d.channel === 'wechat' ? rng.next() < 0.5 : undefined });
    const spot = d.compound ?? road;
    const unit = routeUnit(d.leaf.unitKey, district.code, street.code);
    const life = simulateLifecycle(rng, {
      receivedAt: new Date(d.at), requestType: d.type, urgent: d.urgent, unitId: unit,
      fallbackUnitId: unit.startsWith('U-D') || unit.startsWith('U-S') ? unitId.city('urban') : unitId.district(district.code),
      operator: d.channel === '12345' || d.channel === '12315' || d.channel === '12333' ? `op-${String(1 + rng.int(OPERATORS)).padStart(3, '0')}` : 'system',
      channel: d.channel, horizon: this.horizon, forceDispatch: d.forceDispatch, topic: d.leaf,
    });
    for (const e of life.events as GenEvent[]) {
      e.id = this.nextEventId++;
      e.caseId = id;
      events.push(e);
    }
    return {
      id, caseNo, channel: d.channel, receivedAt: new Date(d.at), localDay: day,
      callerName: d.callerName, callerPhone: d.callerPhone, title: text.title, content: text.content,
      districtCode: district.code, streetCode: street.code, communityCode: community.code, compoundId: d.compound?.id ?? null,
      address: `${district.name}${street.name}${d.compound ? d.compound.name + (building ?? '') : road.name + '附近'}`,
      lng: round6(spot.lng + rng.normal(0, 0.0008)), lat: round6(spot.lat + rng.normal(0, 0.0008)),
      categoryCode: d.leaf.code, requestType: d.type, urgency: d.urgent ? 'urgent' : 'normal', keywords: text.keywords,
      sensitive: d.leaf.name === '黄赌毒线索' || (d.leaf.name === '教师师德' && d.type === 'report'),
      repeatOf: d.repeatOf?.id ?? null, createdBy: life.events[0].actor, incidentId: d.incident?.id ?? null,
      ...life.state,
    };
  }
}

/** Creates the generator: iterate `days()` for batches, then read `truth()`. */
export function generateCity(opts: CityOptions): CityGenerator {
  return new CityGenerator(opts);
}

export function routeUnit(unitKey: string, districtCode: string, streetCode: string): string {
  if (unitKey === 'district') return unitId.district(districtCode);
  if (unitKey === 'street') return unitId.street(streetCode);
  return unitId.city(unitKey);
}

function drawType(rng: Rng, leaf: Leaf): RequestType {
  if (rng.next() < 0.03) return 'praise';
  const w = leaf.typeWeights;
  const types: RequestType[] = ['consultation', 'help', 'complaint', 'report', 'suggestion'];
  // Mostly the leaf's own profile; sometimes anything (people ask about complaints and complain about policies).
  if (rng.next() < 0.85) return rng.weighted(types, types.map((t) => w[t]));
  return rng.weighted(types, [40, 20, 25, 6, 9]);
}

function drawChannel(rng: Rng, leaf: Leaf): string {
  if (leaf.line === '12315' && rng.next() < 0.35) return '12315';
  if (leaf.line === '12333' && rng.next() < 0.3) return '12333';
  return rng.weighted(['12345', 'web', 'app', 'wechat', 'letter'], [72, 9, 6, 11, 2]);
}

function hourOffset(rng: Rng): number {
  const h = sample(HOUR_CUM, rng.next());
  return Math.floor((h + rng.next()) * 3600_000);
}

const HOUR_CUM = cumulative(HOUR_WEIGHTS as number[]);

function cumulative(ws: number[]): Float64Array {
  const out = new Float64Array(ws.length);
  let s = 0;
  for (let i = 0; i < ws.length; i++) out[i] = s += ws[i];
  for (let i = 0; i < ws.length; i++) out[i] /= s;
  return out;
}

function sample(cum: Float64Array, u: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const indexBetween = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / 86400_000);
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
export { createRng };
