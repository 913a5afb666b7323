// Sensitive-data guard around the case API, so the rules hold for every route whatever the handler does:
// - a sensitive case (举报 / whistle-blower) is readable only by admins, the assigned unit and the recording
//   operator: others get 404 on /api/cases/:id/…, and see it masked in any list;
// - `?reveal=phone` on a case shows the full number to admins and operators only, audited;
// - reading a sensitive case and every export (csv / xlsx / docx / pdf, or an …/export URL) are audited.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../server/context.ts';
import type { Row } from '../store/db.ts';
import { forbidden, notFound } from '../shared/errors.ts';
import { recordAudit } from './audit.ts';
import { canReadSensitiveCase, canRevealPhone } from './sensitive.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caseGuard?: { id: string; row: Row; reveal: boolean };
  }
}

const CASE_ROUTE = /^\/api\/cases\/:id(\/|$)/;
const EXPORT_TYPE = /csv|spreadsheet|excel|wordprocessing|msword|pdf|octet-stream|zip/i;
export const SENSITIVE_MASK = '【敏感工单，无权查看】';

export function installSensitiveGuard(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('preHandler', async (req) => {
    const actor = req.auth?.actor;
    if (!actor || req.auth?.kind === 'anonymous' || !CASE_ROUTE.test(req.routeOptions.url ?? '')) return;
    const id = (req.params as Record<string, string>)?.id;
    if (!id || !/^\d{1,18}$/.test(id)) return; // the route's own validation answers
    const [row] = await ctx.db.query('SELECT id, sensitive, unit_id, created_by, caller_phone_enc, caller_name_enc FROM cases WHERE id = $1', [id]);
    if (!row) return;
    if (!canReadSensitiveCase(actor, row)) throw notFound('工单');
    const reveal = req.method === 'GET' && String((req.query as Record<string, unknown>)?.reveal ?? '').split(',').includes('phone');
    if (reveal && !canRevealPhone(actor)) throw forbidden('只有管理员和话务员可以查看完整号码');
    req.caseGuard = { id, row, reveal };
  });

  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode !== 200 || req.method !== 'GET' || typeof payload !== 'string' || !req.auth || req.auth.kind === 'anonymous') return payload;
    if (!String(reply.getHeader('content-type') ?? '').includes('json')) return payload;
    const g = req.caseGuard;
    if (g) {
      const actor = req.auth.actor;
      if (g.row.sensitive) await recordAudit(ctx.db, { actor, action: 'read_sensitive', caseId: g.id, target: req.routeOptions.url, ip: req.ip });
      if (g.reveal && g.row.caller_phone_enc && req.routeOptions.url === '/api/cases/:id') {
        const body = JSON.parse(payload);
        body.callerPhone = ctx.secrets.decrypt(g.row.caller_phone_enc);
        if (g.row.caller_name_enc) body.callerName = ctx.secrets.decrypt(g.row.caller_name_enc);
        await recordAudit(ctx.db, { actor, action: 'reveal_phone', caseId: g.id, ip: req.ip });
        return JSON.stringify(body);
      }
      return payload;
    }
    if (!payload.includes('"sensitive":true')) return payload;
    return maskSensitiveItems(ctx, req, payload);
  });

  // Exports are audited before the file leaves — any method (reports are POSTed); no audit, no export.
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode !== 200 || !req.auth || req.auth.kind === 'anonymous') return payload;
    const type = String(reply.getHeader('content-type') ?? '');
    if (!EXPORT_TYPE.test(type) && !/\/export(\b|\/|\?|$)/.test(req.url)) return payload;
    const bytes = Buffer.isBuffer(payload) ? payload.length : typeof payload === 'string' ? Buffer.byteLength(payload) : null;
    await recordAudit(ctx.db, { actor: req.auth.actor, action: 'export', target: req.url.slice(0, 500), detail: { contentType: type, bytes }, ip: req.ip });
    return payload;
  });
}

/** Masks the text of sensitive cases the actor may not read, in any list of case DTOs (`items`). */
async function maskSensitiveItems(ctx: AppContext, req: FastifyRequest, payload: string): Promise<string> {
  const actor = req.auth!.actor;
  if (actor.role === 'admin') return payload;
  let body: any;
  try {
    body = JSON.parse(payload);
  } catch {
    return payload;
  }
  const items: any[] = Array.isArray(body?.items) ? body.items : Array.isArray(body) ? body : [];
  const hidden = items.filter((c) => c && typeof c === 'object' && c.sensitive === true && c.id !== undefined);
  if (!hidden.length) return payload;
  const ids = hidden.map((c) => String(c.id)).filter((id) => /^\d{1,18}$/.test(id));
  const rows = ids.length ? await ctx.db.query('SELECT id, sensitive, unit_id, created_by FROM cases WHERE id = ANY($1::bigint[])', [ids]) : [];
  const byId = new Map(rows.map((r) => [String(r.id), r]));
  let changed = false;
  for (const c of hidden) {
    const row = byId.get(String(c.id));
    if (row && canReadSensitiveCase(actor, row)) continue;
    for (const k of ['title', 'content', 'address', 'resolution']) if (typeof c[k] === 'string') c[k] = SENSITIVE_MASK;
    for (const k of ['callerName', 'callerPhone', 'lng', 'lat', 'compoundId', 'compoundName', 'keywords', 'events']) if (k in c) c[k] = Array.isArray(c[k]) ? [] : null;
    changed = true;
  }
  return changed ? JSON.stringify(body) : payload;
}
