// Worker thread entry: runs one detector family per request, off the serving process's main thread. The
// worker lives as long as the process, so its caches (segmented words, MinHash signatures, thresholds) carry
// over from one incremental run to the next.
import fs from 'node:fs';
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { detectAll, type WarningInput, type WarningOptions } from './detect.ts';
import { words } from './text.ts';
import { DETECTOR_NICE } from './detect-in-worker.ts';

// Detection is background work: on a busy machine the threads that answer requests (and the database) go first.
// On Linux a thread has its own nice value; elsewhere (no /proc/thread-self) the thread keeps the process's.
try {
  os.setPriority(Number(fs.readlinkSync('/proc/thread-self').split('/').pop()), DETECTOR_NICE);
} catch {}

parentPort!.on('message', (m: { id: number; input?: WarningInput; options?: WarningOptions; warm?: boolean }) => {
  if (m.warm) {
    words('预热'); // loads the segmenter's dictionary now rather than in the first run
    return parentPort!.postMessage({ id: m.id, ok: true, detections: [], cpuMs: 0 });
  }
  try {
    const started = process.cpuUsage();
    const detections = detectAll(m.input!, m.options!);
    parentPort!.postMessage({ id: m.id, ok: true, detections, cpuMs: process.cpuUsage(started).user / 1000 });
  } catch (err) {
    parentPort!.postMessage({ id: m.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) });
  }
});
