// The synthetic city's promises: determinism, rhythms, mix and outcomes within stated tolerances, ground truth
// consistent with the generated requests. Pure generator: no database.
import { describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { generateCity, type GenCase, type GenEvent } from './generate-city.ts';
import { loadTaxonomy } from './taxonomy.ts';
import { dayKind } from './calendar.ts';

function run(seed: number, start: string, days: number, perDay: number, incidents?: { concentrated: number; trending: number; emerging: number }) {
  const gen = generateCity({ seed, start, days, perDay, incidents });
  const cases: GenCase[] = [];
  const events: GenEvent[] = [];
  for (const b of gen.days()) {
    cases.push(...b.cases);
    events.push(...b.events);
  }
  return { cases, events, truth: gen.truth() };
}

const digest = (x: unknown) => crypto.createHash('sha256').update(JSON.stringify(x)).digest('hex');

describe('synthetic city generator', { timeout: 180_000 }, () => {
  it('same seed gives the same output; another seed another', () => {
    const a = run(7, '2026-03-01', 4, 300);
    const b = run(7, '2026-03-01', 4, 300);
    const c = run(8, '2026-03-01', 4, 300);
    expect(a.cases.length).toBeGreaterThan(800);
    expect(digest(a)).toBe(digest(b));
    expect(digest(a.cases)).not.toBe(digest(c.cases));
  });

  // Spring Festival 2026 (15–23 Feb) with normal weeks around it.
  const sf = run(3, '2026-01-19', 49, 1200);
  const byDay = new Map<string, number>();
  for (const c of sf.cases) if (!c.incidentId && !c.repeatOf) byDay.set(c.localDay, (byDay.get(c.localDay) ?? 0) + 1);
  const mean = (pred: (d: string) => boolean) => {
    const xs = [...byDay].filter(([d]) => pred(d)).map(([, n]) => n);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };

  it('has weekly and holiday rhythm (tolerances: weekday/weekend 1.2–1.5, Spring Festival < 0.6, after-holiday peak > 1.15)', () => {
    const ordinary = (d: string) => dayKind(d) === 'workday' && d !== '2026-02-24' && d !== '2026-02-25';
    const weekday = mean(ordinary);
    const weekend = mean((d) => dayKind(d) === 'weekend');
    const festival = mean((d) => dayKind(d) === 'spring_festival');
    expect(weekday / weekend).toBeGreaterThan(1.2);
    expect(weekday / weekend).toBeLessThan(1.5);
    expect(festival / weekday).toBeLessThan(0.6);
    expect(byDay.get('2026-02-24')! / weekday).toBeGreaterThan(1.15);
    // Volumes: a per-day of 1200 means ordinary weekdays around 1500 (±15%).
    expect(weekday).toBeGreaterThan(1200 * 0.9);
    expect(weekday).toBeLessThan(1200 * 1.2);
  });

  it('has the intended outcome rates (online 63–71%, satisfaction 94–98%, deadlines mostly met)', () => {
    const n = sf.cases.length;
    const online = sf.cases.filter((c) => c.status === 'resolved_online').length / n;
    expect(online).toBeGreaterThan(0.63);
    expect(online).toBeLessThan(0.71);
    const cb = sf.cases.filter((c) => c.callbackResult);
    const sat = cb.filter((c) => c.callbackResult !== 'unsatisfied').length / cb.length;
    expect(sat).toBeGreaterThan(0.94);
    expect(sat).toBeLessThan(0.98);
    const replied = sf.cases.filter((c) => c.repliedAt && c.replyDueAt);
    const onTime = replied.filter((c) => c.repliedAt! <= c.replyDueAt!).length / replied.length;
    expect(onTime).toBeGreaterThan(0.85);
    expect(sf.cases.some((c) => c.returnCount > 0)).toBe(true);
    expect(sf.cases.some((c) => c.extensionCount > 0)).toBe(true);
    expect(sf.cases.some((c) => c.reopenCount > 0)).toBe(true);
    expect(sf.cases.some((c) => c.reminderCount > 0)).toBe(true);
    expect(sf.cases.some((c) => c.repeatOf)).toBe(true);
    expect(new Set(sf.cases.map((c) => c.channel))).toEqual(new Set(['12345', 'web', 'app', 'wechat', 'letter', '12315', '12333']));
  });

  it('answers on the line talk about the category of the request (they seed the knowledge base)', () => {
    const leaves = new Map(loadTaxonomy().leaves.map((l) => [l.code, l]));
    const online = sf.cases.filter((c) => c.status === 'resolved_online');
    const distinct = new Set(online.map((c) => c.resolution));
    expect(distinct.size).toBeGreaterThan(500);
    const mentions = online.filter((c) => { const l = leaves.get(c.categoryCode)!; return c.resolution!.includes(l.name) || c.resolution!.includes(l.secondName); });
    expect(mentions.length / online.length).toBeGreaterThan(0.9);
  });

  it('keeps the category mix within ±30% of the taxonomy weights for non-seasonal top categories', () => {
    const { leaves } = loadTaxonomy();
    const total = leaves.reduce((a, l) => a + l.weight, 0);
    const bg = sf.cases.filter((c) => !c.incidentId);
    for (const top of ['物业管理', '交通出行', '市场监管', '医疗卫生']) {
      const want = leaves.filter((l) => l.topName === top).reduce((a, l) => a + l.weight, 0) / total;
      const codes = new Set(leaves.filter((l) => l.topName === top).map((l) => l.code));
      const got = bg.filter((c) => codes.has(c.categoryCode)).length / bg.length;
      expect(got / want, top).toBeGreaterThan(0.7);
      expect(got / want, top).toBeLessThan(1.3);
    }
  });

  it('writes lifecycles that satisfy the status semantics', () => {
    const evBy = new Map<number, GenEvent[]>();
    for (const e of sf.events) (evBy.get(e.caseId) ?? evBy.set(e.caseId, []).get(e.caseId)!).push(e);
    // Checked by hand and collected: hundreds of thousands of expect() calls would dominate the run time.
    const bad: string[] = [];
    for (const c of sf.cases) {
      const evs = evBy.get(c.id)!;
      if (evs[0].action !== 'create') bad.push(`${c.caseNo} first event ${evs[0].action}`);
      let status: string | null = null;
      for (let i = 0; i < evs.length; i++) {
        if (evs[i].fromStatus !== status) bad.push(`${c.caseNo} ${evs[i].action} from ${evs[i].fromStatus}, was ${status}`);
        if (i > 0 && evs[i].at < evs[i - 1].at) bad.push(`${c.caseNo} events out of order`);
        status = evs[i].toStatus;
      }
      if (status !== c.status) bad.push(`${c.caseNo} status ${c.status} but events end in ${status}`);
      const needsUnit = !(c.status === 'resolved_online' || c.status === 'received');
      if (needsUnit !== !!c.unitId) bad.push(`${c.caseNo} status ${c.status} with unit ${c.unitId}`);
      if (c.status === 'closed' && !(c.closedAt && c.repliedAt && c.acceptedAt)) bad.push(`${c.caseNo} closed without times`);
    }
    expect(bad.slice(0, 10)).toEqual([]);
    const texts = new Set(sf.cases.map((c) => c.content));
    expect(texts.size / sf.cases.length).toBeGreaterThan(0.97);
  });

  it('records ground truth consistent with the data', () => {
    const r = run(11, '2026-04-01', 70, 600, { concentrated: 8, trending: 6, emerging: 6 });
    const byId = new Map(r.cases.map((c) => [c.id, c]));
    const { leaves } = loadTaxonomy();
    const parentOf = new Map(leaves.map((l) => [l.code, l.parentCode]));
    expect(r.truth.incidents.filter((i) => i.family === 'concentrated')).toHaveLength(8);
    expect(r.truth.incidents.filter((i) => i.family === 'trending')).toHaveLength(6);
    expect(r.truth.incidents.filter((i) => i.family === 'emerging')).toHaveLength(6);
    for (const inc of r.truth.incidents) {
      for (const m of inc.members) {
        const c = byId.get(m.id)!;
        expect(c.caseNo).toBe(m.caseNo);
        expect(c.incidentId).toBe(inc.id);
        expect(c.localDay >= inc.start && c.localDay <= inc.end).toBe(true);
        if (inc.family === 'concentrated') expect(c.compoundId).toBe(inc.place!.compoundId);
        if (inc.family === 'trending') {
          expect(c.districtCode).toBe(inc.series!.districtCode);
          expect(parentOf.get(c.categoryCode)).toBe(inc.series!.categoryCode);
        }
        if (inc.family === 'emerging') expect(c.content).toContain(inc.topic!.term);
      }
      if (inc.family === 'concentrated') {
        expect(inc.members.length).toBeGreaterThanOrEqual(5);
        expect(inc.members.length).toBeLessThanOrEqual(40);
      }
      if (inc.family === 'trending') expect(inc.series!.factor).toBeGreaterThanOrEqual(1.2);
      if (inc.family === 'emerging') {
        const t = inc.topic!;
        expect(t.districtCodes.length).toBeGreaterThanOrEqual(3);
        expect(t.categoryCodes.length).toBeGreaterThanOrEqual(2);
        // Absent before it starts.
        expect(r.cases.some((c) => c.localDay < inc.start && c.content.includes(t.term))).toBe(false);
      }
    }
    const members = new Set(r.truth.incidents.flatMap((i) => i.members.map((m) => m.id)));
    expect(r.cases.filter((c) => c.incidentId).length).toBe(members.size);
  });
});
