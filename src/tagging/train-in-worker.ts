// Runs training in a worker thread so that the server keeps answering; falls back to this thread only when
// workers cannot load TypeScript (then it still runs, just on the main thread).
import { Worker } from 'node:worker_threads';
import { deserializeModel, serializeModel, trainModel, type TextModel, type TrainOptions } from './classifier.ts';
import { corpusIdf } from './keywords.ts';
import { normalizeText } from './text.ts';

export async function trainInWorker(texts: string[], labels: string[], options: TrainOptions = {}, userWords: string[] = []): Promise<{ model: TextModel; bytes: Buffer; inWorker: boolean }> {
  try {
    const bytes = await new Promise<Buffer>((resolve, reject) => {
      const w = new Worker(new URL('./train-worker.mjs', import.meta.url), { workerData: { texts, labels, options, userWords } });
      w.once('message', (m: { ok: boolean; bytes?: ArrayBuffer; error?: string }) => {
        void w.terminate();
        if (m.ok) resolve(Buffer.from(m.bytes!));
        else reject(Object.assign(new Error(m.error), { fromTrainer: true }));
      });
      w.once('error', reject);
      w.once('exit', (code) => code !== 0 && reject(new Error(`训练线程异常退出 (${code})`)));
    });
    return { model: deserializeModel(bytes), bytes, inWorker: true };
  } catch (err) {
    if ((err as { fromTrainer?: boolean }).fromTrainer) throw err;
    const model = trainModel(texts, labels, options);
    model.keywordIdf = corpusIdf(texts.map(normalizeText));
    return { model, bytes: serializeModel(model), inWorker: false };
  }
}
