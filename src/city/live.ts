// Live demo: keeps adding requests in real time (wall clock) at a rate, so that hooks, rollups and the big
// screen see a moving city. New cases enter through submitLiveCase — the one place to switch to the cases
// domain's createCase once it is merged.
import type { AppContext } from '../server/context.ts';
import { maskPhone } from '../shared/secrets.ts';
import { localDay } from '../shared/time.ts';
import { generateCity, type GenCase } from './generate-city.ts';
import { isReferenceEmpty, seedReference } from './seed-reference.ts';

export interface LiveOptions {
  seed: number | string;
  /** Requests per minute. */
  rate: number;
  /** Stop after this many (default: run until the signal aborts). */
  limit?: number;
  signal?: AbortSignal;
  onCase?: (c: { id: number; caseNo: string; title: string }) => void;
}

/** Runs until `limit` requests were added or `signal` aborts; returns how many were added. */
export async function runLive(ctx: AppContext, opts: LiveOptions): Promise<number> {
  if (await isReferenceEmpty(ctx.db)) await seedReference(ctx.db);
  let added = 0;
  const gapMs = 60_000 / Math.max(opts.rate, 0.001);
  let round = 0;
  while (!opts.signal?.aborted && (opts.limit === undefined || added < opts.limit)) {
    // A fresh day's draw each round (seed × round), cut to the cases needed; lifecycles stop at "now".
    const now = new Date();
    const gen = generateCity({ seed: `${opts.seed}/live/${round++}`, start: localDay(now), days: 1, perDay: 200, horizon: now, incidents: { concentrated: 0, trending: 0, emerging: 0 } });
    const [batch] = gen.days();
    for (const c of batch.cases) {
      if (opts.signal?.aborted || (opts.limit !== undefined && added >= opts.limit)) break;
      const saved = await submitLiveCase(ctx, { ...c, receivedAt: new Date() });
      added++;
      opts.onCase?.(saved);
      await sleep(gapMs, opts.signal);
    }
  }
  return added;
}

/** Inserts one new request as the operator would (status received, 'create' event), then NOTIFY. */
export async function submitLiveCase(ctx: AppContext, c: GenCase): Promise<{ id: number; caseNo: string; title: string }> {
  const { db, secrets } = ctx;
  const day = localDay(c.receivedAt);
  const saved = await db.tx(async (tx) => {
    const [{ last }] = await tx.query<{ last: number }>(
      'INSERT INTO case_number_counters (day, last) VALUES ($1, 1) ON CONFLICT (day) DO UPDATE SET last = case_number_counters.last + 1 RETURNING last', [day]);
    const caseNo = `${day.replaceAll('-', '')}-${String(last).padStart(6, '0')}`;
    const [{ id }] = await tx.query<{ id: number }>(
      `INSERT INTO cases (case_no, channel, received_at, local_day, caller_name_enc, caller_phone_enc, caller_phone_hash, caller_phone_masked,
        title, content, district_code, street_code, community_code, compound_id, address, lng, lat, category_code, request_type, urgency,
        keywords, status, created_by, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,'received',$22,$3) RETURNING id`,
      [caseNo, c.channel, c.receivedAt, day, secrets.encrypt(c.callerName), secrets.encrypt(c.callerPhone), secrets.hash(c.callerPhone), maskPhone(c.callerPhone),
        c.title, c.content, c.districtCode, c.streetCode, c.communityCode, c.compoundId, c.address, c.lng, c.lat, c.categoryCode, c.requestType, c.urgency,
        c.keywords, c.createdBy]);
    await tx.query(`INSERT INTO case_events (case_id, at, actor, action, from_status, to_status) VALUES ($1, $2, $3, 'create', NULL, 'received')`, [id, c.receivedAt, c.createdBy]);
    return { id: Number(id), caseNo, title: c.title };
  });
  await db.notify('case_changed', JSON.stringify({ id: saved.id, action: 'create', status: 'received' }));
  return saved;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}
