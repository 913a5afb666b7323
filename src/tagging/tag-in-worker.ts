// Tagging threads: the pure-CPU part of tagging (classifier, place, keywords, request type, urgency — about
// half of an intake request's main-thread time) runs in worker threads, so that the main thread only parses,
// validates, stores and answers. Each thread holds a copy of the tagging state it was last sent; before a text
// is sent, the state's model, gazetteer and categories are compared (by identity) with that copy, and a
// changed state (model activated, reference data reloaded) is sent first — messages arrive in order, so every
// text is tagged with the state the main thread had when it asked. A thread has one batch of texts at a time:
// the texts asked for while it works go together when it answers (under load, a message per batch instead of
// one per request; waking a thread costs the sender more than the message itself). With 0 threads (tests, CLI;
// the server's default with the embedded database on 2 cores) or when threads cannot load TypeScript, tagging
// runs on this thread; the results are the same.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { serializeModel } from './classifier.ts';
import type { TaggingState } from './service.ts';
import { textTags, type TextTags } from './suggest.ts';
import { MINHASH_SIZE } from '../shared/minhash.ts';

interface Job { state: TaggingState; norm: string; address: string | null; explained: number; resolve: (t: TextTags) => void; reject: (e: Error) => void }
interface Thread {
  worker: Worker;
  /** The state this thread last received. */
  sent: Pick<TaggingState, 'model' | 'modelVersion' | 'gazetteer' | 'categories'> | null;
  answered: boolean;
  stopped: boolean;
  pending: Map<number, Job[]>;
  queue: Job[];
}

let threadCount = 0;
let threads: Thread[] = [];
let next = 0;
let nextId = 1;
let broken = false;
let scheduled = false;

/** Number of tagging threads (0 = tag on the calling thread). Existing threads beyond it are stopped. */
export function setTaggingThreads(n: number): void {
  threadCount = Math.max(0, Math.floor(n));
  for (const t of threads.splice(threadCount)) {
    t.stopped = true;
    void t.worker.terminate();
  }
}

export const taggingThreads = () => (broken ? 0 : threadCount);

/** Two tagging threads with a database server: intake arrives in waves (a batch's answers go out together and
 *  its clients send again together), and two threads tag a wave in half the time (on 2 cores, measured ≈ 5 %
 *  more cases/s than one thread, at ≈ 0.15 CPU-ms more per case). None with the embedded database on fewer than 4 cores:
 *  there PGlite's own thread already takes a core, and a third busy thread measured no faster (same cases/s,
 *  ≈ 0.3 CPU-ms more per case); one otherwise. */
export const defaultTaggingThreads = (engine: 'pglite' | 'postgres') => (engine === 'postgres' ? 2 : os.availableParallelism() < 4 ? 0 : 1);

/** The text's tags with `state`, in a tagging thread when there are any. `norm` and `address` are normalised;
 *  `explained`: how many of the top categories come with evidence. */
export function tagText(state: TaggingState, norm: string, address: string | null, explained = 3): Promise<TextTags> {
  if (!taggingThreads()) return Promise.resolve(textTags(state, norm, address, explained));
  return new Promise((resolve, reject) => {
    pick().queue.push({ state, norm, address, explained, resolve, reject });
    if (!scheduled) {
      scheduled = true;
      setImmediate(dispatch);
    }
  });
}

/** Starts the threads and sends them `state` now, resolving once each has tagged a text: the first requests
 *  then do not wait for a thread to load (seconds on a busy machine). */
export async function warmTaggingThreads(state: TaggingState): Promise<void> {
  if (!taggingThreads()) return;
  while (threads.length < threadCount) threads.push(start());
  await Promise.all(
    threads.map((t) => new Promise<TextTags>((resolve, reject) => {
      t.queue.push({ state, norm: '预热', address: null, explained: 3, resolve, reject });
      send(t);
    })),
  );
}

function pick(): Thread {
  while (threads.length < threadCount) threads.push(start());
  // An idle thread first (round robin), else the one whose batch will be the smallest.
  for (let i = 1; i <= threads.length; i++) {
    const t = threads[(next + i) % threads.length]!;
    if (!t.pending.size) return (next = (next + i) % threads.length), t;
  }
  return threads.reduce((a, b) => (b.queue.length < a.queue.length ? b : a));
}

/** A tagging thread's answer: the tags as JSON (parsed here in about half the time a structured clone of the same
 *  objects takes — this thread's share of the work), signatures in one transferred array (`signed`: which have one). */
export interface TaggedBatch { id: number; json: string; signatures: Uint32Array; signed: boolean[] }
type TagOutcome = { ok: boolean; tags?: TextTags; error?: string };

/** The answer a tagging thread sends for `outcomes` (see TaggedBatch). */
export function taggedBatch(id: number, outcomes: TagOutcome[]): { message: TaggedBatch; transfer: ArrayBuffer[] } {
  const signatures = new Uint32Array(outcomes.length * MINHASH_SIZE);
  const signed = outcomes.map((o, i) => {
    const sig = o.tags?.signature;
    if (sig) signatures.set(sig, i * MINHASH_SIZE);
    return !!sig;
  });
  const json = JSON.stringify(outcomes, (k, v) => (k === 'signature' ? undefined : v));
  return { message: { id, json, signatures, signed }, transfer: [signatures.buffer as ArrayBuffer] };
}

function readTaggedBatch(m: TaggedBatch): TagOutcome[] {
  const outcomes = JSON.parse(m.json) as TagOutcome[];
  outcomes.forEach((o, i) => {
    if (o.tags) o.tags.signature = m.signed[i] ? m.signatures.subarray(i * MINHASH_SIZE, (i + 1) * MINHASH_SIZE) : null;
  });
  return outcomes;
}

function start(): Thread {
  const worker = new Worker(new URL('./tag-worker.mjs', import.meta.url));
  worker.unref(); // an idle tagging thread never keeps the process alive
  const t: Thread = { worker, sent: null, answered: false, stopped: false, pending: new Map(), queue: [] };
  worker.on('message', (m: TaggedBatch) => {
    t.answered = true;
    const jobs = t.pending.get(m.id);
    if (!jobs) return;
    t.pending.delete(m.id);
    if (t.pending.size === 0) worker.unref();
    const results = readTaggedBatch(m);
    jobs.forEach((j, i) => {
      const r = results[i]!;
      if (r.ok) j.resolve(r.tags!);
      else j.reject(new Error(r.error));
    });
    send(t); // the texts that came in meanwhile
  });
  const fail = (e: Error) => {
    threads = threads.filter((x) => x !== t);
    // A thread that never answered (cannot load TypeScript here): tag on this thread from now on.
    if (!t.answered && !t.stopped) broken = true;
    const lost = [...t.pending.values()].flat().concat(t.queue.splice(0));
    t.pending.clear();
    // Their texts are tagged here instead: a lost thread costs time, not the requests.
    for (const j of lost) {
      try {
        j.resolve(textTags(j.state, j.norm, j.address, j.explained));
      } catch (err) {
        j.reject(err as Error);
      }
    }
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`标注线程退出 (${code})`)));
  return t;
}

function dispatch(): void {
  scheduled = false;
  for (const t of threads) if (!t.pending.size) send(t);
}

/** Sends the thread its queued texts as one batch (the tagging state first wherever it changed). */
function send(t: Thread): void {
  if (!t.queue.length || t.stopped) return;
  const jobs = t.queue.splice(0);
  for (let from = 0; from < jobs.length; ) {
    const state = jobs[from]!.state;
    let to = from + 1;
    while (to < jobs.length && jobs[to]!.state === state) to++;
    const s = t.sent;
    if (!s || s.model !== state.model || s.modelVersion !== state.modelVersion || s.gazetteer !== state.gazetteer || s.categories !== state.categories) {
      const model = state.model ? serializeModel(state.model) : null;
      const bytes = model ? (model.buffer.slice(model.byteOffset, model.byteOffset + model.byteLength) as ArrayBuffer) : null;
      t.worker.postMessage(
        { type: 'state', model: bytes, modelVersion: state.modelVersion, categories: [...state.categories.values()], gazetteer: state.gazetteer.source },
        bytes ? [bytes] : [],
      );
      t.sent = { model: state.model, modelVersion: state.modelVersion, gazetteer: state.gazetteer, categories: state.categories };
    }
    const id = nextId++;
    const batch = jobs.slice(from, to);
    t.pending.set(id, batch);
    t.worker.ref();
    t.worker.postMessage({ type: 'tag', id, texts: batch.map((j) => [j.norm, j.address, j.explained]) });
    from = to;
  }
}
