// An operator's accept / correction of a case's tags: updates the case, writes a case_events row and one
// tag_feedback row per field, and runs the afterChange hooks — all in one transaction.
import type { Actor, AppContext } from '../server/context.ts';
import { notFound, validationError, forbidden } from '../shared/errors.ts';
import { runAfterChange, type CaseChange } from '../cases/hooks.ts';
import type { Row } from '../store/db.ts';

export interface TagCorrection {
  categoryCode?: string;
  requestType?: 'consultation' | 'help' | 'complaint' | 'report' | 'suggestion' | 'praise';
  urgency?: 'normal' | 'urgent';
  districtCode?: string | null;
  streetCode?: string | null;
  communityCode?: string | null;
  compoundId?: string | null;
  keywords?: string[];
  /** Fields whose suggestion the operator confirmed unchanged. */
  accept?: ('category' | 'requestType' | 'urgency' | 'place' | 'keywords')[];
}

type Field = 'category' | 'requestType' | 'urgency' | 'place' | 'keywords';

/** What the tagger suggested for a field, read from cases.tags. */
function suggested(tags: Row, field: Field): unknown {
  const t = tags?.auto ?? {};
  if (field === 'category') return t.category?.code ?? null;
  if (field === 'requestType') return t.requestType?.type ?? null;
  if (field === 'urgency') return t.urgency?.level ?? null;
  if (field === 'place') return t.place ? { districtCode: t.place.districtCode, streetCode: t.place.streetCode, communityCode: t.place.communityCode, compoundId: t.place.compoundId } : null;
  return t.keywords ?? null;
}

export async function recordTagCorrection(ctx: AppContext, caseId: number, input: TagCorrection, actor: Actor): Promise<{ caseId: number; changed: string[]; feedback: number }> {
  const at = new Date();
  return ctx.db.tx(async (tx) => {
    const [before] = await tx.query('SELECT * FROM cases WHERE id = $1 FOR UPDATE', [caseId]);
    if (!before) throw notFound('工单');
    if (actor.role === 'unit_staff' && before.unit_id !== actor.unitId) throw notFound('工单');
    if (actor.role === 'unit_staff') throw forbidden('承办单位不能修改数据标签');
    const sets: string[] = [];
    const params: unknown[] = [caseId];
    const set = (col: string, v: unknown, cast = '') => {
      params.push(v);
      sets.push(`${col} = $${params.length}${cast}`);
    };
    const fields: { field: Field; chosen: unknown; accepted: boolean }[] = [];
    const bad: Record<string, string> = {};

    if (input.categoryCode !== undefined) {
      const [c] = await tx.query('SELECT code FROM categories WHERE code = $1', [input.categoryCode]);
      if (!c) bad.categoryCode = `分类不存在: ${input.categoryCode}`;
      set('category_code', input.categoryCode);
      fields.push({ field: 'category', chosen: input.categoryCode, accepted: false });
    }
    if (input.requestType !== undefined) {
      set('request_type', input.requestType);
      fields.push({ field: 'requestType', chosen: input.requestType, accepted: false });
    }
    if (input.urgency !== undefined) {
      set('urgency', input.urgency);
      fields.push({ field: 'urgency', chosen: input.urgency, accepted: false });
    }
    const placeGiven = ['districtCode', 'streetCode', 'communityCode', 'compoundId'].some((k) => (input as Row)[k] !== undefined);
    if (placeGiven) {
      const place = await completePlace(tx, input, bad);
      set('district_code', place.districtCode);
      set('street_code', place.streetCode);
      set('community_code', place.communityCode);
      set('compound_id', place.compoundId);
      fields.push({ field: 'place', chosen: place, accepted: false });
    }
    if (input.keywords !== undefined) {
      set('keywords', input.keywords, '::text[]');
      fields.push({ field: 'keywords', chosen: input.keywords, accepted: false });
    }
    for (const f of input.accept ?? []) {
      if (fields.some((x) => x.field === f)) continue;
      fields.push({ field: f, chosen: suggested(before.tags, f), accepted: true });
    }
    if (Object.keys(bad).length) throw validationError(bad);
    if (!fields.length) throw validationError({ _: '没有要记录的标签修改或确认' });
    // A "correction" equal to the suggestion is an accept.
    for (const f of fields) if (!f.accepted && JSON.stringify(f.chosen) === JSON.stringify(suggested(before.tags, f.field))) f.accepted = true;

    let after = before;
    if (sets.length) {
      [after] = await tx.query(`UPDATE cases SET ${sets.join(', ')}, version = version + 1, updated_at = now() WHERE id = $1 RETURNING *`, params);
    }
    const modelVersion = before.tags?.auto?.modelVersion ?? null;
    await tx.query(
      `INSERT INTO case_events (case_id, at, actor, action, from_status, to_status, unit_id, note, data)
       VALUES ($1, $2, $3, 'retag', $4, $4, $5, $6, $7::text::jsonb)`,
      [caseId, at, actor.id, before.status, before.unit_id, null, JSON.stringify({ actorName: actor.name, actorRole: actor.role, fields: fields.map((f) => ({ field: f.field, suggested: suggested(before.tags, f.field), chosen: f.chosen, accepted: f.accepted })) })],
    );
    for (const f of fields) {
      await tx.query(
        `INSERT INTO tag_feedback (case_id, field, suggested, chosen, accepted, model_version, actor, at) VALUES ($1, $2, $3::text::jsonb, $4::text::jsonb, $5, $6, $7, $8)`,
        [caseId, f.field, JSON.stringify(suggested(before.tags, f.field) ?? null), JSON.stringify(f.chosen ?? null), f.accepted, modelVersion, actor.id, at],
      );
    }
    if (sets.length) {
      const change: CaseChange = { action: 'retag', before, after, actor, at };
      await runAfterChange(tx, [change]);
      await tx.query(`SELECT pg_notify('case_changed', $1)`, [JSON.stringify({ id: caseId, action: 'retag', status: after.status })]);
    }
    return { caseId, changed: fields.filter((f) => !f.accepted).map((f) => f.field), feedback: fields.length };
  });
}

/** Validates the given place codes and fills the parents (compound → community → street → district). */
async function completePlace(tx: import('../store/db.ts').Db, input: TagCorrection, bad: Record<string, string>) {
  const out = { districtCode: input.districtCode ?? null, streetCode: input.streetCode ?? null, communityCode: input.communityCode ?? null, compoundId: input.compoundId ?? null };
  if (out.compoundId) {
    const [c] = await tx.query('SELECT community_code FROM compounds WHERE id = $1', [out.compoundId]);
    if (!c) bad.compoundId = `小区不存在: ${out.compoundId}`;
    else out.communityCode ??= c.community_code;
  }
  const parentOf = async (code: string, level: string, field: string) => {
    const [d] = await tx.query('SELECT parent_code, level FROM divisions WHERE code = $1', [code]);
    if (!d || d.level !== level) {
      bad[field] = `区划代码不存在或层级不符: ${code}`;
      return null;
    }
    return d.parent_code as string | null;
  };
  if (out.communityCode) {
    const p = await parentOf(out.communityCode, 'community', 'communityCode');
    out.streetCode ??= p;
  }
  if (out.streetCode) {
    const p = await parentOf(out.streetCode, 'street', 'streetCode');
    out.districtCode ??= p;
  }
  if (out.districtCode) await parentOf(out.districtCode, 'district', 'districtCode');
  return out;
}
