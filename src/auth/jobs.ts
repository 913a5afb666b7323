// Auth's own background job and start-up duties.
import type { AppContext } from '../server/context.ts';
import { registerJob } from '../jobs/registry.ts';
import { registerCaseHooks } from '../cases/hooks.ts';
import { pruneAuth } from './login.ts';
import { ensureAdmin, ensureDemoUsers } from './users.ts';

export function registerAuthJobs(): void {
  registerJob({ name: 'auth.prune', everyMs: 3600_000, run: (ctx) => pruneAuth(ctx.db) });
  // Demo data arrives by bulk load; the unit demo user is bound to a unit that then has cases.
  registerCaseHooks({
    name: 'auth.demo-users',
    async afterBulkLoad(ctx) {
      if (ctx.config.demoOnEmpty) await ensureDemoUsers(ctx.db);
    },
  });
}

/**
 * First start: an `admin` user (MINSHENG_ADMIN_PASSWORD, or a random password printed once); on a demo
 * database the demo users too. Prints to stdout on purpose: this is the only place the password appears.
 */
export async function ensureUsers(ctx: AppContext, print: (line: string) => void = console.log): Promise<void> {
  const admin = await ensureAdmin(ctx.db, ctx.config.adminPassword);
  if (admin?.password) print(`已创建管理员账号 admin，初始密码（仅显示这一次，请登录后修改）: ${admin.password}`);
  else if (admin) print('已创建管理员账号 admin（密码来自 MINSHENG_ADMIN_PASSWORD）');
  if (ctx.config.demoOnEmpty) {
    const [hasCases] = await ctx.db.query('SELECT 1 FROM cases LIMIT 1');
    if (hasCases) {
      const created = await ensureDemoUsers(ctx.db);
      if (created.length) print(`已创建演示账号: ${created.join(', ')}（密码见 README）`);
    }
  }
}
