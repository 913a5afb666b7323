// Lifecycle actions as the cases API names them (POST /api/cases/:id/actions/:action), with the inputs each
// needs. Which ones a user may take comes from the server (allowedActions on GET /api/cases/:id); the role
// table below is only the fallback for list rows, which do not carry it.
import type { CaseDto, Role } from './api/index.ts';

export type FieldKind = 'unit' | 'text' | 'days' | 'callback';
export interface ActionField { key: string; label: string; kind: FieldKind; required?: boolean }
export interface ActionDef { action: string; label: string; roles: Role[]; statuses: string[]; fields: ActionField[]; type?: 'primary' | 'danger' | 'warning' | 'success' }

const CENTRE: Role[] = ['operator', 'admin'];
const UNIT: Role[] = ['unit_staff', 'operator', 'admin'];
export const ACTIONS: ActionDef[] = [
  { action: 'dispatch', label: '转办', roles: CENTRE, statuses: ['received'], fields: [{ key: 'unitId', label: '承办单位', kind: 'unit' }, { key: 'note', label: '转办说明', kind: 'text' }], type: 'primary' },
  { action: 'resolve-online', label: '在线办结', roles: CENTRE, statuses: ['received'], fields: [{ key: 'answer', label: '答复内容', kind: 'text', required: true }], type: 'success' },
  { action: 'accept', label: '签收', roles: ['unit_staff'], statuses: ['dispatched'], fields: [], type: 'primary' },
  { action: 'return', label: '退单', roles: ['unit_staff'], statuses: ['dispatched', 'accepted'], fields: [{ key: 'reason', label: '退单理由', kind: 'text', required: true }], type: 'warning' },
  { action: 'extend', label: '申请延期', roles: ['unit_staff'], statuses: ['dispatched', 'accepted'], fields: [{ key: 'days', label: '延期天数（工作日）', kind: 'days', required: true }, { key: 'reason', label: '延期理由', kind: 'text', required: true }] },
  { action: 'approve-extension', label: '批准延期', roles: ['leader', ...CENTRE], statuses: ['dispatched', 'accepted'], fields: [], type: 'success' },
  { action: 'deny-extension', label: '驳回延期', roles: ['leader', ...CENTRE], statuses: ['dispatched', 'accepted'], fields: [{ key: 'reason', label: '驳回理由', kind: 'text' }] },
  { action: 'reply', label: '答复', roles: ['unit_staff'], statuses: ['accepted'], fields: [{ key: 'result', label: '办理结果', kind: 'text', required: true }], type: 'success' },
  { action: 'remind', label: '催办', roles: ['leader', ...CENTRE], statuses: ['dispatched', 'accepted'], fields: [{ key: 'note', label: '催办说明', kind: 'text' }] },
  { action: 'supervise', label: '督办', roles: ['leader', ...CENTRE], statuses: ['received', 'dispatched', 'accepted', 'replied'], fields: [{ key: 'note', label: '督办说明', kind: 'text' }], type: 'danger' },
  { action: 'close', label: '办结', roles: CENTRE, statuses: ['replied'], fields: [{ key: 'note', label: '备注', kind: 'text' }], type: 'success' },
  { action: 'callback', label: '回访', roles: CENTRE, statuses: ['closed', 'resolved_online'], fields: [{ key: 'result', label: '回访结果', kind: 'callback', required: true }, { key: 'note', label: '回访记录', kind: 'text' }] },
  { action: 'reopen', label: '重办', roles: CENTRE, statuses: ['closed', 'resolved_online'], fields: [{ key: 'reason', label: '重办原因', kind: 'text' }], type: 'danger' },
];

export function allowedActions(c: CaseDto, role: Role): ActionDef[] {
  const server = c.allowedActions;
  const list = server ? ACTIONS.filter((a) => server.includes(a.action)) : ACTIONS.filter((a) => a.roles.includes(role) && a.statuses.includes(c.status));
  // Hide what would certainly be refused (the server still decides).
  return list.filter((a) => {
    if (a.action === 'reopen') return c.callbackResult === 'unsatisfied';
    if (a.action === 'callback') return !c.callbackResult;
    if (a.action === 'extend') return !c.extensionPending;
    if (a.action === 'approve-extension' || a.action === 'deny-extension') return !!c.extensionPending;
    if (a.action === 'supervise') return !c.supervised;
    return true;
  });
}
