// The signed-in user and what their role may see.
import { ref } from 'vue';
import { api, type Role, type User } from './api/index.ts';
import { serves } from './api/http.ts';

export const user = ref<User | null>(null);
/** True when the server has no auth endpoints (placeholder auth treats everyone as an operator). */
export const authMissing = ref(false);

// The session cookie is httpOnly; this flag only remembers that we signed in, so that a signed-out visit goes
// straight to the login page instead of asking /api/auth/me for a 401.
const HINT = 'ms_signed_in';
export const rememberSignedIn = (on: boolean) => (on ? localStorage.setItem(HINT, '1') : localStorage.removeItem(HINT));

export async function loadUser(): Promise<void> {
  if (!(await serves('GET', '/api/auth/me'))) {
    authMissing.value = true;
    user.value = { id: 'operator', username: 'operator', name: '话务员', role: 'operator' };
    return;
  }
  if (!localStorage.getItem(HINT)) return;
  try {
    user.value = (await api.me()).user;
  } catch {
    user.value = null;
    rememberSignedIn(false);
  }
}

export const roleNames: Record<Role, string> = { operator: '话务员', unit_staff: '承办单位', analyst: '分析员', leader: '领导', admin: '管理员' };

const PAGES = {
  desk: { path: '/', label: '接线工作台' },
  cases: { path: '/cases', label: '工单管理' },
  inbox: { path: '/inbox', label: '待办工单' },
  alerts: { path: '/alerts', label: '预警中心' },
  analysis: { path: '/analysis', label: '统计分析' },
  knowledge: { path: '/knowledge', label: '知识库' },
  screen: { path: '/screen', label: '大屏' },
  admin: { path: '/admin', label: '系统管理' },
};
type Page = keyof typeof PAGES;
export interface MenuItem { path: string; label: string; key: string }

/** A menu from pages (or [page, label of this role]); Alt+1… in order. */
const menu = (...items: (Page | [Page, string])[]): MenuItem[] =>
  items.map((item, i) => {
    const [page, label] = Array.isArray(item) ? item : [item, PAGES[item].label];
    return { path: PAGES[page].path, label, key: String(i + 1) };
  });

/** Menu per role: what each user works with all day comes first. */
export const menus: Record<Role, MenuItem[]> = {
  operator: menu('desk', 'cases', 'knowledge', 'alerts'),
  unit_staff: menu('inbox', ['cases', '本单位工单'], 'alerts', 'knowledge'),
  analyst: menu('alerts', 'analysis', 'cases', 'knowledge', 'screen'),
  leader: menu('screen', 'analysis', 'alerts', 'cases'),
  admin: menu('desk', 'cases', ['inbox', '单位待办'], 'alerts', 'analysis', 'knowledge', 'screen', 'admin'),
};

export const homeOf = (role: Role) => menus[role][0].path;
