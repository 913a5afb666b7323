// Which lifecycle actions a user may take on a case (mirrors the cases state machine; the server decides).
import type { CaseDto, Role } from './api/index.ts';

export interface ActionDef { action: string; label: string; roles: Role[]; statuses: string[]; fields: ('unitId' | 'reason' | 'days' | 'resolution' | 'result' | 'note')[]; type?: 'primary' | 'danger' | 'warning' | 'success' }

export const ACTIONS: ActionDef[] = [
  { action: 'dispatch', label: '转办', roles: ['operator', 'admin'], statuses: ['received'], fields: ['unitId'], type: 'primary' },
  { action: 'resolve_online', label: '在线办结', roles: ['operator', 'admin'], statuses: ['received'], fields: ['resolution'], type: 'success' },
  { action: 'accept', label: '签收', roles: ['unit_staff', 'admin'], statuses: ['dispatched'], fields: [], type: 'primary' },
  { action: 'return', label: '退单', roles: ['unit_staff', 'admin'], statuses: ['dispatched', 'accepted'], fields: ['reason'], type: 'warning' },
  { action: 'request_extension', label: '申请延期', roles: ['unit_staff', 'admin'], statuses: ['accepted'], fields: ['days', 'reason'] },
  { action: 'reply', label: '答复', roles: ['unit_staff', 'admin'], statuses: ['accepted'], fields: ['resolution'], type: 'success' },
  { action: 'remind', label: '催办', roles: ['operator', 'admin'], statuses: ['dispatched', 'accepted'], fields: ['note'] },
  { action: 'close', label: '办结', roles: ['operator', 'admin'], statuses: ['replied'], fields: ['note'], type: 'success' },
  { action: 'callback', label: '回访', roles: ['operator', 'admin'], statuses: ['closed', 'resolved_online'], fields: ['result', 'note'] },
  { action: 'reopen', label: '重办', roles: ['operator', 'admin'], statuses: ['closed'], fields: ['reason'], type: 'danger' },
];

export function allowedActions(c: CaseDto, role: Role): ActionDef[] {
  if (c.allowedActions) return ACTIONS.filter((a) => c.allowedActions!.includes(a.action));
  return ACTIONS.filter((a) => a.roles.includes(role) && a.statuses.includes(c.status)).filter((a) => {
    if (a.action === 'reopen') return c.callbackResult === 'unsatisfied';
    if (a.action === 'callback') return !c.callbackResult;
    if (a.action === 'request_extension') return !c.extensionPending;
    return true;
  });
}
