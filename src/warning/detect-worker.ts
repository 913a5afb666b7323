// Worker thread entry: runs the detectors over snapshots posted by the serving thread (see detect-off-thread.ts).
import { parentPort } from 'node:worker_threads';
import { detectAll, type WarningInput, type WarningOptions } from './detect.ts';

parentPort!.on('message', (m: { id: number; input: WarningInput; options?: WarningOptions }) => {
  try {
    parentPort!.postMessage({ id: m.id, ok: true, detections: detectAll(m.input, m.options) });
  } catch (err) {
    parentPort!.postMessage({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
