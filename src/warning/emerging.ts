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
  private buckets = new Map<number, number[]>(); // band key → doc refs
  private docs: { sig: Uint32Array; cluster: number; day: number }[] = [];
  constructor(readonly threshold = 0.4, readonly memoryDays = 120) {}

  private index(sig: Uint32Array, cluster: number, day: number, keys = bandKeys(sig)): void {
    const ref = this.docs.push({ sig, cluster, day }) - 1;
    for (const k of keys) {
      const list = this.buckets.get(k);
      if (list) { list.push(ref); if (list.length > 64) list.splice(0, list.length - 32); }
      else this.buckets.set(k, [ref]);
    }
  }

  /** `sig`: the text's signature when the caller has it. */
  add(doc: Doc, sig = minhash(doc.text)): { cluster: TopicCluster; novel: boolean } {
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
export function clusterKeywords(cluster: TopicCluster, background: Pick<Map<string, number>, 'get'>, backgroundDocs: number, top = 5): string[] {
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

/** The documents a term-burst run reads: day index (0 … days−1, the last is today), term ids, person, place. */
export interface TermDocs {
  day: ArrayLike<number>;
  terms: ArrayLike<Int32Array>;
  /** Distinct person (caller hash, user id): one person repeating counts once. */
  person: ArrayLike<string>;
  /** Place index (street), −1 unknown: a new topic spreads over several places, none holding half of it. */
  place: ArrayLike<number>;
}

export interface TermBurstOptions {
  /** Longest burst window scanned (days ending today); everything before it is the term's history. */
  maxWindow?: number; // 14
  /** The null hypothesis: the window's rate is at most `ratio` × the history rate. */
  ratio?: number; // 1
  /** Novelty: the window's rate must also be ≥ minRatio × the history rate (Kleinberg's s; history count +½): a new topic, not a common word's swing. */
  minRatio?: number; // 5
  /** Family-wise chance of a false burst per run: Tarone's bound over every term × window. */
  alpha?: number; // 0.05
  minPersons?: number; // 5
  minPlaces?: number; // 3
}

export interface TermBurst {
  term: number;
  /** Days of the burst window (ending today). */
  window: number;
  /** Documents holding the term in the window. */
  docs: number[];
  persons: number;
  places: number;
  /** Documents holding it before the window, and what that rate predicts for the window (ratio 1). */
  history: number;
  expected: number;
  p: number;
}

const logFactorial: number[] = [0];
function lf(n: number): number {
  for (let k = logFactorial.length; k <= n; k++) logFactorial.push(logFactorial[k - 1] + Math.log(k));
  return logFactorial[n];
}

/** P(K ≥ k) for K ~ Binomial(m, p), summed from k up in log space (k above the mean: the terms shrink fast). */
export function binomialUpperTail(k: number, m: number, p: number): number {
  if (k <= 0) return 1;
  if (k > m) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const lp = Math.log(p), lq = Math.log1p(-p);
  let sum = 0;
  const first = lf(m) - lf(k) - lf(m - k) + k * lp + (m - k) * lq;
  for (let j = k; j <= m; j++) {
    const t = Math.exp(lf(m) - lf(j) - lf(m - j) + j * lp + (m - j) * lq - first);
    sum += t;
    if (t < 1e-12 * sum && j > m * p) break;
  }
  return Math.min(1, Math.exp(first) * sum);
}

/**
 * Bursty terms as of the last day. For each term and each window of w = 1 … maxWindow days ending today, the
 * exact conditional test of two Poisson rates: given the m documents holding the term over the whole span,
 * the window's share is Binomial(m, p0) under H0 "window rate ≤ ratio × history rate", with
 * p0 = ratio·N_w / (ratio·N_w + H_w) (N_w, H_w: all documents in and before the window). A burst must also be
 * new — its rate at least minRatio × the history's (Kleinberg's s): a new term has no history and bursts on a
 * few documents; a common word's swing or a seasonal drift is significant but not new. Long windows catch a
 * topic that ramps up slowly (its early days are not held against it).
 * Multiplicity: Tarone's modified Bonferroni — a term seen m times can at best reach p0^m, so only the tests
 * able to reach α/T count in T (hundreds of thousands of rare terms cost nothing). Counts are documents in the
 * first pass and distinct persons in the window for the candidates (one caller repeating is one).
 */
export interface TermBurstRun {
  bursts: TermBurst[];
  tests: number;
  pThreshold: number;
  /** Documents holding a term over the whole span, or in the last w days (w ≤ maxWindow). */
  count: (term: number, w?: number) => number;
}

export function termBursts(docs: TermDocs, days: number, o: TermBurstOptions = {}): TermBurstRun {
  const counts = new TermCounts(days, o.maxWindow);
  for (let i = 0; i < docs.day.length; i++) counts.add(docs.day[i], docs.terms[i]);
  return counts.bursts(o, (i) => docs.person[i], (i) => docs.place[i]);
}

/** The terms of a document taken out of TermCounts. */
const REMOVED = new Int32Array(0);

/**
 * The document counts termBursts tests, per term and slot (slot 0: before the longest window; slot j: day
 * `days − j`), kept as documents come and go: an incremental warning run adds the requests that arrived since
 * the last one instead of counting a month of texts again. Documents are numbered (refs) in the order added;
 * bursts name them by ref. Term ids are non-negative integers (text.ts's dictionary).
 */
export class TermCounts {
  readonly W: number;
  private readonly S: number;
  private compact = new Int32Array(1 << 12).fill(-1); // term id → compact term (−1: not met)
  private termOf: number[] = [];
  private counts = new Int32Array(1 << 16); // compact term × slot
  private total = new Int32Array(1 << 12); // compact term → documents over the span (m)
  private inWindow = new Int32Array(1 << 12); // compact term → documents in the longest window
  private perSlot: Float64Array;
  private docDay: number[] = [];
  private docTerms: ArrayLike<number>[] = []; // REMOVED: taken out
  private live = 0;
  /** Window documents by compact term, for terms that were candidates once (they usually are again next run). */
  private postings = new Map<number, number[]>();

  constructor(readonly days: number, maxWindow = 14) {
    this.W = Math.min(maxWindow, days - 1);
    this.S = Math.max(1, this.W + 1);
    this.perSlot = new Float64Array(this.S);
  }

  private slotOf(d: number): number {
    return d >= this.days - this.W ? this.days - d : 0;
  }

  private compactOf(t: number): number {
    if (t >= this.compact.length) { const g = new Int32Array(Math.max(t + 1, this.compact.length * 2)).fill(-1); g.set(this.compact); this.compact = g; }
    let c = this.compact[t];
    if (c < 0) {
      this.compact[t] = c = this.termOf.length;
      this.termOf.push(t);
      if ((c + 1) * this.S > this.counts.length) { const g = new Int32Array(this.counts.length * 2); g.set(this.counts); this.counts = g; }
      if (c >= this.total.length) {
        const grow = (a: Int32Array) => { const g = new Int32Array(a.length * 2); g.set(a); return g; };
        this.total = grow(this.total);
        this.inWindow = grow(this.inWindow);
      }
    }
    return c;
  }

  /** Adds a document of day `day` (0 … days−1; other days are kept but not counted); returns its ref. */
  add(day: number, terms: ArrayLike<number>): number {
    const ref = this.docDay.push(day) - 1;
    this.docTerms.push(terms);
    this.live++;
    this.tally(ref, 1);
    return ref;
  }

  remove(ref: number): void {
    if (this.docTerms[ref] === REMOVED) return;
    this.tally(ref, -1);
    this.docTerms[ref] = REMOVED;
    this.live--;
  }

  get size(): number {
    return this.live;
  }

  /** Whether a document is counted (added and not removed). */
  has(ref: number): boolean {
    return ref < this.docTerms.length && this.docTerms[ref] !== REMOVED;
  }

  dayOf(ref: number): number {
    return this.docDay[ref];
  }

  /** Each document's terms, by ref (none once removed). */
  get terms(): ArrayLike<ArrayLike<number>> {
    return this.docTerms;
  }

  private tally(ref: number, by: 1 | -1): void {
    const d = this.docDay[ref], ts = this.docTerms[ref];
    if (d < 0 || d >= this.days || this.W < 1) return;
    const s = this.slotOf(d);
    this.perSlot[s] += by;
    for (let j = 0; j < ts.length; j++) {
      const c = this.compactOf(ts[j]);
      this.counts[c * this.S + s] += by;
      this.total[c] += by;
      if (s > 0) {
        this.inWindow[c] += by;
        const list = this.postings.size ? this.postings.get(c) : undefined;
        if (list) { if (by > 0) list.push(ref); else list.splice(list.indexOf(ref), 1); }
      }
    }
  }

  /** Documents holding a term over the whole span, or in the last w days (w ≤ maxWindow). */
  readonly count = (term: number, w?: number): number => {
    const c = term >= 0 && term < this.compact.length ? this.compact[term] : -1;
    if (c < 0) return 0;
    if (w === undefined) return this.total[c];
    let k = 0;
    for (let s = 1; s <= w; s++) k += this.counts[c * this.S + s];
    return k;
  };

  /** The bursts as of the last day (see termBursts); a burst's docs are refs, person and place are read by ref. */
  bursts(o: TermBurstOptions, person: (ref: number) => string, place: (ref: number) => number): TermBurstRun {
    const { W, S, counts, perSlot, days } = this;
    const ratio = o.ratio ?? 1, minRatio = o.minRatio ?? 5, alpha = o.alpha ?? 0.05;
    const minPersons = o.minPersons ?? 5, minPlaces = o.minPlaces ?? 3;
    const count = this.count;
    if (W < 1 || this.live === 0) return { bursts: [], tests: 0, pThreshold: 0, count: () => 0 };
    const all = this.termOf.length;
    const total = perSlot.reduce((a, b) => a + b, 0);
    const p0 = new Float64Array(W + 1), share = new Float64Array(W + 1); // share: N_w / H_w
    for (let w = 1, Nw = 0; w <= W; w++) {
      Nw += perSlot[w];
      const Hw = total - Nw;
      p0[w] = Hw > 0 && Nw > 0 ? (ratio * Nw) / (ratio * Nw + Hw) : 1;
      share[w] = Hw > 0 ? Nw / Hw : Infinity;
    }
    const novel = (k: number, h: number, w: number) => k >= minRatio * (h + 0.5) * share[w];
    // Tarone: smallest T with #{(term, w) : p0_w^m ≤ α/T} ≤ T, from the histogram of m
    let mMax = 0, nTerms = 0;
    for (let c = 0; c < all; c++) { const m = this.total[c]; if (m > 0) { nTerms++; if (m > mMax) mMax = m; } }
    const atLeast = new Float64Array(mMax + 2); // terms seen ≥ m times
    for (let c = 0; c < all; c++) if (this.total[c] > 0) atLeast[this.total[c]]++;
    for (let m = mMax - 1; m >= 0; m--) atLeast[m] += atLeast[m + 1];
    const testable = (T: number) => {
      let k = 0;
      for (let w = 1; w <= W; w++) {
        if (p0[w] >= 1) continue;
        const mNeed = Math.max(1, Math.ceil(Math.log(alpha / T) / Math.log(p0[w]) - 1e-9));
        if (mNeed <= mMax) k += atLeast[mNeed];
      }
      return k;
    };
    let lo = 1, hi = Math.max(1, nTerms * W);
    while (lo < hi) { const mid = Math.floor((lo + hi) / 2); if (testable(mid) <= mid) hi = mid; else lo = mid + 1; }
    const tests = lo, pThreshold = alpha / tests;
    const logThr = Math.log(pThreshold);
    // candidates on document counts (≥ the persons' counts, so nothing is lost here); a term with fewer than
    // minPersons documents in the longest window cannot be one
    const kl = (x: number, p: number) => (x > 0 ? x * Math.log(x / p) : 0) + (x < 1 ? (1 - x) * Math.log((1 - x) / (1 - p)) : 0);
    const cand: number[] = [];
    for (let c = 0; c < all; c++) {
      if (this.inWindow[c] < minPersons) continue;
      const m = this.total[c];
      for (let w = 1, k = 0; w <= W; w++) {
        k += counts[c * S + w];
        if (k < minPersons || p0[w] >= 1 || k / m <= p0[w] || !novel(k, m - k, w)) continue;
        if (-m * kl(k / m, p0[w]) > logThr) continue; // Chernoff: cannot pass
        if (binomialUpperTail(k, m, p0[w]) <= pThreshold) { cand.push(c); break; }
      }
    }
    if (!cand.length) return { bursts: [], tests, pThreshold, count };
    const missing = new Set(cand.filter((c) => !this.postings.has(c)));
    if (missing.size) {
      for (const c of missing) this.postings.set(c, []);
      for (let ref = 0; ref < this.docDay.length; ref++) {
        const d = this.docDay[ref], ts = this.docTerms[ref];
        if (ts === REMOVED || d < days - W || d >= days) continue;
        for (let j = 0; j < ts.length; j++) {
          const c = this.compact[ts[j]];
          if (missing.has(c)) this.postings.get(c)!.push(ref);
        }
      }
    }
    const bursts: TermBurst[] = [];
    for (const c of cand) {
      const idx = this.postings.get(c)!;
      const m = this.total[c];
      let best: TermBurst | null = null;
      for (let w = 1; w <= W; w++) {
        const inW = idx.filter((i) => this.docDay[i] >= days - w);
        const persons = new Set(inW.map(person)).size;
        if (persons < minPersons) continue;
        // spread (minPlaces ≤ 1: none asked, a stream without places): ≥ minPlaces places and none holding more
        // than half of the requests — a topic at one place is a concentrated incident, not a new topic
        const byPlace = new Map<number, number>();
        for (const i of inW) { const pl = place(i); if (pl >= 0) byPlace.set(pl, (byPlace.get(pl) ?? 0) + 1); }
        const places = byPlace.size;
        if (minPlaces > 1 && (places < minPlaces || Math.max(...byPlace.values()) * 2 > inW.length)) continue;
        const history = m - inW.length;
        if (!novel(persons, history, w)) continue;
        const p = binomialUpperTail(persons, persons + history, p0[w]);
        if (p > pThreshold || (best && p >= best.p)) continue;
        let Nw = 0;
        for (let s = 1; s <= w; s++) Nw += perSlot[s];
        best = { term: this.termOf[c], window: w, docs: inW, persons, places, history, expected: (history * Nw) / Math.max(1, total - Nw), p };
      }
      if (best) bursts.push(best);
    }
    // equal p: in the order the terms were first met (the documents come in time order)
    return { bursts: bursts.sort((a, b) => a.p - b.p), tests, pThreshold, count };
  }
}

/** A share of requests that counts as (nearly) all of them: a term's own requests in a topic, a name's in a phrase's. */
export const OWN_SHARE = 0.8;

export interface GroupOptions {
  /** A term that may describe a topic but never forms or owns one (a template word + a new name: 最近 + 国企). */
  template?: (term: number) => boolean;
  /** Whether the requests a term would start a topic with are several new topics at once. */
  mixed?: (docs: number[], b: TermBurst) => boolean;
}

/**
 * Whether the requests `docs` (indexes into `terms`) of burst `b` are several topics at once: they hold two or more
 * names — terms (not templates) in ≥ 3 and ≥ 15 % of them but not nearly all, (nearly) only there among the
 * window's requests — that are nearly disjoint. A shared phrase (冒充 + an agency, a pretext) over new apps none
 * of which is significant yet; a topic's own words are in nearly all of its requests, a template's slices are
 * templates, and the common words of the extra sentences are elsewhere too.
 */
export function severalNames(docs: number[], b: TermBurst, terms: ArrayLike<ArrayLike<number>>, count: (term: number, w?: number) => number, template: (term: number) => boolean = () => false): boolean {
  const by = new Map<number, number[]>();
  for (const k of docs) {
    const ts = terms[k];
    for (let j = 0; j < ts.length; j++) { const t = ts[j]; if (t === b.term) continue; const l = by.get(t); if (l) l.push(k); else by.set(t, [k]); }
  }
  const names: Set<number>[] = [];
  for (const [t, ks] of by) {
    if (ks.length < Math.max(3, 0.15 * docs.length) || ks.length > OWN_SHARE * docs.length || template(t)) continue;
    if (ks.length < OWN_SHARE * count(t, b.window)) continue;
    names.push(new Set(ks));
  }
  for (let x = 0; x < names.length; x++) for (let y = x + 1; y < names.length; y++) {
    let both = 0;
    for (const k of names[x]) if (names[y].has(k)) both++;
    if (both <= 0.2 * Math.min(names[x].size, names[y].size)) return true;
  }
  return false;
}

/**
 * Topics from bursts, most specific term first (fewest documents). A term whose documents mostly belong to one
 * topic already extends it (a word and its pair with the app's name); a term mostly held by several topics is
 * a shared phrase (冒充 + an agency, a pretext) and only describes the one it overlaps most — it never joins their
 * requests into one topic; otherwise the term starts a topic with the requests no other topic holds. `bursts`
 * are the terms that own a topic's requests (its identity from day to day), `describing` the shared phrases.
 * With `g`: a template term (g.template) never owns nor starts a topic, and a term whose requests are several
 * new topics at once (g.mixed: a pretext shared by new apps none of which is significant yet) neither joins one
 * nor starts one — its requests wait for their own names.
 */
export function groupBursts(bursts: TermBurst[], minDocs = 1, g: GroupOptions = {}): { bursts: TermBurst[]; describing: TermBurst[]; docs: Set<number> }[] {
  type Topic = { bursts: TermBurst[]; describing: TermBurst[]; docs: Set<number> };
  const topics: Topic[] = [];
  const owner = new Map<number, Topic>();
  for (const b of bursts.slice().sort((x, y) => x.docs.length - y.docs.length || x.p - y.p)) {
    const hits = new Map<Topic, number>();
    let held = 0;
    for (const i of b.docs) { const t = owner.get(i); if (t) { held++; hits.set(t, (hits.get(t) ?? 0) + 1); } }
    const free = b.docs.filter((i) => !owner.has(i));
    if (held * 2 >= b.docs.length) {
      const [top] = [...hits].sort((x, y) => y[1] - x[1])[0];
      // a template pair, or a phrase whose requests hold other new names too (a pretext shared by two new
      // apps), only describes the topic: as an own term its match key would chain them from run to run
      if (hits.size > 1 || g.template?.(b.term) || g.mixed?.(b.docs, b)) { top.describing.push(b); continue; }
      top.bursts.push(b);
      for (const i of free) { top.docs.add(i); owner.set(i, top); }
      continue;
    }
    if (free.length < minDocs || g.template?.(b.term) || g.mixed?.(free, b)) continue;
    const t: Topic = { bursts: [b], describing: [], docs: new Set(free) };
    for (const i of free) owner.set(i, t);
    topics.push(t);
  }
  const best = (t: Topic) => Math.min(...t.bursts.map((x) => x.p), ...t.describing.map((x) => x.p));
  return topics.sort((x, y) => best(x) - best(y));
}
