// Background upkeep of a serving process (search-index merges, the rollup queue): a task run every `everyMs` on its
// own, never two runs at once (a slow run makes the next tick skip), errors reported rather than thrown, and never
// keeping the process alive. On embedded PGlite such work runs in the one thread every statement runs in and holds
// them all up while it runs, so its default there is smaller, more frequent runs.
import type { Db } from '../store/db.ts';

export const upkeepEveryMs = (db: Db) => (db.engine === 'pglite' ? 250 : 1000);

/** Runs `task` every `everyMs` (skipping ticks while a run is in progress); returns the stop function. */
export function startUpkeep(everyMs: number, task: () => Promise<unknown>, onError?: (e: unknown) => void): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch((e) => onError?.(e))
      .finally(() => (running = false));
  }, everyMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
