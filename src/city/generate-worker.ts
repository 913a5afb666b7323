// Worker thread: generates and encodes the city a batch of days per 'next' message (see encodeCityInWorker).
import { parentPort, workerData } from 'node:worker_threads';
import { encodeCity } from './encode-city.ts';

const batches = encodeCity(workerData.opts, workerData.batchDays);
parentPort!.on('message', () => {
  const r = batches.next();
  parentPort!.postMessage(r.done ? { truth: r.value } : { batch: r.value });
});
