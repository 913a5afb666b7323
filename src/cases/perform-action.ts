// Performs one lifecycle action: read → check the state machine → UPDATE … WHERE version = read version
// (optimistic concurrency) → audit event → afterChange hooks, all in one transaction → NOTIFY + afterCommit.
import type { Row } from '../store/db.ts';
import type { Actor, AppContext } from '../server/context.ts';
import { conflict, forbidden, notFound, validationError } from '../shared/errors.ts';
import { zodFields } from '../server/route.ts';
import { runAfterChange, type CaseChange } from './hooks.ts';
import { ACTIONS, ACTION_NAMES, illegalTransition, type ActionName, type Status } from './state-machine.ts';
import { CASE_COLUMNS, CASE_JOINS } from './dto.ts';
import { scopeUnit, getCase } from './get-case.ts';
import { runAfterCommit } from './notify.ts';
import type { CaseDto } from './dto.ts';
import { mapCaseConstraintError } from './db-errors.ts';

const CASTS: Record<string, string> = {
  dispatched_at: 'timestamptz', accepted_at: 'timestamptz', accept_due_at: 'timestamptz', reply_due_at: 'timestamptz',
  replied_at: 'timestamptz', closed_at: 'timestamptz', callback_at: 'timestamptz', extension_pending: 'text::jsonb',
  supervised: 'boolean', return_count: 'int', extension_count: 'int', reminder_count: 'int', reopen_count: 'int',
};
const SAFE_COLUMN = /^[a-z_]+$/;

export async function performAction(ctx: AppContext, id: number, action: string, input: unknown, actor: Actor, opts: { now?: Date } = {}): Promise<CaseDto> {
  if (!ACTION_NAMES.includes(action as ActionName)) throw validationError({ action: `未知操作: ${action}（可用: ${ACTION_NAMES.join(', ')}）` });
  const name = action as ActionName;
  const rule = ACTIONS[name];
  if (!rule.roles.includes(actor.role)) throw forbidden(`当前角色无权执行「${rule.label}」`);
  const parsed = rule.input.safeParse(input ?? {});
  if (!parsed.success) throw validationError(zodFields(parsed.error));
  const body = parsed.data as Record<string, any>;
  const now = opts.now ?? new Date();

  const change = await ctx.db
    .tx(async (tx) => {
      const [before] = await tx.query(`SELECT * FROM cases WHERE id = $1 AND ($2::text IS NULL OR unit_id = $2)`, [id, scopeUnit(actor)]);
      if (!before) throw notFound('工单');
      if (body.version !== undefined && body.version !== before.version) throw versionConflict();
      if (!rule.from.includes(before.status as Status)) throw illegalTransition(name, before.status);
      const effect = await rule.effect(before, body, { db: tx, now, actor });
      const to = effect.to ?? (before.status as Status);
      const patch: Row = { ...effect.patch, status: to };
      const cols = Object.keys(patch).filter((k) => SAFE_COLUMN.test(k));
      const params: unknown[] = [id, before.version];
      const sets = cols.map((k) => {
        const v = patch[k];
        params.push(v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v);
        return `${k} = $${params.length}::${CASTS[k] ?? 'text'}`;
      });
      const [after] = await tx.query(
        `WITH c AS (UPDATE cases SET ${sets.join(', ')}, version = version + 1, updated_at = now() WHERE id = $1 AND version = $2 RETURNING *)
         SELECT ${CASE_COLUMNS} FROM c ${CASE_JOINS}`,
        params,
      );
      if (!after) throw versionConflict();
      await tx.query(
        `INSERT INTO case_events (case_id, at, actor, action, from_status, to_status, unit_id, note, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb)`,
        [id, now, actor.id, name, before.status, to, effect.unitId !== undefined ? effect.unitId : after.unit_id, effect.note ?? null,
          JSON.stringify({ ...(effect.data ?? {}), actorName: actor.name, actorRole: actor.role })],
      );
      const ch: CaseChange = { action: name, before, after, actor, at: now };
      await runAfterChange(tx, [ch]);
      return ch;
    })
    .catch((err) => {
      throw mapCaseConstraintError(err) ?? err;
    });
  runAfterCommit(ctx, change);
  // The actor just acted on it (a returned case has left their unit): show them the result anyway.
  return getCase(ctx, id, actor, { unscoped: true });
}

const versionConflict = () => conflict('version_conflict', '工单已被他人修改，请刷新后重试');
