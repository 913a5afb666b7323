import { describe, expect, it } from 'vitest';
import { engines } from '../../tests/engines.ts';
import { seedMetricsCity } from '../../tests/metrics-fixture.ts';
import { localDateTime, localDay } from '../shared/time.ts';
import { rankUnits, wilson } from './rank-units.ts';
import { rebuildRollups } from './rollups.ts';

describe('wilson interval', () => {
  it('matches the textbook values', () => {
    const [lo, hi] = wilson(90, 100);
    expect(lo).toBeCloseTo(0.8256, 3);
    expect(hi).toBeCloseTo(0.9448, 3);
    expect(wilson(0, 0)).toEqual([0, 1]);
  });
});

for (const engine of engines()) {
  describe(`unit rankings (${engine.name})`, () => {
    it('adjusts for case mix: a unit with harder categories is not ranked below on raw rates alone', async () => {
      const db = await engine.open();
      try {
        await seedMetricsCity(db);
        const at = localDateTime('2026-05-10', 10);
        const rows: unknown[][] = [];
        let n = 0;
        const add = (unit: string, category: string, count: number, satisfied: number) => {
          for (let i = 0; i < count; i++) {
            n++;
            rows.push([`R${n}`, '12345', at, localDay(at), '内容', category, '430102', 'complaint', 'closed', unit, i < satisfied ? 'satisfied' : 'unsatisfied', at]);
          }
        };
        add('u-house', 'T0101', 100, 90); // easy category, 90%
        add('u-env', 'T0201', 50, 25); // hard category (city rate 50%)
        add('u-env', 'T0101', 50, 45);
        add('u-frd', 'T0101', 10, 10); // too few to rank
        await db.copyRows('cases', ['case_no', 'channel', 'received_at', 'local_day', 'content', 'category_code', 'district_code', 'request_type', 'status', 'unit_id', 'callback_result', 'closed_at'], rows);
        await rebuildRollups(db);
        const r = await rankUnits(db, { from: '2026-05-01', to: '2026-05-31', metric: 'satisfaction_rate', minCount: 30 });
        expect(r.cityRate).toBeCloseTo((170 / 210) * 100, 1);
        const byId = Object.fromEntries(r.units.map((u) => [u.unitId, u]));
        expect(byId['u-house'].rawRate).toBe(90);
        expect(byId['u-env'].rawRate).toBe(70);
        const city = 170 / 210;
        expect(byId['u-house'].adjustedRate).toBeCloseTo(city * (90 / (100 * 145 / 160)) * 100, 1);
        expect(byId['u-env'].adjustedRate).toBeCloseTo(city * (70 / (25 + 50 * 145 / 160)) * 100, 1);
        expect(byId['u-env'].rank).toBe(1);
        expect(byId['u-house'].rank).toBe(2);
        expect(byId['u-frd']).toMatchObject({ rank: null, verdict: 'insufficient', adjustedRate: null });
        for (const u of [byId['u-house'], byId['u-env']]) {
          expect(u.ciLow!).toBeLessThanOrEqual(u.adjustedRate!);
          expect(u.ciHigh!).toBeGreaterThanOrEqual(u.adjustedRate!);
          expect(u.verdict).toBe('typical');
        }
      } finally {
        await db.close();
      }
    }, 180_000);
  });
}
