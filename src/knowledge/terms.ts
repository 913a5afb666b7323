// Chinese query terms for knowledge search: jieba's search-mode cut, minus stop words and single characters.
import { Jieba, TfIdf } from '@node-rs/jieba';
import { dict, idf } from '@node-rs/jieba/dict.js';

let jieba: Jieba | null = null;
let tfidf: TfIdf | null = null;
const seg = () => (jieba ??= Jieba.withDict(dict));

const STOP = new Set(['我们', '你们', '他们', '这个', '那个', '什么', '怎么', '如何', '为什么', '请问', '一下', '可以', '是否', '没有', '已经', '现在', '问题', '反映', '市民', '来电', '希望', '相关', '部门', '情况', '进行', '要求', '处理', '咨询', '你好', '您好', '谢谢']);

/** Distinct search terms of a query, longest first (at most `max`). ASCII words and numbers are kept. */
export function searchTerms(text: string, max = 8): string[] {
  const q = text.trim().slice(0, 200);
  if (!q) return [];
  const words = seg().cutForSearch(q, true).map((w) => w.trim()).filter((w) => (w.length >= 2 || /^[a-z0-9]$/i.test(w)) && !STOP.has(w) && !/^[\p{P}\p{S}\s]+$/u.test(w));
  return [...new Set(words)].sort((a, b) => b.length - a.length).slice(0, max);
}

/** TF-IDF keywords of an answer (for entries without staff-given keywords). */
export function extractKeywords(text: string, k = 5): string[] {
  tfidf ??= TfIdf.withDict(idf);
  return tfidf.extractKeywords(seg(), text.slice(0, 2000), k * 2).map((x) => x.keyword).filter((w) => w.length >= 2 && !STOP.has(w)).slice(0, k);
}
