import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrlOf, engines } from '../../tests/engines.ts';
import type { Db } from '../store/db.ts';
import type { AppContext } from '../server/context.ts';
import { loadConfig } from '../config.ts';
import { createSecrets } from '../shared/secrets.ts';
import { buildApp } from '../server/app.ts';
import { authHeaders, signedInApp } from '../../tests/auth.ts';
import { addDays, localDateTime } from '../shared/time.ts';
import { rng } from './random.ts';
import { runWarning, warningHooks } from './run.ts';
import { performAlertAction, getAlert } from './alerts.ts';

const TODAY = '2026-11-20';
const analyst = { id: 'a1', name: '分析员', role: 'analyst' as const };

/** A tiny city: 1 district, 1 street, 4 communities with 3 compounds each, 2 categories, 1 dispatch rule. */
async function seed(db: Db): Promise<void> {
  await db.exec(`
    INSERT INTO channels (code, name, kind) VALUES ('web', '网站', 'web') ON CONFLICT DO NOTHING;
    INSERT INTO divisions (code, name, level, parent_code, lng, lat) VALUES
      ('4301', '长沙市', 'city', NULL, 112.9, 28.2), ('430102', '芙蓉区', 'district', '4301', 113.0, 28.19),
      ('430102001', '文艺路街道', 'street', '430102', 113.0, 28.19);
    INSERT INTO units (id, name, kind) VALUES ('u-prop', '市住房和城乡建设局', 'bureau'), ('u-env', '市生态环境局', 'bureau');
    INSERT INTO categories (code, name, parent_code, level, path) VALUES
      ('C1', '城乡建设', NULL, 1, '{城乡建设}'), ('C1-1', '物业管理', 'C1', 2, '{城乡建设,物业管理}'),
      ('C2', '环境保护', NULL, 1, '{环境保护}'), ('C2-1', '噪声污染', 'C2', 2, '{环境保护,噪声污染}');
    INSERT INTO dispatch_catalogues (version, note, active) VALUES (1, 'v1', true);
    INSERT INTO dispatch_rules (version, category_code, district_code, unit_id) VALUES (1, 'C1', '', 'u-prop'), (1, 'C2', '', 'u-env');
  `);
  for (let c = 0; c < 4; c++) {
    const code = `43010200100${c}`;
    await db.query(`INSERT INTO divisions (code, name, level, parent_code, lng, lat) VALUES ($1, $2, 'community', '430102001', $3, $4)`, [code, `社区${c}`, 113 + c * 0.01, 28.19]);
    for (let k = 0; k < 3; k++) await db.query(`INSERT INTO compounds (id, name, community_code, lng, lat) VALUES ($1, $2, $3, $4, $5)`, [`cp${c}${k}`, `小区${c}${k}`, code, 113 + c * 0.01 + k * 0.002, 28.19 + k * 0.002]);
  }
}

const BG = ['小区物业服务差，垃圾清运不及时', '楼道灯坏了物业不修', '晚上广场舞噪音太大影响休息', '工地夜间施工噪声扰民'];

/** 60 days of background, then a cluster at compound cp21 (12 cases in the last 3 days) and a new topic. */
async function loadCases(db: Db): Promise<{ clusterIds: number[] }> {
  const rand = rng(5);
  const rows: unknown[][] = [];
  let n = 0;
  const add = (day: string, cat: string, compound: string, text: string, person: string) => {
    n++;
    const at = localDateTime(day, 8 + Math.floor(rand() * 10), Math.floor(rand() * 60));
    const comm = `43010200100${compound[2]}`;
    rows.push([n, `${day.replace(/-/g, '')}-${String(n).padStart(6, '0')}`, 'web', at, day, text, '430102', '430102001', comm, compound, cat, 'complaint', 'received', person]);
    return n;
  };
  for (let d = 59; d >= 0; d--) {
    const day = addDays(TODAY, -d);
    for (let i = 0; i < 6; i++) {
      const cat = rand() < 0.5 ? 'C1-1' : 'C2-1';
      const comp = `cp${Math.floor(rand() * 4)}${Math.floor(rand() * 3)}`;
      add(day, cat, comp, BG[(cat === 'C1-1' ? 0 : 2) + Math.floor(rand() * 2)] + `，地点${comp}${i}`, `p${n}`);
    }
  }
  const clusterIds: number[] = [];
  for (let i = 0; i < 12; i++) clusterIds.push(add(addDays(TODAY, -(i % 3)), 'C1-1', 'cp21', `小区21电梯已经停运一周，物业说没有维修资金，老人上下楼困难${i}`, `q${i}`));
  await db.copyRows('cases', ['id', 'case_no', 'channel', 'received_at', 'local_day', 'content', 'district_code', 'street_code', 'community_code', 'compound_id', 'category_code', 'request_type', 'status', 'caller_phone_hash'], rows);
  return { clusterIds };
}

for (const engine of engines()) {
  describe(`alerts on ${engine.name}`, () => {
    let db: Db;
    let ctx: AppContext;
    let ids: number[];
    beforeAll(async () => {
      db = await engine.open();
      ctx = { db, config: loadConfig({ dataDir: '/tmp/minsheng-warning-test' }, {}), secrets: createSecrets('0123456789abcdef0123456789abcdef') };
      await seed(db);
      ids = (await loadCases(db)).clusterIds;
    }, 60_000);
    afterAll(async () => db?.close());

    it('raises one concentrated alert per incident and updates it on later runs', async () => {
      const opts = { kinds: ['concentrated' as const], concentrated: { replicates: 999 } };
      const first = await runWarning(ctx, { day: TODAY, options: opts });
      expect(first.created).toBeGreaterThanOrEqual(1);
      const alerts = await db.query(`SELECT * FROM alerts WHERE kind = 'concentrated'`);
      const a = alerts.find((x) => x.compound_id === 'cp21' || (x.match_keys as string[]).includes('place:C1-1:cp21'));
      expect(a).toBeTruthy();
      expect(a!.proposed_unit_id).toBe('u-prop');
      const members = (await db.query('SELECT case_id FROM alert_members WHERE alert_id = $1', [a!.id])).map((r) => Number(r.case_id));
      for (const id of ids) expect(members).toContain(id);
      const again = await runWarning(ctx, { day: TODAY, options: opts });
      expect(again.created).toBe(0);
      expect((await db.query(`SELECT count(*)::int AS n FROM alerts WHERE kind = 'concentrated'`))[0].n).toBe(alerts.length);
      const raises = await db.query(`SELECT count(*)::int AS n FROM alert_events WHERE action = 'raise' AND alert_id = $1`, [a!.id]);
      expect(raises[0].n).toBe(1);
    }, 60_000);

    it('workflow: acknowledge → assign (proposed unit) → resolve, with audit; illegal moves refused', async () => {
      const a = (await db.query(`SELECT id FROM alerts WHERE kind = 'concentrated' ORDER BY id LIMIT 1`))[0];
      const id = Number(a.id);
      await performAlertAction(ctx, id, 'acknowledge', {}, analyst);
      await expect(performAlertAction(ctx, id, 'acknowledge', {}, analyst)).rejects.toMatchObject({ code: 'illegal_transition' });
      const assigned = await performAlertAction(ctx, id, 'assign', {}, analyst);
      expect(assigned.status).toBe('assigned');
      expect(assigned.unitId).toBe('u-prop');
      await expect(performAlertAction(ctx, id, 'resolve', {}, analyst)).rejects.toMatchObject({ code: 'validation_failed' });
      const unit = { id: 'us', name: '住建局', role: 'unit_staff' as const, unitId: 'u-prop' };
      await performAlertAction(ctx, id, 'comment', { note: '已安排维修' }, unit);
      const done = await performAlertAction(ctx, id, 'resolve', { note: '电梯已修复' }, analyst);
      expect(done.status).toBe('resolved');
      expect(done.events.map((e: any) => e.action)).toEqual(['raise', 'acknowledge', 'assign', 'comment', 'resolve']);
      await expect(getAlert(ctx, id, { ...unit, unitId: 'u-env' })).rejects.toMatchObject({ code: 'not_found' });
    });

    it('HTTP: list with filters, detail, roles and validation', async () => {
      const app = await signedInApp(await buildApp(ctx), db, 'operator');
      try {
        const list = await app.inject({ method: 'GET', url: '/api/alerts?kind=concentrated&pageSize=5' });
        expect(list.statusCode).toBe(200);
        const body = list.json();
        expect(body.total).toBeGreaterThanOrEqual(1);
        expect(body.items[0].kind).toBe('concentrated');
        const detail = await app.inject({ method: 'GET', url: `/api/alerts/${body.items[0].id}` });
        expect(detail.statusCode).toBe(200);
        expect(detail.json().members.length).toBeGreaterThanOrEqual(10);
        expect(detail.json().series.observed.length).toBe(56);
        expect((await app.inject({ method: 'GET', url: '/api/alerts?kind=nope' })).json().error.fields.kind).toBeTruthy();
        expect((await app.inject({ method: 'GET', url: '/api/alerts/999999' })).statusCode).toBe(404);
        const unitList = await app.inject({ method: 'GET', url: '/api/alerts', headers: { 'x-unit-id': 'u-prop' } });
        expect(unitList.json().items.every((x: any) => x.unitId === 'u-prop')).toBe(true);
        const unitOther = await app.inject({ method: 'GET', url: '/api/alerts', headers: { 'x-unit-id': 'u-env' } });
        expect(unitOther.json().total).toBe(0);
        // operators read but do not act; analysts act
        await db.query(`UPDATE alerts SET status = 'new' WHERE id = $1`, [body.items[0].id]);
        const open = { id: body.items[0].id };
        {
          const url = `/api/alerts/${open.id}/actions/acknowledge`;
          expect((await app.inject({ method: 'POST', url, payload: {} })).statusCode).toBe(403);
          const ok = await app.inject({ method: 'POST', url, payload: {}, headers: await authHeaders(db, 'analyst') });
          expect(ok.statusCode).toBe(200);
          expect(ok.json().status).toBe('acknowledged');
        }
        const bad = await app.inject({ method: 'POST', url: `/api/alerts/${body.items[0].id}/actions/explode`, payload: {}, headers: await authHeaders(db, 'analyst') });
        expect(bad.statusCode).toBe(400);
      } finally {
        await app.close();
      }
    });

    it('incremental: a new case schedules a debounced run that raises the alert', async () => {
      await db.exec(`DELETE FROM alerts`);
      const runs: number[] = [];
      const hooks = warningHooks({ debounceMs: 20, now: () => localDateTime(TODAY, 20), options: { kinds: ['concentrated'] }, onRun: (s) => runs.push(s.created) });
      const change = { action: 'create', before: null, after: { id: ids[11] }, actor: analyst, at: new Date() };
      await hooks.afterCommit!(ctx, change);
      await hooks.afterCommit!(ctx, change); // a burst of cases → one run
      await new Promise((r) => setTimeout(r, 40));
      await hooks.flush();
      expect(runs.length).toBe(1);
      expect(runs[0]).toBeGreaterThanOrEqual(1);
      expect((await db.query(`SELECT count(*)::int AS n FROM alerts WHERE kind = 'concentrated'`))[0].n).toBeGreaterThanOrEqual(1);
    }, 60_000);

    if (engine.name === 'postgres') it('incremental on a server: the snapshot read in the worker gives the same alerts as on this thread', async () => {
      const now = localDateTime(TODAY, 20);
      const options = { kinds: ['concentrated' as const, 'emerging' as const] };
      const alerts = () => db.query(`SELECT kind, compound_id, category_code, title FROM alerts ORDER BY 1, 2, 3, 4`);
      await db.exec(`DELETE FROM alerts`);
      const here = await runWarning(ctx, { now, options, inWorkers: false });
      const hereAlerts = await alerts();
      await db.exec(`DELETE FROM alerts`);
      const there = await runWarning(ctx, { now, options, readInWorker: databaseUrlOf(db) });
      expect(there.seconds.byKind).toEqual({}); // (the per-family threads report per kind; the snapshot worker does not)
      expect(there.snapshot).toEqual(here.snapshot);
      expect(there.created).toBe(here.created);
      expect(await alerts()).toEqual(hereAlerts);
      expect(hereAlerts.length).toBeGreaterThanOrEqual(1);
    }, 60_000);

    it('two concurrent runs never raise the same alert twice', async () => {
      await db.exec(`DELETE FROM alerts`);
      const opts = { kinds: ['concentrated' as const, 'emerging' as const] };
      await Promise.all([runWarning(ctx, { day: TODAY, options: opts }), runWarning(ctx, { day: TODAY, options: opts })]);
      const dup = await db.query(`SELECT count(*)::int AS n FROM alerts GROUP BY kind, compound_id, category_code HAVING count(*) > 1`);
      expect(dup.length).toBe(0);
      const raises = await db.query(`SELECT alert_id, count(*)::int AS n FROM alert_events WHERE action = 'raise' GROUP BY 1 HAVING count(*) > 1`);
      expect(raises.length).toBe(0);
      expect((await db.query(`SELECT count(*)::int AS n FROM alerts`))[0].n).toBeGreaterThanOrEqual(1);
    }, 60_000);
  });
}
