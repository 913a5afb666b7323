// Tagging thread entry (see tag-in-worker.ts): keeps the tagging state it was last sent and tags batches of
// normalised texts with it.
import { parentPort } from 'node:worker_threads';
import { deserializeModel } from './classifier.ts';
import { Gazetteer, type CompoundRow, type Division } from './places.ts';
import type { CategoryInfo, TaggingState } from './service.ts';
import { textTags } from './suggest.ts';
import { taggedBatch } from './tag-in-worker.ts';

type Message =
  | { type: 'state'; model: ArrayBuffer | null; modelVersion: number | null; categories: CategoryInfo[]; gazetteer: { divisions: Division[]; compounds: CompoundRow[] } }
  | { type: 'tag'; id: number; texts: [string, string | null, number][] };

let state: Pick<TaggingState, 'model' | 'modelVersion' | 'categories' | 'gazetteer'> | null = null;

parentPort!.on('message', (m: Message) => {
  if (m.type === 'state') {
    // (building the gazetteer also adds its names to this thread's segmenter)
    const gazetteer = new Gazetteer(m.gazetteer.divisions, m.gazetteer.compounds);
    state = {
      model: m.model ? deserializeModel(Buffer.from(m.model)) : null,
      modelVersion: m.modelVersion,
      categories: new Map(m.categories.map((c) => [c.code, c])),
      gazetteer,
    };
    return;
  }
  // Each text its own outcome, as on the main thread.
  const tags = m.texts.map(([norm, address, explained]) => {
    try {
      return { ok: true, tags: textTags(state!, norm, address, explained) };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  });
  const { message, transfer } = taggedBatch(m.id, tags);
  parentPort!.postMessage(message, transfer);
});
