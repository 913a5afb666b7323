import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { engines } from '../../tests/engines.ts';
import type { Db } from '../store/db.ts';
import { loadConfig } from '../config.ts';
import { createSecrets } from '../shared/secrets.ts';
import { buildApp } from '../server/app.ts';
import { signedInApp } from '../../tests/auth.ts';
import { searchKnowledge } from './search-knowledge.ts';
import { createKnowledgeEntry, updateKnowledgeEntry } from './save-entry.ts';
import { seedKnowledge } from './seed-knowledge.ts';
import { searchTerms } from './terms.ts';
import { authHeaders } from '../../tests/auth.ts';

const staff = { id: 'u1', name: '话务员甲', role: 'operator' as const };

async function seedCases(db: Db) {
  await db.exec(`INSERT INTO channels (code, name, kind) VALUES ('12345', '12345热线', 'phone') ON CONFLICT DO NOTHING;
    INSERT INTO categories (code, name, parent_code, level, path) VALUES ('HF', '住房公积金', NULL, 1, '{住房公积金}'), ('HF01', '公积金提取', 'HF', 2, '{住房公积金,公积金提取}') ON CONFLICT DO NOTHING;`);
  const reply = '您好，租房提取住房公积金需携带身份证和租房合同到市公积金中心办理，也可在长沙公积金APP线上申请。';
  const rows = [
    ['20260101-000001', '公积金租房提取', '我想咨询租房怎么提取住房公积金', reply, 'HF01'],
    ['20260101-000002', '租房提取公积金', '租房可以提取公积金吗需要什么材料', reply, 'HF01'], // same answer: one entry
    ['20260101-000003', '社保卡补办', '社保卡丢了怎么补办', '您好，社保卡遗失可到就近银行网点挂失补办，携带身份证即可。', null],
    ['20260101-000004', '噪音', '楼下夜间施工噪音扰民', null, null], // not resolved online: no entry
  ];
  for (const [no, title, content, resolution, cat] of rows) {
    await db.query(
      `INSERT INTO cases (case_no, channel, received_at, local_day, title, content, category_code, status, resolution)
       VALUES ($1, '12345', now(), current_date, $2, $3, $4, $5, $6)`,
      [no, title, content, cat, resolution ? 'resolved_online' : 'dispatched', resolution],
    );
  }
}

describe('searchTerms', () => {
  it('cuts a Chinese question into search words without stop words', () => {
    const t = searchTerms('请问租房怎么提取住房公积金？');
    expect(t).toContain('公积金');
    expect(t).toContain('租房');
    expect(t).not.toContain('请问');
    expect(t).not.toContain('怎么');
  });
});

for (const engine of engines()) {
  describe(`knowledge base on ${engine.name}`, () => {
    let db: Db;
    let app: FastifyInstance;
    beforeAll(async () => {
      db = await engine.open();
      await seedCases(db);
      app = await signedInApp(await buildApp({ db, config: loadConfig({ dataDir: '/tmp/minsheng-kb-test' }, {}), secrets: createSecrets('k'.repeat(32)) }), db);
    });
    afterAll(async () => {
      await app?.close();
      await db?.close();
    });

    it('seeds one entry per distinct past online reply, idempotently', async () => {
      expect(await seedKnowledge(db)).toBe(2);
      expect(await seedKnowledge(db)).toBe(0);
      const all = await searchKnowledge(db, { limit: 50 });
      expect(all.total).toBe(2);
      expect(all.items.every((e) => e.source === 'past_reply' && e.sourceCaseId)).toBe(true);
    });

    it('finds answers for a Chinese question, best match first', async () => {
      const r = await searchKnowledge(db, { q: '租房提取公积金需要什么' });
      expect(r.items[0].content).toContain('租房提取住房公积金');
      expect(r.items[0].categoryName).toBe('公积金提取');
      const s = await searchKnowledge(db, { q: '社保卡丢了' });
      expect(s.items[0].content).toContain('社保卡遗失');
      expect((await searchKnowledge(db, { q: '养犬登记' })).items).toHaveLength(0);
    });

    it('staff entries: create with extracted keywords, update, deactivate', async () => {
      const e = await createKnowledgeEntry(db, { title: '夜间施工噪音投诉处理', content: '夜间22时至次日6时禁止产生噪声的建筑施工作业，可向生态环境部门投诉。' }, staff);
      expect(e.source).toBe('staff');
      expect(e.keywords.length).toBeGreaterThan(0);
      expect((await searchKnowledge(db, { q: '晚上施工噪音' })).items[0].id).toBe(e.id);
      const u = await updateKnowledgeEntry(db, e.id, { keywords: ['噪音', '施工'] }, staff);
      expect(u.keywords).toEqual(['噪音', '施工']);
      expect(u.title).toBe(e.title);
      await updateKnowledgeEntry(db, e.id, { active: false }, staff);
      expect((await searchKnowledge(db, { q: '施工噪音' })).items.map((x) => x.id)).not.toContain(e.id);
    });

    it('serves GET / POST / PUT /api/knowledge with field errors; unit staff may read but not write', async () => {
      const headers = await authHeaders(db, 'operator');
      const inject = (o: { method: 'GET' | 'POST' | 'PUT'; url: string; payload?: unknown }) => app.inject({ ...o, headers } as any);
      expect((await app.inject({ method: 'GET', url: '/api/knowledge?q=x', headers: { cookie: '' } }) /* signed out */).statusCode).toBe(401);
      const bad = await inject({ method: 'POST', url: '/api/knowledge', payload: { title: '', content: '' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.fields).toMatchObject({ title: expect.any(String), content: expect.any(String) });
      const badCat = await inject({ method: 'POST', url: '/api/knowledge', payload: { title: '标题', content: '内容', categoryCode: 'NOPE' } });
      expect(badCat.json().error.fields.categoryCode).toBe('分类不存在');
      const ok = await inject({ method: 'POST', url: '/api/knowledge', payload: { title: '居住证办理', content: '居住证可在社区警务室申领，需提供居住证明。', keywords: ['居住证'], categoryCode: 'HF' } });
      expect(ok.statusCode).toBe(201);
      const id = ok.json().id;
      const put = await inject({ method: 'PUT', url: `/api/knowledge/${id}`, payload: { title: '居住证申领' } });
      expect(put.json().title).toBe('居住证申领');
      const found = await inject({ method: 'GET', url: `/api/knowledge?q=${encodeURIComponent('怎么办居住证')}` });
      expect(found.statusCode).toBe(200);
      expect(found.json().items[0].id).toBe(id);
      expect((await inject({ method: 'PUT', url: '/api/knowledge/999999', payload: { title: 'x' } })).statusCode).toBe(404);
      expect((await inject({ method: 'GET', url: '/api/knowledge/abc' })).statusCode).toBe(400);
      await db.exec(`INSERT INTO units (id, name, kind) VALUES ('U-KB', '知识库测试单位', 'bureau') ON CONFLICT DO NOTHING`);
      const unit = await authHeaders(db, 'unit_staff', { unitId: 'U-KB' });
      expect((await app.inject({ method: 'GET', url: `/api/knowledge/${id}`, headers: unit })).statusCode).toBe(200);
      expect((await app.inject({ method: 'PUT', url: `/api/knowledge/${id}`, headers: unit, payload: { title: '改' } })).statusCode).toBe(403);
    });
  });
}

describe('starter knowledge', () => {
  it('loads once into an empty knowledge base and answers common questions', async () => {
    const [engine] = engines();
    const db = await engine.open();
    try {
      const { seedStarterKnowledge, STARTER_ENTRIES } = await import('./starter-entries.ts');
      expect(await seedStarterKnowledge(db)).toBe(STARTER_ENTRIES.length);
      expect(await seedStarterKnowledge(db)).toBe(0);
      expect((await searchKnowledge(db, { q: '社保卡丢了怎么办' })).items[0].title).toBe('社保卡遗失补办');
      expect((await searchKnowledge(db, { q: '楼下广场舞太吵了' })).items[0].title).toContain('社会生活噪音');
    } finally {
      await db.close();
    }
  });
});
