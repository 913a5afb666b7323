// Emerging topics (苗头性): single-pass first-story clustering with MinHash/LSH on character shingles, and
// Kleinberg two-state burst detection on the daily document frequency of jieba words. A topic is emerging
// when a cluster that did not exist in the history (its first request is recent) gathers enough distinct
// people within a few days; its bursty words describe it.
import { bandKeys, jaccardEstimate, minhash, words } from './text.ts';

export interface Doc {
  id: string;
  /** Day index (any origin, increasing). */
  day: number;
  text: string;
  /** Distinct person (caller hash, user id); reposts of one person count once. */
  person?: string;
  category?: string | null;
  district?: string | null;
}

export interface TopicCluster {
  id: number;
  firstDay: number;
  lastDay: number;
  members: Doc[];
  persons: Set<string>;
  sigs: Uint32Array[];
}

/** Single-pass clustering: a document joins the cluster of its most similar recent document (LSH candidates). */
export class FirstStoryClusterer {
  clusters: TopicCluster[] = [];
  /** Documents of the history (addHistory) and those that join them: old topics, never emerging. */
  readonly history: TopicCluster = { id: -1, firstDay: -Infinity, lastDay: -Infinity, members: [], persons: new Set(), sigs: [] };
  private buckets = new Map<number, number[]>(); // band key → doc refs
  private docs: { sig: Uint32Array; cluster: number; day: number }[] = [];
  constructor(readonly threshold = 0.4, readonly memoryDays = 120) {}

  /** Indexes a document of the history without clustering it: later documents like it are not novel. */
  addHistory(doc: Doc): void {
    this.index(minhash(doc.text), -1, doc.day);
  }

  private index(sig: Uint32Array, cluster: number, day: number, keys = bandKeys(sig)): void {
    const ref = this.docs.push({ sig, cluster, day }) - 1;
    for (const k of keys) {
      const list = this.buckets.get(k);
      if (list) { list.push(ref); if (list.length > 64) list.splice(0, list.length - 32); }
      else this.buckets.set(k, [ref]);
    }
  }

  add(doc: Doc): { cluster: TopicCluster; novel: boolean } {
    const sig = minhash(doc.text);
    const keys = bandKeys(sig);
    let bestDoc = -1, best = 0;
    const seen = new Set<number>();
    search: for (const k of keys) {
      const list = this.buckets.get(k);
      if (!list) continue;
      // the most recent few of a bucket suffice: a busy bucket is an old topic, first fit is enough there
      for (let q = list.length - 1; q >= Math.max(0, list.length - 8); q--) {
        const d = list[q];
        if (seen.has(d)) continue;
        seen.add(d);
        const ref = this.docs[d];
        if (doc.day - ref.day > this.memoryDays) continue;
        const j = jaccardEstimate(sig, ref.sig);
        if (j > best) { best = j; bestDoc = d; }
        if (best >= 0.8) break search;
      }
    }
    let cluster: TopicCluster;
    let novel = false;
    if (bestDoc >= 0 && best >= this.threshold && this.docs[bestDoc].cluster < 0) {
      this.index(sig, -1, doc.day, keys);
      return { cluster: this.history, novel: false };
    }
    if (bestDoc >= 0 && best >= this.threshold) cluster = this.clusters[this.docs[bestDoc].cluster];
    else {
      cluster = { id: this.clusters.length, firstDay: doc.day, lastDay: doc.day, members: [], persons: new Set(), sigs: [] };
      this.clusters.push(cluster);
      novel = true;
    }
    cluster.members.push(doc);
    cluster.lastDay = Math.max(cluster.lastDay, doc.day);
    cluster.persons.add(doc.person ?? doc.id);
    this.index(sig, cluster.id, doc.day, keys);
    return { cluster, novel };
  }
}

/**
 * Kleinberg's two-state automaton on r_t relevant out of d_t documents per day: state 1 emits at rate s·p0.
 * Returns the state sequence (Viterbi) — 1 marks burst days.
 */
export function kleinbergStates(r: ArrayLike<number>, d: ArrayLike<number>, s = 3, gamma = 1): Uint8Array {
  const n = r.length;
  let R = 0, D = 0;
  for (let t = 0; t < n; t++) { R += r[t]; D += d[t]; }
  const out = new Uint8Array(n);
  if (n === 0 || R === 0 || D === 0) return out;
  const p0 = R / D;
  const p1 = Math.min(0.9999, s * p0);
  const up = gamma * Math.log(n);
  const cost = (p: number, t: number) => -(r[t] * Math.log(p) + (d[t] - r[t]) * Math.log(1 - p));
  let c0 = cost(p0, 0), c1 = cost(p1, 0) + up;
  const back = new Uint8Array(n * 2);
  for (let t = 1; t < n; t++) {
    const n0from0 = c0, n0from1 = c1;
    const n1from0 = c0 + up, n1from1 = c1;
    back[t * 2] = n0from1 < n0from0 ? 1 : 0;
    back[t * 2 + 1] = n1from0 < n1from1 ? 0 : 1;
    c0 = Math.min(n0from0, n0from1) + cost(p0, t);
    c1 = Math.min(n1from0, n1from1) + cost(p1, t);
  }
  let st = c1 < c0 ? 1 : 0;
  for (let t = n - 1; t >= 0; t--) {
    out[t] = st;
    st = back[t * 2 + st];
  }
  return out;
}

export interface EmergingOptions {
  /** Days over which a new topic must gather its members. */
  windowDays?: number; // 3
  /** Distinct people needed. */
  minPersons?: number; // 8
  /** Clusters older than this (first request) are not emerging any more. */
  maxAgeDays?: number; // 14
}

export interface EmergingTopic {
  cluster: TopicCluster;
  keywords: string[];
  /** Words in a Kleinberg burst on the last day. */
  burstWords: string[];
  categories: string[];
  districts: string[];
}

/** Ranks a cluster's words by frequency in the cluster against their frequency in the background. */
export function clusterKeywords(cluster: TopicCluster, background: Map<string, number>, backgroundDocs: number, top = 5): string[] {
  const tf = new Map<string, number>();
  for (const m of cluster.members) for (const w of new Set(words(m.text))) tf.set(w, (tf.get(w) ?? 0) + 1);
  const n = cluster.members.length;
  return [...tf.entries()]
    .map(([w, c]) => [w, (c / n) * Math.log((backgroundDocs + 1) / ((background.get(w) ?? 0) + 1))] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([w]) => w);
}

/**
 * Emerging topics on `today`: clusters born within maxAgeDays that reached minPersons distinct people within
 * windowDays of their first request. Call after adding every document up to today.
 */
export function emergingTopics(clusterer: FirstStoryClusterer, today: number, opts: EmergingOptions = {}): TopicCluster[] {
  const win = opts.windowDays ?? 3, minP = opts.minPersons ?? 8, age = opts.maxAgeDays ?? 14;
  const out: TopicCluster[] = [];
  for (let i = clusterer.clusters.length - 1; i >= 0; i--) {
    const c = clusterer.clusters[i];
    if (today - c.firstDay > age) continue;
    if (c.members.length < minP) continue;
    // distinct people within any window of `win` days starting at or after the first request
    const byDay = c.members.slice().sort((a, b) => a.day - b.day);
    let ok = false;
    for (let s = 0, e = 0; s < byDay.length && !ok; s++) {
      const persons = new Set<string>();
      for (e = s; e < byDay.length && byDay[e].day - byDay[s].day < win; e++) persons.add(byDay[e].person ?? byDay[e].id);
      if (persons.size >= minP) ok = true;
    }
    if (ok) out.push(c);
  }
  return out;
}

/** Daily document frequency of words over docs (day index from 0 to days−1). */
export function wordDailyCounts(docs: Doc[], days: number): { perWord: Map<string, Int32Array>; totals: Int32Array } {
  const perWord = new Map<string, Int32Array>();
  const totals = new Int32Array(days);
  for (const d of docs) {
    if (d.day < 0 || d.day >= days) continue;
    totals[d.day]++;
    for (const w of new Set(words(d.text))) {
      let a = perWord.get(w);
      if (!a) perWord.set(w, (a = new Int32Array(days)));
      a[d.day]++;
    }
  }
  return { perWord, totals };
}

/** Words whose Kleinberg state is 'burst' on the last day, with at least minDocs documents in the last 3 days. */
export function burstingWords(perWord: Map<string, Int32Array>, totals: Int32Array, minDocs = 5): string[] {
  const n = totals.length;
  const out: [string, number][] = [];
  for (const [w, r] of perWord) {
    const recent = (r[n - 1] ?? 0) + (r[n - 2] ?? 0) + (r[n - 3] ?? 0);
    if (recent < minDocs) continue;
    const st = kleinbergStates(r, totals);
    if (st[n - 1]) out.push([w, recent]);
  }
  return out.sort((a, b) => b[1] - a[1]).map(([w]) => w);
}

/**
 * Bursty new terms: a word that was (almost) absent from the history and now appears in documents of at least
 * minPersons distinct people within windowDays — Kleinberg's automaton is in its burst state on such a day.
 * Words bursting together on the same documents form one topic.
 */
export class TermBurstDetector {
  private perWord = new Map<string, { day: number; doc: Doc }[]>();
  constructor(readonly historyDays = 28, readonly maxPrior = 1) {}

  add(doc: Doc, ws: string[] = words(doc.text)): void {
    for (const w of new Set(ws)) {
      let list = this.perWord.get(w);
      if (!list) this.perWord.set(w, (list = []));
      list.push({ day: doc.day, doc });
      if (list.length > 4000) list.splice(0, 2000);
    }
  }

  /** Topics whose words burst on `today`: members, words, persons. */
  topics(today: number, opts: EmergingOptions = {}): { words: string[]; members: Doc[]; persons: number; firstDay: number }[] {
    const win = opts.windowDays ?? 3, minP = opts.minPersons ?? 8;
    const hits: { w: string; docs: Doc[] }[] = [];
    for (const [w, list] of this.perWord) {
      let recent = 0;
      for (let i = list.length - 1; i >= 0 && list[i].day > today - win; i--) if (list[i].day <= today) recent++;
      if (recent < minP) continue;
      let prior = 0;
      for (const e of list) if (e.day <= today - win && e.day > today - win - this.historyDays) prior++;
      if (prior > this.maxPrior) continue;
      const docs = list.filter((e) => e.day > today - win && e.day <= today).map((e) => e.doc);
      const persons = new Set(docs.map((d) => d.person ?? d.id));
      if (persons.size < minP) continue;
      // Kleinberg on the word's daily counts over history + window confirms the burst on the last day
      const n = this.historyDays + win;
      const r = new Int32Array(n), d = new Int32Array(n).fill(Math.max(1, docs.length));
      for (const e of list) { const k = e.day - (today - n + 1); if (k >= 0 && k < n) r[k]++; }
      for (let k = 0; k < n; k++) d[k] = Math.max(d[k], r[k]);
      if (!kleinbergStates(r, d, 2, 0.5)[n - 1]) continue;
      hits.push({ w, docs });
    }
    // group words that share most documents
    hits.sort((a, b) => b.docs.length - a.docs.length);
    const topics: { words: string[]; ids: Set<string>; members: Doc[] }[] = [];
    for (const h of hits) {
      const ids = new Set(h.docs.map((d) => d.id));
      const t = topics.find((x) => { let s = 0; for (const id of ids) if (x.ids.has(id)) s++; return s >= Math.min(ids.size, x.ids.size) / 2; });
      if (t) { t.words.push(h.w); for (const d of h.docs) if (!t.ids.has(d.id)) { t.ids.add(d.id); t.members.push(d); } }
      else topics.push({ words: [h.w], ids, members: h.docs.slice() });
    }
    return topics.map((t) => ({ words: t.words, members: t.members, persons: new Set(t.members.map((d) => d.person ?? d.id)).size, firstDay: Math.min(...t.members.map((d) => d.day)) }));
  }
}
