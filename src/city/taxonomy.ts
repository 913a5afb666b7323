// Parses the written taxonomy into categories with stable codes, routing and text/type hints.
import { TAXONOMY_TEXT } from './taxonomy-data.ts';

export type RequestType = 'consultation' | 'help' | 'complaint' | 'report' | 'suggestion' | 'praise';
export type Season = 'heat' | 'cold' | 'rain' | 'school' | 'wage' | 'summer';

export interface Category {
  code: string;
  name: string;
  level: 1 | 2 | 3;
  parentCode: string | null;
  path: string[];
}

/** A leaf (third level) with what the generator needs. */
export interface Leaf extends Category {
  topCode: string;
  topName: string;
  secondName: string;
  problems: string[];
  /** Weights over request types (consultation, help, complaint, report, suggestion). */
  typeWeights: Record<RequestType, number>;
  /** Unit key (city unit key, or 'district' / 'street' for local matters). */
  unitKey: string;
  season: Season | null;
  /** Merged hotline that also takes these requests (12315 / 12333). */
  line: '12315' | '12333' | null;
  /** Relative share of all requests. */
  weight: number;
}

const TYPE_LETTERS: Record<string, RequestType> = { c: 'consultation', h: 'help', p: 'complaint', r: 'report', s: 'suggestion' };

let cached: { categories: Category[]; leaves: Leaf[] } | null = null;

export function loadTaxonomy(): { categories: Category[]; leaves: Leaf[] } {
  if (cached) return cached;
  const categories: Category[] = [];
  const leaves: Leaf[] = [];
  let top: { code: string; name: string; weight: number; season: Season | null; line: Leaf['line']; n: number } | null = null;
  let second: { code: string; name: string; unitKey: string; n: number } | null = null;
  let topCount = 0;
  for (const raw of TAXONOMY_TEXT.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const parts = line.replace(/^(##?|-)\s*/, '').split('|').map((s) => s.trim());
    if (line.startsWith('## ')) {
      if (!top) throw new Error(`taxonomy: second level before top: ${line}`);
      top.n++;
      second = { code: top.code + pad(top.n), name: parts[0], unitKey: parts[1], n: 0 };
      categories.push({ code: second.code, name: second.name, level: 2, parentCode: top.code, path: [top.name, second.name] });
    } else if (line.startsWith('# ')) {
      topCount++;
      const flags = Object.fromEntries((parts[2] ?? '').split(/\s+/).filter(Boolean).map((f) => f.split(':')));
      top = { code: pad(topCount), name: parts[0], weight: Number(parts[1]), season: (flags.season as Season) ?? null, line: (flags.line as Leaf['line']) ?? null, n: 0 };
      second = null;
      categories.push({ code: top.code, name: top.name, level: 1, parentCode: null, path: [top.name] });
    } else if (line.startsWith('- ')) {
      if (!top || !second) throw new Error(`taxonomy: leaf before parents: ${line}`);
      second.n++;
      const code = second.code + pad(second.n);
      const typeWeights: Record<RequestType, number> = { consultation: 0, help: 0, complaint: 0, report: 0, suggestion: 0, praise: 0 };
      for (const t of (parts[2] ?? 'p1').split(/\s+/)) typeWeights[TYPE_LETTERS[t[0]]] += Number(t.slice(1));
      const path = [top.name, second.name, parts[0]];
      const leaf: Leaf = {
        code, name: parts[0], level: 3, parentCode: second.code, path,
        topCode: top.code, topName: top.name, secondName: second.name,
        problems: parts[1].split(';').map((s) => s.trim()).filter(Boolean),
        typeWeights,
        unitKey: parts[3] || second.unitKey,
        season: ((parts[4] as Season) || top.season) ?? null,
        line: top.line,
        weight: 0,
      };
      categories.push(leaf);
      leaves.push(leaf);
    }
  }
  // A top category's weight is shared among its leaves.
  for (const l of leaves) {
    const siblings = leaves.filter((x) => x.topCode === l.topCode).length;
    const topWeight = Number(TAXONOMY_TEXT.match(new RegExp(`^# ${l.topName} \\| ([\\d.]+)`, 'm'))![1]);
    l.weight = topWeight / siblings;
  }
  cached = { categories, leaves };
  return cached;
}

const pad = (n: number) => String(n).padStart(2, '0');
