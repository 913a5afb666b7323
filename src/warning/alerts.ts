// The alert store: upsert detections as incidents (one alert per incident, updated while requests keep
// coming), list / get with members, series and audit, and the alert workflow.
import type { Db, Row } from '../store/db.ts';
import type { Actor, AppContext } from '../server/context.ts';
import { conflict, forbidden, notFound, validationError } from '../shared/errors.ts';
import type { Detection } from './detection.ts';

export const ALERT_LOCK_KEY = 7_312_330; // advisory lock serialising alert writes across workers
const OPEN = ['new', 'acknowledged', 'assigned'];

/** The unit the active dispatch catalogue names for a category (walking up to its parents) and district. */
export async function proposeUnit(db: Db, categoryCode: string | null | undefined, districtCode: string | null | undefined): Promise<string | null> {
  let code = categoryCode ?? null;
  for (let depth = 0; code && depth < 6; depth++) {
    const rows = await db.query<{ unit_id: string }>(
      `SELECT r.unit_id FROM dispatch_rules r JOIN dispatch_catalogues c ON c.version = r.version AND c.active
        WHERE r.category_code = $1 AND r.district_code IN ($2, '') ORDER BY r.district_code DESC LIMIT 1`,
      [code, districtCode ?? ''],
    );
    if (rows[0]) return rows[0].unit_id;
    code = (await db.query<{ parent_code: string | null }>('SELECT parent_code FROM categories WHERE code = $1', [code]))[0]?.parent_code ?? null;
  }
  return null;
}

export interface UpsertOutcome { created: number; updated: number; ids: number[] }

/**
 * Writes detections under one advisory lock: an open alert sharing a match key (or the incident key) is
 * updated, otherwise a new alert is raised. NOTIFY 'alert_changed' on commit.
 */
export async function upsertAlerts(db: Db, detections: Detection[], actor: Actor): Promise<UpsertOutcome> {
  const out: UpsertOutcome = { created: 0, updated: 0, ids: [] };
  if (!detections.length) return out;
  const changed: { id: number; action: string; status: string }[] = [];
  await db.tx(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [ALERT_LOCK_KEY]);
    for (const d of detections) {
      const existing = (
        await tx.query<{ id: number; status: string; member_count: number; incident_key: string }>(
          `SELECT id, status, member_count, incident_key FROM alerts
            WHERE incident_key = $1
               OR (kind = $2 AND match_keys && $3::text[] AND status = ANY($4::text[]) AND last_seen_at > $5::timestamptz - interval '14 days')
            ORDER BY (incident_key = $1) DESC, id LIMIT 1`,
          [d.incidentKey, d.kind, d.matchKeys, OPEN, d.lastSeenAt],
        )
      )[0];
      let id: number;
      if (existing) {
        id = existing.id;
        await tx.query(
          `UPDATE alerts SET match_keys = ARRAY(SELECT DISTINCT unnest(match_keys || $2::text[])), title = $3,
             keywords = $4::text[], observed = GREATEST(observed, $5::float8), expected = $6::float8, statistic = $7::float8,
             p_value = LEAST(COALESCE(p_value, 1), COALESCE($8::float8, 1)),
             recurrence_days = GREATEST(COALESCE(recurrence_days, 0), COALESCE($9::float8, 0)),
             first_seen_at = LEAST(first_seen_at, $10::timestamptz), last_seen_at = GREATEST(last_seen_at, $11::timestamptz), series = $12::text::jsonb, detail = $13::text::jsonb,
             updated_at = now(), version = version + 1
           WHERE id = $1`,
          [id, d.matchKeys, d.title, d.keywords ?? [], d.observed, d.expected, d.statistic ?? null, d.pValue ?? null, d.recurrenceDays ?? null,
            d.firstSeenAt, d.lastSeenAt, JSON.stringify(d.series), JSON.stringify(d.detail ?? {})],
        );
      } else {
        const unit = await proposeUnit(tx, d.categoryCode, d.districtCode);
        id = (
          await tx.query<{ id: number }>(
            `INSERT INTO alerts (incident_key, match_keys, kind, title, category_code, district_code, street_code, community_code, compound_id,
               place_name, keywords, observed, expected, statistic, p_value, recurrence_days, first_seen_at, last_seen_at, series, detail, proposed_unit_id)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19::text::jsonb,$20::text::jsonb,$21) RETURNING id`,
            [d.incidentKey, d.matchKeys, d.kind, d.title, d.categoryCode ?? null, d.districtCode ?? null, d.streetCode ?? null, d.communityCode ?? null,
              d.compoundId ?? null, d.placeName ?? null, d.keywords ?? [], d.observed, d.expected, d.statistic ?? null, d.pValue ?? null,
              d.recurrenceDays ?? null, d.firstSeenAt, d.lastSeenAt, JSON.stringify(d.series), JSON.stringify(d.detail ?? {}), unit],
          )
        )[0].id;
        await tx.query(`INSERT INTO alert_events (alert_id, actor, action, to_status, note, data) VALUES ($1, $2, 'raise', 'new', $3, $4::text::jsonb)`, [
          id, actor.id, d.title, JSON.stringify({ observed: d.observed, expected: d.expected, pValue: d.pValue ?? null }),
        ]);
      }
      let added = 0;
      if (d.memberCaseIds.length) {
        const rows = await tx.query<{ n: number }>(
          `WITH ins AS (INSERT INTO alert_members (alert_id, case_id) SELECT $1, x FROM unnest($2::bigint[]) AS x
             WHERE EXISTS (SELECT 1 FROM cases WHERE id = x) ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*)::int AS n FROM ins`,
          [id, d.memberCaseIds],
        );
        added = rows[0]?.n ?? 0;
      }
      await tx.query('UPDATE alerts SET member_count = (SELECT count(*) FROM alert_members WHERE alert_id = $1) WHERE id = $1', [id]);
      if (existing) {
        if (added > 0) {
          await tx.query(`INSERT INTO alert_events (alert_id, actor, action, from_status, to_status, note, data) VALUES ($1, $2, 'update', $3, $3, $4, $5::text::jsonb)`, [
            id, actor.id, existing.status, `新增 ${added} 件关联诉求`, JSON.stringify({ observed: d.observed, expected: d.expected, added }),
          ]);
        }
        out.updated++;
        changed.push({ id, action: 'update', status: existing.status });
      } else {
        out.created++;
        changed.push({ id, action: 'raise', status: 'new' });
      }
      out.ids.push(id);
    }
  });
  for (const c of changed) await db.notify('alert_changed', JSON.stringify(c)).catch(() => {});
  return out;
}

export interface AlertFilter {
  kind?: string;
  status?: string;
  district?: string;
  category?: string;
  from?: string; // ISO instant or YYYY-MM-DD
  to?: string;
  page?: number;
  pageSize?: number;
}

const asNum = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export function alertDto(r: Row): Record<string, any> {
  return {
    id: Number(r.id),
    incidentKey: r.incident_key,
    kind: r.kind,
    status: r.status,
    title: r.title,
    categoryCode: r.category_code,
    categoryName: r.category_name ?? null,
    districtCode: r.district_code,
    districtName: r.district_name ?? null,
    streetCode: r.street_code,
    communityCode: r.community_code,
    compoundId: r.compound_id,
    placeName: r.place_name,
    keywords: r.keywords ?? [],
    observed: asNum(r.observed),
    expected: asNum(r.expected),
    statistic: asNum(r.statistic),
    pValue: asNum(r.p_value),
    recurrenceDays: asNum(r.recurrence_days),
    memberCount: r.member_count,
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    proposedUnitId: r.proposed_unit_id,
    unitId: r.unit_id,
    unitName: r.unit_name ?? null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const SELECT_ALERT = `SELECT a.*, c.name AS category_name, d.name AS district_name, u.name AS unit_name
  FROM alerts a LEFT JOIN categories c ON c.code = a.category_code LEFT JOIN divisions d ON d.code = a.district_code
  LEFT JOIN units u ON u.id = a.unit_id`;

export async function listAlerts(ctx: AppContext, f: AlertFilter, actor: Actor) {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => { params.push(v); where.push(sql.replace('?', `$${params.length}`)); };
  if (actor.role === 'unit_staff') add('a.unit_id = ?', actor.unitId ?? '');
  if (f.kind) add('a.kind = ?', f.kind);
  if (f.status) add('a.status = ?', f.status);
  if (f.district) add('a.district_code = ?', f.district);
  if (f.category) add('(a.category_code = ? OR a.category_code IN (SELECT code FROM categories WHERE parent_code = a.category_code))', f.category);
  if (f.from) add('a.last_seen_at >= ?::timestamptz', f.from);
  if (f.to) add('a.first_seen_at <= ?::timestamptz', f.to);
  const page = f.page ?? 1, size = f.pageSize ?? 20;
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts a ${w}`, params))[0].n;
  const rows = await ctx.db.query(`${SELECT_ALERT} ${w} ORDER BY a.last_seen_at DESC, a.id DESC LIMIT ${size} OFFSET ${(page - 1) * size}`, params);
  return { items: rows.map(alertDto), total, page, pageSize: size };
}

export async function getAlert(ctx: AppContext, id: number, actor: Actor): Promise<Record<string, any>> {
  const r = (await ctx.db.query(`${SELECT_ALERT} WHERE a.id = $1`, [id]))[0];
  if (!r || (actor.role === 'unit_staff' && r.unit_id !== actor.unitId)) throw notFound('预警');
  const members = await ctx.db.query(
    `SELECT c.id, c.case_no, c.received_at, c.title, c.category_code, c.district_code, c.community_code, c.compound_id, c.status, c.unit_id
       FROM alert_members m JOIN cases c ON c.id = m.case_id WHERE m.alert_id = $1 ORDER BY c.received_at`,
    [id],
  );
  const events = await ctx.db.query('SELECT id, at, actor, action, from_status, to_status, note, data FROM alert_events WHERE alert_id = $1 ORDER BY id', [id]);
  return {
    ...alertDto(r),
    series: r.series,
    detail: r.detail,
    members: members.map((m) => ({
      id: Number(m.id), caseNo: m.case_no, receivedAt: m.received_at, title: m.title, categoryCode: m.category_code,
      districtCode: m.district_code, communityCode: m.community_code, compoundId: m.compound_id, status: m.status, unitId: m.unit_id,
    })),
    events: events.map((e) => ({ id: Number(e.id), at: e.at, actor: e.actor, action: e.action, fromStatus: e.from_status, toStatus: e.to_status, note: e.note, data: e.data })),
  };
}

export const ALERT_ACTIONS = ['acknowledge', 'assign', 'resolve', 'dismiss', 'comment'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

const TRANSITIONS: Record<Exclude<AlertAction, 'comment'>, { from: string[]; to: string }> = {
  acknowledge: { from: ['new'], to: 'acknowledged' },
  assign: { from: ['new', 'acknowledged', 'assigned'], to: 'assigned' },
  resolve: { from: ['new', 'acknowledged', 'assigned'], to: 'resolved' },
  dismiss: { from: ['new', 'acknowledged', 'assigned'], to: 'dismissed' },
};

/** Moves an alert through its workflow with an audit event; unit staff may only comment on / resolve their own. */
export async function performAlertAction(ctx: AppContext, id: number, action: AlertAction, input: { unitId?: string; note?: string }, actor: Actor) {
  if ((action === 'resolve' || action === 'dismiss' || action === 'comment') && !input.note?.trim()) throw validationError({ note: '请填写说明' });
  let status = '';
  await ctx.db.tx(async (tx) => {
    const r = (await tx.query<{ status: string; unit_id: string | null; proposed_unit_id: string | null }>('SELECT status, unit_id, proposed_unit_id FROM alerts WHERE id = $1 FOR UPDATE', [id]))[0];
    if (!r || (actor.role === 'unit_staff' && r.unit_id !== actor.unitId)) throw notFound('预警');
    if (actor.role === 'unit_staff' && !(action === 'comment' || action === 'resolve')) throw forbidden();
    if (action === 'comment') {
      status = r.status;
      await tx.query(`INSERT INTO alert_events (alert_id, actor, action, from_status, to_status, note) VALUES ($1,$2,'comment',$3,$3,$4)`, [id, actor.id, r.status, input.note]);
      return;
    }
    const t = TRANSITIONS[action];
    if (!t.from.includes(r.status)) throw conflict('illegal_transition', `当前状态不能执行此操作（${r.status} → ${t.to}）`);
    let unit = r.unit_id;
    if (action === 'assign') {
      unit = input.unitId ?? r.proposed_unit_id;
      if (!unit) throw validationError({ unitId: '调度目录未给出承办单位，请指定' });
      if (!(await tx.query('SELECT 1 FROM units WHERE id = $1 AND active', [unit])).length) throw validationError({ unitId: '承办单位不存在或已停用' });
    }
    await tx.query('UPDATE alerts SET status = $2, unit_id = $3, updated_at = now(), version = version + 1 WHERE id = $1', [id, t.to, unit]);
    await tx.query(`INSERT INTO alert_events (alert_id, actor, action, from_status, to_status, note, data) VALUES ($1,$2,$3,$4,$5,$6,$7::text::jsonb)`, [
      id, actor.id, action, r.status, t.to, input.note ?? null, action === 'assign' ? JSON.stringify({ unitId: unit }) : null,
    ]);
    status = t.to;
  });
  await ctx.db.notify('alert_changed', JSON.stringify({ id, action, status })).catch(() => {});
  return getAlert(ctx, id, actor);
}
