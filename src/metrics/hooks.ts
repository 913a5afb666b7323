// The metrics domain's case hooks: rollup deltas in the change's transaction (one statement for all changes
// of a transaction); rebuild after bulk loads.
import { registerCaseHooks, type CaseHooks, type CaseRow } from '../cases/hooks.ts';
import { localDay } from '../shared/time.ts';
import { caseDeltaStatements, rebuildMetrics } from './rollups.ts';
import { forgetTopicCountsStatement } from './topics.ts';

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
  changeStatements: (changes) => {
    const days = [...new Set(changes.flatMap((c) => topicDaysChanged(c.before, c.after)))];
    return [...caseDeltaStatements(changes), ...days.map((day) => forgetTopicCountsStatement({ fromDay: day, toDay: day }))];
  },
  afterBulkLoad: async (ctx, range) => {
    await rebuildMetrics(ctx.db, range);
  },
};

export function registerMetricsHooks(): void {
  registerCaseHooks(metricsHooks);
}
