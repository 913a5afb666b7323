import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../store/open.ts';
import { seedKnowledge } from './seed-knowledge.ts';

export function registerKnowledgeCommands(program: Command): void {
  program
    .command('knowledge:seed')
    .description('从在线办结工单的历史答复生成知识库条目')
    .option('--data <dir>', '嵌入式数据库目录')
    .option('--limit <n>', '最多新增条目数', '5000')
    .action(async (opts) => {
      const db = await openDatabase(loadConfig(opts.data ? { dataDir: opts.data } : {}));
      const n = await seedKnowledge(db, { limit: Number(opts.limit) });
      console.log(`知识库新增 ${n} 条历史答复`);
      await db.close();
    });
}
