// Operations commands: worker (background jobs), backup / restore of the embedded database, admin password.
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { backupDatabase, defaultBackupFile, restoreDatabase } from './backup.ts';

/**
 * The schedules a `serve` process runs on timers (daily early warning, monthly reports) become leased jobs in
 * worker processes, so that with `serve --no-jobs` they run once across all workers.
 */
async function registerScheduledJobs(): Promise<void> {
  const { registerJob } = await import('../jobs/registry.ts');
  const { runWarning } = await import('../warning/run.ts');
  const { localDay } = await import('../shared/time.ts');
  registerJob({ name: 'warning.daily', everyMs: 24 * 3600_000, leaseMs: 3 * 3600_000, run: async (ctx) => void (await runWarning(ctx, { day: localDay(Date.now() - 86400_000) })) });
}

export function registerOpsCommands(program: Command): void {
  program
    .command('worker')
    .description('后台任务进程（预警批处理、月报、汇总压缩等；多个进程通过数据库租约互斥，不会重复执行）')
    .option('--tick <ms>', '检查间隔（毫秒）', '1000')
    .action(async (opts) => {
      const config = loadConfig();
      const { createContext } = await import('../server/start.ts');
      const { startWorker, registeredJobs, WORKER_ID } = await import('../jobs/registry.ts');
      const ctx = await createContext(config);
      await registerScheduledJobs();
      const w = startWorker(ctx, { tickMs: Number(opts.tick), log: (m) => console.error(m) });
      console.log(`后台任务进程已启动 ${WORKER_ID}: ${registeredJobs().map((j) => j.name).join(', ')}`);
      for (const sig of ['SIGINT', 'SIGTERM'] as const) {
        process.once(sig, () => void w.stop().then(() => ctx.db.close()).then(() => process.exit(0)));
      }
    });

  program
    .command('backup')
    .description('备份嵌入式数据库（需先停止服务）')
    .option('--out <file>', '备份文件', undefined)
    .option('--data <dir>', '嵌入式数据库目录 (MINSHENG_DATA)')
    .action(async (opts) => {
      const config = loadConfig(opts.data ? { dataDir: opts.data } : {});
      const r = await backupDatabase(config, opts.out ?? defaultBackupFile());
      console.log(`备份完成: ${r.file}（${(r.bytes / 1024 / 1024).toFixed(1)} MiB，工单 ${r.cases} 件）`);
      console.log('提示: 手机号等加密数据的密钥不在备份中，请另行妥善保管 MINSHENG_SECRET 或数据目录下的 secret.key');
    });

  program
    .command('restore <file>')
    .description('从备份恢复嵌入式数据库（需先停止服务；原数据库会被移到旁边保留）')
    .option('--data <dir>', '嵌入式数据库目录 (MINSHENG_DATA)')
    .action(async (file, opts) => {
      const config = loadConfig(opts.data ? { dataDir: opts.data } : {});
      const r = await restoreDatabase(config, file);
      console.log(`恢复完成: 工单 ${r.cases} 件${r.movedAside ? `；原数据库已移至 ${r.movedAside}` : ''}`);
    });

  program
    .command('reset-admin')
    .description('重置 admin 密码（忘记密码时；新密码仅显示一次）')
    .option('--data <dir>', '嵌入式数据库目录 (MINSHENG_DATA)')
    .action(async (opts) => {
      const config = loadConfig(opts.data ? { dataDir: opts.data } : {});
      const { openDatabase } = await import('../store/open.ts');
      const { ensureAdmin, resetPassword } = await import('../auth/users.ts');
      const db = await openDatabase(config);
      const created = await ensureAdmin(db, config.adminPassword);
      if (created) console.log(created.password ? `已创建 admin，密码: ${created.password}` : '已创建 admin（密码来自 MINSHENG_ADMIN_PASSWORD）');
      else {
        const [u] = await db.query(`SELECT id FROM users WHERE username = 'admin'`);
        if (!u) throw new Error('没有名为 admin 的用户');
        const r = await resetPassword(db, String(u.id), config.adminPassword, { id: 'cli', name: '命令行', role: 'admin' });
        console.log(r.password ? `admin 新密码（仅显示这一次）: ${r.password}` : 'admin 密码已设为 MINSHENG_ADMIN_PASSWORD');
      }
      await db.close();
    });
}
