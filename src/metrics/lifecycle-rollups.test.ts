// The real case lifecycle (createCase / performAction of the cases domain) with the metrics hook: after every
// kind of action the rollups equal a from-scratch recomputation over the cases table.
import { describe, expect, it } from 'vitest';
import { engines } from '../../tests/engines.ts';
import { REF, seedTestReference } from '../../tests/fixtures/reference.ts';
import { testContext } from '../../tests/fixtures/context.ts';
import { createCase } from '../cases/create-case.ts';
import { performAction } from '../cases/perform-action.ts';
import type { Actor } from '../server/context.ts';
import type { Db } from '../store/db.ts';
import { COUNTERS } from './indicators.ts';
import { registerMetricsHooks } from './hooks.ts';
import { queryMetric } from './query.ts';
import { drainRollupQueue, rebuildRollups } from './rollups.ts';
import { localDay } from '../shared/time.ts';

const snapshot = async (db: Db) => {
  await drainRollupQueue(db); // the changes' queued deltas, applied
  const out: Record<string, unknown[]> = {};
  for (const t of ['rollup_daily', 'rollup_monthly', 'rollup_cube_daily', 'rollup_cube_monthly']) {
    out[t] = await db.query(`SELECT * FROM ${t} WHERE ${COUNTERS.map((k) => `${k} <> 0`).join(' OR ')} ORDER BY 1, 2, 3, 4`);
  }
  return out;
};

for (const engine of engines()) {
  describe(`rollups under the real case lifecycle (${engine.name})`, () => {
    it('stay equal to a rebuild after create, resolve online, dispatch, accept, extend, return, reply, close, callback and reopen', async () => {
      registerMetricsHooks();
      const db = await engine.open();
      try {
        await seedTestReference(db);
        const ctx = testContext(db);
        const op: Actor = { id: 'op', name: '话务员', role: 'operator' };
        const admin: Actor = { id: 'ad', name: '管理员', role: 'admin' };
        const unit = (unitId: string): Actor => ({ id: `u:${unitId}`, name: '承办', role: 'unit_staff', unitId });
        const make = async (extra: Record<string, unknown>) => Number((await createCase(ctx, { channel: '12345', content: '工地夜间施工噪音扰民', callerPhone: '13800138000', districtCode: REF.furong, requestType: 'complaint', ...extra }, op)).id);
        const act = async (id: number, action: string, input: Record<string, unknown>, actor: Actor) => performAction(ctx, id, action, input, actor);

        const a = await make({ categoryCode: REF.categories.constructionNoise });
        await act(a, 'dispatch', {}, admin);
        await act(a, 'accept', {}, unit(REF.units.env));
        await act(a, 'extend', { days: 3, reason: '需协调' }, unit(REF.units.env));
        await act(a, 'approve-extension', {}, admin);
        await act(a, 'reply', { result: '已处理' }, unit(REF.units.env));
        await act(a, 'close', {}, admin);
        await act(a, 'callback', { result: 'unsatisfied', note: '问题没解决' }, admin);
        await act(a, 'reopen', { reason: '群众不满意' }, admin);
        const b = await make({ categoryCode: REF.categories.propertyFee });
        await act(b, 'dispatch', {}, admin);
        const bUnit = (await db.query('SELECT unit_id FROM cases WHERE id = $1', [b]))[0].unit_id;
        await act(b, 'return', { reason: '非本单位职责' }, unit(bUnit));
        const c = await make({ categoryCode: REF.categories.food, requestType: 'consultation' });
        await act(c, 'resolve-online', { answer: '已解答' }, op);
        await act(c, 'callback', { result: 'satisfied' }, admin);

        const live = await snapshot(db);
        const today = localDay(new Date());
        const month = { from: today.slice(0, 8) + '01', to: today };
        const volume = await queryMetric(db, { metric: 'volume', ...month });
        expect(volume.value).toBe(3);
        expect((await queryMetric(db, { metric: 'return_rate', ...month })).num).toBe(1);
        expect((await queryMetric(db, { metric: 'reopen_count', ...month })).value).toBe(1);
        await rebuildRollups(db);
        expect(await snapshot(db)).toEqual(live);
      } finally {
        await db.close();
      }
    }, 300_000);
  });
}
