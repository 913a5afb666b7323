// Hashed text features: character 1–3-grams and jieba word uni/bi-grams, each hashed (FNV-1a, per-kind seed)
// into 32-bit ids. The hot path builds no substrings and no maps: ids go into a typed array, are sorted and
// run-length counted.
import { words } from './text.ts';

const FNV = 0x01000193;
const SEED_CHAR = 0x811c9dc5;
const SEED_WORD = 0x2f5a3b17;
const SEED_BIGRAM = 0x6d2b79f5;

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

// Spaces and punctuation break character n-grams (ASCII punctuation except '.', CJK and full-width symbols).
const isSkip = (c: number) =>
  c === 32 || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xff0f) || (c >= 0x21 && c <= 0x2f && c !== 0x2e) || (c >= 0x3a && c <= 0x40) || (c >= 0x2010 && c <= 0x206f);

let scratch = new Uint32Array(4096);

/** Calls emit(id, start, length, isWord, word index) for each n-gram occurrence. */
function forEachGram(text: string, ws: string[], emit: (id: number, kind: 'c' | 'w' | 'b', a: number, b: number) => void): void {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c0 = text.charCodeAt(i);
    if (isSkip(c0)) continue;
    let h = mix(SEED_CHAR, c0);
    emit(h, 'c', i, 1);
    if (i + 1 >= n) continue;
    const c1 = text.charCodeAt(i + 1);
    if (isSkip(c1)) continue;
    h = mix(h, c1);
    emit(h, 'c', i, 2);
    if (i + 2 >= n) continue;
    const c2 = text.charCodeAt(i + 2);
    if (isSkip(c2)) continue;
    emit(mix(h, c2), 'c', i, 3);
  }
  let prev = 0;
  for (let i = 0; i < ws.length; i++) {
    const hw = hashString(ws[i], SEED_WORD);
    emit(hw, 'w', i, 0);
    if (i > 0) emit(mix(mix(SEED_BIGRAM, prev), hw), 'b', i, 0);
    prev = hw;
  }
}

/** Writes the hashed n-gram ids of a normalised text into a shared scratch array (chars first, then words). */
export function gramIds(text: string): { buf: Uint32Array; m: number; charCount: number } {
  const ws = words(text);
  const n = text.length;
  const cap = n * 3 + ws.length * 2 + 8;
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
  for (let i = 0; i < ws.length; i++) {
    const hw = hashString(ws[i], SEED_WORD);
    buf[m++] = hw;
    if (i > 0) buf[m++] = mix(mix(SEED_BIGRAM, prev), hw);
    prev = hw;
  }
  return { buf, m, charCount };
}

/** Distinct features of one normalised text with their counts (training path). */
export function extractFeatures(text: string): FeatureBag {
  const { buf, m, charCount } = gramIds(text);
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
export function featureNames(text: string, into: Map<number, string>): void {
  const ws = words(text);
  forEachGram(text, ws, (id, kind, a, b) => {
    if (into.has(id)) return;
    if (kind === 'c') into.set(id, text.slice(a, a + b));
    else if (kind === 'w') into.set(id, ws[a]);
    else into.set(id, `${ws[a - 1]} ${ws[a]}`);
  });
}
