import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { engines } from '../../tests/engines.ts';
import { REF } from '../../tests/fixtures/reference.ts';
import { seededContext } from '../../tests/fixtures/context.ts';
import type { Db } from '../store/db.ts';
import type { AppContext } from '../server/context.ts';
import { errorReportCsv, importCases, parseMapOption } from './import-cases.ts';

const actor = { id: 'import', name: '导入', role: 'system' as const };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-import-'));
const csv = (name: string, lines: string[]) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, '\ufeff' + lines.join('\n'));
  return f;
};

for (const engine of engines()) {
  describe(`import (${engine.name})`, () => {
    let db: Db;
    let ctx: AppContext;
    beforeAll(async () => {
      ({ db, ctx } = await seededContext(engine));
    });
    afterAll(async () => db?.close());
    const count = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cases`))[0]!.n;

    it('all-or-nothing: one bad row stores nothing and reports row, field, message', async () => {
      const f = csv(`a-${engine.name}.csv`, [
        '来电号码,留言详情,受理时间,诉求类型,分类代码',
        '13800138000,小区电梯故障,2026-11-01 09:30,求助,' + REF.categories.propertyService,
        '12345,噪音扰民,2026-11-02 10:00,投诉,' + REF.categories.socialNoise,
        '13900139000,,2026-11-03 11:00,咨询,',
        '13700137000,物业收费,2026-11-04 11:00,投诉,NOPE',
      ]);
      const before = await count();
      const r = await importCases(ctx, f, { actor });
      expect(r).toMatchObject({ total: 4, imported: 0, failed: 3, committed: false });
      expect(r.errors).toEqual([
        expect.objectContaining({ row: 3, field: 'callerPhone', column: '来电号码' }),
        expect.objectContaining({ row: 4, field: 'content' }),
        expect.objectContaining({ row: 5, field: 'categoryCode', column: '分类代码' }),
      ]);
      expect(await count()).toBe(before);
      const report = errorReportCsv(r.errors);
      expect(report).toContain('行号,字段,列名,错误信息');
      expect(report.split('\n').length).toBeGreaterThanOrEqual(4);
    });

    it('skip-bad-rows: good rows stored in one go, bad rows reported; re-import is idempotent', async () => {
      const f = csv(`b-${engine.name}.csv`, [
        '电话,内容,时间,区县,类型',
        '13800138000,小区电梯故障,2026-11-01 09:30,' + REF.furong + ',求助',
        'abc,噪音扰民,2026-11-02 10:00,' + REF.furong + ',投诉',
        '13900139000,路灯不亮,2026/11/03 11:00,' + REF.yuelu + ',咨询',
      ]);
      const mapping = parseMapOption('电话=callerPhone,内容=content,时间=receivedAt,区县=districtCode,类型=requestType');
      const before = await count();
      const r = await importCases(ctx, f, { actor, mode: 'skip-bad-rows', mapping, channel: 'letter' });
      expect(r).toMatchObject({ total: 3, imported: 2, failed: 1, committed: true });
      expect(r.errors[0]).toMatchObject({ row: 3, field: 'callerPhone', column: '电话' });
      expect(await count()).toBe(before + 2);
      const rows = await db.query(`SELECT * FROM cases WHERE channel = 'letter' ORDER BY received_at`);
      expect(rows.map((x) => x.request_type)).toEqual(['help', 'consultation']);
      expect(rows[0]!.case_no).toMatch(/^20261101-\d{6}$/);
      expect(new Date(rows[0]!.received_at).toISOString()).toBe('2026-11-01T01:30:00.000Z'); // 09:30 in the city
      expect(rows[0]!.caller_phone_masked).toBe('138****8000');
      const events = await db.query(`SELECT count(*)::int AS n FROM case_events WHERE case_id = ANY(ARRAY[$1, $2]::bigint[])`, [rows[0]!.id, rows[1]!.id]);
      expect(events[0]!.n).toBe(2);
      const again = await importCases(ctx, f, { actor, mode: 'skip-bad-rows', mapping, channel: 'letter' });
      expect(again).toMatchObject({ imported: 0, duplicates: 2, failed: 1 });
      expect(await count()).toBe(before + 2);
    });

    it('reads XLSX with dates and numbers', async () => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('工单');
      ws.addRow(['来电号码', '诉求内容', '受理时间', '小区', '紧急程度']);
      ws.addRow([13800138000, '魅力之城停水', new Date('2026-11-05T02:00:00Z'), REF.compoundMeili, '紧急']);
      ws.addRow(['0731-84567890', '桃子湖小区垃圾清运不及时', '2026-11-06 08:00', 'CP-TAOZI', '一般']);
      const f = path.join(dir, `c-${engine.name}.xlsx`);
      await wb.xlsx.writeFile(f);
      const r = await importCases(ctx, f, { actor });
      expect(r).toMatchObject({ total: 2, imported: 2, failed: 0, committed: true });
      const [row] = await db.query(`SELECT * FROM cases WHERE content = '魅力之城停水'`);
      expect(row).toMatchObject({ urgency: 'urgent', community_code: REF.wenyiCommunity, district_code: REF.furong, channel: 'import' });
      expect(new Date(row!.received_at).toISOString()).toBe('2026-11-05T02:00:00.000Z');
    });

    it('rejects unknown files and mappings clearly', async () => {
      await expect(importCases(ctx, path.join(dir, 'x.pdf'), { actor })).rejects.toMatchObject({ code: 'validation_failed' });
      await expect(importCases(ctx, csv('m.csv', ['a', '1']), { actor, mapping: { a: 'nonsense' } })).rejects.toMatchObject({ fields: { mapping: expect.any(String) } });
      expect(() => parseMapOption('来电号码')).toThrow();
    });
  });
}
