// Text features for emerging topics: jieba words (stop words and single characters dropped) and MinHash
// signatures over character 3-shingles, banded for LSH.
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { bandKey, jaccardEstimate, LSH_BANDS, MINHASH_SIZE, minhashSignature } from '../shared/minhash.ts';

export { jaccardEstimate };

let jieba: Jieba | null = null;
function segmenter(): Jieba {
  if (!jieba) jieba = Jieba.withDict(dict);
  return jieba;
}

const STOP = new Set(
  '我们 你们 他们 这个 那个 什么 怎么 为什么 可以 没有 一个 问题 反映 关于 请问 希望 相关 部门 领导 你好 您好 谢谢 现在 已经 还是 但是 因为 所以 如果 就是 这样 这些 那些 非常 严重 情况 进行 要求 咨询 投诉 举报 建议 市民 居民 我们 自己 时候 能够 是否 以及 一直 不能 不是 目前 多次 以上 这里 那里 请求 尽快 处理 解决 政府 有关'.split(' '),
);

/** Content words of a text (≥ 2 characters, no digits-only tokens, no stop words). */
export function words(text: string): string[] {
  return segmenter()
    .cut(text, true) // HMM on: new words (a new app's name) come out whole
    .filter((w) => w.length >= 2 && !STOP.has(w) && /[\u4e00-\u9fffA-Za-z]/.test(w) && !/^[A-Za-z]?\d+$/.test(w));
}

/**
 * Terms of a text as ids into one process-wide dictionary: content words and adjacent word pairs (a new
 * scheme is often new only as a phrase: 燃气灶 + 回收补贴), distinct, cached per case id (daily and
 * incremental runs see the same cases again). Counting integer ids keeps a run over a month of texts cheap.
 */
const QUOTED = /[“"「『《]([\u4e00-\u9fffA-Za-z0-9]{2,12})[”"」』》]/g;
const termIndex = new Map<string, number>();
const termNames: string[] = [];
/** The two words of a word-pair term (−1, −1 for a word or a quoted name). */
const termParts: number[] = [];
const termCache = new Map<number, Int32Array>();
export function caseTerms(id: number, text: string): Int32Array {
  let ids = termCache.get(id);
  if (!ids) {
    const w = words(text);
    const terms = new Set(w);
    for (let i = 0; i + 1 < w.length; i++) terms.add(w[i] + w[i + 1]);
    // a short name in quotes or title marks is one term whole: the segmenter splits an unknown name (聚联贷 →
    // 聚 + 联贷) and the shared part would join different apps of one naming pattern
    for (const m of text.matchAll(QUOTED)) terms.add(m[1]);
    if (termCache.size >= 600_000) termCache.clear();
    const idOf = (t: string) => {
      let k = termIndex.get(t);
      if (k === undefined) { termIndex.set(t, (k = termNames.length)); termNames.push(t); termParts.push(-1, -1); }
      return k;
    };
    for (let i = 0; i + 1 < w.length; i++) {
      const k = idOf(w[i] + w[i + 1]);
      if (termParts[2 * k] < 0) { termParts[2 * k] = idOf(w[i]); termParts[2 * k + 1] = idOf(w[i + 1]); }
    }
    ids = Int32Array.from(terms, idOf);
    termCache.set(id, ids);
  }
  return ids;
}

/** Called before a run collects term ids: a dictionary grown too large restarts (with its cache) between runs, never inside one. */
export function startTermRun(): void {
  if (termNames.length >= 4_000_000) { termCache.clear(); termIndex.clear(); termNames.length = 0; termParts.length = 0; dictionaryGeneration++; }
}

let dictionaryGeneration = 0;
/** Moves on each time the dictionary restarts: term ids kept from before are then meaningless. */
export const termGeneration = () => dictionaryGeneration;

/** Size of the term dictionary (term ids are below it). */
export const termCount = () => termNames.length;
export const termName = (k: number) => termNames[k];
export const termId = (term: string) => termIndex.get(term);
/** The words of a word-pair term, or null. */
export const pairParts = (k: number): [number, number] | null => (termParts[2 * k] >= 0 ? [termParts[2 * k], termParts[2 * k + 1]] : null);

/** Adds place and compound names so that they segment as one word. */
export function addWords(names: string[]): void {
  if (names.length) segmenter().loadDict(Buffer.from(names.map((n) => `${n} 100000 ns`).join('\n')));
}

/** MinHash signature over character 3-shingles of the text with punctuation and digits removed. */
const sigCache = new Map<string, Uint32Array>();
export function minhash(text: string): Uint32Array {
  const hit = sigCache.get(text);
  if (hit) return hit;
  const sig = computeMinhash(text);
  if (sigCache.size >= 600_000) sigCache.clear();
  sigCache.set(text, sig);
  return sig;
}

const EMPTY_SIGNATURE = new Uint32Array(MINHASH_SIZE).fill(0xffffffff);

function computeMinhash(text: string): Uint32Array {
  return minhashSignature(text.replace(/[^\u4e00-\u9fffA-Za-z]/g, '')) ?? EMPTY_SIGNATURE;
}

/** Band keys for LSH buckets (each names its band: one map holds all bands). */
export function bandKeys(sig: Uint32Array): number[] {
  const keys: number[] = [];
  for (let b = 0; b < LSH_BANDS; b++) keys.push(bandKey(sig, b));
  return keys;
}
