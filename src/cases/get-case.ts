// One case with its timeline. Unit staff see only their own unit's cases (404 otherwise).
import type { Actor, AppContext } from '../server/context.ts';
import { notFound } from '../shared/errors.ts';
import { CASE_COLUMNS, CASE_JOINS, EVENT_COLUMNS, EVENT_JOINS, toCaseDto, type CaseDto } from './dto.ts';
import { deadlineSetup } from './deadlines.ts';

/** The unit an actor is confined to (unit staff), or null for centre-wide roles. */
export const scopeUnit = (actor: Actor): string | null => (actor.role === 'unit_staff' ? (actor.unitId ?? '\u0000none') : null);

export async function getCase(ctx: AppContext, id: number, actor: Actor, opts: { unscoped?: boolean } = {}): Promise<CaseDto> {
  const [row] = await ctx.db.query(
    `SELECT ${CASE_COLUMNS} FROM cases c ${CASE_JOINS} WHERE c.id = $1 AND ($2::text IS NULL OR c.unit_id = $2)`,
    [id, opts.unscoped ? null : scopeUnit(actor)],
  );
  if (!row) throw notFound('工单');
  const events = await ctx.db.query(`SELECT ${EVENT_COLUMNS} FROM case_events e ${EVENT_JOINS} WHERE e.case_id = $1 ORDER BY e.id`, [id]);
  const { policy } = await deadlineSetup(ctx.db);
  return toCaseDto(row, ctx.secrets, { events, yellowFraction: policy.yellowFraction });
}
