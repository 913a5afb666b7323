// A tiny world for security tests: two units (A, B) and cases of each, B's carrying a marker that must never
// reach unit A's staff. Inserts are idempotent so they sit well next to reference fixtures.
import type { Db } from '../../src/store/db.ts';

export const MARK_B = 'LEAKMARK_B';

export interface SecurityWorld { unitA: string; unitB: string; caseA: string; caseB: string; caseBSensitive: string; caseNoB: string }

export async function securityWorld(db: Db): Promise<SecurityWorld> {
  await db.query(`INSERT INTO channels (code, name, kind) VALUES ('12345', '12345 热线', 'phone') ON CONFLICT DO NOTHING`);
  await db.query(`INSERT INTO divisions (code, name, level) VALUES ('430100', '长沙市', 'city') ON CONFLICT DO NOTHING`);
  await db.query(`INSERT INTO units (id, name, kind) VALUES ('sec-unit-a', '安全测试甲单位', 'bureau'), ('sec-unit-b', '安全测试乙单位', 'bureau') ON CONFLICT DO NOTHING`);
  const insert = async (no: string, unit: string, content: string, sensitive: boolean) => {
    const [r] = await db.query(
      `INSERT INTO cases (case_no, channel, received_at, local_day, content, title, address, status, unit_id, dispatched_at, sensitive, request_type, created_by)
       VALUES ($1, '12345', now(), CURRENT_DATE, $2, $2, $2, 'dispatched', $3, now(), $4, $5, 'someone-else') RETURNING id`,
      [no, content, unit, sensitive, sensitive ? 'report' : 'complaint'],
    );
    return String(r.id);
  };
  const caseA = await insert('SEC-A-0001', 'sec-unit-a', '甲单位的诉求 路灯不亮', false);
  const caseB = await insert('SEC-B-0001', 'sec-unit-b', `乙单位的诉求 ${MARK_B} 噪音扰民`, false);
  const caseBSensitive = await insert('SEC-B-0002', 'sec-unit-b', `举报 ${MARK_B} 违规经营`, true);
  return { unitA: 'sec-unit-a', unitB: 'sec-unit-b', caseA, caseB, caseBSensitive, caseNoB: 'SEC-B-0001' };
}
