// The count-only city: the same rate model as the request generator (totals by top category and district
// agree within sampling error), deterministic, rises multiply exactly the cells they cover, and the rows have
// the shape load-input.ts reads.
import { describe, expect, it } from 'vitest';
import { simulateCityCounts, countRows } from './counts.ts';
import { generateCity } from './generate-city.ts';
import { loadTaxonomy } from './taxonomy.ts';

describe('city counts (rate model without requests)', { timeout: 120_000 }, () => {
  const start = '2026-03-02', days = 8, perDay = 3000;

  it('agrees with generateCity by top category and by district', () => {
    const tax = loadTaxonomy();
    const topOf = new Map(tax.leaves.map((l) => [l.code, l.topCode]));
    const c = simulateCityCounts({ seed: 3, start, days, perDay });
    const gen = generateCity({ seed: 3, start, days, perDay, incidents: { concentrated: 0, trending: 0, emerging: 0 } });
    const byTop = new Map<string, [number, number]>(), byDistrict = new Map<string, [number, number]>();
    const add = (m: Map<string, [number, number]>, k: string, i: 0 | 1, x: number) => { const v = m.get(k) ?? [0, 0]; v[i] += x; m.set(k, v); };
    let genTotal = 0, repeats = 0;
    for (const b of gen.days()) for (const x of b.cases) {
      if (x.repeatOf) { repeats++; continue; } // repeat calls are not in the rate model
      genTotal++;
      add(byTop, topOf.get(x.categoryCode)!, 0, 1);
      add(byDistrict, x.districtCode, 0, 1);
    }
    const L = c.leafCodes.length, D = c.districtCodes.length;
    let total = 0;
    for (let t = 0; t < days; t++) for (let l = 0; l < L; l++) for (let d = 0; d < D; d++) {
      const x = c.leafDistrict[(t * L + l) * D + d];
      total += x;
      add(byTop, topOf.get(c.leafCodes[l])!, 1, x);
      add(byDistrict, c.districtCodes[d], 1, x);
    }
    expect(repeats).toBeLessThan(genTotal * 0.02);
    expect(Math.abs(total - genTotal)).toBeLessThan(0.03 * genTotal); // both draw the same daily volume (3 % noise)
    for (const m of [byTop, byDistrict]) for (const [k, [a, b]] of m) expect(Math.abs(a - b), k).toBeLessThan(5 * Math.sqrt(a + b) + 0.03 * (a + b));
  });

  it('is deterministic; a rise multiplies its cells and leaves the others alone', () => {
    const tax = loadTaxonomy();
    const top = tax.categories.find((x) => x.level === 1)!;
    const a = simulateCityCounts({ seed: 5, start, days, perDay });
    expect(simulateCityCounts({ seed: 5, start, days, perDay }).leafDistrict).toEqual(a.leafDistrict);
    const district = a.districtCodes[0];
    const risen = simulateCityCounts({ seed: 5, start, days, perDay, rises: [{ categoryCode: top.code, districtCode: district, streetCode: null, start: 2, end: 7, factor: 2 }] });
    const L = a.leafCodes.length, D = a.districtCodes.length;
    const inCat = a.leafCodes.map((code) => tax.leaves.find((l) => l.code === code)!.topCode === top.code);
    const sum = (c: typeof a, inside: boolean, from: number, to: number) => {
      let s = 0;
      for (let t = from; t <= to; t++) for (let l = 0; l < L; l++) for (let d = 0; d < D; d++) if ((inCat[l] && d === 0) === inside) s += c.leafDistrict[(t * L + l) * D + d];
      return s;
    };
    const base = sum(a, true, 2, 7), up = sum(risen, true, 2, 7);
    expect(base, `${base} → ${up}`).toBeGreaterThan(80);
    expect(up / base, `${base} → ${up}`).toBeGreaterThan(1.5);
    expect(up / base).toBeLessThan(2.5);
    expect(sum(risen, true, 0, 1)).toBeLessThan(base); // before the rise: two ordinary days
    const out0 = sum(a, false, 0, days - 1), out1 = sum(risen, false, 0, days - 1);
    expect(Math.abs(out1 - out0)).toBeLessThan(5 * Math.sqrt(out0) + 0.01 * out0);
  });

  it('rows: leaf × district (street −1) and top category × street, each day summing to the same total', () => {
    const c = simulateCityCounts({ seed: 9, start, days: 3, perDay: 800 });
    const rows = countRows(c, 1, 2);
    const tot = (pred: (i: number) => boolean) => { let s = 0; for (let i = 0; i < rows.n.length; i++) if (pred(i)) s += rows.n[i]; return s; };
    for (const d of [0, 1]) {
      const leafRows = tot((i) => rows.day[i] === d && rows.street[i] < 0);
      expect(leafRows).toBeGreaterThan(500);
      expect(tot((i) => rows.day[i] === d && rows.street[i] >= 0)).toBe(leafRows);
    }
    expect(rows.catCodes.length).toBe(c.leafCodes.length + c.topCodes.length);
    for (let i = 0; i < rows.n.length; i++) if (rows.street[i] >= 0) expect(rows.cat[i]).toBeGreaterThanOrEqual(c.leafCodes.length);
  });
});
