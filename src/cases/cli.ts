// `minsheng import FILE.csv|FILE.xlsx [--mapping map.json | --map "列=字段,…"] [--mode …] [--report errors.csv] [--channel CODE]`
import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { createContext } from '../server/start.ts';
import { errorReportCsv, importCases, parseMapOption, type ImportMode } from './import-cases.ts';
import { loadCalendarFile } from './calendar.ts';
import { setCalendarOverrides } from './deadlines.ts';

export function registerCaseCommands(program: Command): void {
  program
    .command('import')
    .description('从 CSV / XLSX 导入工单（与 API 相同的校验；逐行错误报告；全部成功或跳过错误行）')
    .argument('<file>', 'CSV 或 XLSX 文件（第一行为表头）')
    .option('--mapping <file>', '列映射 JSON 文件: {"来电号码": "callerPhone", …}')
    .option('--map <spec>', '列映射: "来电号码=callerPhone,留言详情=content"')
    .option('--mode <mode>', 'all-or-nothing（默认）| skip-bad-rows', 'all-or-nothing')
    .option('--report <file>', '错误报告 CSV 输出路径')
    .option('--channel <code>', '文件未给出渠道时使用的渠道代码', 'import')
    .option('--data <dir>', '嵌入式数据库目录')
    .action(async (file: string, opts) => {
      if (!['all-or-nothing', 'skip-bad-rows'].includes(opts.mode)) throw new Error(`--mode 只能是 all-or-nothing 或 skip-bad-rows`);
      if (!fs.existsSync(file)) throw new Error(`文件不存在: ${file}`);
      const mapping = { ...(opts.mapping ? JSON.parse(fs.readFileSync(opts.mapping, 'utf8')) : {}), ...(opts.map ? parseMapOption(opts.map) : {}) };
      const ctx = await createContext(loadConfig(opts.data ? { dataDir: opts.data } : {}));
      try {
        const r = await importCases(ctx, file, { mapping, mode: opts.mode as ImportMode, channel: opts.channel, actor: { id: 'import', name: '批量导入', role: 'system' } });
        if (opts.report) fs.writeFileSync(opts.report, errorReportCsv(r.errors));
        console.log(`共 ${r.total} 行：导入 ${r.imported}，重复 ${r.duplicates}，错误 ${r.failed}（${r.committed ? '已提交' : '未导入任何数据'}，模式 ${r.mode}）`);
        for (const e of r.errors.slice(0, 20)) console.log(`  第 ${e.row} 行 ${e.column ?? e.field}: ${e.message}`);
        if (r.errors.length > 20) console.log(`  …另有 ${r.errors.length - 20} 条错误${opts.report ? `，见 ${opts.report}` : '（用 --report 输出全部）'}`);
        process.exitCode = r.committed ? 0 : 1;
      } finally {
        await ctx.db.close();
      }
    });

  program
    .command('calendar')
    .description('工作日历：载入节假日/调休文件（替换内置数据未覆盖的年份或修正）')
    .argument('<file>', 'JSON: {"holidays": {"2028-01-01": "元旦"}, "workdays": {"2028-01-29": "春节调休"}}')
    .option('--data <dir>', '嵌入式数据库目录')
    .action(async (file: string, opts) => {
      const data = loadCalendarFile(file);
      const ctx = await createContext(loadConfig(opts.data ? { dataDir: opts.data } : {}));
      try {
        await setCalendarOverrides(ctx.db, data);
        console.log(`已载入工作日历：节假日 ${Object.keys(data.holidays).length} 天，调休工作日 ${Object.keys(data.workdays).length} 天`);
      } finally {
        await ctx.db.close();
      }
    });
}
