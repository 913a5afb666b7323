// A tiny history router (no extra dependency): path patterns → lazily loaded views (one chunk per route).
import { shallowRef, type Component } from 'vue';

export interface RouteDef { path: string; title: string; load: () => Promise<{ default: Component }>; roles?: string[]; bare?: boolean }

export const routes: RouteDef[] = [
  { path: '/', title: '接线工作台', load: () => import('./views/Workstation.vue'), roles: ['operator', 'admin'] },
  { path: '/cases', title: '工单管理', load: () => import('./views/Cases.vue') },
  { path: '/cases/:id', title: '工单详情', load: () => import('./views/CaseDetail.vue') },
  { path: '/inbox', title: '承办单位待办', load: () => import('./views/Inbox.vue'), roles: ['unit_staff', 'admin', 'operator'] },
  { path: '/alerts', title: '预警中心', load: () => import('./views/Alerts.vue'), roles: ['analyst', 'leader', 'admin', 'operator', 'unit_staff'] },
  { path: '/analysis', title: '统计分析', load: () => import('./views/Analysis.vue'), roles: ['analyst', 'leader', 'admin'] },
  { path: '/knowledge', title: '知识库', load: () => import('./views/Knowledge.vue') },
  { path: '/admin', title: '系统管理', load: () => import('./views/Admin.vue'), roles: ['admin'] },
  { path: '/screen', title: '大屏', load: () => import('./views/Screen.vue'), bare: true },
  { path: '/login', title: '登录', load: () => import('./views/Login.vue'), bare: true },
];

export interface Current { def: RouteDef; params: Record<string, string>; query: URLSearchParams; path: string }

function match(path: string): Current | null {
  const url = new URL(path, location.origin);
  for (const def of routes) {
    const names: string[] = [];
    const re = new RegExp('^' + def.path.replace(/:([a-zA-Z]+)/g, (_, n) => (names.push(n), '([^/]+)')) + '/?$');
    const m = url.pathname.match(re);
    if (m) return { def, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])), query: url.searchParams, path: url.pathname + url.search };
  }
  return null;
}

export const current = shallowRef<Current | null>(null);
export const view = shallowRef<Component | null>(null);
let guard: (c: Current) => string | null = () => null;
export const setGuard = (g: typeof guard) => (guard = g);

async function resolve(path: string, replace = false) {
  let c = match(path) ?? match('/cases')!;
  const redirect = guard(c);
  if (redirect && redirect !== c.path) {
    c = match(redirect)!;
    replace = true;
  }
  if (replace) history.replaceState(null, '', c.path);
  else if (location.pathname + location.search !== c.path) history.pushState(null, '', c.path);
  const mod = await c.def.load();
  document.title = `${c.def.title} - 民生 12345`;
  view.value = mod.default;
  current.value = c;
}

export const navigate = (path: string) => resolve(path);
/** Starts fetching a route's chunk (used at boot, in parallel with the session check). */
export const preload = (path: string) => void match(path)?.def.load().catch(() => null);
export const redirectTo = (path: string) => resolve(path, true);
export function startRouter() {
  window.addEventListener('popstate', () => resolve(location.pathname + location.search, true));
  // Links inside the app navigate without reloading.
  document.addEventListener('click', (e) => {
    const a = (e.target as HTMLElement).closest?.('a[data-link]') as HTMLAnchorElement | null;
    if (a && !e.ctrlKey && !e.metaKey && !e.shiftKey && e.button === 0) {
      e.preventDefault();
      void navigate(a.getAttribute('href')!);
    }
  });
  return resolve(location.pathname + location.search, true);
}
