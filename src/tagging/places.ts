// Place gazetteer built from the divisions and compounds tables: full names, aliases and short forms
// (岳麓区 → 岳麓, 万科魅力之城小区 → 魅力之城), longest match over address then text, normalised to codes
// with the parent chain filled (compound → community → street → district).
import type { Db } from '../store/db.ts';
import { addUserWords } from './text.ts';

type Level = 'district' | 'street' | 'community' | 'compound' | 'road' | 'landmark';

interface Entry {
  surface: string;
  level: Level;
  code: string; // division code or compound id
  name: string; // official name
  communityCode?: string;
  exact: boolean; // the full official name (not an alias or short form)
}

export interface Division {
  code: string;
  name: string;
  level: string;
  parent_code: string | null;
}

export interface CompoundRow {
  id: string;
  name: string;
  aliases: string[] | null;
  kind: string;
  community_code: string;
}

export interface PlaceMatch {
  text: string;
  level: Level;
  code: string;
  name: string;
  source: 'address' | 'text';
}

export interface PlaceResult {
  districtCode: string | null;
  districtName: string | null;
  streetCode: string | null;
  streetName: string | null;
  communityCode: string | null;
  communityName: string | null;
  compoundId: string | null;
  compoundName: string | null;
  road: { id: string; name: string } | null;
  matched: PlaceMatch[];
  confidence: number;
}

const RANK: Record<Level, number> = { compound: 5, landmark: 4, road: 4, community: 3, street: 2, district: 1 };

export class Gazetteer {
  // Entries by their first two characters (one-character surfaces by that character): a scan position
  // compares a handful of candidates instead of every name starting with a common character (长, 新…).
  private byPrefix = new Map<string, Entry[]>();
  private divisions = new Map<string, Division>();
  readonly size: number;
  /** Every surface form, for the jieba user dictionary (also of training workers). */
  readonly words: string[];

  constructor(
    divisions: Division[],
    compounds: CompoundRow[],
    /** The rows it was built from (a tagging thread builds the same gazetteer from them). */
    readonly source = { divisions, compounds },
  ) {
    const entries: Entry[] = [];
    for (const d of divisions) {
      this.divisions.set(d.code, d);
      if (d.level === 'city') continue;
      const level = d.level as Level;
      entries.push({ surface: d.name, level, code: d.code, name: d.name, exact: true });
      const short = d.name.replace(level === 'district' ? /(区|县|市)$/ : level === 'street' ? /(街道|街道办事处|镇|乡)$/ : /(社区居委会|居委会|社区|村委会|村)$/, '');
      if (short !== d.name && short.length >= 2) entries.push({ surface: short, level, code: d.code, name: d.name, exact: false });
    }
    for (const c of compounds) {
      const level = (c.kind === 'road' ? 'road' : c.kind === 'landmark' ? 'landmark' : 'compound') as Level;
      const base = { level, code: c.id, name: c.name, communityCode: c.community_code };
      entries.push({ ...base, surface: c.name, exact: true });
      for (const a of c.aliases ?? []) if (a && a.length >= 2) entries.push({ ...base, surface: a, exact: false });
      const short = c.name.replace(/(小区|花园|公寓)$/, '');
      if (short !== c.name && short.length >= 3) entries.push({ ...base, surface: short, exact: false });
    }
    for (const e of entries) {
      const k = e.surface.slice(0, 2);
      (this.byPrefix.get(k) ?? this.byPrefix.set(k, []).get(k)!).push(e);
    }
    for (const list of this.byPrefix.values()) list.sort((a, b) => b.surface.length - a.surface.length || Number(b.exact) - Number(a.exact));
    this.size = entries.length;
    this.words = [...new Set(entries.map((e) => e.surface))];
    addUserWords(this.words);
  }

  static async load(db: Db): Promise<Gazetteer> {
    const [divisions, compounds] = await Promise.all([
      db.query<Division>('SELECT code, name, level, parent_code FROM divisions'),
      db.query<CompoundRow>('SELECT id, name, aliases, kind, community_code FROM compounds'),
    ]);
    return new Gazetteer(divisions, compounds);
  }

  /** Longest non-overlapping matches in a text; every reading of an ambiguous surface is kept. */
  private scan(text: string, source: 'address' | 'text'): { surface: string; entries: Entry[]; source: 'address' | 'text' }[] {
    const out: { surface: string; entries: Entry[]; source: 'address' | 'text' }[] = [];
    const match = (list: Entry[] | undefined, i: number) => {
      let hit: Entry[] | null = null;
      for (const e of list ?? []) {
        if (hit && e.surface.length < hit[0].surface.length) break;
        if (text.startsWith(e.surface, i)) (hit ??= []).push(e);
      }
      return hit;
    };
    for (let i = 0; i < text.length; ) {
      const hit = match(this.byPrefix.get(text.slice(i, i + 2)), i) ?? match(this.byPrefix.get(text[i]), i);
      if (hit) {
        out.push({ surface: hit[0].surface, entries: hit, source });
        i += hit[0].surface.length;
      } else i++;
    }
    return out;
  }

  private chain(code: string | undefined): Map<string, Division> {
    const byLevel = new Map<string, Division>();
    for (let c = code, guard = 0; c && guard < 10; guard++) {
      const d = this.divisions.get(c);
      if (!d) break;
      byLevel.set(d.level, d);
      c = d.parent_code ?? undefined;
    }
    return byLevel;
  }

  resolve(text: string, address?: string | null): PlaceResult {
    const found = [...(address ? this.scan(address, 'address') : []), ...this.scan(text, 'text')];
    const result: PlaceResult = {
      districtCode: null, districtName: null, streetCode: null, streetName: null, communityCode: null, communityName: null,
      compoundId: null, compoundName: null, road: null, matched: [], confidence: 0,
    };
    if (!found.length) return result;
    // Divisions named explicitly constrain ambiguous compounds and short forms.
    const named = new Set<string>();
    for (const f of found) for (const e of f.entries) if (e.exact && (e.level === 'district' || e.level === 'street' || e.level === 'community')) named.add(e.code);
    const consistency = new Map<Entry, number>();
    const consistent = (e: Entry) => {
      let v = consistency.get(e);
      if (v === undefined) {
        v = named.size && [...this.chain(e.communityCode ?? e.code).values()].some((d) => named.has(d.code)) ? 1 : 0;
        consistency.set(e, v);
      }
      return v;
    };
    let best: { entry: Entry; surface: string; source: 'address' | 'text'; score: number } | null = null;
    let road: Entry | null = null;
    for (const f of found) {
      const e = [...f.entries].sort((a, b) => consistent(b) - consistent(a) || Number(b.exact) - Number(a.exact))[0];
      result.matched.push({ text: f.surface, level: e.level, code: e.code, name: e.name, source: f.source });
      if (e.level === 'road' && !road) road = e;
      const score = RANK[e.level] * 10 + (e.exact ? 2 : 0) + (f.source === 'address' ? 1 : 0) + consistent(e) * 3 - (f.entries.length > 1 ? 2 : 0);
      if (!best || score > best.score) best = { entry: e, surface: f.surface, source: f.source, score };
    }
    if (road) result.road = { id: road.code, name: road.name };
    const e = best!.entry;
    if (e.level === 'compound' || e.level === 'landmark' || e.level === 'road') {
      if (e.level !== 'road') {
        result.compoundId = e.code;
        result.compoundName = e.name;
      }
    }
    const chain = this.chain(e.communityCode ?? e.code);
    const set = (lvl: 'district' | 'street' | 'community') => {
      const d = chain.get(lvl);
      if (!d) return;
      if (lvl === 'district') Object.assign(result, { districtCode: d.code, districtName: d.name });
      if (lvl === 'street') Object.assign(result, { streetCode: d.code, streetName: d.name });
      if (lvl === 'community') Object.assign(result, { communityCode: d.code, communityName: d.name });
    };
    set('district');
    set('street');
    set('community');
    const ambiguous = found.find((f) => f.surface === best!.surface)!.entries.length > 1;
    result.confidence = Math.round(Math.min(0.98, 0.5 + RANK[e.level] * 0.08 + (e.exact ? 0.05 : 0) + (best!.source === 'address' ? 0.05 : 0) - (ambiguous ? 0.25 : 0)) * 100) / 100;
    return result;
  }
}
