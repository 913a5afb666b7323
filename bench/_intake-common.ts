// What the two intake benchmarks share (`intake`: the whole HTTP path; `intake-db`: the database's share):
// their flags, the requests they send, the database prepared as a centre runs it, and CPU read from /proc.
import fs from 'node:fs';
import type { AppContext } from '../src/server/context.ts';
import { SYSTEM_ACTOR } from '../src/server/context.ts';
import { generateCity } from '../src/city/generate-city.ts';
import { loadDemo } from '../src/city/load-demo.ts';
import { addDays, localDay } from '../src/shared/time.ts';
import { loadTrainingSet, storeModel } from '../src/tagging/train-from-database.ts';
import { trainInWorker } from '../src/tagging/train-in-worker.ts';
import { taggingState } from '../src/tagging/service.ts';
import type { TextModel } from '../src/tagging/classifier.ts';
import type { Row } from '../src/store/db.ts';

/** `--name value` from the command line, else `def`. */
export const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
};

/** Intake request bodies from the synthetic city (text, title, phone; an address on every third). */
export function intakeRequests(n: number, seed: string): Row[] {
  const today = localDay(new Date());
  const out: Row[] = [];
  for (const day of generateCity({ seed, start: addDays(today, -6), days: 7, perDay: Math.ceil(n / 6) }).days()) {
    for (const c of day.cases) {
      if (out.length >= n) return out;
      out.push({ channel: '12345', content: c.content, title: c.title, callerPhone: c.callerPhone, ...(out.length % 3 === 0 ? { address: c.address } : {}) });
    }
  }
  return out;
}

export const HISTORY_PER_DAY = 400;
export type TrainedModel = { model: TextModel; bytes: Buffer };

/**
 * The database as a centre runs it: `historyDays` × 400 cases of history (the near-duplicate index and repeat
 * callers have something to find) and an active category model — trained on `trainCases` of that history, or
 * the one given (training 261 classes takes a while: one model can serve several databases).
 */
export async function prepareIntakeDatabase(ctx: AppContext, o: { historyDays: number; trainCases: number; model?: TrainedModel | null }): Promise<{ historyCases: number; model: TrainedModel }> {
  const now = new Date();
  const r = await loadDemo(ctx, { seed: 7, start: addDays(localDay(now), -o.historyDays), days: o.historyDays, perDay: HISTORY_PER_DAY, horizon: now });
  let model = o.model;
  if (!model) {
    const set = await loadTrainingSet(ctx.db, o.trainCases);
    const state = await taggingState(ctx);
    model = await trainInWorker(set.texts, set.labels, {}, state.gazetteer.words);
  }
  await storeModel(ctx, model.model, model.bytes, { actor: SYSTEM_ACTOR, source: 'bench' });
  return { historyCases: r.cases, model };
}

/** CPU seconds (user + system) a process has run so far, all its threads (also those that ended): /proc/PID/stat,
 *  in 10 ms ticks. Null where unavailable (not Linux, process gone). */
export function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

/** CPU seconds one thread has run so far (default: the process's main thread, or a single-threaded process such
 *  as a PostgreSQL backend), in nanoseconds' precision: /proc/PID/task/TID/schedstat. Null where unavailable. */
export function threadCpuSeconds(pid: number | undefined, thread = pid): number | null {
  if (pid === undefined) return null;
  try {
    return Number(fs.readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
  } catch {
    return null;
  }
}
