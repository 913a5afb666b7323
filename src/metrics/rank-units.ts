// Unit rankings (承办单位考核) that are fair to units with different volumes and case mixes:
// indirect standardisation over category × request type. For each unit, expected = Σ over its strata of
// (its denominator in the stratum × the city-wide rate of the stratum); adjusted rate = city rate × O / E.
// The 95% Wilson interval of the unit's raw rate is carried through the same ratio; units below the
// minimum count are listed but not ranked.
import type { Db } from '../store/db.ts';
import { validationError } from '../shared/errors.ts';
import { round2 } from './definitions.ts';
import { dimensionLabels, getMetric, unitMixExpected, type Period } from './query.ts';

export interface UnitRank {
  rank: number | null;
  unitId: string;
  unitName: string;
  num: number;
  den: number;
  rawRate: number | null;
  expected: number;
  adjustedRate: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  /** above / below: the interval excludes the city rate; insufficient: fewer than minCount cases. */
  verdict: 'above' | 'below' | 'typical' | 'insufficient';
}

export const RANKABLE = ['satisfaction_rate', 'on_time_closure_rate', 'transfer_closure_rate', 'resolution_rate', 'response_rate', 'return_rate', 'extension_rate'];

/** Wilson score interval for k successes in n trials (z = 1.96). */
export function wilson(k: number, n: number, z = 1.96): [number, number] {
  if (n <= 0) return [0, 1];
  const p = k / n, z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export async function rankUnits(db: Db, q: Period & { metric?: string; minCount?: number }): Promise<{ metric: string; label: string; cityRate: number | null; minCount: number; method: string; units: UnitRank[] }> {
  const metric = q.metric ?? 'satisfaction_rate';
  if (!RANKABLE.includes(metric)) throw validationError({ metric: `可用于考核的指标：${RANKABLE.join(', ')}` });
  const m = getMetric(metric);
  const minCount = q.minCount ?? 30;
  const scale = m.scale ?? 1;
  // Summed in the database: a month holds tens of thousands of unit × category × type strata at city scale.
  const perUnit = new Map((await unitMixExpected(db, m.num, m.den!, q)).map((u) => [u.key, u]));
  let cityNum = 0, cityDen = 0;
  for (const u of perUnit.values()) {
    cityNum += u.num;
    cityDen += u.den;
  }
  const cityP = cityDen > 0 ? cityNum / cityDen : null;
  const labels = await dimensionLabels(db, 'unit', [...perUnit.keys()]);
  const units: UnitRank[] = [...perUnit.entries()].filter(([, u]) => u.den > 0).map(([unitId, u]) => {
    const raw = u.num / u.den;
    const ok = u.den >= minCount && cityP !== null && u.expected > 0;
    const factor = ok ? (cityP! * u.den) / u.expected : 0;
    const [lo, hi] = wilson(Math.min(u.num, u.den), u.den);
    const adj = ok ? Math.min(1, raw * factor) : null;
    const ciLow = ok ? Math.min(1, lo * factor) : null, ciHigh = ok ? Math.min(1, hi * factor) : null;
    const verdict: UnitRank['verdict'] = !ok ? 'insufficient' : ciLow! > cityP! ? 'above' : ciHigh! < cityP! ? 'below' : 'typical';
    return {
      rank: null, unitId, unitName: labels.get(unitId) ?? unitId, num: u.num, den: u.den,
      rawRate: round2(raw * scale), expected: round2(u.expected),
      adjustedRate: adj === null ? null : round2(adj * scale), ciLow: ciLow === null ? null : round2(ciLow * scale), ciHigh: ciHigh === null ? null : round2(ciHigh * scale),
      verdict,
    };
  });
  const dir = m.lowerIsBetter ? 1 : -1;
  units.sort((a, b) => (a.adjustedRate === null ? 1 : 0) - (b.adjustedRate === null ? 1 : 0) || dir * ((a.adjustedRate ?? 0) - (b.adjustedRate ?? 0)) || b.den - a.den);
  let rank = 0;
  for (const u of units) if (u.adjustedRate !== null) u.rank = ++rank;
  return {
    metric, label: m.label, cityRate: cityP === null ? null : round2(cityP * scale), minCount,
    method: `间接标准化（问题分类 × 诉求类型）：调整后${m.label} = 全市${m.label} × 实际数 ÷ 期望数；95% Wilson 置信区间；样本少于 ${minCount} 件不参与排名`,
    units,
  };
}
