// `minsheng demo …` and `minsheng reference`: the synthetic city from the command line.
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { createContext } from '../server/start.ts';
import { createSecrets, loadOrCreateSecret } from '../shared/secrets.ts';
import { addDays, localDay } from '../shared/time.ts';
import { loadDemo, writeDemoCsv, type DemoOptions } from './load-demo.ts';
import { runLive } from './live.ts';
import { seedReference } from './seed-reference.ts';

export function registerCityCommands(program: Command): void {
  program
    .command('demo')
    .description('生成合成城市演示数据（确定性、流式写入数据库或 CSV），可持续实时追加')
    .option('--seed <n>', '随机种子', '1')
    .option('--days <n>', '天数', '90')
    .option('--per-day <n>', '日均诉求量', '10000')
    .option('--start <date>', '起始日期 YYYY-MM-DD（默认：结束于昨天）')
    .option('--out <dir>', '写 CSV 到目录，而不是数据库')
    .option('--truth <file>', '注入事件真值 JSON 文件')
    .option('--incidents <n>', '每类注入事件数（集中性/倾向性/苗头性；默认约每年 100）')
    .option('--live', '持续实时追加诉求（写入数据库）')
    .option('--rate <n>', '实时模式每分钟诉求数', '30')
    .option('--data <dir>', '嵌入式数据库目录')
    .action(async (o) => {
      const config = loadConfig(o.data ? { dataDir: o.data } : {});
      const days = Number(o.days);
      const perDay = Number(o.perDay);
      if (!Number.isInteger(days) || days < 0 || !Number.isFinite(perDay) || perDay < 0) throw new Error('--days 与 --per-day 须为非负数');
      const start = o.start ?? addDays(localDay(new Date()), -days);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(start)) throw new Error('--start 须为 YYYY-MM-DD');
      const n = o.incidents === undefined ? undefined : Number(o.incidents);
      const opts: DemoOptions = {
        seed: o.seed, start, days, perDay, truthFile: o.truth,
        ...(n !== undefined ? { incidents: { concentrated: n, trending: n, emerging: n } } : {}),
        onProgress: (p) => console.log(`演示数据 ${p.day}：${p.daysDone}/${p.days} 天，${p.cases} 件诉求，${p.events} 条事件，${(p.ms / 1000).toFixed(1)} 秒`),
      };
      if (o.out) {
        const secrets = createSecrets(loadOrCreateSecret(config.secret, config.dataDir));
        const r = await writeDemoCsv(o.out, opts, secrets);
        console.log(`已写出 ${r.cases} 件诉求、${r.events} 条事件到 ${o.out}（${(r.ms / 1000).toFixed(1)} 秒）`);
        return;
      }
      const ctx = await createContext(config);
      try {
        if (days > 0) {
          const r = await loadDemo(ctx, opts);
          console.log(`已载入 ${r.cases} 件诉求、${r.events} 条事件（${(r.ms / 1000).toFixed(1)} 秒），注入事件 ${r.truth.incidents.length} 个`);
        }
        if (o.live) {
          const ac = new AbortController();
          for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => ac.abort());
          console.log(`实时模式：每分钟 ${o.rate} 件（Ctrl+C 结束）`);
          const added = await runLive(ctx, { seed: o.seed, rate: Number(o.rate), signal: ac.signal, onCase: (c) => console.log(`新诉求 ${c.caseNo} ${c.title}`) });
          console.log(`实时模式结束，共新增 ${added} 件`);
        }
      } finally {
        await ctx.db.close();
      }
    });

  program
    .command('reference')
    .description('载入参考数据（区划、小区、单位、分类、派单目录），可重复执行')
    .option('--data <dir>', '嵌入式数据库目录')
    .action(async (o) => {
      const ctx = await createContext(loadConfig(o.data ? { dataDir: o.data } : {}));
      try {
        const c = await seedReference(ctx.db);
        console.log(`参考数据：新增区划 ${c.divisions}、地点 ${c.compounds}、单位 ${c.units}、分类 ${c.categories}、派单规则 ${c.rules}`);
      } finally {
        await ctx.db.close();
      }
    });
}
