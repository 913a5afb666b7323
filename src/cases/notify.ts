// After a case change committed: run the afterCommit hooks (errors are logged, never thrown).
import type { AppContext } from '../server/context.ts';
import { caseHooks, type CaseChange } from './hooks.ts';

export function runAfterCommit(ctx: AppContext, change: CaseChange): void {
  for (const h of caseHooks()) {
    if (!h.afterCommit) continue;
    h.afterCommit(ctx, change).catch((err) => console.error(`[cases] afterCommit hook ${h.name} failed:`, err));
  }
}
