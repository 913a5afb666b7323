import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { earsC, qnorm, type EarsMethod } from './ears.ts';
import { expectedCount, nearestNeighbours, poissonLlr, spaceTimeScan } from './scan.ts';
import { calibrateThreshold, nbCusum } from './cusum.ts';
import { fitBaseline, predictBaseline } from './baseline.ts';
import { negbin, poisson, rng } from './random.ts';
import { FirstStoryClusterer, TermCounts, binomialUpperTail, emergingTopics, groupBursts, kleinbergStates, severalNames, termBursts, type TermDocs } from './emerging.ts';

// Reference values recorded from R surveillance::earsC (src/warning/fixtures/ears-r.R; synthetic numbers only).
const fixture: { series: string; x: number[]; method: EarsMethod; alpha: number; range: [number, number]; upperbound: number[]; alarm: number[] }[] =
  JSON.parse(fs.readFileSync(new URL('./fixtures/ears-r.json', import.meta.url), 'utf8'));

describe('EARS', () => {
  it('qnorm matches R', () => {
    expect(qnorm(0.999)).toBeCloseTo(3.090232306167813, 12);
    expect(qnorm(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(qnorm(0.5)).toBeCloseTo(0, 14);
  });
  it.each(fixture.map((f, i) => [i, f] as const))('case %i equals R', (_i, f) => {
    const r = earsC(f.x, f.method, f.alpha);
    const from = f.range[0] - 1;
    for (let t = from; t < f.range[1]; t++) {
      const want = f.upperbound[t - from];
      if (want === null || Number.isNaN(want)) expect(Number.isNaN(r.upperbound[t])).toBe(true);
      else expect(r.upperbound[t]).toBeCloseTo(want, 9);
      expect(r.alarm[t]).toBe(f.alarm[t - from] ?? 0);
    }
  });
});

describe('space-time permutation scan', () => {
  // A 3-location line (0—1—2), 4 days; the analysis ends on day 3.
  const cases: [number, number][] = [
    [0, 0], [0, 1], [1, 0], [1, 1], [1, 2], [2, 0], [2, 1], [2, 2], [0, 3], [0, 3], [0, 3], [1, 3],
  ];
  const input = {
    loc: Int32Array.from(cases.map((c) => c[0])),
    day: Int32Array.from(cases.map((c) => c[1])),
    locations: 3,
    days: 4,
    neighbours: [Int32Array.of(0, 1, 2), Int32Array.of(1, 0, 2), Int32Array.of(2, 1, 0)],
  };
  it('expected counts and LLR by hand', () => {
    // C = 12; location 0 has 5 cases; the last day has 4. μ(zone {0}, w=1) = 5·4/12 = 5/3; observed 3.
    expect(expectedCount(5, 4, 12)).toBeCloseTo(5 / 3, 12);
    const hand = 3 * Math.log(3 / (5 / 3)) + 9 * Math.log(9 / (12 - 5 / 3));
    expect(poissonLlr(3, 5 / 3, 12)).toBeCloseTo(hand, 12);
    expect(poissonLlr(1, 5 / 3, 12)).toBe(0);
    const r = spaceTimeScan(input, { maxWindow: 2, maxNeighbours: 2, replicates: 99, minCases: 1, maxZoneShare: 0.5 });
    const top = r.clusters[0];
    expect(top.locations).toEqual([0]);
    expect(top.window).toBe(1);
    expect(top.observed).toBe(3);
    expect(top.expected).toBeCloseTo(5 / 3, 12);
    expect(top.llr).toBeCloseTo(hand, 12);
    expect(top.p).toBeGreaterThan(0);
    expect(top.p).toBeLessThanOrEqual(1);
  });
  it('p-values are uniform under the null (KS test)', () => {
    const rand = rng(7);
    const ps: number[] = [];
    const L = 12, D = 30;
    const lng = Float64Array.from({ length: L }, (_, i) => i % 4), lat = Float64Array.from({ length: L }, (_, i) => Math.floor(i / 4));
    const neighbours = nearestNeighbours(lng, lat, 4);
    for (let s = 0; s < 150; s++) {
      const n = 150;
      const loc = new Int32Array(n), day = new Int32Array(n);
      for (let i = 0; i < n; i++) { loc[i] = Math.floor(rand() * L); day[i] = Math.floor(rand() * D); }
      const r = spaceTimeScan({ loc, day, locations: L, days: D, neighbours }, { maxWindow: 7, maxNeighbours: 4, replicates: 99, seed: s + 1, stopRank: 1000, minCases: 1 });
      ps.push(r.clusters[0]?.p ?? 1);
    }
    ps.sort((a, b) => a - b);
    let dmax = 0;
    ps.forEach((p, i) => (dmax = Math.max(dmax, Math.abs((i + 1) / ps.length - p), Math.abs(p - i / ps.length))));
    // KS critical value at 1 % for n = 150 is 1.63/√n ≈ 0.133 (discreteness of p = k/100 adds ≤ 0.01)
    expect(dmax).toBeLessThan(0.143);
  });
  it('finds an injected cluster with a small p', () => {
    const rand = rng(3);
    const L = 25, D = 56;
    const lng = Float64Array.from({ length: L }, (_, i) => i % 5), lat = Float64Array.from({ length: L }, (_, i) => Math.floor(i / 5));
    const loc: number[] = [], day: number[] = [];
    for (let i = 0; i < 800; i++) { loc.push(Math.floor(rand() * L)); day.push(Math.floor(rand() * D)); }
    for (let i = 0; i < 10; i++) { loc.push(12); day.push(D - 1 - (i % 3)); }
    const r = spaceTimeScan({ loc: Int32Array.from(loc), day: Int32Array.from(day), locations: L, days: D, neighbours: nearestNeighbours(lng, lat, 5) }, { replicates: 999 });
    expect(r.clusters[0].locations).toContain(12);
    expect(r.clusters[0].p).toBeLessThanOrEqual(0.01);
  });
});

describe('seasonal baseline and NB-CUSUM', () => {
  it('fits day-of-week effects and keeps false alarms near the calibrated rate', () => {
    const rand = rng(11);
    const days = 400;
    const y = new Float64Array(days);
    for (let t = 0; t < days; t++) y[t] = negbin(rand, (t % 7 === 5 || t % 7 === 6 ? 4 : 10), 0.05);
    const bl = fitBaseline(y, '2024-01-01', days); // 2024-01-01 is a Monday: t%7==5,6 are weekends
    const mu = predictBaseline(bl, 0, days);
    // ordinary days (the first days of 2024 follow the New Year holiday, a calendar this series does not have)
    expect(mu[8]).toBeGreaterThan(8);
    expect(mu[12]).toBeLessThan(6);
    const h = calibrateThreshold(bl.level, bl.alpha, 1.5, 100);
    expect(h).toBeGreaterThan(1);
    // an in-control stretch of 20 000 days alarms about 200 times or fewer
    const m = 8, n = 20_000;
    const x = new Float64Array(n), mus = new Float64Array(n).fill(m);
    for (let t = 0; t < n; t++) x[t] = negbin(rand, m, bl.alpha);
    const hm = calibrateThreshold(m, bl.alpha, 1.5, 100);
    const alarms = nbCusum(x, mus, bl.alpha, 1.5, hm).alarm.reduce((a, b) => a + b, 0);
    expect(alarms).toBeLessThan(300);
    // a ×1.5 rise is caught within days
    const z = new Float64Array(60);
    for (let t = 0; t < 60; t++) z[t] = poisson(rand, t >= 30 ? m * 1.5 : m);
    const first = nbCusum(z, new Float64Array(60).fill(m), bl.alpha, 1.5, hm).alarm.findIndex((a, t) => a === 1 && t >= 30);
    expect(first).toBeGreaterThanOrEqual(30);
    expect(first).toBeLessThan(45);
  });
});

describe('emerging topics', () => {
  it('clusters reposts of a new topic and sees the burst', () => {
    const fs1 = new FirstStoryClusterer();
    const bg = ['小区路灯不亮晚上出行不便', '道路积水严重影响通行', '噪音扰民晚上施工', '公交车站点设置不合理'];
    let id = 0;
    for (let d = 0; d < 20; d++) for (const t of bg) fs1.add({ id: String(id++), day: d, text: t + d, person: `p${id}` });
    for (let i = 0; i < 10; i++) fs1.add({ id: String(id++), day: 20 + (i % 2), text: `有人冒充快递客服以理赔退款为名诱导下载会议软件骗取验证码${i}`, person: `q${i}` });
    const em = emergingTopics(fs1, 21, { minPersons: 8 });
    expect(em.length).toBe(1);
    expect(em[0].members.length).toBe(10);
    const r = Int32Array.from({ length: 22 }, (_, t) => (t >= 20 ? 5 : 0));
    const d = Int32Array.from({ length: 22 }, (_, t) => (t >= 20 ? 9 : 4));
    const st = kleinbergStates(r, d);
    expect(st[21]).toBe(1);
    expect(st[5]).toBe(0);
  });
});

describe('emerging runs one after another', () => {
  // 28 days of routine requests (8 subjects × 6 endings) and, on the last 3 days, a new scam told by 14 people on
  // 6 streets: a term burst and a novel cluster.
  const rand = rng(11);
  const pick = <T,>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const subjects = ['小区路灯不亮', '道路积水严重', '楼上噪音扰民', '公交站点设置不合理', '垃圾清运不及时', '物业收费不透明', '学校门口交通拥堵', '菜市场占道经营'];
  const endings = ['晚上出行不便', '影响通行', '希望尽快处理', '多次反映未解决', '请相关部门核实', '居民意见很大'];
  const start = Date.parse('2026-10-01T00:00:00+08:00');
  type Case = { id: number; day: number; at: number; text: string; person: string; street: number };
  const cases: Case[] = [];
  for (let d = 0; d < 28; d++) for (let k = 0; k < 40; k++) cases.push({ id: cases.length + 1, day: d, at: start + d * 86400_000 + k * 60_000, text: `${pick(subjects)}${pick(endings)}`, person: `p${cases.length}`, street: k % 8 });
  for (let i = 0; i < 14; i++) {
    const day = 25 + (i % 3);
    cases.push({ id: cases.length + 1, day, at: start + day * 86400_000 + 3_600_000 + i * 60_000, text: `有人冒充快递客服以理赔退款为名诱导下载“速会通”会议软件骗取验证码${i}`, person: `n${i}`, street: i % 6 });
  }
  const input = (list: Case[], today = '2026-10-28') => ({
    today, firstDay: '2026-10-01',
    counts: { day: new Int32Array(0), cat: new Int32Array(0), district: new Int32Array(0), street: new Int32Array(0), n: new Float64Array(0) },
    catCodes: [], districtCodes: [], streetCodes: Array.from({ length: 8 }, (_, k) => `s${k}`), names: new Map<string, string>(), places: [],
    recent: {
      id: Float64Array.from(list, (c) => c.id), day: Int32Array.from(list, (c) => c.day), at: Float64Array.from(list, (c) => c.at),
      cat: new Int32Array(list.length).fill(-1), district: new Int32Array(list.length).fill(-1), street: Int32Array.from(list, (c) => c.street),
      place: new Int32Array(list.length).fill(-1), text: list.map((c) => c.text), person: list.map((c) => c.person),
    },
  });
  const afresh = async (list: Case[]) => (await import('./detect.ts')).detectEmerging(input(list), {});
  const keep = { keep: true };

  it('a run that keeps the last run\'s window finds what a run afresh finds', async () => {
    const { detectEmerging } = await import('./detect.ts');
    const lastDay = cases.filter((c) => c.day === 27);
    const late = cases.find((c) => c.day === 10)!; // arrives late: the history grows between runs
    const partial = cases.filter((c) => c !== late && !lastDay.slice(lastDay.length / 2).includes(c));
    const fresh = await afresh(cases);
    expect(fresh.map((d) => d.incidentKey.startsWith('emerging:term:'))).toEqual(expect.arrayContaining([true, false]));
    detectEmerging(input(partial), keep);
    expect(detectEmerging(input(cases), keep)).toEqual(fresh);
    // a window request gone (taken out of the counts), then a history request gone (the window starts over)
    const noWindowCase = cases.filter((c) => c !== lastDay[0]);
    expect(detectEmerging(input(noWindowCase), keep)).toEqual(await afresh(noWindowCase));
    detectEmerging(input(cases), keep);
    const noHistoryCase = cases.filter((c) => c !== late);
    expect(detectEmerging(input(noHistoryCase), keep)).toEqual(await afresh(noHistoryCase));
    // a late history request near the scam's: its requests are no longer novel
    const told = [...cases, { ...cases[cases.length - 1], id: cases.length + 1, day: 12, at: start + 12 * 86400_000, person: 'early' }];
    detectEmerging(input(cases), keep);
    const withTold = detectEmerging(input(told), keep);
    expect(withTold).toEqual(await afresh(told));
    expect(withTold.filter((d) => !d.incidentKey.startsWith('emerging:term:'))).toEqual([]);
  });
});

describe('concentrated runs one after another', () => {
  it('scan again only the topics whose requests changed, with the same results as afresh', async () => {
    const { detectConcentrated } = await import('./detect.ts');
    const rand = rng(5);
    // 40 places on a grid, two topics over 56 days; topic 0 gets a cluster at places 0–2 on the last 3 days
    const places = Array.from({ length: 40 }, (_, k) => ({ key: `c${k}`, name: `小区${k}`, lng: 112.9 + (k % 8) * 0.01, lat: 28.2 + Math.floor(k / 8) * 0.01 }));
    type Case = { id: number; day: number; cat: number; place: number };
    const cases: Case[] = [];
    for (let d = 0; d < 56; d++) for (let k = 0; k < 12; k++) cases.push({ id: cases.length + 1, day: d, cat: k % 2, place: Math.floor(rand() * 40) });
    for (let k = 0; k < 14; k++) cases.push({ id: cases.length + 1, day: 53 + (k % 3), cat: 0, place: k % 3 });
    const input = (list: Case[]) => ({
      today: '2026-10-26', firstDay: '2026-09-01', catCodes: ['A01', 'B01'], districtCodes: [], streetCodes: [], names: new Map<string, string>(),
      counts: { day: new Int32Array(0), cat: new Int32Array(0), district: new Int32Array(0), street: new Int32Array(0), n: new Float64Array(0) },
      places: places.map((p) => ({ ...p })), // a new snapshot's own objects, as read from the database
      recent: {
        id: Float64Array.from(list, (c) => c.id), day: Int32Array.from(list, (c) => c.day), at: Float64Array.from(list, (c) => Date.parse('2026-09-01T08:00:00+08:00') + c.day * 86400_000 + c.id * 1000),
        cat: Int32Array.from(list, (c) => c.cat), district: new Int32Array(list.length).fill(-1), street: new Int32Array(list.length).fill(-1), place: Int32Array.from(list, (c) => c.place),
      },
    });
    const fresh = detectConcentrated(input(cases), {});
    expect(fresh.map((d) => d.categoryCode)).toContain('A01');
    const topicB = cases.findLast((c) => c.cat === 1)!;
    detectConcentrated(input(cases.filter((c) => c !== topicB)), { keep: true });
    expect(detectConcentrated(input(cases), { keep: true })).toEqual(fresh); // topic B scanned again, A kept
    expect(detectConcentrated(input(cases), { keep: true })).toEqual(fresh); // nothing changed
    const less = cases.filter((c) => !(c.cat === 0 && c.day === 55));
    expect(detectConcentrated(input(less), { keep: true })).toEqual(detectConcentrated(input(less), {}));
  });
});

describe('emerging terms', () => {
  it('a quoted name is one term whole; a word pair knows its words', async () => {
    const { caseTerms, pairParts, termId, termName } = await import('./text.ts');
    const names = Array.from(caseTerms(-101, '有人冒充交警，以刷单为由让我下载“聚联贷”并转账'), termName);
    expect(names).toContain('聚联贷');
    expect(names).toContain('冒充交警');
    expect(pairParts(termId('冒充交警')!)?.map(termName)).toEqual(['冒充', '交警']);
    expect(pairParts(termId('聚联贷')!)).toBeNull();
  });
});

describe('first-story novelty', () => {
  it('the history\'s LSH index finds window documents near a history document (old), not the others (novel)', async () => {
    const { minhash } = await import('./text.ts');
    const { NearDuplicateIndex } = await import('../tagging/near-duplicates.ts');
    const bg = ['小区路灯不亮晚上出行不便', '道路积水严重影响通行', '噪音扰民晚上施工', '公交车站点设置不合理'];
    const history = new NearDuplicateIndex(Infinity, 0.4); // as detect.ts keeps it
    for (let i = 0; i < 200; i++) history.add(i, '', 0, null, minhash(`${bg[i % 4]}请尽快处理谢谢${i % 7 ? '' : '师傅'}`));
    const window = [`${bg[1]}请尽快处理谢谢`, '有人冒充快递客服以理赔退款为名诱导下载会议软件骗取验证码', `${bg[3]}请尽快处理谢谢师傅`];
    expect(window.map((t) => history.hasNear(minhash(t), Number.MAX_SAFE_INTEGER))).toEqual([true, false, true]);
  });
});

describe('bursty terms', () => {
  // A hand-made stream: 28 days × 150 documents, each with 4 of 300 common terms (Zipf-like) from a large pool
  // of callers over 40 streets; `extra` adds documents holding given terms on given days.
  const stream = (seed: number, extra: { day: number; terms: number[]; person: string; place: number }[] = [], days = 28) => {
    const rand = rng(seed);
    const day: number[] = [], terms: Int32Array[] = [], person: string[] = [], place: number[] = [];
    for (let d = 0; d < days; d++) for (let k = 0; k < 150; k++) {
      const ts = new Set<number>();
      while (ts.size < 4) ts.add(Math.floor(300 * Math.pow(rand(), 2)));
      day.push(d); terms.push(Int32Array.from(ts)); person.push(`p${Math.floor(rand() * 1e6)}`); place.push(Math.floor(rand() * 40));
    }
    for (const e of extra) { day.push(e.day); terms.push(Int32Array.from(e.terms)); person.push(e.person); place.push(e.place); }
    return { day, terms, person, place } satisfies TermDocs;
  };
  const NEW = 1000;

  it('finds a new term that bursts, with its documents and a small p-value', () => {
    const extra = Array.from({ length: 12 }, (_, i) => ({ day: 25 + (i % 3), terms: [NEW, 3], person: `n${i}`, place: i % 6 }));
    const { bursts, pThreshold } = termBursts(stream(1, extra), 28);
    expect(bursts.map((b) => b.term)).toEqual([NEW]);
    expect(bursts[0].persons).toBe(12);
    expect(bursts[0].history).toBe(0);
    expect(bursts[0].p).toBeLessThan(pThreshold);
    expect(bursts[0].window).toBeLessThanOrEqual(3);
  });

  it('finds a new term that ramps up slowly (its early days are not held against it)', () => {
    const daily = [1, 1, 0, 2, 1, 2, 2, 1, 2, 3]; // 15 requests over 10 days, never 10 in 3 days
    const extra = daily.flatMap((k, i) => Array.from({ length: k }, (_, j) => ({ day: 18 + i, terms: [NEW], person: `r${i}-${j}`, place: (i + j) % 9 })));
    const { bursts } = termBursts(stream(2, extra), 28);
    expect(bursts.map((b) => b.term)).toEqual([NEW]);
    expect(bursts[0].window).toBeGreaterThanOrEqual(7);
  });

  it('does not flag steady terms, common or rare (null streams)', () => {
    let alarms = 0;
    for (let seed = 10; seed < 30; seed++) {
      // a rare old term at ≈ 0.4 a day throughout
      const rand = rng(seed * 7);
      const extra = Array.from({ length: 28 }, (_, d) => d).flatMap((d) => (rand() < 0.4 ? [{ day: d, terms: [NEW], person: `s${d}`, place: d % 40 }] : []));
      alarms += termBursts(stream(seed, extra), 28).bursts.length;
    }
    expect(alarms).toBe(0);
  });

  it('does not flag a common term doubling: significant, but not new', () => {
    const extra = [25, 26, 27].flatMap((d) => Array.from({ length: 40 }, (_, i) => ({ day: d, terms: [0], person: `c${d}-${i}`, place: i % 40 })));
    expect(termBursts(stream(3, extra), 28).bursts.map((b) => b.term)).not.toContain(0);
    expect(termBursts(stream(3, extra), 28, { minRatio: 1 }).bursts.map((b) => b.term)).toContain(0); // the jump itself is significant
  });

  it('does not count one caller repeating, nor a topic held by a single place', () => {
    const repeat = Array.from({ length: 15 }, (_, i) => ({ day: 25 + (i % 3), terms: [NEW], person: 'same', place: i % 6 }));
    expect(termBursts(stream(4, repeat), 28).bursts).toEqual([]);
    const twoPeople = Array.from({ length: 15 }, (_, i) => ({ day: 25 + (i % 3), terms: [NEW], person: `t${i % 2}`, place: i % 6 }));
    expect(termBursts(stream(4, twoPeople), 28).bursts).toEqual([]);
    const onePlace = Array.from({ length: 15 }, (_, i) => ({ day: 25 + (i % 3), terms: [NEW], person: `u${i}`, place: 7 }));
    expect(termBursts(stream(4, onePlace), 28).bursts).toEqual([]);
    // one place and a few strays elsewhere is still one place's problem
    const mostlyOnePlace = onePlace.map((e, i) => ({ ...e, place: i < 3 ? 20 + i : 7 }));
    expect(termBursts(stream(4, mostlyOnePlace), 28).bursts).toEqual([]);
  });

  it('groups terms bursting on the same documents into one topic', () => {
    const extra = Array.from({ length: 12 }, (_, i) => ({ day: 25 + (i % 3), terms: [NEW, NEW + 1, ...(i < 6 ? [NEW + 2] : [])], person: `g${i}`, place: i % 6 }));
    const other = Array.from({ length: 10 }, (_, i) => ({ day: 26 + (i % 2), terms: [NEW + 5], person: `h${i}`, place: 10 + (i % 5) }));
    const topics = groupBursts(termBursts(stream(5, [...extra, ...other]), 28).bursts);
    expect(topics.length).toBe(2);
    expect(topics.map((t) => t.docs.size).sort((a, b) => a - b)).toEqual([10, 12]);
  });

  it('a phrase shared by two new topics describes them but never joins their requests', () => {
    const burst = (term: number, docs: number[], p: number) => ({ term, window: 3, docs, persons: docs.length, places: 5, history: 0, expected: 0, p });
    const a = Array.from({ length: 10 }, (_, i) => i), b = Array.from({ length: 10 }, (_, i) => 10 + i);
    const topics = groupBursts([burst(9, [...a, ...b], 1e-30), burst(1, a, 1e-12), burst(2, b, 1e-11), burst(3, a.slice(0, 6), 1e-9)]);
    expect(topics.map((t) => [...t.docs].sort((x, y) => x - y))).toEqual([a, b]); // the shared phrase's p is A's: A ranks first
    expect(topics.map((t) => t.bursts.map((x) => x.term).sort())).toEqual([[1, 3], [2]]);
    expect(topics[0].describing.map((x) => x.term)).toEqual([9]);
  });

  it('a template pair neither owns nor starts a topic; a phrase over several new names waits for them', () => {
    const burst = (term: number, docs: number[], p: number) => ({ term, window: 3, docs, persons: docs.length, places: 5, history: 0, expected: 0, p });
    const a = Array.from({ length: 10 }, (_, i) => i), b = Array.from({ length: 10 }, (_, i) => 10 + i);
    const template = (t: number) => t === 7;
    expect(groupBursts([burst(7, [...a, ...b], 1e-20)], 1, { template })).toEqual([]);
    const one = groupBursts([burst(1, a, 1e-12), burst(7, [...a, 20], 1e-20)], 1, { template });
    expect(one.map((t) => [t.bursts.map((x) => x.term), t.describing.map((x) => x.term)])).toEqual([[[1], [7]]]);
    // documents: phrase 9 in all; name 1 in a, name 2 in b (each only there); word 5 in all of a and b too
    const terms = [...a.map(() => [9, 1, 5]), ...b.map(() => [9, 2, 5])];
    const count = (t: number) => terms.filter((ts) => ts.includes(t)).length;
    const phrase = burst(9, [...a, ...b], 1e-20);
    expect(severalNames(phrase.docs, phrase, terms, count)).toBe(true);
    expect(groupBursts([phrase], 1, { mixed: (docs, x) => severalNames(docs, x, terms, count) })).toEqual([]);
    // one name over all of them, or names also common elsewhere, are one topic
    expect(severalNames(a, burst(1, a, 1e-20), terms, count)).toBe(false);
    expect(severalNames(phrase.docs, phrase, terms, (t) => (t === 1 || t === 2 ? 100 : count(t)))).toBe(false);
    // a name shared by a later request of the other group still counts as nearly disjoint (≤ 20 % overlap)
    expect(severalNames(phrase.docs, phrase, terms.map((ts, i) => (i === 10 ? [...ts, 1] : ts)), count)).toBe(true);
  });

  it('counts kept as documents come and go equal counting afresh', () => {
    const extra = Array.from({ length: 14 }, (_, i) => ({ day: 24 + (i % 4), terms: [NEW, 7], person: `k${i}`, place: i % 7 }));
    const docs = stream(6, extra);
    const n = docs.day.length;
    const gone = new Set(Array.from({ length: 400 }, (_, k) => (k * 37) % n)); // old and window documents alike
    gone.add(n - 1); // one of the new term's
    const kept = new TermCounts(28);
    const refs: number[] = [];
    // documents arrive in two batches (a later run adds the second), then some leave
    for (const half of [0, 1]) for (let i = half; i < n; i += 2) refs[i] = kept.add(docs.day[i], docs.terms[i]);
    for (const i of gone) kept.remove(refs[i]);
    const left = [...Array(n).keys()].filter((i) => !gone.has(i));
    const pick = <T,>(xs: ArrayLike<T>) => left.map((i) => xs[i]);
    const afresh = termBursts({ day: pick(docs.day), terms: pick(docs.terms), person: pick(docs.person), place: pick(docs.place) }, 28);
    const indexOf = new Map(left.map((i, k) => [refs[i], k]));
    const run = kept.bursts({}, (ref) => docs.person[left[indexOf.get(ref)!]], (ref) => docs.place[left[indexOf.get(ref)!]]);
    expect(afresh.bursts.map((b) => b.term)).toContain(NEW);
    expect(run.tests).toBe(afresh.tests);
    // the same bursts; a burst's documents in the order they came in
    expect(run.bursts.map((b) => ({ ...b, docs: b.docs.map((ref) => indexOf.get(ref)!).sort((x, y) => x - y) }))).toEqual(afresh.bursts);
    for (const t of [0, 3, 7, 150, NEW]) for (const w of [undefined, 1, 5, 14]) expect(kept.count(t, w)).toBe(afresh.count(t, w));
    expect(kept.size).toBe(left.length);
  });

  it('binomial upper tail equals the direct sum', () => {
    const direct = (k: number, m: number, p: number) => { let s = 0; for (let j = k; j <= m; j++) { let c = 1; for (let i = 0; i < j; i++) c = (c * (m - i)) / (i + 1); s += c * p ** j * (1 - p) ** (m - j); } return s; };
    for (const [k, m, p] of [[3, 10, 0.2], [10, 10, 0.1], [15, 40, 0.3], [1, 5, 0.5], [0, 5, 0.5]] as const) expect(binomialUpperTail(k, m, p)).toBeCloseTo(direct(k, m, p), 12);
  });
});

describe('grid neighbours', () => {
  it('equal the brute-force nearest neighbours', async () => {
    const { gridNeighbours, nearestNeighbours } = await import('./scan.ts');
    const rand = rng(1);
    const n = 900;
    const lng = Float64Array.from({ length: n }, () => 112.8 + rand() * 0.4), lat = Float64Array.from({ length: n }, () => 28 + rand() * 0.3);
    const a = gridNeighbours(lng, lat, 8), b = nearestNeighbours(lng, lat, 8);
    for (let i = 0; i < n; i++) expect(Array.from(a[i])).toEqual(Array.from(b[i]));
  });
});
