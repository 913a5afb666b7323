// Restart PostgreSQL during load: requests fail with a retryable error (503 `unavailable` + Retry-After),
// never another 5xx, and a retry with the same Idempotency-Key succeeds exactly once.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intakeAvailable, casesWithKey, makeToken, postCase, requireReliability, startOwnPostgres, startServerProcess, type OwnPostgres, type Outcome, type ServerProc } from './harness.ts';

const enabled = requireReliability();

describe.runIf(enabled)('PostgreSQL restart during load', () => {
  let pg: OwnPostgres;
  let server: ServerProc | undefined;
  beforeAll(async () => {
    pg = await startOwnPostgres();
  });
  afterAll(async () => {
    await server?.kill();
    pg?.destroy();
  });

  it('fails retryably, then retries succeed once', async () => {
    server = await startServerProcess({ MINSHENG_SECRET: 'reliability-secret-0123456789', DATABASE_URL: pg.url }, ['--no-jobs']);
    const token = await makeToken(pg.url, ['cases:write']);
    const probe = await postCase(server.url, token, `probe-${crypto.randomUUID()}`);
    if (!intakeAvailable(probe)) return;
    expect(probe.status, JSON.stringify(probe)).toBe(201);

    const outcomes: Outcome[] = [];
    let stop = false;
    const workers = Array.from({ length: 8 }, async () => {
      while (!stop) outcomes.push(await postCase(server!.url, token, crypto.randomUUID()));
    });
    await new Promise((r) => setTimeout(r, 1500));
    pg.stop('fast'); // terminates every connection
    await new Promise((r) => setTimeout(r, 1500)); // requests during the outage
    pg.start();
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    await Promise.all(workers);

    const unavailable = outcomes.filter((o) => o.status === 503);
    const other = outcomes.filter((o) => o.status !== 201 && o.status !== 503);
    expect(other, JSON.stringify(other.slice(0, 3))).toEqual([]);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const o of unavailable) {
      expect(o.code).toBe('unavailable');
      expect(Number(o.retryAfter)).toBeGreaterThan(0);
    }
    expect(outcomes.filter((o) => o.status === 201).length).toBeGreaterThan(10); // it recovered

    for (const o of unavailable) {
      let r = await postCase(server.url, token, o.key);
      for (let i = 0; i < 20 && r.status === 503; i++) {
        await new Promise((res) => setTimeout(res, 500));
        r = await postCase(server.url, token, o.key);
      }
      expect([200, 201]).toContain(r.status);
      const second = await postCase(server.url, token, o.key);
      expect(second.id).toBe(r.id); // the same case, not a new one
    }
    const stored = await casesWithKey(pg.url, outcomes.map((o) => o.key));
    for (const o of outcomes) expect(stored.get(o.key), o.key).toHaveLength(1);
  });
});
