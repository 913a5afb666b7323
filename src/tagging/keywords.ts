// Keywords: TF-IDF over jieba words, idf from the tagging corpus (stored with the model) or, before any
// model exists, jieba's bundled idf table. Stop words and single characters are skipped.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { words } from './text.ts';

const STOP = new Set('我们 你们 他们 这个 那个 一个 没有 可以 就是 还是 但是 因为 所以 如果 什么 怎么 现在 已经 自己 这样 问题 相关 部门 希望 请问 领导 您好 你好 尊敬 政府 进行 要求 情况 反映 目前 时间 一直 多次 今年 去年 市民 本人 非常 之前 这些 那些 由于 对于 关于 以及 而且 然后 不是 不能 不会 需要 是否 导致 造成 出现 影响 希望 能够 以上 以下 里面 这里 那里 得到 给予 谢谢 感谢'.split(' '));

let fallbackIdf: Map<string, number> | null = null;
let fallbackMedian = 10;

function bundledIdf(): Map<string, number> {
  if (fallbackIdf) return fallbackIdf;
  fallbackIdf = new Map();
  try {
    const require = createRequire(import.meta.url);
    const file = path.join(path.dirname(require.resolve('@node-rs/jieba/package.json')), 'idf.txt');
    const values: number[] = [];
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const sp = line.lastIndexOf(' ');
      if (sp > 0) {
        const v = Number(line.slice(sp + 1));
        fallbackIdf.set(line.slice(0, sp), v);
        values.push(v);
      }
    }
    values.sort((a, b) => a - b);
    fallbackMedian = values[values.length >> 1] ?? 10;
  } catch {
    /* without the table every word weighs the same */
  }
  return fallbackIdf;
}

export interface CorpusIdf {
  docs: number;
  df: Record<string, number>;
}

/** Document frequencies of words (≥ 2 documents), kept with a model for keyword extraction. */
export function corpusIdf(normalizedTexts: string[], maxWords = 40_000): CorpusIdf {
  const df = new Map<string, number>();
  for (const t of normalizedTexts) for (const w of new Set(words(t))) if (w.length >= 2) df.set(w, (df.get(w) ?? 0) + 1);
  const kept = [...df.entries()].filter(([, d]) => d >= 2).sort((a, b) => b[1] - a[1]).slice(0, maxWords);
  return { docs: normalizedTexts.length, df: Object.fromEntries(kept) };
}

// The document frequencies as a Map: looking words up in an object of 40,000 keys took V8's slow (megamorphic,
// string-table) path: ≈ 3 % of a tagging thread's time in a profile of bench intake.
const dfMaps = new WeakMap<CorpusIdf, Map<string, number>>();
const dfMap = (c: CorpusIdf) => dfMaps.get(c) ?? dfMaps.set(c, new Map(Object.entries(c.df))).get(c)!;

export function extractKeywords(normalized: string, k = 5, corpus?: CorpusIdf | null): { word: string; weight: number }[] {
  const tf = new Map<string, number>();
  for (const w of words(normalized)) {
    if (w.length < 2 || STOP.has(w) || /^[\d.]+$/.test(w)) continue;
    tf.set(w, (tf.get(w) ?? 0) + 1);
  }
  const df = corpus && corpus.docs > 50 ? dfMap(corpus) : null;
  const idfOf = (w: string) => {
    if (df) return Math.log((1 + corpus!.docs) / (1 + (df.get(w) ?? 0))) + 1;
    const table = bundledIdf();
    return table.get(w) ?? fallbackMedian;
  };
  return [...tf.entries()]
    .map(([word, n]) => ({ word, weight: Math.round((1 + Math.log(n)) * idfOf(word) * 100) / 100 }))
    .sort((a, b) => b.weight - a.weight || a.word.localeCompare(b.word))
    .slice(0, k);
}
