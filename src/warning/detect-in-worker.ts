// Runs the detector families in worker threads, one persistent worker per family and in parallel: the
// serving process's event loop stays free, and a daily run uses every core. Each worker gets only the part
// of the snapshot its family reads. Falls back to this thread when workers cannot load TypeScript.
import { Worker } from 'node:worker_threads';
import { detectAll, type WarningInput, type WarningOptions } from './detect.ts';
import type { Detection } from './detection.ts';

type Kind = 'trending' | 'concentrated' | 'emerging';
/** A snapshot for the worker to read itself: the database, the local day, the time it reaches up to (ms), and the
 *  generation of its cache (moved on by bulk loads). */
export interface SnapshotRequest { url: string; day: string; upTo: number; generation: number }
/** Workers: one per detector family, and `snapshot`, which reads and detects a whole incremental run. */
type Role = Kind | 'snapshot';
/** The nice value of the detector threads (below the serving threads' 0). */
export const DETECTOR_NICE = 19;
const workers = new Map<Role, Worker>();
type Done = { detections: Detection[]; cpuMs: number; snapshot?: { countRows: number; recentCases: number; texts: number }; loadMs?: number; detectMs?: number };
const pending = new Map<number, { resolve: (d: Done) => void; reject: (e: Error) => void }>();
let nextId = 1;
let workersBroken = false;

function workerFor(kind: Role): Worker {
  let w = workers.get(kind);
  if (w) return w;
  w = new Worker(new URL('./detect-worker.mjs', import.meta.url));
  w.unref(); // an idle detector never keeps the process alive
  w.on('message', (m: Done & { id: number; ok: boolean; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve({ ...m, cpuMs: m.cpuMs ?? 0 });
    else p.reject(Object.assign(new Error(m.error), { fromDetector: true }));
  });
  const fail = (e: Error) => {
    workers.delete(kind);
    for (const [id, p] of pending) { pending.delete(id); p.reject(e); }
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`预警检测线程退出 (${code})`)));
  workers.set(kind, w);
  return w;
}

/** What each family reads: trending the daily counts, the others the recent cases (texts for emerging only). */
function partFor(kind: Kind, input: WarningInput): WarningInput {
  const noCounts = { day: new Int32Array(0), cat: new Int32Array(0), district: new Int32Array(0), street: new Int32Array(0), n: new Float64Array(0) };
  if (kind === 'trending') return { ...input, recent: { ...input.recent, text: undefined, person: undefined } };
  if (kind === 'concentrated') return { ...input, counts: noCounts, recent: { ...input.recent, text: undefined, person: undefined } };
  return { ...input, counts: noCounts };
}

function runIn(kind: Kind, input: WarningInput, options: WarningOptions): Promise<Done> {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    workerFor(kind).postMessage({ id, input: partFor(kind, input), options: { ...options, kinds: [kind] } });
  });
}

/** Starts the workers of `kinds` and has them load their code and dictionaries (the snapshot worker also opens
 *  its connection to `url`), resolving when they are ready: the first incremental run then does not pay for it
 *  (seconds on a busy machine, during the first intakes). */
export async function warmWarningWorkers(kinds: Role[], url?: string): Promise<void> {
  if (workersBroken) return;
  await Promise.all(kinds.map((kind) => new Promise<void>((resolve) => {
    const id = nextId++;
    // A worker that cannot start is found out by the first run, which then falls back to this thread.
    pending.set(id, { resolve: () => resolve(), reject: () => resolve() });
    workerFor(kind).postMessage({ id, warm: kind === 'snapshot' && url ? { url } : true });
  })));
}

/** An incremental run read and detected in the snapshot worker (its own connection to the server): the serving
 *  thread only sends the request and receives the detections. Null where workers cannot run here. */
export async function snapshotAndDetectInWorker(req: SnapshotRequest, options: WarningOptions): Promise<Required<Done> | null> {
  if (workersBroken) return null;
  try {
    return (await new Promise<Done>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      workerFor('snapshot').postMessage({ id, snapshot: req, options });
    })) as Required<Done>;
  } catch (err) {
    if ((err as { fromDetector?: boolean }).fromDetector) throw err;
    workersBroken = true;
    return null;
  }
}

export type KindTimings = Record<string, { seconds: number; cpuSeconds: number }>;

/** Detections of the families asked for, with each family's wall and CPU seconds. */
export async function detectInWorkers(input: WarningInput, options: WarningOptions = {}): Promise<{ detections: Detection[]; timings: KindTimings }> {
  const kinds = options.kinds ?? ['trending', 'concentrated', 'emerging'];
  const timings: KindTimings = {};
  const s = (ms: number) => Math.round(ms) / 1000;
  if (!workersBroken) {
    try {
      const t0 = performance.now();
      const parts = await Promise.all(kinds.map(async (k) => {
        const r = await runIn(k, input, options);
        timings[k] = { seconds: s(performance.now() - t0), cpuSeconds: s(r.cpuMs) };
        return r.detections;
      }));
      return { detections: parts.flat(), timings };
    } catch (err) {
      if ((err as { fromDetector?: boolean }).fromDetector) throw err;
      workersBroken = true; // cannot start workers here (no tsx loader): run in this thread from now on
    }
  }
  const detections: Detection[] = [];
  for (const k of kinds) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    detections.push(...detectAll(input, { ...options, kinds: [k] }));
    timings[k] = { seconds: s(performance.now() - t0), cpuSeconds: s(process.cpuUsage(c0).user / 1000) };
  }
  return { detections, timings };
}
