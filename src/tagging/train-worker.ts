// Worker thread entry: trains a model off the request path and posts the serialised bytes back.
import { parentPort, workerData } from 'node:worker_threads';
import { trainModel, serializeModel, type TrainOptions } from './classifier.ts';
import { corpusIdf } from './keywords.ts';
import { normalizeText, addUserWords } from './text.ts';

const { texts, labels, options, userWords } = workerData as { texts: string[]; labels: string[]; options: TrainOptions; userWords: string[] };
try {
  addUserWords(userWords ?? []);
  const model = trainModel(texts, labels, options);
  model.keywordIdf = corpusIdf(texts.map(normalizeText));
  const bytes = serializeModel(model);
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  parentPort!.postMessage({ ok: true, bytes: ab }, [ab]);
} catch (err) {
  parentPort!.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
}
