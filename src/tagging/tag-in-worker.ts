// Tagging threads: the pure-CPU part of tagging (classifier, place, keywords, request type, urgency — about
// half of an intake request's main-thread time) runs in worker threads, so that the main thread only parses,
// validates, stores and answers. Each thread holds a copy of the tagging state it was last sent; before a text
// is sent, the state's model, gazetteer and categories are compared (by identity) with that copy, and a
// changed state (model activated, reference data reloaded) is sent first — messages arrive in order, so every
// text is tagged with the state the main thread had when it asked. Texts asked for in the same turn of the
// event loop go as one message. With 0 threads (tests, CLI; the server's default with the embedded database on
// 2 cores) or when threads cannot load TypeScript, tagging runs on this thread; the results are the same.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { serializeModel } from './classifier.ts';
import type { TaggingState } from './service.ts';
import { textTags, type TextTags } from './suggest.ts';

interface Job { state: TaggingState; norm: string; address: string | null; resolve: (t: TextTags) => void; reject: (e: Error) => void }
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
// The state the queued texts are to be tagged with (a new state flushes the queue first).
let queuedState: TaggingState | null = null;
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

/** One tagging thread, except with the embedded database on fewer than 4 cores: there PGlite's own thread already
 *  takes a core, and a third busy thread measured no faster (same cases/s, ≈ 0.3 CPU-ms more per case). */
export const defaultTaggingThreads = (engine: 'pglite' | 'postgres') => (engine === 'pglite' && os.availableParallelism() < 4 ? 0 : 1);

/** The text's tags with `state`, in a tagging thread when there are any. `norm` and `address` are normalised. */
export function tagText(state: TaggingState, norm: string, address: string | null): Promise<TextTags> {
  if (!taggingThreads()) return Promise.resolve(textTags(state, norm, address));
  return new Promise((resolve, reject) => {
    if (queuedState && queuedState !== state) dispatch();
    queuedState = state;
    pick().queue.push({ state, norm, address, resolve, reject });
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
      if (queuedState && queuedState !== state) dispatch();
      queuedState = state;
      t.queue.push({ state, norm: '预热', address: null, resolve, reject });
      dispatch();
    })),
  );
}

function pick(): Thread {
  while (threads.length < threadCount) threads.push(start());
  // Round robin over the threads by batch: the one whose queue already has texts this turn, else the next.
  const open = threads.find((t) => t.queue.length);
  if (open) return open;
  next = (next + 1) % threads.length;
  return threads[next]!;
}

function start(): Thread {
  const worker = new Worker(new URL('./tag-worker.mjs', import.meta.url));
  worker.unref(); // an idle tagging thread never keeps the process alive
  const t: Thread = { worker, sent: null, answered: false, stopped: false, pending: new Map(), queue: [] };
  worker.on('message', (m: { id: number; tags: { ok: boolean; tags?: TextTags; error?: string }[] }) => {
    t.answered = true;
    const jobs = t.pending.get(m.id);
    if (!jobs) return;
    t.pending.delete(m.id);
    if (t.pending.size === 0) worker.unref();
    jobs.forEach((j, i) => {
      const r = m.tags[i]!;
      if (r.ok) j.resolve(r.tags!);
      else j.reject(new Error(r.error));
    });
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
        j.resolve(textTags(j.state, j.norm, j.address));
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
  const state = queuedState;
  if (!state) return;
  for (const t of threads) {
    if (!t.queue.length) continue;
    const jobs = t.queue.splice(0);
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
    t.pending.set(id, jobs);
    t.worker.ref();
    t.worker.postMessage({ type: 'tag', id, texts: jobs.map((j) => [j.norm, j.address]) });
  }
}
