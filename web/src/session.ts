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

/** Menu per role: what each user works with all day comes first. */
export const menus: Record<Role, { path: string; label: string; key: string }[]> = {
  operator: [
    { path: '/', label: '接线工作台', key: '1' },
    { path: '/cases', label: '工单管理', key: '2' },
    { path: '/knowledge', label: '知识库', key: '3' },
    { path: '/alerts', label: '预警中心', key: '4' },
  ],
  unit_staff: [
    { path: '/inbox', label: '待办工单', key: '1' },
    { path: '/cases', label: '本单位工单', key: '2' },
    { path: '/alerts', label: '预警中心', key: '3' },
    { path: '/knowledge', label: '知识库', key: '4' },
  ],
  analyst: [
    { path: '/alerts', label: '预警中心', key: '1' },
    { path: '/analysis', label: '统计分析', key: '2' },
    { path: '/cases', label: '工单管理', key: '3' },
    { path: '/knowledge', label: '知识库', key: '4' },
    { path: '/screen', label: '大屏', key: '5' },
  ],
  leader: [
    { path: '/screen', label: '大屏', key: '1' },
    { path: '/analysis', label: '统计分析', key: '2' },
    { path: '/alerts', label: '预警中心', key: '3' },
    { path: '/cases', label: '工单管理', key: '4' },
  ],
  admin: [
    { path: '/', label: '接线工作台', key: '1' },
    { path: '/cases', label: '工单管理', key: '2' },
    { path: '/inbox', label: '单位待办', key: '3' },
    { path: '/alerts', label: '预警中心', key: '4' },
    { path: '/analysis', label: '统计分析', key: '5' },
    { path: '/knowledge', label: '知识库', key: '6' },
    { path: '/screen', label: '大屏', key: '7' },
  ],
};

export const homeOf = (role: Role) => menus[role][0].path;
