// Detection takes seconds of CPU over a year of history. In the serving process it runs in one long-lived
// worker thread, so that intake and every other request keep being answered meanwhile (a run on the main
// thread held all requests up for its whole duration). Loading the snapshot and writing alerts stay on the
// main thread (they use the database connection); only the pure detectors move. When the worker cannot
// start, detection runs here as before.
import { Worker } from 'node:worker_threads';
import type { Detection } from './detection.ts';
import { detectAll, type WarningInput, type WarningOptions } from './detect.ts';

type Reply = { id: number; ok: boolean; detections?: Detection[]; error?: string };
let worker: Worker | null = null;
let broken = false;
let nextId = 0;
const waiting = new Map<number, { resolve: (d: Detection[]) => void; reject: (e: Error) => void }>();

function failAll(err: Error): void {
  worker = null;
  for (const w of waiting.values()) w.reject(err);
  waiting.clear();
}

function detector(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./detect-worker.mjs', import.meta.url));
  w.on('message', (m: Reply) => {
    const p = waiting.get(m.id);
    if (!p) return;
    waiting.delete(m.id);
    if (!waiting.size) w.unref(); // idle: never keeps the process alive
    if (m.ok) p.resolve(m.detections!);
    else p.reject(Object.assign(new Error(m.error), { fromDetector: true }));
  });
  w.on('error', (err) => failAll(err));
  w.on('exit', (code) => failAll(new Error(`预警检测线程退出 (${code})`)));
  return (worker = w);
}

export async function detectOffThread(input: WarningInput, options?: WarningOptions): Promise<Detection[]> {
  if (broken) return detectAll(input, options);
  try {
    const w = detector();
    w.ref();
    const id = nextId++;
    return await new Promise<Detection[]>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      w.postMessage({ id, input, options });
    });
  } catch (err) {
    if ((err as { fromDetector?: boolean }).fromDetector) throw err;
    broken = true; // the worker could not run (e.g. no TypeScript loader in threads): detect on this thread
    return detectAll(input, options);
  }
}
