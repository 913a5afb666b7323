// After demo data or a large import, past online answers become knowledge entries (and an empty knowledge
// base gets the starter answers).
import type { CaseHooks } from '../cases/hooks.ts';
import { seedKnowledge } from './seed-knowledge.ts';
import { seedStarterKnowledge } from './starter-entries.ts';

export const knowledgeHooks: CaseHooks = {
  name: 'knowledge',
  async afterBulkLoad(ctx) {
    await seedStarterKnowledge(ctx.db);
    await seedKnowledge(ctx.db);
  },
};
