// `minsheng metrics rebuild [--from DAY --to DAY]`: recomputes the rollups (and forgets cached topic counts) from
// the cases table — after a bulk load done outside the loader, or after an upgrade that adds a rollup dimension.
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../store/open.ts';
import { rebuildMetrics } from './rollups.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function registerMetricsCommands(program: Command): void {
  const metrics = program.command('metrics').description('统计指标');
  metrics
    .command('rebuild')
    .description('从工单表重算统计汇总（批量导入或升级后使用；重算期间工单变更会等待）')
    .option('--from <YYYY-MM-DD>', '起始日期（含；按整月重算）')
    .option('--to <YYYY-MM-DD>', '结束日期（含；按整月重算）')
    .option('--data <dir>', '嵌入式数据库目录')
    .action(async (opts) => {
      for (const f of ['from', 'to'] as const) {
        if (opts[f] && !DAY.test(opts[f])) throw new Error(`--${f} 须为 YYYY-MM-DD 格式的日期: ${opts[f]}`);
      }
      if (Boolean(opts.from) !== Boolean(opts.to)) throw new Error('--from 与 --to 须同时给出（都不给则重算全部）');
      if (opts.from && opts.from > opts.to) throw new Error('--from 不能晚于 --to');
      const db = await openDatabase(loadConfig(opts.data ? { dataDir: opts.data } : {}));
      try {
        const t0 = performance.now();
        const r = await rebuildMetrics(db, opts.from ? { fromDay: opts.from, toDay: opts.to } : undefined);
        const span = r.range ? `${r.range.fromDay} 至 ${r.range.toDay}` : '（无工单）';
        console.log(`已重算统计汇总 ${span}：日汇总 ${r.dailyRows} 行，月汇总 ${r.monthlyRows} 行，用时 ${((performance.now() - t0) / 1000).toFixed(1)} 秒`);
      } finally {
        await db.close();
      }
    });
}
