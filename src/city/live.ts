// Live demo: keeps adding requests in real time (wall clock) at a rate, so that hooks, rollups and the big
// screen see a moving city. New cases enter through the cases domain's createCase (submitLiveCase).
import { SYSTEM_ACTOR, type Actor, type AppContext } from '../server/context.ts';
import { createCase } from '../cases/create-case.ts';
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
    const gen = generateCity({ seed: `${opts.seed}/live/${round++}`, start: localDay(now), days: 1, perDay: 200, incidents: { concentrated: 0, trending: 0, emerging: 0 } });
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

/** Submits one new request through the cases domain (validation, hooks, case number, audit event, NOTIFY). */
export async function submitLiveCase(ctx: AppContext, c: GenCase): Promise<{ id: number; caseNo: string; title: string }> {
  const actor: Actor = c.createdBy.startsWith('op-') ? { id: c.createdBy, name: `话务员${c.createdBy.slice(3)}`, role: 'operator' } : { ...SYSTEM_ACTOR };
  const created = await createCase(ctx, {
    channel: c.channel, content: c.content, title: c.title, callerName: c.callerName, callerPhone: c.callerPhone,
    receivedAt: c.receivedAt.toISOString(), districtCode: c.districtCode, streetCode: c.streetCode, communityCode: c.communityCode,
    compoundId: c.compoundId ?? undefined, address: c.address, lng: c.lng, lat: c.lat, categoryCode: c.categoryCode,
    requestType: c.requestType, urgency: c.urgency, keywords: c.keywords.map((k) => k.slice(0, 30)),
  }, actor);
  return { id: Number(created.id), caseNo: created.caseNo, title: c.title };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}
