// Chinese labels for codes shown across views.
export const statusLabels: Record<string, string> = {
  received: '已受理', resolved_online: '在线办结', dispatched: '已转办', accepted: '已签收', replied: '已答复', closed: '已办结',
};
export const statusTagType: Record<string, 'info' | 'success' | 'warning' | 'danger' | 'primary'> = {
  received: 'info', resolved_online: 'success', dispatched: 'warning', accepted: 'primary', replied: 'primary', closed: 'success',
};
export const requestTypeLabels: Record<string, string> = {
  consultation: '咨询', help: '求助', complaint: '投诉', report: '举报', suggestion: '建议', praise: '表扬',
};
export const urgencyLabels: Record<string, string> = { normal: '一般', urgent: '紧急' };
export const callbackLabels: Record<string, string> = { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意' };
export const lightLabels: Record<string, string> = { green: '正常', yellow: '临期', red: '超期' };
export const channelLabels: Record<string, string> = {
  '12345': '12345热线', web: '网站', letter: '来信', app: 'APP', wechat: '微信', '12315': '12315', '12333': '12333', import: '导入',
};
export const actionLabels: Record<string, string> = {
  create: '受理', dispatch: '转办', resolve_online: '在线办结', accept: '签收', return: '退单', request_extension: '申请延期',
  approve_extension: '批准延期', reject_extension: '驳回延期', reply: '答复', close: '办结', callback: '回访', reopen: '重办',
  remind: '催办', supervise: '督办', update: '修改', comment: '备注', tag: '标签', redispatch: '重新转办',
};
export const alertKindLabels: Record<string, string> = { emerging: '苗头性', trending: '倾向性', concentrated: '集中性' };
export const alertStatusLabels: Record<string, string> = { new: '待处理', acknowledged: '已确认', assigned: '已交办', resolved: '已办结', dismissed: '已排除' };

export const fmtTime = (s?: string | null) => {
  if (!s) return '—';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  return d.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
};
