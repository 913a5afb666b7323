// Typed client for every endpoint the web app uses. Adapting to a final server shape happens here only.
import { ApiError, asPage, http, optional, qs, serves } from './http.ts';

export type Role = 'operator' | 'unit_staff' | 'analyst' | 'leader' | 'admin';
export interface User { id: string; username: string; name: string; role: Role; unitId?: string | null }

export type Status = 'received' | 'resolved_online' | 'dispatched' | 'accepted' | 'replied' | 'closed';
export type RequestType = 'consultation' | 'help' | 'complaint' | 'report' | 'suggestion' | 'praise';

export interface CaseEvent { id?: string | number; at: string; actor: string; actorName?: string; action: string; fromStatus?: string | null; toStatus?: string | null; note?: string | null; unitId?: string | null; unitName?: string | null }
export interface CaseDto {
  id: string | number; caseNo: string; channel: string; receivedAt: string; callerName?: string | null; callerPhone?: string | null;
  title?: string | null; content: string; districtCode?: string | null; districtName?: string | null; streetCode?: string | null; streetName?: string | null;
  communityCode?: string | null; communityName?: string | null; compoundId?: string | null; compoundName?: string | null; address?: string | null;
  categoryCode?: string | null; categoryPath?: string[] | null; requestType?: RequestType | null; urgency?: 'normal' | 'urgent'; keywords?: string[];
  sensitive?: boolean; status: Status; unitId?: string | null; unitName?: string | null; acceptDueAt?: string | null; replyDueAt?: string | null;
  deadlineLight?: 'green' | 'yellow' | 'red' | null; resolution?: string | null; callbackResult?: string | null; supervised?: boolean;
  extensionPending?: unknown; counts?: Record<string, number>; events?: CaseEvent[]; allowedActions?: string[]; version?: number;
}
/** `to` is exclusive (a date means that day's midnight); `status` may list several, comma separated. */
export interface CaseQuery { q?: string; status?: string; requestType?: string; districtCode?: string; categoryCode?: string; unitId?: string; channel?: string; from?: string; to?: string; callerPhone?: string; deadline?: string; supervised?: string; page?: number; pageSize?: number; sort?: 'receivedAt' | '-receivedAt' | 'replyDueAt' }

export interface NewCase {
  channel: string; callerName?: string; callerPhone?: string; title?: string; content: string;
  districtCode?: string; streetCode?: string; communityCode?: string; compoundId?: string; address?: string;
  categoryCode?: string; requestType?: RequestType; urgency?: 'normal' | 'urgent'; keywords?: string[];
  /** Dispatch at once to this unit, or resolve online with this answer (mutually exclusive). */
  unitId?: string; resolution?: string; tags?: Record<string, unknown>;
}

/** Tag suggestions as the workstation uses them (normalized from POST /api/tagging/suggest). */
export interface Suggestion {
  category: { code: string; name: string; path: string[]; confidence: number; evidence: string[] } | null;
  alternatives: { code: string; name: string; path: string[]; confidence: number }[];
  requestType: RequestType | null; requestTypeConfidence: number | null;
  urgency: 'normal' | 'urgent' | null; urgencyCues: string[];
  place: { districtCode?: string | null; districtName?: string | null; streetCode?: string | null; streetName?: string | null; communityCode?: string | null; communityName?: string | null; compoundId?: string | null; compoundName?: string | null; confidence?: number } | null;
  keywords: string[];
  similar: { id: string | number; caseNo?: string; title?: string | null; content?: string; similarity?: number; status?: string; resolution?: string | null }[];
  sameCaller: { id: string | number; caseNo?: string; title?: string | null; receivedAt?: string; status?: string }[];
  modelVersion: number | null;
}

export interface KbEntry { id: number; title: string; content: string; categoryCode?: string | null; categoryName?: string | null; source: 'staff' | 'past_reply'; keywords: string[]; score?: number; updatedAt?: string }
export interface Alert {
  id: string | number; kind: string; title: string; status: string; firstSeenAt?: string; lastSeenAt?: string; createdAt?: string; memberCount?: number;
  proposedUnitId?: string | null; recurrenceDays?: number | null; events?: CaseEvent[]; zone?: { name: string; lng?: number; lat?: number }[];
  categoryCode?: string | null; categoryName?: string | null; districtCode?: string | null; districtName?: string | null; placeName?: string | null;
  lng?: number | null; lat?: number | null; observed?: number; expected?: number; pValue?: number; unitId?: string | null; unitName?: string | null;
  summary?: string; members?: CaseDto[]; memberIds?: (string | number)[]; series?: { day: string; observed: number; expected: number }[]; keywords?: string[];
}
export interface RefItem { code: string; name: string; parentCode?: string | null; level?: number | string; path?: string[] }
export interface Unit { id: string; name: string; kind?: string }
export interface ManagedUser extends User { unitName?: string | null; active?: boolean; locked?: boolean; lastLoginAt?: string | null; createdAt?: string }
export interface NewUser { username: string; name: string; role: Role; unitId?: string | null; password?: string }
export interface ApiToken { id: string; name: string; prefix?: string; scopes: string[]; unitId?: string | null; channel?: string | null; expiresAt?: string | null; lastUsedAt?: string | null; revoked: boolean; createdAt?: string }
export interface NewToken { name: string; scopes: string[]; unitId?: string; channel?: string; expiresInDays?: number }
export interface AuditRow { id: string; at: string; actorId?: string | null; actorName?: string | null; actorRole?: string | null; action: string; caseId?: string | null; target?: string | null; detail?: unknown; ip?: string | null }
export interface AuditQuery { action?: string; actorId?: string; from?: string; to?: string; limit?: number; offset?: number }

export const api = {
  // auth (security issue)
  login: (username: string, password: string) => http<{ user: User }>('POST', '/api/auth/login', { username, password }),
  me: () => http<{ user: User }>('GET', '/api/auth/me'),
  logout: () => optional('POST', '/api/auth/logout', null),

  // user administration, API tokens, audit log (admin; issue 8)
  listUsers: async () => asPage<ManagedUser>(await http('GET', '/api/users?limit=500')),
  /** `password` comes back once when none was given. */
  createUser: (input: NewUser) => http<{ user: ManagedUser; password?: string }>('POST', '/api/users', dropEmpty(input)),
  updateUser: (id: string, patch: { name?: string; role?: Role; unitId?: string | null; active?: boolean }) => http<{ user: ManagedUser }>('PATCH', `/api/users/${id}`, patch),
  resetPassword: (id: string) => http<{ ok: true; password?: string }>('POST', `/api/users/${id}/password`, {}),
  deactivateUser: (id: string) => http<{ user: ManagedUser }>('POST', `/api/users/${id}/deactivate`, {}),
  listTokens: async () => asPage<ApiToken>(await http('GET', '/api/tokens')).items,
  /** `secret` (ms_…) is shown once. */
  createToken: (input: NewToken) => http<{ token: ApiToken; secret: string }>('POST', '/api/tokens', dropEmpty(input)),
  revokeToken: (id: string) => http<{ token: ApiToken }>('DELETE', `/api/tokens/${id}`),
  listAudit: async (q: AuditQuery) => asPage<AuditRow>(await http('GET', `/api/audit${qs(q as any)}`)),

  // cases (issue 2)
  listCases: async (q: CaseQuery) => asPage<CaseDto>(await optional('GET', `/api/cases${qs(q as any)}`, [])),
  getCase: (id: string | number) => http<CaseDto>('GET', `/api/cases/${id}`).then(unwrapCase),
  createCase: (input: NewCase, idempotencyKey: string) =>
    http<CaseDto>('POST', '/api/cases', dropEmpty(input), { headers: { 'idempotency-key': idempotencyKey } }).then(unwrapCase),
  act: (id: string | number, action: string, input: Record<string, unknown> = {}) => http<CaseDto>('POST', `/api/cases/${id}/actions/${action}`, input).then(unwrapCase),
  callerHistory: async (callerPhone: string) => asPage<CaseDto>(await optional('GET', `/api/cases${qs({ callerPhone, pageSize: 10 })}`, [])),
  proposeUnit: async (categoryCode: string, districtCode?: string) =>
    (await optional<any>('GET', `/api/dispatch-catalogue/propose${qs({ categoryCode, districtCode })}`, null))?.proposal as { unitId: string; unitName?: string } | null,

  // reference data (cases / city issues)
  categories: async () => asPage<RefItem>(await optional('GET', '/api/categories?flat=true', [])).items,
  divisions: async () => asPage<RefItem>(await optional('GET', '/api/divisions?level=district', [])).items,
  units: async () => asPage<Unit>(await optional('GET', '/api/units?flat=true', [])).items.filter((u: any) => u.active !== false),

  // tagging (issue 3)
  suggest: async (text: string, callerPhone?: string, signal?: AbortSignal) => {
    if (!(await serves('POST', '/api/tagging/suggest'))) throw new ApiError(404, 'not_found', '智能标签服务未启用');
    return normalizeSuggestion(await http<any>('POST', '/api/tagging/suggest', { text, ...(callerPhone ? { callerPhone } : {}) }, { signal }));
  },

  // knowledge base (this issue)
  searchKnowledge: async (q: string, limit = 5) => asPage<KbEntry>(await optional('GET', `/api/knowledge${qs({ q, limit })}`, [])).items,
  createKnowledge: (e: Partial<KbEntry>) => http<KbEntry>('POST', '/api/knowledge', e),
  updateKnowledge: (id: number, e: Partial<KbEntry>) => http<KbEntry>('PUT', `/api/knowledge/${id}`, e),

  // alerts (warning issue)
  listAlerts: async (q: { status?: string; kind?: string } = {}) => asPage<Alert>(await optional('GET', `/api/alerts${qs(q)}`, [])),
  getAlert: (id: string | number) => http<any>('GET', `/api/alerts/${id}`).then(normalizeAlert),
  alertAction: (id: string | number, action: 'acknowledge' | 'assign' | 'resolve' | 'dismiss' | 'comment', input: Record<string, unknown> = {}) =>
    http<any>('POST', `/api/alerts/${id}/actions/${action}`, input),

  // metrics (metrics issue)
  /** {dimensions: {code: 名称}, metrics: [{name, label, unit, formula, description}]} */
  metricCatalog: () => optional<any>('GET', '/api/metrics', null),
  /** One metric over a period, grouped by a dimension: {value, num, den, groups: [{key, label, value, num, den}], mom, yoy}. */
  metricBy: (metric: string, q: { by?: string; from: string; to: string } & Record<string, string | undefined>) =>
    optional<any>('GET', `/api/metrics/${encodeURIComponent(metric)}${qs(q)}`, null),
  /** Daily / weekly / monthly series: {points: [{bucket, value, num, den}]}. */
  metricSeries: (metric: string, q: { from: string; to: string; granularity: 'day' | 'week' | 'month' } & Record<string, string | undefined>) =>
    optional<any>('GET', `/api/metrics/${encodeURIComponent(metric)}/series${qs(q)}`, null),
  /** Drill-down: the cases behind a number. */
  metricCases: async (metric: string, q: Record<string, string | number | undefined>) =>
    asPage<CaseDto>(await optional('GET', `/api/metrics/${encodeURIComponent(metric)}/cases${qs(q)}`, [])),
  screen: () => optional<any>('GET', '/api/dashboard/summary', null),
  topics: async () => ((await optional<any>('GET', '/api/dashboard/topics', null))?.topics ?? []) as Topic[],
  saveTopics: (topics: Topic[]) => http<{ topics: Topic[] }>('PUT', '/api/dashboard/topics', { topics }),
};

export interface Topic { code: string; name: string; categories: string[]; keywords: string[] }

function normalizeSuggestion(r: any): Suggestion {
  const cats = (Array.isArray(r?.category) ? r.category : r?.category ? [r.category] : []).filter((c: any) => c?.code);
  const cat = (c: any) => ({ code: String(c.code), name: c.name ?? c.path?.at(-1) ?? c.code, path: c.path ?? [c.name], confidence: Number(c.probability ?? c.confidence ?? 0) });
  const rt = r?.requestType;
  const ug = r?.urgency;
  return {
    category: cats[0] ? { ...cat(cats[0]), evidence: (cats[0].evidence ?? []).map((e: any) => (typeof e === 'string' ? e : e.term)).slice(0, 5) } : null,
    alternatives: cats.slice(1).map(cat),
    requestType: (typeof rt === 'string' ? rt : rt?.type ?? rt?.value) ?? null,
    requestTypeConfidence: typeof rt === 'object' && rt ? Number(rt.confidence ?? 0) : null,
    urgency: (typeof ug === 'string' ? ug : ug?.level ?? ug?.value) ?? null,
    urgencyCues: (ug?.cues ?? []).map((c: any) => (typeof c === 'string' ? c : c.cue)),
    place: r?.place && (r.place.districtCode || r.place.compoundId || r.place.communityCode || r.place.streetCode) ? r.place : null,
    keywords: (r?.keywords ?? []).map((k: any) => (typeof k === 'string' ? k : k.word)).filter(Boolean),
    similar: r?.similarCases ?? r?.similar ?? [],
    sameCaller: r?.sameCaller ?? [],
    modelVersion: r?.modelVersion ?? null,
  };
}

/** The API treats absent and empty differently (optional fields reject null): send only what is set. */
function dropEmpty<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && !v.length))) as Partial<T>;
}

/** The warning API stores the evidence series column-wise ({days, observed, expected}); charts want rows. */
function normalizeAlert(a: any): Alert {
  const s = a?.series;
  let series: Alert['series'] = undefined;
  if (Array.isArray(s)) series = s;
  else if (s && Array.isArray(s.days) && Array.isArray(s.observed))
    series = s.days.map((day: string, i: number) => ({ day, observed: Number(s.observed[i] ?? 0), expected: Array.isArray(s.expected) ? Number(s.expected[i] ?? 0) : NaN }));
  return { ...a, series, zone: Array.isArray(s?.zone) ? s.zone : undefined };
}

function unwrapCase(c: any): CaseDto {
  return (c?.case ?? c) as CaseDto;
}

