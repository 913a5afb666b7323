import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../../tests/engines.ts';
import { authHeaders } from '../../tests/auth.ts';
import { seedKnownCases } from '../../tests/metrics-known.ts';
import { loadConfig } from '../config.ts';
import { buildApp } from '../server/app.ts';
import { createSecrets } from '../shared/secrets.ts';
import type { Db } from '../store/db.ts';
import { queryMetric } from '../metrics/query.ts';
import { rebuildRollups } from '../metrics/rollups.ts';
import { generateReport } from './generate-report.ts';
import { runMonthlyReports } from './schedule.ts';

function hasPdftotext(): boolean {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI) throw new Error('CI=true but pdftotext (Debian poppler-utils) is missing');
    console.warn('SKIP PDF text checks: pdftotext is not installed (apt-get install -y poppler-utils)');
    return false;
  }
}
const pdfText = (data: Buffer) => {
  const file = path.join(os.tmpdir(), `ms-report-${process.pid}-${Date.now()}.pdf`);
  fs.writeFileSync(file, data);
  try {
    return { text: execFileSync('pdftotext', ['-layout', file, '-']).toString(), fonts: execFileSync('pdffonts', [file]).toString() };
  } finally {
    fs.unlinkSync(file);
  }
};
const docxText = async (data: Buffer) => {
  const zip = await JSZip.loadAsync(data);
  const xml = await zip.file('word/document.xml')!.async('string');
  return { xml, text: xml.replace(/<[^>]+>/g, ''), media: Object.keys(zip.files).filter((f) => f.startsWith('word/media/')) };
};

for (const engine of engines()) {
  describe(`reports (${engine.name})`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await engine.open();
      await seedKnownCases(db);
      await rebuildRollups(db);
    }, 180_000);
    afterAll(async () => db?.close());

    it('writes a monthly DOCX with every section and the same figures as the dashboard', async () => {
      const r = await generateReport(db, { kind: 'monthly', month: '2026-03' }, 'docx');
      const { text, media } = await docxText(r.data);
      for (const h of ['一、总体情况', '二、热点问题', '三、预警与处置', '四、承办单位考核', '五、不满意诉求分析', '六、下步建议']) expect(text).toContain(h);
      expect(text).toContain('2026年3月诉求办理情况分析报告');
      const dash = async (metric: string) => (await queryMetric(db, { metric, from: '2026-03-01', to: '2026-03-31' })).value!;
      expect(text).toContain(`受理群众诉求${await dash('volume')}件，环比上升400.00%，同比上升150.00%`);
      expect(text).toContain(`满意率${(await dash('satisfaction_rate')).toFixed(2)}%`);
      expect(text).toContain(`转办办结率${(await dash('transfer_closure_rate')).toFixed(2)}%`);
      expect(text).toContain('问题未解决（1件');
      expect(text).toContain('本期无预警');
      expect(media.some((f) => f.endsWith('.svg'))).toBe(true);
    }, 180_000);

    it('writes a monthly PDF with embedded CJK fonts whose text carries the figures', async () => {
      const r = await generateReport(db, { kind: 'monthly', month: '2026-03' }, 'pdf');
      expect(r.data.subarray(0, 5).toString()).toBe('%PDF-');
      if (!hasPdftotext()) return;
      const { text, fonts } = pdfText(r.data);
      expect(fonts).toMatch(/NotoSansCJK\S*\s+CID Type 0C\s+Identity-H\s+yes\s+yes/);
      const flat = text.replace(/\s+/g, '');
      expect(flat).toContain('热线共受理群众诉求5件');
      expect(flat).toContain('在线办结率20.00%');
      expect(flat).toContain('满意率66.67%');
      expect(flat).toContain('一、总体情况');
      expect(flat).toContain('六、下步建议');
    }, 180_000);

    it('writes special reports on a category, a district and a topic', async () => {
      const cat = await docxText((await generateReport(db, { kind: 'special', from: '2026-03-01', to: '2026-03-31', category: 'T01' }, 'docx')).data);
      expect(cat.text).toContain('关于“城乡建设”类诉求情况的专题报告');
      expect(cat.text).toContain('热线共受理群众诉求3件');
      const dist = await docxText((await generateReport(db, { kind: 'special', from: '2026-03-01', to: '2026-03-31', district: '430103' }, 'docx')).data);
      expect(dist.text).toContain('天心区');
      expect(dist.text).toContain('受理群众诉求2件');
      const topic = await docxText((await generateReport(db, { kind: 'special', from: '2026-03-01', to: '2026-03-31', topic: 'blue-sky' }, 'docx')).data);
      expect(topic.text).toContain('“蓝天保卫战”专题');
      await expect(generateReport(db, { kind: 'special', from: '2026-03-01', to: '2026-03-31', alertId: '999999' }, 'docx')).rejects.toMatchObject({ code: 'not_found' });
      // With an alert of the warning domain: listed under 预警与处置, and a special report about it.
      const [alert] = await db.query(`INSERT INTO alerts (incident_key, kind, title, category_code, district_code, place_name, observed, expected, first_seen_at, last_seen_at)
        VALUES ('t-1', 'concentrated', '天心区噪音扰民集中投诉', 'T02', '430103', '天心区', 2, 0.4, $1, $1) RETURNING id`, [new Date('2026-03-20T04:00:00Z')]);
      const monthly = await docxText((await generateReport(db, { kind: 'monthly', month: '2026-03' }, 'docx')).data);
      expect(monthly.text).toContain('本期共发出预警1条，其中集中性1条');
      expect(monthly.text).toContain('天心区噪音扰民集中投诉');
      const about = await docxText((await generateReport(db, { kind: 'special', from: '2026-03-01', to: '2026-03-31', alertId: String(alert.id) }, 'docx')).data);
      expect(about.text).toContain('预警详情');
      expect(about.text).toContain('受理群众诉求2件'); // the alert's district and category (T02 in 天心区)
      await db.query(`DELETE FROM alerts WHERE id = $1`, [alert.id]);
    }, 180_000);

    it('serves reports through POST /api/reports and generates each month once on schedule', async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-reports-'));
      const config = loadConfig({ dataDir, logLevel: 'silent' }, {});
      const ctx = { db, config, secrets: createSecrets('x'.repeat(32)) };
      const app = await buildApp(ctx);
      try {
        const headers = await authHeaders(db, 'analyst');
        const res = await app.inject({ method: 'POST', url: '/api/reports', headers, payload: { kind: 'monthly', month: '2026-03', format: 'docx' } });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toContain('wordprocessingml');
        expect(res.headers['content-disposition']).toContain('attachment');
        expect((await docxText(res.rawPayload)).text).toContain('热线共受理群众诉求5件');
        const bad = await app.inject({ method: 'POST', url: '/api/reports', headers, payload: { kind: 'monthly', month: '2026-13' } });
        expect(bad.statusCode).toBe(400);
        expect(bad.json().error.fields).toHaveProperty('month');
      } finally {
        await app.close();
      }
      const now = new Date('2026-04-02T02:00:00Z');
      const [first, second] = await Promise.all([runMonthlyReports(ctx, now, ['docx']), runMonthlyReports(ctx, now, ['docx'])]);
      expect(first.length + second.length).toBe(1);
      expect(fs.existsSync(path.join(dataDir, 'reports', '月报_2026-03.docx'))).toBe(true);
      expect(await runMonthlyReports(ctx, now, ['docx'])).toEqual([]);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }, 180_000);
  });
}
