import { createApp } from 'vue';
import {
  ElButton, ElInput, ElSelect, ElOption, ElForm, ElFormItem, ElTable, ElTableColumn, ElTag, ElPagination, ElDialog, ElCard,
  ElTimeline, ElTimelineItem, ElDescriptions, ElDescriptionsItem, ElEmpty, ElRadioGroup, ElRadioButton, ElInputNumber, ElAlert,
  ElTabs, ElTabPane, ElDatePicker, ElLoading, ElMessage, ElDrawer, ElBadge, ElTooltip, ElRow, ElCol, ElSwitch, provideGlobalConfig,
} from 'element-plus';
import zhCn from 'element-plus/es/locale/lang/zh-cn.mjs';
import 'element-plus/dist/index.css';
import './style.css';
import App from './App.vue';
import { loadUser, user, homeOf, authMissing, rememberSignedIn } from './session.ts';
import { setGuard, startRouter, redirectTo, preload } from './router.ts';
import { setUnauthorizedHandler } from './api/http.ts';

const app = createApp(App);
for (const c of [ElButton, ElInput, ElSelect, ElOption, ElForm, ElFormItem, ElTable, ElTableColumn, ElTag, ElPagination, ElDialog, ElCard,
  ElTimeline, ElTimelineItem, ElDescriptions, ElDescriptionsItem, ElEmpty, ElRadioGroup, ElRadioButton, ElInputNumber, ElAlert,
  ElTabs, ElTabPane, ElDatePicker, ElDrawer, ElBadge, ElTooltip, ElRow, ElCol, ElSwitch]) app.component(c.name!, c);
app.use(ElLoading);
// Element's own texts (pagination 共 N 条, date pickers, dialogs) in Chinese.
provideGlobalConfig({ locale: zhCn }, app, true);
app.config.globalProperties.$message = ElMessage;

setGuard((c) => {
  if (c.def.path === '/login') return user.value ? homeOf(user.value.role) : null;
  if (!user.value) return c.def.path === '/screen' && authMissing.value ? null : '/login?next=' + encodeURIComponent(c.path);
  if (c.def.roles && !c.def.roles.includes(user.value.role)) return homeOf(user.value.role);
  return null;
});
setUnauthorizedHandler(() => {
  user.value = null;
  rememberSignedIn(false);
  void redirectTo('/login?next=' + encodeURIComponent(location.pathname + location.search));
});

preload(location.pathname);
await loadUser();
app.mount('#app');
await startRouter();
