// The one place a stored case becomes JSON (camelCase, personal data masked, deadline light computed).
import type { Row } from '../store/db.ts';
import { maskName } from '../shared/secrets.ts';
import type { Secrets } from '../shared/secrets.ts';
import { deadlineLight } from './deadlines.ts';

/** Columns of a case with the names of its place, category and unit, over `cases` aliased `c`. */
export const CASE_COLUMNS = `c.*, dd.name AS district_name, ds.name AS street_name, dc.name AS community_name,
  cp.name AS compound_name, cat.path AS category_path, u.name AS unit_name`;
export const CASE_JOINS = `LEFT JOIN divisions dd ON dd.code = c.district_code
  LEFT JOIN divisions ds ON ds.code = c.street_code
  LEFT JOIN divisions dc ON dc.code = c.community_code
  LEFT JOIN compounds cp ON cp.id = c.compound_id
  LEFT JOIN categories cat ON cat.code = c.category_code
  LEFT JOIN units u ON u.id = c.unit_id`;
/** The names CASE_COLUMNS joins, as a lookup by key per row of `c`: for a few rows (a new batch) the planner would
 *  otherwise hash whole reference tables (6,000 compounds) in every statement. */
export const CASE_NAMES_LOOKED_UP = `(SELECT name FROM divisions WHERE code = c.district_code) AS district_name,
  (SELECT name FROM divisions WHERE code = c.street_code) AS street_name, (SELECT name FROM divisions WHERE code = c.community_code) AS community_name,
  (SELECT name FROM compounds WHERE id = c.compound_id) AS compound_name, (SELECT path FROM categories WHERE code = c.category_code) AS category_path,
  (SELECT name FROM units WHERE id = c.unit_id) AS unit_name`;

/** Columns of a case event with the actor's display name (user, API token `token:ID`, unit `unit:ID`, the name
 *  recorded with the event, the built-in actors, demo operators `op-NNN`) and the unit's name, over `case_events` e. */
export const EVENT_COLUMNS = `e.*, coalesce(usr.name, tk.name, au.name, e.data->>'actorName',
    CASE WHEN e.actor = 'system' THEN '系统' WHEN e.actor = 'centre' THEN '热线中心' WHEN e.actor LIKE 'op-%' THEN '话务员' || substr(e.actor, 4) END
  ) AS actor_name, eu.name AS unit_name`;
export const EVENT_JOINS = `LEFT JOIN users usr ON usr.id::text = e.actor
  LEFT JOIN api_tokens tk ON 'token:' || tk.id = e.actor
  LEFT JOIN units au ON 'unit:' || au.id = e.actor
  LEFT JOIN units eu ON eu.id = e.unit_id`;

export interface CaseEventDto {
  id: number;
  at: string;
  actor: string;
  /** Display name of the actor (falls back to the id). */
  actorName: string;
  unitName: string | null;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  unitId: string | null;
  note: string | null;
  data: unknown;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function toEventDto(e: Row): CaseEventDto {
  return { id: Number(e.id), at: iso(e.at)!, actor: e.actor, actorName: e.actor_name ?? e.actor, unitName: e.unit_name ?? null, action: e.action, fromStatus: e.from_status, toStatus: e.to_status, unitId: e.unit_id, note: e.note, data: e.data ?? null };
}

export function toCaseDto(r: Row, secrets: Secrets, opts: { events?: Row[]; now?: Date; yellowFraction?: number } = {}) {
  let callerName: string | null = null;
  if (r.caller_name_enc) {
    try {
      callerName = maskName(secrets.decrypt(r.caller_name_enc));
    } catch {
      callerName = '***';
    }
  }
  return {
    id: Number(r.id),
    caseNo: r.case_no as string,
    channel: r.channel as string,
    receivedAt: iso(r.received_at)!,
    callerName,
    callerPhone: (r.caller_phone_masked as string | null) ?? null,
    title: r.title ?? null,
    content: r.content as string,
    districtCode: r.district_code ?? null,
    districtName: r.district_name ?? null,
    streetCode: r.street_code ?? null,
    streetName: r.street_name ?? null,
    communityCode: r.community_code ?? null,
    communityName: r.community_name ?? null,
    compoundId: r.compound_id ?? null,
    compoundName: r.compound_name ?? null,
    address: r.address ?? null,
    lng: r.lng ?? null,
    lat: r.lat ?? null,
    categoryCode: r.category_code ?? null,
    categoryPath: (r.category_path as string[] | null) ?? [],
    requestType: r.request_type ?? null,
    urgency: r.urgency,
    keywords: r.keywords ?? [],
    tags: r.tags ?? {},
    sensitive: !!r.sensitive,
    status: r.status as string,
    unitId: r.unit_id ?? null,
    unitName: r.unit_name ?? null,
    dispatchedAt: iso(r.dispatched_at),
    acceptedAt: iso(r.accepted_at),
    acceptDueAt: iso(r.accept_due_at),
    replyDueAt: iso(r.reply_due_at),
    repliedAt: iso(r.replied_at),
    closedAt: iso(r.closed_at),
    deadlineLight: deadlineLight(r as any, opts.now, opts.yellowFraction),
    resolution: r.resolution ?? null,
    callbackResult: r.callback_result ?? null,
    callbackNote: r.callback_note ?? null,
    callbackAt: iso(r.callback_at),
    extensionPending: r.extension_pending ?? null,
    counts: { returns: r.return_count ?? 0, extensions: r.extension_count ?? 0, reminders: r.reminder_count ?? 0, reopens: r.reopen_count ?? 0 },
    supervised: !!r.supervised,
    repeatOf: r.repeat_of == null ? null : Number(r.repeat_of),
    version: r.version,
    updatedAt: iso(r.updated_at),
    ...(opts.events ? { events: opts.events.map(toEventDto) } : {}),
  };
}
export type CaseDto = ReturnType<typeof toCaseDto>;
