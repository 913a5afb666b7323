// Upkeep of the case search index (trigram GIN over title, content, address and case number; migrations 0081,
// 0083). New cases go into the index's pending list, which searches also read; merging that list into the index
// is the costly part. It is done here, on a timer, while cases come in — on a connection of its own, so an intake
// statement never waits for a merge, and a second's cases at a time, which costs less per case than the small
// merges the inserting statements would otherwise do.
import type { Db } from '../store/db.ts';
import { startUpkeep, upkeepEveryMs } from '../shared/upkeep.ts';

const SEARCH_INDEX = 'cases_search_trgm';
let inserted = 0; // process-wide: with several databases in one process (tests) a timer may merge an empty list

/** Counts stored cases (the intake and import paths call it); the upkeep merges only after some were. */
export function noteCasesInserted(n: number): void {
  inserted += n;
}

/** Merges the pending list every `everyMs` while cases are being stored; returns the stop function. */
export function startSearchIndexUpkeep(db: Db, o: { everyMs?: number; onError?: (e: unknown) => void } = {}): () => void {
  let seen = -1; // the first tick merges whatever an earlier process left pending
  return startUpkeep(o.everyMs ?? upkeepEveryMs(db), async () => {
    if (inserted === seen) return;
    seen = inserted;
    await db.query(`SELECT gin_clean_pending_list($1::regclass)`, [SEARCH_INDEX]);
  }, o.onError);
}
