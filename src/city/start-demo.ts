// Start-up: an empty database gets the reference data and a smaller demo (90 days ending today, sized to load
// in well under a minute on PGlite), printing progress.
import type { AppContext } from '../server/context.ts';
import { addDays, localDay } from '../shared/time.ts';
import { loadDemo } from './load-demo.ts';
import { isReferenceEmpty, seedReference } from './seed-reference.ts';

export const STARTUP_DEMO = { days: 90, perDay: 400, seed: 12345 };

export async function prepareOnStart(ctx: AppContext, log: (msg: string) => void = console.log): Promise<void> {
  if (await isReferenceEmpty(ctx.db)) {
    const c = await seedReference(ctx.db);
    log(`已载入参考数据：区划 ${c.divisions}、地点 ${c.compounds}、单位 ${c.units}、分类 ${c.categories}`);
  }
  if (!ctx.config.demoOnEmpty) return;
  if ((await ctx.db.query('SELECT 1 FROM cases LIMIT 1')).length) return;
  const now = new Date();
  const start = addDays(localDay(now), -(STARTUP_DEMO.days - 1));
  log(`数据库为空：生成 ${STARTUP_DEMO.days} 天演示数据（${start} 起，日均 ${STARTUP_DEMO.perDay} 件）…`);
  const r = await loadDemo(ctx, {
    seed: STARTUP_DEMO.seed, start, days: STARTUP_DEMO.days, perDay: STARTUP_DEMO.perDay, horizon: now, batchDays: 15,
    onProgress: (p) => log(`  演示数据 ${p.daysDone}/${p.days} 天，${p.cases} 件，${(p.ms / 1000).toFixed(1)} 秒`),
    onHookDone: (name, ms) => log(`  ${name}: 载入后处理完成，${(ms / 1000).toFixed(1)} 秒`),
  });
  log(`演示数据就绪：${r.cases} 件诉求、${r.events} 条事件，用时 ${(r.ms / 1000).toFixed(1)} 秒`);
}
