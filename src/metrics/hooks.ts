// The metrics domain's case hooks: rollup deltas in the change's transaction; rebuild after bulk loads.
import { registerCaseHooks, type CaseHooks } from '../cases/hooks.ts';
import { applyCaseDelta, rebuildRollups } from './rollups.ts';

export const metricsHooks: CaseHooks = {
  name: 'metrics',
  afterChange: (tx, change) => applyCaseDelta(tx, change.before, change.after),
  afterBulkLoad: async (ctx, range) => {
    await rebuildRollups(ctx.db, range);
  },
};

export function registerMetricsHooks(): void {
  registerCaseHooks(metricsHooks);
}
