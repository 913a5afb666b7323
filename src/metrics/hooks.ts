// The metrics domain's case hooks: rollup deltas queued in the change's transaction (a data-modifying CTE for all
// changes of a transaction, joined into intake's insert; rollups.ts applies the queue); rebuild after bulk loads.
import { registerCaseHooks, type CaseHooks, type CaseRow } from '../cases/hooks.ts';
import { localDay } from '../shared/time.ts';
import { caseDeltaCtes, rebuildMetrics } from './rollups.ts';
import { forgetTopicDaysCte } from './topics.ts';

/** Topic counts of past days are cached: a new case backdated to such a day, or a change of what topics match on. */
const TOPIC_FIELDS = ['local_day', 'category_code', 'keywords', 'title', 'content'];
function topicDaysChanged(before: CaseRow | null, after: CaseRow): string[] {
  const days = new Set<string>();
  if (!before || TOPIC_FIELDS.some((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]))) {
    for (const r of before ? [before, after] : [after]) days.add(String(r.local_day));
  }
  const today = localDay(new Date());
  return [...days].filter((d) => d < today);
}

export const metricsHooks: CaseHooks = {
  name: 'metrics',
  changeCtes: (changes, first) => {
    const delta = caseDeltaCtes(changes, first);
    const days = [...new Set(changes.flatMap((c) => topicDaysChanged(c.before, c.after)))];
    if (!days.length) return delta;
    const forget = forgetTopicDaysCte(days, first + delta.params.length);
    return { ctes: [...delta.ctes, forget.cte], params: [...delta.params, forget.param] };
  },
  afterBulkLoad: async (ctx, range) => {
    await rebuildMetrics(ctx.db, range);
  },
};

export function registerMetricsHooks(): void {
  registerCaseHooks(metricsHooks);
}
