// `minsheng warn run [--day D]` (daily batch) and `minsheng warn replay --messages FILE.csv --json`.
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { createContext } from '../server/start.ts';
import { AppError } from '../shared/errors.ts';
import { runWarning } from './run.ts';
import { replayFile } from './replay.ts';

export function registerWarningCommands(program: Command): void {
  const warn = program.command('warn').description('预警：倾向性、集中性、苗头性问题');
  warn
    .command('run')
    .description('运行一次预警检测（默认今天；--day 指定某日的完整批次）')
    .option('--day <YYYY-MM-DD>', '检测日（本地日）')
    .option('--data <dir>', '嵌入式数据库目录')
    .action(async (opts) => {
      if (opts.day && !/^\d{4}-\d{2}-\d{2}$/.test(opts.day)) throw new Error('--day 格式应为 YYYY-MM-DD');
      const ctx = await createContext(loadConfig(opts.data ? { dataDir: opts.data } : {}));
      try {
        const s = await runWarning(ctx, { day: opts.day });
        console.log(JSON.stringify(s, null, 2));
      } finally {
        await ctx.db.close();
      }
    });
  warn
    .command('replay')
    .description('按时间顺序回放留言 CSV（id,user,time,subject,detail,likes,dislikes），输出预警与热点问题')
    .requiredOption('--messages <file>', '留言 CSV 文件')
    .option('--json', '输出一个 JSON 对象（默认）', true)
    .option('--min-persons <n>', '苗头性话题所需的不同留言人数', '3')
    .option('--top <n>', '热点问题条数', '20')
    .option('--replicates <n>', '集中性扫描的蒙特卡洛次数（≥ 999）', '999')
    .action(async (opts) => {
      try {
        const r = replayFile(opts.messages, { minPersons: Number(opts.minPersons), top: Number(opts.top), replicates: Math.max(999, Number(opts.replicates) || 999) });
        process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      } catch (e) {
        if (e instanceof AppError) {
          const detail = e.fields ? Object.values(e.fields).join('；') : '';
          throw new Error(`${e.message}${detail ? '：' + detail : ''}`);
        }
        throw e;
      }
    });
}
