// Hand-made cases with known metric values (March 2026; one case in February 2026, two in March 2025).
import type { Db } from '../src/store/db.ts';
import { localDateTime } from '../src/shared/time.ts';
import { insertCase, seedMetricsCity } from './metrics-fixture.ts';

const H = 3600_000, D = 86400_000;

export async function seedKnownCases(db: Db): Promise<Record<string, number>> {
  await seedMetricsCity(db);
  const ids: Record<string, number> = {};
  const add = async (name: string, spec: Parameters<typeof insertCase>[1]) => (ids[name] = Number((await insertCase(db, spec)).id));
  const t1 = localDateTime('2026-03-02', 9), t2 = localDateTime('2026-03-05', 10), t3 = localDateTime('2026-03-20', 23, 30);
  await add('c1', { at: t1, channel: 'web', category: 'T0101', district: '430102', type: 'consultation', status: 'resolved_online', closed_at: t1, callback_result: 'satisfied', callback_at: new Date(t1.getTime() + D) });
  await add('c2', { at: t2, category: 'T0101', district: '430102', type: 'complaint', status: 'closed', unit: 'u-house', dispatched_at: new Date(t2.getTime() + H), accept_due_at: new Date(t2.getTime() + D), accepted_at: new Date(t2.getTime() + 2 * H), reply_due_at: new Date(t2.getTime() + 5 * D), replied_at: new Date(t2.getTime() + D), closed_at: new Date(t2.getTime() + 2 * D), callback_result: 'basically_satisfied' });
  await add('c3', { at: t3, category: 'T0201', district: '430103', type: 'complaint', status: 'closed', unit: 'u-env', dispatched_at: new Date(t3.getTime() + H), accept_due_at: new Date(t3.getTime() + 2 * H), accepted_at: new Date(t3.getTime() + 5 * H), reply_due_at: new Date(t3.getTime() + 2 * D), replied_at: new Date(t3.getTime() + 3 * D), closed_at: new Date(t3.getTime() + 4 * D), callback_result: 'unsatisfied', callback_note: '问题没解决，还是很吵', extension_count: 1 });
  await add('c4', { at: localDateTime('2026-03-31', 12), channel: 'app', category: 'T0202', district: '430103', type: 'help', status: 'dispatched', unit: 'u-env', return_count: 1 });
  await add('c5', { at: localDateTime('2026-03-10', 8), category: 'T0102', district: '430102', type: 'complaint', status: 'received', repeat_of: ids.c2 });
  await add('feb', { at: localDateTime('2026-02-28', 15), category: 'T0101', status: 'resolved_online' });
  await add('y1', { at: localDateTime('2025-03-01', 0, 10), category: 'T0201', status: 'resolved_online' });
  await add('y2', { at: localDateTime('2025-03-31', 23, 50), category: 'T0201', status: 'received' });
  // Outside every period in the tests: the local day boundary (2026-04-01 00:05 local = 2026-03-31 UTC).
  await add('apr', { at: localDateTime('2026-04-01', 0, 5), category: 'T0101' });
  return ids;
}
