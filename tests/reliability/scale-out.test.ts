// Several `minsheng serve` processes on one PostgreSQL, sharing no memory: a session made on one is valid on
// the other, load spreads over both, and a change made through one reaches listeners in other processes
// through LISTEN/NOTIFY (and the other server's /api/events stream, when that endpoint is served).
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/store/postgres-db.ts';
import { startWorkerProcess, intakeAvailable, makeToken, postCase, requireReliability, startOwnPostgres, startServerProcess, type OwnPostgres, type ServerProc } from './harness.ts';

const enabled = requireReliability();
const ENV = { MINSHENG_SECRET: 'scale-secret-0123456789abcdef', MINSHENG_ADMIN_PASSWORD: 'admin-pass-123' };

describe.runIf(enabled)('two serve processes on one PostgreSQL', () => {
  let pg: OwnPostgres;
  const servers: ServerProc[] = [];
  beforeAll(async () => {
    pg = await startOwnPostgres();
    servers.push(await startServerProcess({ ...ENV, DATABASE_URL: pg.url }, ['--no-jobs']));
    servers.push(await startServerProcess({ ...ENV, DATABASE_URL: pg.url }));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    pg?.destroy();
  });

  it('a session from one process works on the other; logout on one ends it on both', async () => {
    const [a, b] = servers;
    const login = await fetch(`${a.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'admin-pass-123' }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    expect((await fetch(`${b.url}/api/auth/me`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${b.url}/api/auth/logout`, { method: 'POST', headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${a.url}/api/auth/me`, { headers: { cookie } })).status).toBe(401);
  });

  it('a case created through one process is announced to listeners elsewhere (LISTEN/NOTIFY)', async () => {
    const [a, b] = servers;
    const token = await makeToken(pg.url, ['cases:write', 'events:read']);
    const probe = await postCase(a.url, token, `probe-${crypto.randomUUID()}`);
    if (!intakeAvailable(probe)) return;

    const listener = await openPostgres(pg.url, { max: 1 });
    const got: string[] = [];
    const unlisten = await listener.listen('case_changed', (p) => got.push(p));
    // The other server's SSE stream, if the events endpoint is served on this branch.
    const doc = await (await fetch(`${b.url}/api/openapi.json`)).json();
    const sse = doc.paths['/api/events'] ? await fetch(`${b.url}/api/events`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(20_000) }) : null;
    let sseText = '';
    const reading = sse?.body
      ? (async () => {
          const reader = sse.body!.getReader();
          try {
            for (;;) {
              const { value, done } = await reader.read();
              if (done) break;
              sseText += new TextDecoder().decode(value);
            }
          } catch {
            /* aborted */
          }
        })()
      : null;
    try {
      const created = await postCase(a.url, token, crypto.randomUUID());
      expect(created.status).toBe(201);
      const t0 = Date.now();
      while (!got.some((p) => JSON.parse(p).id == created.id) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
      expect(got.map((p) => JSON.parse(p)).find((p) => p.id == created.id)).toMatchObject({ action: 'create' });
      if (sse) {
        while (!sseText.includes(String(created.id)) && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 50));
        expect(sseText).toContain(String(created.id));
      }
    } finally {
      await unlisten();
      await listener.close();
      await sse?.body?.cancel().catch(() => {});
      await reading;
    }
  });

  it('round-robin load spreads over both processes and every case is stored once', async () => {
    const token = await makeToken(pg.url, ['cases:write']);
    const keys = Array.from({ length: 40 }, () => crypto.randomUUID());
    const outcomes = await Promise.all(keys.map((k, i) => postCase(servers[i % 2].url, token, k)));
    if (!intakeAvailable(outcomes[0])) return;
    expect(outcomes.every((o) => o.status === 201)).toBe(true);
    // Same keys again through the other process: replays, not new cases.
    const again = await Promise.all(keys.map((k, i) => postCase(servers[(i + 1) % 2].url, token, k)));
    expect(again.map((o) => o.id)).toEqual(outcomes.map((o) => o.id));
  });

  it('two worker processes never run the same job twice', async () => {
    const workers = [await startWorkerProcess({ ...ENV, DATABASE_URL: pg.url }), await startWorkerProcess({ ...ENV, DATABASE_URL: pg.url })];
    const db = await openPostgres(pg.url, { max: 1 });
    try {
      const t0 = Date.now();
      let lease: any;
      while (Date.now() - t0 < 60_000) {
        [lease] = await db.query(`SELECT runs, owner, last_finished FROM job_leases WHERE name = 'auth.prune'`);
        if (lease?.last_finished) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(lease?.last_finished).toBeTruthy();
      await new Promise((r) => setTimeout(r, 2000)); // both keep ticking every 200 ms
      const [after] = await db.query(`SELECT runs FROM job_leases WHERE name = 'auth.prune'`);
      expect(after.runs).toBe(1); // hourly job: claimed once among two workers (and the serve process)
      // Every leased job (early warning, monthly reports, auth cleanup) ran at most once in its period.
      const all = await db.query<{ name: string; runs: number }>(`SELECT name, runs FROM job_leases`);
      expect(all.filter((j) => j.runs > 1)).toEqual([]);
    } finally {
      await db.close();
      await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    }
  }, 240_000); // two worker processes start (and compile) on a machine that may be busy
});
