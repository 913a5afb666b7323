// kill -9 the server during full-speed intake, restart it: every acknowledged case is present exactly once
// (and a retry of an unacknowledged request with its Idempotency-Key does not duplicate it).
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { intakeAvailable, casesWithKey, makeToken, postCase, requireReliability, startServerProcess, type Outcome } from './harness.ts';
import { privatePostgres } from './fixture.ts';

const enabled = requireReliability();
const ENV = { MINSHENG_SECRET: 'reliability-secret-0123456789', MINSHENG_ADMIN_PASSWORD: 'admin-pass-123' };

describe.runIf(enabled)('kill -9 during intake', () => {
  const cluster = privatePostgres();

  it('every acknowledged case is stored exactly once after a crash and restart', { timeout: 180_000 }, async () => {
    let server = cluster.own(await startServerProcess({ ...ENV, DATABASE_URL: cluster.pg.url }, ['--no-jobs']));
    const token = await makeToken(cluster.pg.url, ['cases:write']);
    const probe = await postCase(server.url, token, `probe-${crypto.randomUUID()}`);
    if (!intakeAvailable(probe)) return;
    expect(probe.status, JSON.stringify(probe)).toBe(201);

    const outcomes: Outcome[] = [];
    let stop = false;
    const workers = Array.from({ length: 12 }, async () => {
      for (let i = 0; i < 400 && !stop; i++) {
        const o = await postCase(server!.url, token, crypto.randomUUID());
        outcomes.push(o);
        if (o.status === 0) break; // the server is gone
      }
    });
    // Kill at full speed, once a good number of cases went through.
    const t0 = Date.now();
    while (outcomes.filter((o) => o.status === 201).length < 150 && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
    await server.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);

    const acked = outcomes.filter((o) => o.status === 201);
    const unacked = outcomes.filter((o) => o.status !== 201);
    expect(acked.length).toBeGreaterThanOrEqual(150);
    expect(outcomes.filter((o) => o.status >= 500 && o.status !== 503)).toEqual([]);

    server = cluster.own(await startServerProcess({ ...ENV, DATABASE_URL: cluster.pg.url }, ['--no-jobs']));
    // Clients retry what they never got an answer for, with the same key.
    for (const o of unacked) {
      const again = await postCase(server.url, token, o.key);
      expect([200, 201]).toContain(again.status);
    }
    // …and a retry of an acknowledged one replays the same case.
    const replay = await postCase(server.url, token, acked[0].key);
    expect(replay.id).toBe(acked[0].id);

    const stored = await casesWithKey(cluster.pg.url, outcomes.map((o) => o.key));
    const missing = acked.filter((o) => (stored.get(o.key) ?? []).length === 0).map((o) => o.key);
    const dupes = [...stored].filter(([, ids]) => ids.length > 1).map(([k]) => k);
    expect(missing).toEqual([]);
    expect(dupes).toEqual([]);
    for (const o of acked) expect(stored.get(o.key)).toEqual([o.id]);
    for (const o of unacked) expect(stored.get(o.key)).toHaveLength(1);
  });
});
