// Near-identical texts at intake: MinHash (64 permutations) over character 3-gram shingles with LSH
// (16 bands × 4 rows), kept in memory for a sliding window of days. Built at start from the database and
// updated on each new case; candidates are confirmed by the signature's Jaccard estimate.
import { normalizeText } from './text.ts';
import { bandKey, jaccardEstimate, LSH_BANDS as BANDS, minhashSignature } from '../shared/minhash.ts';

/** Signature of a case text (normalised, spaces and punctuation removed); null when nothing is left. */
export function minhash(text: string): Uint32Array | null {
  return minhashSignature(normalizeText(text).replace(/[\s\p{P}\p{S}]/gu, ''));
}


interface Item {
  id: number;
  at: number;
  sig: Uint32Array;
}

export interface SimilarCase {
  id: number;
  similarity: number;
  receivedAt: string;
}

export class NearDuplicateIndex {
  private items = new Map<number, Item>();
  private buckets: Map<number, number[]>[] = Array.from({ length: BANDS }, () => new Map());
  private order: Item[] = []; // by insertion time, for expiry; items before `head` are already expired
  private head = 0;

  constructor(readonly windowDays = 30, readonly threshold = 0.6) {}

  get size(): number {
    return this.items.size;
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

  add(id: number, text: string, at: Date | number): void {
    if (this.items.has(id)) return;
    const sig = this.recent.get(text) ?? minhash(text);
    this.recent.delete(text);
    if (!sig) return;
    const item = { id, at: typeof at === 'number' ? at : at.getTime(), sig };
    this.items.set(id, item);
    // Keep `order` sorted by time (cases mostly arrive in order; late ones are inserted in place).
    const last = this.order[this.order.length - 1];
    if (!last || last.at <= item.at) this.order.push(item);
    else {
      let lo = this.head;
      let hi = this.order.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.order[mid].at <= item.at) lo = mid + 1;
        else hi = mid;
      }
      this.order.splice(lo, 0, item);
    }
    for (let b = 0; b < BANDS; b++) {
      const k = bandKey(sig, b);
      const list = this.buckets[b].get(k);
      if (list) list.push(id);
      else this.buckets[b].set(k, [id]);
    }
  }

  /** Drops items older than the window (relative to `now`). */
  expire(now = Date.now()): void {
    const cutoff = now - this.windowDays * 86400_000;
    let drop = this.head;
    while (drop < this.order.length && this.order[drop].at < cutoff) drop++;
    if (drop === this.head) return;
    for (let i = this.head; i < drop; i++) {
      const item = this.order[i]!;
      this.items.delete(item.id);
      for (let b = 0; b < BANDS; b++) {
        const k = bandKey(item.sig, b);
        const list = this.buckets[b].get(k);
        if (!list) continue;
        const rest = list.filter((x) => x !== item.id);
        if (rest.length) this.buckets[b].set(k, rest);
        else this.buckets[b].delete(k);
      }
    }
    // Intake expires a few items per case: the front is skipped, and cut off only once it is half the array.
    this.head = drop;
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  /** Earlier cases within the window whose texts are near-identical, most similar first. `signature`: the
   *  text's minhash when the caller has it already (a tagging thread computed it). */
  query(text: string, opts: { now?: number; limit?: number; excludeId?: number; signature?: Uint32Array | null } = {}): SimilarCase[] {
    const sig = this.signature(text, opts.signature);
    if (!sig) return [];
    const now = opts.now ?? Date.now();
    const cutoff = now - this.windowDays * 86400_000;
    const seen = new Set<number>();
    const out: SimilarCase[] = [];
    for (let b = 0; b < BANDS; b++) {
      const list = this.buckets[b].get(bandKey(sig, b));
      if (!list) continue;
      for (const id of list) {
        if (seen.has(id) || id === opts.excludeId) continue;
        seen.add(id);
        const item = this.items.get(id);
        if (!item || item.at < cutoff || item.at > now) continue;
        const sim = jaccardEstimate(sig, item.sig);
        if (sim >= this.threshold) out.push({ id, similarity: Math.round(sim * 100) / 100, receivedAt: new Date(item.at).toISOString() });
      }
    }
    return out.sort((a, b) => b.similarity - a.similarity || b.id - a.id).slice(0, opts.limit ?? 5);
  }
}
