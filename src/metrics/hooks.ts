// The metrics domain's case hooks: rollup deltas in the change's transaction (one statement for all changes
// of a transaction); rebuild after bulk loads.
import { registerCaseHooks, type CaseHooks } from '../cases/hooks.ts';
import { applyCaseDeltas, rebuildRollups } from './rollups.ts';

export const metricsHooks: CaseHooks = {
  name: 'metrics',
  afterChanges: (tx, changes) => applyCaseDeltas(tx, changes),
  afterBulkLoad: async (ctx, range) => {
    await rebuildRollups(ctx.db, range);
  },
};

export function registerMetricsHooks(): void {
  registerCaseHooks(metricsHooks);
}
