// Near-identical texts at intake: MinHash (64 permutations) over character 3-gram shingles with LSH
// (16 bands × 4 rows), kept in memory for a sliding window of days. Built at start from the database and
// updated on each new case; candidates are confirmed on the signatures (the share of equal slots estimates
// the texts' Jaccard similarity).
import { normalizeText } from './text.ts';
import { bandKey, LSH_BANDS as BANDS, MINHASH_SIZE, minhashSignature } from '../shared/minhash.ts';
import { caseNoCode, caseNoOf } from '../cases/case-number.ts';

/** Signature of a case text (normalised, spaces and punctuation removed); null when nothing is left. */
export function minhash(text: string): Uint32Array | null {
  return minhashSignature(normalizeText(text).replace(/[\s\p{P}\p{S}]/gu, ''));
}

/** Candidates a query follows per LSH band, most recent first: a template text repeated by thousands of callers
 *  would otherwise make every query walk its whole bucket (the result keeps the 5 most similar). */
const MAX_WALK = 256;
const SIG = MINHASH_SIZE;
const EMPTY = -1;

export interface SimilarCase {
  id: number;
  /** When the case was added with its number (intake then needs no database read to name it). */
  caseNo?: string;
  similarity: number;
  receivedAt: string;
}

/**
 * The index lives in typed arrays — per case a slot holding its id, number, time, signature and band keys, and per band a
 * link to the previous case in the same bucket; one open-addressing table maps a band key to its newest case.
 * A window of a big city's cases (hundreds of thousands) is then a few flat arrays the garbage collector never
 * walks: the same index as JavaScript objects (16 bucket arrays and map entries per case) took 344 MB and a 475 ms
 * full collection at 200,000 cases, against 116 MB (with the case numbers, session 11) and ≈ 20 ms now (`npm run bench -- near-duplicates`).
 */
export class NearDuplicateIndex {
  private n = 0; // slots used (dead ones included)
  private live = 0;
  private cap = 0;
  private ids = new Float64Array(0);
  private nos = new Float64Array(0); // case numbers as caseNoCode (NaN: not known)
  private ats = new Float64Array(0);
  private sigs = new Uint32Array(0);
  private keys = new Int32Array(0); // band keys, BANDS per slot
  private prev = new Int32Array(0); // per slot and band: the previous slot in that band's bucket
  private dead = new Uint8Array(0);
  private seen = new Int32Array(0); // per slot: the query that last looked at it (stamps only grow: no reset needed)
  private stamp = 0;
  private slotOf = new Map<number, number>();
  // slots by time, for expiry (cases mostly arrive in order; late ones are put in place); before orderHead: expired
  private order = new Int32Array(0);
  private orderLen = 0;
  private orderHead = 0;
  // band key → newest slot of its bucket
  private tableKeys = new Int32Array(0);
  private tableHeads = new Int32Array(0);
  private tableUsed = 0;

  constructor(readonly windowDays = 30, readonly threshold = 0.6) {
    this.allocate(1024);
    this.allocateTable(1 << 14);
  }

  get size(): number {
    return this.live;
  }

  /** Makes room for `n` more cases at once (a bulk load then grows its arrays and table once, not step by step). */
  reserve(n: number): void {
    if (this.n + n > this.cap) this.allocate(this.n + n);
    let size = this.tableKeys.length;
    while ((this.tableUsed + n * BANDS) * 2 > size) size *= 2;
    if (size > this.tableKeys.length) this.growTable(size);
  }

  // Signatures of the texts queried last: intake queries a case's text before storing it and adds the same text
  // right after, so its signature is computed once.
  private recent = new Map<string, Uint32Array | null>();

  private signature(text: string, known?: Uint32Array | null): Uint32Array | null {
    const hit = this.recent.get(text);
    if (hit !== undefined) return hit;
    const sig = known !== undefined ? known : minhash(text);
    if (this.recent.size >= 2_000) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(text, sig);
    return sig;
  }

  /** `signature`: the text's signature when the caller makes its own (early warning cleans texts its own way). */
  add(id: number, text: string, at: Date | number, caseNo?: string | null, signature?: Uint32Array | null): void {
    if (this.slotOf.has(id)) return;
    const sig = signature !== undefined ? signature : this.recent.get(text) ?? minhash(text);
    this.recent.delete(text);
    if (!sig) return;
    const time = typeof at === 'number' ? at : at.getTime();
    if (this.n === this.cap) this.compactOrGrow();
    const s = this.n++;
    this.ids[s] = id;
    this.nos[s] = caseNo ? caseNoCode(caseNo) : NaN;
    this.ats[s] = time;
    this.sigs.set(sig, s * SIG);
    this.dead[s] = 0;
    this.slotOf.set(id, s);
    this.live++;
    for (let b = 0; b < BANDS; b++) this.link(s, b, bandKey(sig, b));
    this.putInOrder(s, time);
  }

  /** Drops items older than the window (relative to `now`). */
  expire(now = Date.now()): void {
    const cutoff = now - this.windowDays * 86400_000;
    let i = this.orderHead;
    while (i < this.orderLen && this.ats[this.order[i]!]! < cutoff) {
      const s = this.order[i++]!;
      this.dead[s] = 1;
      this.slotOf.delete(this.ids[s]!);
      this.live--;
    }
    this.orderHead = i;
    // Intake expires a few items per case: the expired front is cut off only once it is half the array.
    if (this.orderHead > 1024 && this.orderHead * 2 > this.orderLen) {
      this.order.copyWithin(0, this.orderHead, this.orderLen);
      this.orderLen -= this.orderHead;
      this.orderHead = 0;
    }
  }

  /** Earlier cases within the window whose texts are near-identical, most similar first. `signature`: the
   *  text's minhash when the caller has it already (a tagging thread computed it). */
  query(text: string, opts: { now?: number; limit?: number; excludeId?: number; signature?: Uint32Array | null } = {}): SimilarCase[] {
    const sig = this.signature(text, opts.signature);
    if (!sig) return [];
    const out: SimilarCase[] = [];
    this.walk(sig, opts.now ?? Date.now(), opts.excludeId, (s, sim) => {
      const no = this.nos[s]!;
      out.push({ id: this.ids[s]!, ...(Number.isNaN(no) ? {} : { caseNo: caseNoOf(no) }), similarity: Math.round(sim * 100) / 100, receivedAt: new Date(this.ats[s]!).toISOString() });
      return false;
    });
    return out.sort((a, b) => b.similarity - a.similarity || b.id - a.id).slice(0, opts.limit ?? 5);
  }

  /** Whether an earlier case within the window is near-identical to a signature (stops at the first found). */
  hasNear(sig: Uint32Array, now = Date.now()): boolean {
    let found = false;
    this.walk(sig, now, undefined, () => (found = true));
    return found;
  }

  /** Visits the window's cases whose similarity to `sig` reaches the threshold (LSH candidates, confirmed on the
   *  signatures) until `visit` returns true. */
  private walk(sig: Uint32Array, now: number, excludeId: number | undefined, visit: (slot: number, similarity: number) => boolean): void {
    const cutoff = now - this.windowDays * 86400_000;
    if (++this.stamp === 0x7fffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    for (let b = 0; b < BANDS; b++) {
      let s = this.headOf(bandKey(sig, b));
      for (let walked = 0; s !== EMPTY && walked < MAX_WALK; walked++, s = this.prev[s * BANDS + b]!) {
        if (this.seen[s] === stamp) continue;
        this.seen[s] = stamp;
        const at = this.ats[s]!;
        if (this.dead[s] || at < cutoff || at > now || this.ids[s] === excludeId) continue;
        let same = 0;
        for (let i = 0, o = s * SIG; i < SIG; i++) if (this.sigs[o + i] === sig[i]) same++;
        const sim = same / SIG;
        if (sim >= this.threshold && visit(s, sim)) return;
      }
    }
  }

  // ——— slots ———

  private allocate(cap: number): void {
    const n = this.n;
    const ids = new Float64Array(cap), nos = new Float64Array(cap), ats = new Float64Array(cap), sigs = new Uint32Array(cap * SIG), keys = new Int32Array(cap * BANDS);
    const prev = new Int32Array(cap * BANDS), dead = new Uint8Array(cap), seen = new Int32Array(cap), order = new Int32Array(cap);
    ids.set(this.ids.subarray(0, n));
    nos.set(this.nos.subarray(0, n));
    ats.set(this.ats.subarray(0, n));
    sigs.set(this.sigs.subarray(0, n * SIG));
    keys.set(this.keys.subarray(0, n * BANDS));
    prev.set(this.prev.subarray(0, n * BANDS));
    dead.set(this.dead.subarray(0, n));
    seen.set(this.seen.subarray(0, n));
    order.set(this.order.subarray(0, this.orderLen));
    Object.assign(this, { ids, nos, ats, sigs, keys, prev, dead, seen, order, cap });
  }

  /** Full: when at least half the slots are expired, the live ones move to the front (in slot order, so that
   *  buckets stay newest first) and the table is rebuilt; otherwise the arrays double. */
  private compactOrGrow(): void {
    if (this.live * 2 > this.n || this.n < 1024) return this.allocate(this.cap * 2);
    const moved = new Int32Array(this.n).fill(EMPTY);
    let m = 0;
    for (let s = 0; s < this.n; s++) {
      if (this.dead[s]) continue;
      moved[s] = m;
      if (m !== s) {
        this.ids[m] = this.ids[s]!;
        this.nos[m] = this.nos[s]!;
        this.ats[m] = this.ats[s]!;
        this.sigs.copyWithin(m * SIG, s * SIG, (s + 1) * SIG);
        this.keys.copyWithin(m * BANDS, s * BANDS, (s + 1) * BANDS);
        this.dead[m] = 0;
        this.slotOf.set(this.ids[m]!, m);
      }
      m++;
    }
    this.n = m;
    let k = 0;
    for (let i = this.orderHead; i < this.orderLen; i++) this.order[k++] = moved[this.order[i]!]!;
    this.orderLen = k;
    this.orderHead = 0;
    this.allocateTable(this.tableKeys.length);
    for (let s = 0; s < m; s++) for (let b = 0; b < BANDS; b++) this.link(s, b, this.keys[s * BANDS + b]!);
  }

  private putInOrder(s: number, time: number): void {
    const last = this.orderLen > this.orderHead ? this.ats[this.order[this.orderLen - 1]!]! : -Infinity;
    if (time >= last) {
      this.order[this.orderLen++] = s;
      return;
    }
    let lo = this.orderHead;
    let hi = this.orderLen;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ats[this.order[mid]!]! <= time) lo = mid + 1;
      else hi = mid;
    }
    this.order.copyWithin(lo + 1, lo, this.orderLen++);
    this.order[lo] = s;
  }

  // ——— the band-key table (open addressing, linear probing, at most half full) ———

  private allocateTable(size: number): void {
    this.tableKeys = new Int32Array(size).fill(EMPTY);
    this.tableHeads = new Int32Array(size).fill(EMPTY);
    this.tableUsed = 0;
  }

  /** Table position of a band key (band keys are ≥ 0), or of the empty cell where it would go. */
  private position(key: number): number {
    const mask = this.tableKeys.length - 1;
    const h = Math.imul(key ^ (key >>> 15), 0x2c1b3c6d);
    let p = (h ^ (h >>> 12)) & mask;
    while (this.tableKeys[p] !== EMPTY && this.tableKeys[p] !== key) p = (p + 1) & mask;
    return p;
  }

  private headOf(key: number): number {
    return this.tableHeads[this.position(key)]!;
  }

  /** Makes slot s the newest of its bucket in band b. */
  private link(s: number, b: number, key: number): void {
    this.keys[s * BANDS + b] = key;
    let p = this.position(key);
    if (this.tableKeys[p] === EMPTY) {
      if ((this.tableUsed + 1) * 2 > this.tableKeys.length) {
        this.growTable();
        p = this.position(key);
      }
      this.tableKeys[p] = key;
      this.tableUsed++;
    }
    this.prev[s * BANDS + b] = this.tableHeads[p]!;
    this.tableHeads[p] = s;
  }

  private growTable(size = this.tableKeys.length * 2): void {
    const [keys, heads] = [this.tableKeys, this.tableHeads];
    this.allocateTable(size);
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === EMPTY) continue;
      const p = this.position(keys[i]!);
      this.tableKeys[p] = keys[i]!;
      this.tableHeads[p] = heads[i]!;
      this.tableUsed++;
    }
  }
}
