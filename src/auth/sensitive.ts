// Who may see what of a case. The cases domain calls these when it reads cases; the rules live here.
import type { Actor } from '../server/context.ts';
import type { Row } from '../store/db.ts';

/**
 * Sensitive cases (举报 / whistle-blowers, cases.sensitive) are readable only by admins, the assigned unit's
 * staff and the operator who recorded the case. Every such read should be audited (recordAudit 'read_sensitive').
 */
export function canReadSensitiveCase(actor: Actor, c: Row): boolean {
  if (!c.sensitive) return true;
  if (actor.role === 'admin' || actor.role === 'system') return true;
  if (actor.role === 'unit_staff') return !!actor.unitId && c.unit_id === actor.unitId;
  return c.created_by != null && String(c.created_by) === actor.id;
}

/**
 * SQL condition (for `alias`) that hides sensitive cases from actors who may not read them, to AND into list
 * and search queries. `params` receives the values; placeholders continue from its current length.
 */
export function sensitiveCaseFilter(actor: Actor, params: unknown[], alias = 'c'): string {
  if (actor.role === 'admin' || actor.role === 'system') return 'TRUE';
  if (actor.role === 'unit_staff') {
    params.push(actor.unitId ?? null);
    return `(NOT ${alias}.sensitive OR ${alias}.unit_id = $${params.length})`;
  }
  params.push(actor.id);
  return `(NOT ${alias}.sensitive OR ${alias}.created_by = $${params.length})`;
}

/** `?reveal=phone` shows the full number: admins and operators only, and always audited ('reveal_phone'). */
export function canRevealPhone(actor: Actor): boolean {
  return actor.role === 'admin' || actor.role === 'operator';
}
