// The web app in Debian's Chromium against the real server (in process, temp embedded database):
// an operator records calls with the keyboard only, a unit accepts and replies, an alert is acknowledged,
// the big screen renders and updates live. Every page must finish without console errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, ensureWebBuilt, launchBrowser, loginAs, newPage, requireEndpoints, shot, startTestServer, type TestServer } from './harness.ts';
import { createKnowledgeEntry } from '../../src/knowledge/save-entry.ts';
import * as auth from '../auth.ts';
import { REF, seedTestReference } from '../fixtures/reference.ts';

const missing = chromiumMissing();
if (missing) console.warn(missing);

describe.skipIf(!!missing)('web app in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const users: Record<string, { username: string; headers: Record<string, string> }> = {};
  const api = async (method: string, url: string, as: string, body?: unknown) => {
    const r = await fetch(server.url + url, {
      method,
      headers: { ...users[as].headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await r.json();
    if (!r.ok) throw new Error(`${method} ${url} → ${r.status} ${JSON.stringify(json)}`);
    return json;
  };

  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    browser = await launchBrowser();
    await seedTestReference(server.ctx.db);
    const names = { op: '王话务', unit: '李承办', analyst: '赵分析', leader: '钱领导' } as const;
    for (const [name, role, unitId] of [['op', 'operator'], ['unit', 'unit_staff', REF.units.env], ['analyst', 'analyst'], ['leader', 'leader']] as const) {
      const s = await auth.signIn(server.ctx.db, role, { unitId, name: names[name] });
      users[name] = { username: s.user.username, headers: s.headers };
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('an operator records calls end to end with the keyboard only', async (t) => {
    await requireEndpoints(server.url, ['POST /api/auth/login', 'POST /api/cases', 'GET /api/knowledge'], t.skip);
    // An earlier call from the same number, and knowledge entries to answer with.
    await api('POST', '/api/cases', 'op', { channel: '12345', callerPhone: '13800138000', content: '魅力之城小区物业收费不合理，要求公示收费标准', categoryCode: REF.categories.propertyFee });
    await createKnowledgeEntry(server.ctx.db, { title: '租房提取住房公积金', content: '租房提取公积金需身份证、租房合同，可在公积金APP线上办理。', keywords: ['公积金', '租房'] }, { id: 't', name: '测试', role: 'admin' });

    const { page, errors } = await newPage(browser);
    await loginAs(page, server.url, users.op.username, auth.TEST_PASSWORD, '/');
    await page.waitForSelector('input[name=callerPhone]:focus');
    // Call 1: a complaint, dispatched by the catalogue.
    await page.keyboard.type('13800138000');
    await expect.poll(() => page.locator('.history li').count(), { timeout: 5000 }).toBe(1);
    await page.keyboard.press('Tab');
    await page.keyboard.type('张先生');
    await page.keyboard.press('Tab'); // channel
    await page.keyboard.press('Tab'); // content
    await page.keyboard.type('岳麓区桃子湖小区旁工地夜间施工噪音扰民，凌晨还在打桩');
    await page.locator('select[name=categoryCode]').selectOption(REF.categories.constructionNoise); // keyboard-equivalent, no click
    await page.locator('select[name=requestType]').selectOption('complaint');
    await page.locator('select[name=districtCode]').selectOption(REF.yuelu);
    await expect.poll(() => page.locator('select[name=unitId] option').first().textContent(), { timeout: 5000 }).toContain('岳麓区人民政府');
    await page.locator('textarea[name=content]').focus();
    await shot(page, 'workstation-call');
    await page.keyboard.press('Control+Enter');
    await page.waitForSelector('.saved');
    expect(await page.locator('.saved').textContent()).toContain('已转办');
    let list = await api('GET', '/api/cases?q=' + encodeURIComponent('打桩'), 'op');
    expect(list.items[0]).toMatchObject({ status: 'dispatched', unitId: REF.units.yuelu, requestType: 'complaint', callerPhone: '138****8000' });
    await shot(page, 'workstation-dispatched');

    // Call 2: a consultation answered from the knowledge base (Ctrl+1) and resolved on the line.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('callerPhone');
    await page.keyboard.type('13900139000');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type('请问租房怎么提取公积金，需要什么材料');
    await page.waitForSelector('.kb li', { timeout: 5000 });
    expect(await page.locator('.kb li').first().textContent()).toContain('租房提取住房公积金');
    await page.keyboard.press('Control+1');
    expect(await page.locator('textarea[name=resolution]').inputValue()).toContain('租房合同');
    await shot(page, 'workstation-knowledge');
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction(() => document.querySelector('.saved')?.textContent?.includes('在线办结'));
    list = await api('GET', '/api/cases?q=' + encodeURIComponent('租房怎么提取'), 'op');
    expect(list.items[0]).toMatchObject({ status: 'resolved_online' });
    expect(list.items[0].resolution).toContain('租房合同');

    // The case list finds it in Chinese and the detail shows its timeline.
    await page.goto(`${server.url}/cases`);
    await page.locator('input[name=q]').fill('打桩');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.case-row').count(), { timeout: 5000 }).toBe(1);
    await page.locator('.case-row a').first().click();
    await page.waitForSelector('.el-timeline-item');
    expect(await page.locator('.el-timeline').textContent()).toContain('转办');
    await shot(page, 'case-detail');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a unit accepts and replies from its inbox', async (t) => {
    await requireEndpoints(server.url, ['POST /api/auth/login', 'POST /api/cases', 'POST /api/cases/{id}/actions/{action}'], t.skip);
    const c = await api('POST', '/api/cases', 'op', { channel: '12345', content: '文艺路社区餐馆油烟直排，影响居民生活', categoryCode: REF.categories.socialNoise, unitId: REF.units.env });
    expect(c.status).toBe('dispatched');
    const { page, errors } = await newPage(browser);
    await loginAs(page, server.url, users.unit.username, auth.TEST_PASSWORD, '/inbox');
    await page.waitForSelector('.inbox-row');
    expect(await page.locator('.lights').textContent()).toContain('全部待办');
    const row = page.locator('.inbox-row', { hasText: '油烟直排' });
    await row.locator('[data-action=accept]').click();
    await expect.poll(async () => (await api('GET', `/api/cases/${c.id}`, 'op')).status, { timeout: 5000 }).toBe('accepted');
    await page.locator('.inbox-row', { hasText: '油烟直排' }).locator('[data-action=reply]').click();
    await page.locator('.action-dialog textarea[name=result]').fill('已现场核查，责令餐馆加装油烟净化设施并限期整改。');
    await shot(page, 'inbox-reply');
    await page.keyboard.press('Control+Enter');
    await expect.poll(async () => (await api('GET', `/api/cases/${c.id}`, 'op')).status, { timeout: 5000 }).toBe('replied');
    expect((await api('GET', `/api/cases/${c.id}`, 'op')).resolution).toContain('油烟净化');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('an analyst acknowledges an alert after reading its evidence', async (t) => {
    await requireEndpoints(server.url, ['POST /api/auth/login', 'GET /api/alerts', 'POST /api/alerts/{id}/actions/{action}'], t.skip);
    const members = [];
    for (let i = 0; i < 3; i++) members.push(await api('POST', '/api/cases', 'op', { channel: '12345', content: `魅力之城小区电梯故障困人第${i + 1}次`, districtCode: REF.furong, compoundId: REF.compoundMeili }));
    const days = Array.from({ length: 7 }, (_, i) => new Date(Date.now() - (6 - i) * 86400e3).toISOString().slice(0, 10));
    const [a] = await server.ctx.db.query(
      `INSERT INTO alerts (incident_key, kind, title, district_code, place_name, observed, expected, p_value, member_count, first_seen_at, last_seen_at, series)
       VALUES ('test:elevator', 'concentrated', '【集中性】芙蓉区魅力之城小区 电梯故障集中反映', $1, '魅力之城小区', 3, 0.4, 0.01, 3, now() - interval '1 day', now(), $2::text::jsonb) RETURNING id`,
      [REF.furong, JSON.stringify({ days, observed: [0, 0, 0, 0, 0, 1, 2], expected: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2] })],
    );
    for (const m of members) await server.ctx.db.query('INSERT INTO alert_members (alert_id, case_id) VALUES ($1, $2)', [a.id, m.id]);

    const { page, errors } = await newPage(browser);
    await loginAs(page, server.url, users.analyst.username, auth.TEST_PASSWORD, '/alerts');
    await page.locator('.alert-title', { hasText: '电梯故障' }).click();
    await page.waitForSelector('.el-drawer canvas');
    await expect.poll(() => page.locator('.el-drawer .el-table__row').count(), { timeout: 5000 }).toBe(3);
    await shot(page, 'alert-detail');
    await page.locator('[data-action=acknowledge]').click();
    await expect.poll(async () => (await api('GET', `/api/alerts/${a.id}`, 'analyst')).status, { timeout: 5000 }).toBe('acknowledged');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('the big screen renders Chinese text and charts and updates live', async (t) => {
    await requireEndpoints(server.url, ['POST /api/auth/login', 'POST /api/cases'], t.skip);
    const { page, errors } = await newPage(browser, { width: 1920, height: 1080 });
    await loginAs(page, server.url, users.leader.username, auth.TEST_PASSWORD, '/screen');
    await page.waitForSelector('.screen canvas');
    await page.waitForSelector('.screen[data-fresh="1"]');
    expect(await page.locator('h1').textContent()).toContain('政务服务便民热线');
    expect(await page.locator('.counters').textContent()).toContain('今日诉求量');
    const read = () => page.locator('[data-counter=today]').textContent();
    await expect.poll(read, { timeout: 10_000 }).toMatch(/^\d+$/);
    const before = Number(await read());
    await shot(page, 'screen');
    await api('POST', '/api/cases', 'op', { channel: '12345', content: '芙蓉区文艺路路灯不亮，夜间出行不便' });
    await expect.poll(async () => Number(await read()), { timeout: 12_000, interval: 500 }).toBe(before + 1);
    await shot(page, 'screen-updated');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('analysis drills down from a chart element to its cases and exports CSV / XLSX', async (t) => {
    await requireEndpoints(server.url, ['POST /api/auth/login', 'GET /api/metrics/{name}', 'GET /api/metrics/{name}/cases'], t.skip);
    await api('POST', '/api/cases', 'op', { channel: '12345', content: '芙蓉区文艺路社区电动车违规充电', districtCode: REF.furong });
    const { page, errors } = await newPage(browser);
    await loginAs(page, server.url, users.analyst.username, auth.TEST_PASSWORD, '/analysis?metric=volume&by=district&period=month');
    await page.waitForSelector('.metric-row');
    await page.waitForSelector('.panel canvas');
    await shot(page, 'analysis');
    // Drill down from the chart: click the first bar.
    const box = (await page.locator('.panel canvas').first().boundingBox())!;
    const row = page.locator('.metric-row').first();
    const label = (await row.locator('td').first().textContent())!.trim();
    const downloads: string[] = [];
    page.on('download', (d) => downloads.push(d.suggestedFilename()));
    await page.locator('[data-export=csv]').click();
    await page.locator('[data-export=xlsx]').click();
    await expect.poll(() => downloads.length, { timeout: 15_000 }).toBe(2);
    expect(downloads.some((f) => f.endsWith('.csv'))).toBe(true);
    expect(downloads.some((f) => f.endsWith('.xlsx'))).toBe(true);
    // Click the first (largest) bar: grid left 60 / right 20 / bottom 100 (Analysis.vue), one band per row.
    const n = await page.locator('.metric-row').count();
    await page.mouse.click(box.x + 60 + (box.width - 80) / n / 2, box.y + box.height - 100 - 4);
    await page.waitForURL((u) => u.pathname === '/cases' && u.searchParams.get('metric') === 'volume');
    await page.waitForSelector('.case-row');
    expect(await page.locator('.drill').textContent()).toContain(label);
    expect(await page.locator('.case-row').count()).toBeGreaterThan(0);
    await shot(page, 'analysis-drilldown');
    expect(errors).toEqual([]);
    await page.context().close();
  });
  it('an admin creates a user who can then sign in; an operator cannot reach 系统管理', async (t) => {
    await requireEndpoints(server.url, ['POST /api/auth/login', 'GET /api/users', 'POST /api/users', 'GET /api/tokens', 'GET /api/audit'], t.skip);
    const admin = await auth.signIn(server.ctx.db, 'admin', { name: '孙管理' });
    const { page, errors } = await newPage(browser);
    await loginAs(page, server.url, admin.user.username, auth.TEST_PASSWORD, '/admin');
    expect(await page.locator('nav.menu').textContent()).toContain('系统管理');
    await page.waitForSelector('.user-row');

    await page.locator('[data-action=new-user]').click();
    const form = page.locator('.user-form');
    // A bad username is refused by the API and explained next to the field.
    await form.locator('input[name=username]').fill('Bad Name!');
    await form.locator('input[name=name]').fill('周承办');
    await form.locator('select[name=role]').selectOption('unit_staff');
    await form.locator('select[name=unitId]').selectOption(REF.units.env);
    await form.locator('button[type=submit]').click();
    await expect.poll(() => form.locator('.err').textContent(), { timeout: 5000 }).toContain('用户名');

    await form.locator('input[name=username]').fill('zhou.unit');
    await form.locator('button[type=submit]').click();
    const secret = page.locator('.secret-dialog code.secret');
    await secret.waitFor({ timeout: 5000 });
    const password = (await secret.textContent())!.trim();
    expect(password.length).toBeGreaterThanOrEqual(8);
    await shot(page, 'admin-new-user-password');
    await page.locator('.secret-dialog').getByRole('button', { name: '我已保存' }).click();
    const row = page.locator('.user-row', { hasText: 'zhou.unit' });
    await expect.poll(() => row.textContent(), { timeout: 5000 }).toContain('承办单位');
    expect(await row.textContent()).toContain('启用');

    // The generated password works, and the account is bound to the unit chosen on the page.
    const r = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'zhou.unit', password }) });
    expect(r.status).toBe(200);
    expect(((await r.json()) as any).user).toMatchObject({ role: 'unit_staff', unitId: REF.units.env, name: '周承办' });

    // An API token: its ms_… secret is shown once, it works, and revoking (after confirming) ends it.
    await page.getByRole('tab', { name: '接口令牌' }).click();
    await page.getByRole('button', { name: '新建令牌' }).click();
    await page.locator('.token-form input[name=name]').fill('12315 平台对接');
    await page.locator('.token-form button[type=submit]').click();
    await secret.waitFor({ state: 'visible', timeout: 5000 });
    const token = (await secret.textContent())!.trim();
    expect(token).toMatch(/^ms_/);
    await page.locator('.secret-dialog').getByRole('button', { name: '我已保存' }).click();
    const bearer = () => fetch(`${server.url}/api/cases`, { headers: { authorization: `Bearer ${token}` } }).then((x) => x.status);
    expect(await bearer()).toBe(200);
    await page.locator('.el-tab-pane:visible .el-table').getByRole('button', { name: '吊销' }).click();
    await page.locator('.el-message-box').getByRole('button', { name: '确定' }).click();
    await expect.poll(() => page.locator('.el-tab-pane:visible .el-table').textContent(), { timeout: 5000 }).toContain('已吊销');
    expect(await bearer()).toBe(401);
    await shot(page, 'admin-tokens');

    // The audit tab lists the creation.
    await page.getByRole('tab', { name: '审计日志' }).click();
    await expect.poll(() => page.locator('.el-tab-pane:visible .el-table').textContent(), { timeout: 5000 }).toContain('新建用户');
    await shot(page, 'admin-audit');
    // The one 400 is the refused bad username above (Chromium logs every failed request).
    expect(errors).toEqual(['console: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    await page.context().close();

    const op = await newPage(browser);
    await loginAs(op.page, server.url, users.op.username, auth.TEST_PASSWORD, '/admin');
    await op.page.waitForSelector('nav.menu a');
    expect(new URL(op.page.url()).pathname).not.toBe('/admin');
    expect(await op.page.locator('nav.menu').textContent()).not.toContain('系统管理');
    expect(op.errors).toEqual([]);
    await op.page.context().close();
  });
});
