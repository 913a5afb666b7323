// Worker thread entry: runs one detector family per request, off the serving process's main thread (or, on a
// database server, the incremental run whole: its snapshot read over the worker's own connection). The
// worker lives as long as the process, so its caches (segmented words, MinHash signatures, thresholds) carry
// over from one incremental run to the next.
import fs from 'node:fs';
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { detectAll, type WarningInput, type WarningOptions } from './detect.ts';
import { words } from './text.ts';
import { DETECTOR_NICE, type SnapshotRequest } from './detect-in-worker.ts';
import { loadWarningInput, snapshotSize } from './load-input.ts';
import { openPostgres } from '../store/postgres-db.ts';
import type { Db } from '../store/db.ts';

// Detection is background work: on a busy machine the threads that answer requests (and the database) go first.
// On Linux a thread has its own nice value; elsewhere (no /proc/thread-self) the thread keeps the process's.
try {
  os.setPriority(Number(fs.readlinkSync('/proc/thread-self').split('/').pop()), DETECTOR_NICE);
} catch {}

/** The snapshot worker's own connection (opened on first use, kept for the next runs). */
let db: Promise<Db> | null = null;
const dbFor = (url: string) => (db ??= openPostgres(url, { max: 1 }).catch((err) => { db = null; throw err; }));

parentPort!.on('message', async (m: { id: number; input?: WarningInput; snapshot?: SnapshotRequest; options?: WarningOptions; warm?: boolean | { url: string } }) => {
  if (m.warm) {
    words('预热'); // loads the segmenter's dictionary now rather than in the first run
    if (typeof m.warm === 'object') await dbFor(m.warm.url).catch(() => {}); // a failure is reported by the first run
    return parentPort!.postMessage({ id: m.id, ok: true, detections: [], cpuMs: 0 });
  }
  try {
    const started = process.cpuUsage();
    if (m.snapshot) {
      // Read the snapshot here rather than on the serving thread (unpacking tens of thousands of rows), detect.
      const t0 = performance.now();
      const input = await loadWarningInput(await dbFor(m.snapshot.url), m.snapshot.day, { upTo: new Date(m.snapshot.upTo), counts: false, cache: { generation: m.snapshot.generation } });
      const t1 = performance.now();
      const detections = detectAll(input, m.options!);
      return parentPort!.postMessage({ id: m.id, ok: true, detections, cpuMs: process.cpuUsage(started).user / 1000, snapshot: snapshotSize(input), loadMs: t1 - t0, detectMs: performance.now() - t1 });
    }
    const detections = detectAll(m.input!, m.options!);
    parentPort!.postMessage({ id: m.id, ok: true, detections, cpuMs: process.cpuUsage(started).user / 1000 });
  } catch (err) {
    parentPort!.postMessage({ id: m.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) });
  }
});
