// `minsheng report monthly|special …`: writes a docx or pdf report built from the metrics.
import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../store/open.ts';
import { generateReport } from './generate-report.ts';
import type { ReportSpec } from './build-report.ts';
import type { ReportFormat } from './model.ts';

async function write(spec: ReportSpec, opts: { format: string; out?: string; data?: string }) {
  const format = opts.format as ReportFormat;
  if (!['docx', 'pdf'].includes(format)) throw new Error('--format 只能是 docx 或 pdf');
  const db = await openDatabase(loadConfig(opts.data ? { dataDir: opts.data } : {}));
  try {
    const r = await generateReport(db, spec, format);
    const out = opts.out ?? r.fileName;
    fs.writeFileSync(out, r.data);
    console.log(`已生成《${r.title}》: ${out}`);
  } finally {
    await db.close();
  }
}

export function registerReportCommands(program: Command): void {
  const report = program.command('report').description('生成报告（月报 / 专报）');
  report
    .command('monthly')
    .description('月报：总体情况、热点问题、预警与处置、承办单位考核、不满意诉求分析、下步建议')
    .requiredOption('--month <YYYY-MM>', '月份')
    .option('--format <docx|pdf>', '格式', 'docx')
    .option('--out <file>', '输出文件')
    .option('--data <dir>', '嵌入式数据库目录')
    .action((opts) => write({ kind: 'monthly', month: opts.month }, opts));
  report
    .command('special')
    .description('专报：某专题 / 分类 / 区县 / 预警在一段时间内的情况')
    .requiredOption('--from <YYYY-MM-DD>', '开始日期')
    .requiredOption('--to <YYYY-MM-DD>', '结束日期')
    .option('--topic <code>', '重点专题（如 business、blue-sky、epidemic 或专题名称）')
    .option('--category <code>', '问题分类代码（含下级分类）')
    .option('--district <code>', '区县代码')
    .option('--alert <id>', '预警编号')
    .option('--format <docx|pdf>', '格式', 'docx')
    .option('--out <file>', '输出文件')
    .option('--data <dir>', '嵌入式数据库目录')
    .action((opts) => write({ kind: 'special', from: opts.from, to: opts.to, topic: opts.topic, category: opts.category, district: opts.district, alertId: opts.alert }, opts));
}
