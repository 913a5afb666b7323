// Text normalisation and segmentation shared by every tagger. One jieba instance per thread, with a user
// dictionary of place and compound names added at run time (so 魅力之城 stays one token).
import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';

const require = createRequire(import.meta.url);

/** Longest text we analyse; longer input is cut here (a request is a few hundred characters). */
export const MAX_ANALYSED_CHARS = 5000;

let jieba: Jieba | null = null;
const userWords = new Set<string>();

export function segmenter(): Jieba {
  if (!jieba) {
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    jieba = Jieba.withDict(dict);
  }
  return jieba;
}

/** Adds words (place names, compound names and aliases) to the user dictionary; idempotent. */
export function addUserWords(words: Iterable<string>, tag = 'ns'): number {
  const fresh: string[] = [];
  for (const w of words) {
    const s = w.trim();
    if (s.length >= 2 && !/\s/.test(s) && !userWords.has(s)) {
      userWords.add(s);
      fresh.push(`${s} 200000 ${tag}`);
    }
  }
  if (fresh.length) segmenter().loadDict(Buffer.from(fresh.join('\n') + '\n'));
  return fresh.length;
}

// C0/C1 control characters (except tab/newline) and zero-width/bidi marks carry no meaning.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g;

/** NFKC (full-width → half-width), lower case, control characters removed, whitespace collapsed, length capped. */
export function normalizeText(raw: string): string {
  let s = raw.length > MAX_ANALYSED_CHARS * 2 ? raw.slice(0, MAX_ANALYSED_CHARS * 2) : raw;
  s = s.normalize('NFKC').replace(CONTROL, '').toLowerCase().replace(/\s+/g, ' ').trim();
  if (s.length > MAX_ANALYSED_CHARS) s = s.slice(0, MAX_ANALYSED_CHARS);
  return s;
}

export const hasChinese = (s: string) => /[\u3400-\u9fff]/.test(s);

/** jieba words without whitespace and punctuation. */
export function words(normalized: string): string[] {
  const out: string[] = [];
  for (const w of segmenter().cut(normalized, false)) {
    const c = w.charCodeAt(0);
    // Keep words that start with a letter, digit or CJK character (drops spaces and punctuation).
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x3400 && c <= 0x9fff) || (c > 0x7f && /[\p{L}\p{N}]/u.test(w))) out.push(w);
  }
  return out;
}
