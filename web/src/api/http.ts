// The one fetch wrapper: JSON in/out, cookie session, Chinese error messages, and a quiet 404 for endpoints
// that other teams have not shipped yet (views show 暂无数据 instead of crashing).
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly fields?: Record<string, string>) {
    super(message);
  }
}

let onUnauthorized: (() => void) | null = null;
export const setUnauthorizedHandler = (fn: () => void) => (onUnauthorized = fn);

export async function http<T>(method: string, url: string, body?: unknown, opts: { signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<T> {
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: opts.signal,
  });
  const text = await res.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = data?.error ?? {};
    if (res.status === 401 && onUnauthorized && !url.startsWith('/api/auth/')) onUnauthorized();
    throw new ApiError(res.status, err.code ?? `http_${res.status}`, err.message ?? `请求失败（${res.status}）`, err.fields);
  }
  return data as T;
}

// The server documents every route it serves in /api/openapi.json; endpoints another team has not shipped
// yet are skipped without a request (no 404 noise in the console) and the view shows 暂无数据.
let catalog: Promise<((method: string, path: string) => boolean) | null> | null = null;
function loadCatalog() {
  catalog ??= fetch('/api/openapi.json', { credentials: 'same-origin' })
    .then((r) => (r.ok ? r.json() : null))
    .then((doc) => {
      if (!doc?.paths) return null;
      const ops = Object.entries<Record<string, unknown>>(doc.paths).flatMap(([p, methods]) => {
        const re = new RegExp('^' + p.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\\{[^}]+\\\}|\{[^}]+\}/g, '[^/]+') + '/?$');
        return Object.keys(methods).map((m) => ({ m: m.toUpperCase(), re }));
      });
      return (method: string, path: string) => ops.some((o) => o.m === method && o.re.test(path));
    })
    .catch(() => null);
  return catalog;
}

/** True when the server serves this endpoint (unknown → true). */
export async function serves(method: string, url: string): Promise<boolean> {
  const has = await loadCatalog();
  return !has || has(method, url.split('?')[0]);
}

/** Like http(), but an endpoint that is missing yields `fallback` — the feature is not deployed yet. */
export async function optional<T>(method: string, url: string, fallback: T, body?: unknown): Promise<T> {
  if (!(await serves(method, url))) return fallback;
  try {
    return await http<T>(method, url, body);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 501 || e.status === 405)) return fallback;
    throw e;
  }
}

export const qs = (params: Record<string, unknown>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

/** Lists come back as arrays or as {items,total}; views get one shape. */
export function asPage<T>(data: any): { items: T[]; total: number } {
  if (Array.isArray(data)) return { items: data, total: data.length };
  const items = data?.items ?? data?.rows ?? data?.data ?? [];
  return { items, total: data?.total ?? items.length };
}
