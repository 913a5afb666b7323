// After demo data or a large import, past online answers become knowledge entries.
import type { CaseHooks } from '../cases/hooks.ts';
import { seedKnowledge } from './seed-knowledge.ts';

export const knowledgeHooks: CaseHooks = {
  name: 'knowledge',
  async afterBulkLoad(ctx) {
    await seedKnowledge(ctx.db);
  },
};
