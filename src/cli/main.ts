// The `minsheng` command. Each subcommand parses its flags and calls one domain function.
import { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../store/open.ts';
import { startServer } from '../server/start.ts';
import { registerReportCommands } from '../reports/cli.ts';
import { registerKnowledgeCommands } from '../knowledge/cli.ts';
import { registerCaseCommands } from '../cases/cli.ts';
import { registerCityCommands } from '../city/cli.ts';
import { registerOpsCommands } from '../ops/cli.ts';
import { registerWarningCommands } from '../warning/cli.ts';
// Each domain adds its commands here: import { registerXCommands } from '../x/cli.ts'; registerXCommands(program);
import { registerTagCommands } from '../tagging/cli.ts';
import { registerMetricsCommands } from '../metrics/cli.ts';

const program = new Command();
program.name('minsheng').description('民生 12345 热线平台').showHelpAfterError();

program
  .command('start')
  .alias('serve')
  .description('启动服务（默认嵌入式数据库 + 演示数据 + Web 界面）')
  .option('--port <n>', '端口 (PORT)')
  .option('--data <dir>', '嵌入式数据库目录 (MINSHENG_DATA)')
  .option('--no-jobs', '不在本进程运行后台任务（另起 minsheng worker）')
  .action(async (opts) => {
    const config = loadConfig({ ...(opts.port ? { port: Number(opts.port) } : {}), ...(opts.data ? { dataDir: opts.data } : {}) });
    const { url } = await startServer(config, { jobs: opts.jobs });
    console.log(`民生 Minsheng 已启动: ${url}`);
  });

program
  .command('migrate')
  .description('应用数据库迁移')
  .option('--data <dir>', '嵌入式数据库目录')
  .action(async (opts) => {
    const config = loadConfig(opts.data ? { dataDir: opts.data } : {});
    const db = await openDatabase(config, { migrate: false });
    const { migrate } = await import('../store/migrate.ts');
    const applied = await migrate(db);
    console.log(applied.length ? `已应用迁移: ${applied.join(', ')}` : '数据库已是最新');
    await db.close();
  });

registerReportCommands(program);
registerKnowledgeCommands(program);
registerCaseCommands(program);
registerCityCommands(program);
registerOpsCommands(program);
registerTagCommands(program);
registerWarningCommands(program);
registerMetricsCommands(program);

program.parseAsync(process.argv).catch((err) => {
  console.error(`错误: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
