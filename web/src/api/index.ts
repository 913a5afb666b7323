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

export interface Suggestion {
  category?: { code: string; path?: string[]; name?: string; confidence?: number } | null;
  categories?: { code: string; path?: string[]; confidence?: number }[];
  requestType?: { value: RequestType; confidence?: number } | RequestType | null;
  urgency?: { value: 'normal' | 'urgent' } | 'normal' | 'urgent' | null;
  place?: { districtCode?: string; districtName?: string; streetCode?: string; streetName?: string; communityCode?: string; communityName?: string; compoundId?: string; compoundName?: string; text?: string } | null;
  keywords?: (string | { word: string })[];
  similar?: { id: string | number; caseNo?: string; title?: string; content?: string; score?: number; status?: string; resolution?: string }[];
  unit?: { id: string; name: string } | null;
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

export const api = {
  // auth (security issue)
  login: (username: string, password: string) => http<{ user: User }>('POST', '/api/auth/login', { username, password }),
  me: () => http<{ user: User }>('GET', '/api/auth/me'),
  logout: () => optional('POST', '/api/auth/logout', null),

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
  suggest: async (text: string, signal?: AbortSignal) => {
    if (!(await serves('POST', '/api/tagging/suggest'))) throw new ApiError(404, 'not_found', '智能标签服务未启用');
    return http<Suggestion>('POST', '/api/tagging/suggest', { text }, { signal });
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
  metricCatalog: () => optional<any>('GET', '/api/metrics', null),
  metricQuery: (q: { metric: string; dimension: string; period: string; from?: string; to?: string }) => optional<any>('GET', `/api/metrics/query${qs(q)}`, null),
  screen: () => optional<any>('GET', '/api/metrics/screen', null),
};

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

export const exportUrl = (q: Record<string, unknown>, format: 'csv' | 'xlsx') => `/api/metrics/export${qs({ ...q, format })}`;
