// Hashed text features: character 1–3-grams and word uni/bi-grams, each hashed (FNV-1a, per-kind seed) into
// 32-bit ids. Words come from forward maximum matching against the model's lexicon (the words jieba found in
// the training texts, gazetteer names included), so prediction needs no call into jieba: the hot path builds no
// substrings and no maps, ids go into a typed array.
import { words } from './text.ts';

const FNV = 0x01000193;
const SEED_CHAR = 0x811c9dc5;
const SEED_WORD = 0x2f5a3b17;
const SEED_BIGRAM = 0x6d2b79f5;
/** Longest lexicon word matched, in UTF-16 units. */
const MAX_WORD = 8;

const mix = (h: number, c: number) => Math.imul(h ^ c, FNV) >>> 0;

export function hashString(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return h;
}

export interface FeatureBag {
  ids: Uint32Array;
  counts: Uint16Array;
  /** ids[0..charEnd) are character n-grams, the rest words: each block is normalised on its own. */
  charEnd: number;
}

// Spaces and punctuation break character n-grams and words (ASCII punctuation except '.', CJK and full-width symbols).
const isSkip = (c: number) =>
  c === 32 || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xff0f) || (c >= 0x21 && c <= 0x2f && c !== 0x2e) || (c >= 0x3a && c <= 0x40) || (c >= 0x2010 && c <= 0x206f);

const IS_WORD = 1;
const IS_PREFIX = 2;

/** Word hashes and their prefixes in one open-addressing table: [hash, flags] pairs, flags 0 = empty. */
export class Lexicon {
  readonly words: string[];
  private cells: Int32Array;
  private mask: number;
  private shift: number;

  constructor(list: Iterable<string>) {
    this.words = [...new Set([...list].filter((w) => w.length >= 2 && w.length <= MAX_WORD))].sort();
    let bits = 4;
    while (1 << bits < this.words.length * MAX_WORD * 2) bits++;
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    this.cells = new Int32Array(2 << bits);
    for (const w of this.words) {
      let h = SEED_WORD;
      for (let i = 0; i < w.length; i++) {
        h = mix(h, w.charCodeAt(i));
        this.mark(h, i === w.length - 1 ? IS_WORD : IS_PREFIX);
      }
    }
  }

  private mark(h: number, flag: number): void {
    let s = Math.imul(h, 0x9e3779b1) >>> this.shift;
    while (this.cells[2 * s + 1] !== 0 && this.cells[2 * s] !== (h | 0)) s = (s + 1) & this.mask;
    this.cells[2 * s] = h | 0;
    this.cells[2 * s + 1] |= flag;
  }

  flags(h: number): number {
    let s = Math.imul(h, 0x9e3779b1) >>> this.shift;
    const k = h | 0;
    for (;;) {
      const f = this.cells[2 * s + 1];
      if (f === 0 || this.cells[2 * s] === k) return f;
      s = (s + 1) & this.mask;
    }
  }

  /** The lexicon of a training corpus: jieba words (user dictionary included) in at least `minDf` texts. */
  static fromTexts(normalizedTexts: string[], minDf = 2): Lexicon {
    const df = new Map<string, number>();
    for (const t of normalizedTexts) for (const w of new Set(words(t))) if (w.length >= 2 && w.length <= MAX_WORD) df.set(w, (df.get(w) ?? 0) + 1);
    return new Lexicon([...df].filter(([, d]) => d >= minDf).map(([w]) => w));
  }
}

/** Forward maximum matching: calls emit(hash, start, length) for each word (a lexicon word or one character).
 * Without a lexicon (models stored before lexicons existed) the words are jieba's. */
function segment(text: string, lex: Lexicon | null, emit: (h: number, start: number, len: number) => void): void {
  if (!lex) {
    let at = 0;
    for (const w of words(text)) {
      at = text.indexOf(w, at);
      emit(hashString(w, SEED_WORD), at, w.length);
      at += w.length;
    }
    return;
  }
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c0 = text.charCodeAt(i);
    if (isSkip(c0)) {
      i++;
      continue;
    }
    let h = mix(SEED_WORD, c0);
    let best = 1;
    let bestH = h;
    let fl = lex.flags(h);
    for (let L = 2; L <= MAX_WORD && i + L <= n && fl & IS_PREFIX; L++) {
      const c = text.charCodeAt(i + L - 1);
      if (isSkip(c)) break;
      h = mix(h, c);
      fl = lex.flags(h);
      if (fl & IS_WORD) {
        best = L;
        bestH = h;
      }
    }
    emit(bestH, i, best);
    i += best;
  }
}

let scratch = new Uint32Array(4096);

/** Writes the hashed n-gram ids of a normalised text into a shared scratch array (chars first, then words). */
export function gramIds(text: string, lex: Lexicon | null): { buf: Uint32Array; m: number; charCount: number } {
  const n = text.length;
  const cap = n * 5 + 8;
  if (scratch.length < cap) scratch = new Uint32Array(cap * 2);
  const buf = scratch;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const c0 = text.charCodeAt(i);
    if (isSkip(c0)) continue;
    let h = mix(SEED_CHAR, c0);
    buf[m++] = h;
    if (i + 1 >= n) continue;
    const c1 = text.charCodeAt(i + 1);
    if (isSkip(c1)) continue;
    h = mix(h, c1);
    buf[m++] = h;
    if (i + 2 >= n) continue;
    const c2 = text.charCodeAt(i + 2);
    if (isSkip(c2)) continue;
    buf[m++] = mix(h, c2);
  }
  const charCount = m;
  let prev = 0;
  let first = true;
  segment(text, lex, (hw) => {
    buf[m++] = hw;
    if (!first) buf[m++] = mix(mix(SEED_BIGRAM, prev), hw);
    first = false;
    prev = hw;
  });
  return { buf, m, charCount };
}

/** Distinct features of one normalised text with their counts (training path). */
export function extractFeatures(text: string, lex: Lexicon | null): FeatureBag {
  const { buf, m, charCount } = gramIds(text, lex);
  const ids = new Uint32Array(m);
  const counts = new Uint16Array(m);
  let u = 0;
  const runs = (arr: Uint32Array) => {
    const first = u;
    for (let i = 0; i < arr.length; i++) {
      if (u > first && ids[u - 1] === arr[i]) {
        if (counts[u - 1] < 65535) counts[u - 1]++;
      } else {
        ids[u] = arr[i];
        counts[u++] = 1;
      }
    }
  };
  runs(buf.subarray(0, charCount).sort());
  const charEnd = u;
  runs(buf.subarray(charCount, m).sort());
  return { ids: ids.subarray(0, u), counts: counts.subarray(0, u), charEnd };
}

/** The n-gram text behind each id of a text (slow path: training vocabulary and evidence). */
export function featureNames(text: string, lex: Lexicon | null, into: Map<number, string>): void {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    let h = SEED_CHAR;
    for (let len = 1; len <= 3 && i + len <= n; len++) {
      const c = text.charCodeAt(i + len - 1);
      if (isSkip(c)) break;
      h = mix(h, c);
      if (!into.has(h)) into.set(h, text.slice(i, i + len));
    }
  }
  let prev: { h: number; w: string } | null = null;
  segment(text, lex, (h, start, len) => {
    const w = text.slice(start, start + len);
    if (!into.has(h)) into.set(h, w);
    if (prev) {
      const b = mix(mix(SEED_BIGRAM, prev.h), h);
      if (!into.has(b)) into.set(b, `${prev.w} ${w}`);
    }
    prev = { h, w };
  });
}
