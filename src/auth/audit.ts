// Audit log of reads and administrative acts: who read a sensitive case, who revealed a phone number,
// who exported what, who changed users and tokens. Written by the domains through recordAudit().
import type { Db } from '../store/db.ts';
import type { Actor } from '../server/context.ts';

export type AuditAction =
  | 'read_sensitive' | 'reveal_phone' | 'export' | 'login' | 'login_failed' | 'logout'
  | 'user_create' | 'user_update' | 'user_reset_password' | 'token_create' | 'token_revoke' | 'backup' | 'restore';

export interface AuditEntry {
  actor: Actor;
  action: AuditAction | (string & {});
  caseId?: number | string | null;
  target?: string | null;
  detail?: unknown;
  ip?: string | null;
}

export async function recordAudit(db: Db, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor_id, actor_name, actor_role, action, case_id, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8)`, // ::text: postgres.js would encode the JSON text again for a jsonb parameter
    [e.actor.id, e.actor.name, e.actor.role, e.action, e.caseId ?? null, e.target ?? null, e.detail === undefined ? null : JSON.stringify(e.detail), e.ip ?? null],
  );
}

export interface AuditFilter { action?: string; caseId?: string; actorId?: string; from?: string; to?: string; limit?: number; offset?: number }

export async function listAudit(db: Db, f: AuditFilter) {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => { params.push(v); where.push(sql.replace('?', `$${params.length}`)); };
  if (f.action) add('action = ?', f.action);
  if (f.caseId) add('case_id = ?', f.caseId);
  if (f.actorId) add('actor_id = ?', f.actorId);
  if (f.from) add('at >= ?', f.from);
  if (f.to) add('at < ?', f.to);
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log ${w}`, params);
  params.push(f.limit ?? 100, f.offset ?? 0);
  const rows = await db.query(`SELECT * FROM audit_log ${w} ORDER BY id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
  return {
    total: n,
    items: rows.map((r) => ({
      id: String(r.id), at: new Date(r.at).toISOString(), actorId: r.actor_id, actorName: r.actor_name, actorRole: r.actor_role,
      action: r.action, caseId: r.case_id === null ? null : String(r.case_id), target: r.target, detail: r.detail, ip: r.ip,
    })),
  };
}
