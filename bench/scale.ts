// Scale-out benchmark: intake (POST /api/cases) cases/s with 1 and 2 `minsheng serve` processes on one
// PostgreSQL, behind a tiny round-robin in the load generator. Each round gets a fresh database on a private
// PostgreSQL instance (initdb in a temp dir), so nothing else on the machine is disturbed.
//   npm run bench -- scale [--seconds 15] [--clients 32] [--procs 1,2]
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import postgres from 'postgres';
import { writeResults } from './_results.ts';
import { makeToken, missingForReliability, postCase, startOwnPostgres, startServerProcess, type ServerProc } from '../tests/reliability/harness.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const SECONDS = Number(arg('seconds', '15'));
const CLIENTS = Number(arg('clients', '32'));
const PROCS = arg('procs', '1,2').split(',').map(Number);

const missing = missingForReliability();
if (missing) {
  console.error(missing.replace('reliability tests', 'scale benchmark'));
  process.exit(1);
}

// CPU seconds a process has used (Linux /proc: utime + stime in clock ticks of 1/100 s).
const cpuMs = (pid: number | undefined) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const pct = (xs: number[], p: number) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : null);

const pg = await startOwnPostgres();
const rounds: Record<string, unknown>[] = [];
try {
  for (const n of PROCS) {
    const dbName = `scale_${n}`;
    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const url = pg.url.replace(/\/postgres$/, `/${dbName}`);
    // Start one first (it migrates), then the others.
    const servers: ServerProc[] = [await startServerProcess({ DATABASE_URL: url, MINSHENG_SECRET: 'bench-secret-0123456789abcdef' }, ['--no-jobs'])];
    for (let i = 1; i < n; i++) servers.push(await startServerProcess({ DATABASE_URL: url, MINSHENG_SECRET: 'bench-secret-0123456789abcdef' }, ['--no-jobs']));
    const token = await makeToken(url, ['cases:write']);
    try {
      let rr = 0;
      const next = () => servers[rr++ % servers.length].url;
      const runFor = async (ms: number, record: boolean) => {
        const lat: number[] = [];
        let ok = 0, failed = 0;
        const perServer = new Map<string, number>();
        const until = Date.now() + ms;
        await Promise.all(
          Array.from({ length: CLIENTS }, async () => {
            while (Date.now() < until) {
              const base = next();
              const t = performance.now();
              const o = await postCase(base, token, crypto.randomUUID());
              if (o.status === 201) {
                ok++;
                if (record) lat.push(performance.now() - t);
                perServer.set(base, (perServer.get(base) ?? 0) + 1);
              } else failed++;
            }
          }),
        );
        lat.sort((a, b) => a - b);
        return { ok, failed, lat, perServer };
      };
      await runFor(3000, false); // warm-up: JIT, connection pools, plans
      const cpu0 = servers.map((s) => cpuMs(s.proc.pid));
      const t0 = Date.now();
      const r = await runFor(SECONDS * 1000, true);
      const secs = (Date.now() - t0) / 1000;
      const serverCpuMs = servers.reduce((sum, s, i) => sum + cpuMs(s.proc.pid) - cpu0[i]!, 0);
      const round = {
        processes: n,
        clients: CLIENTS,
        seconds: Math.round(secs * 10) / 10,
        cases: r.ok,
        failed: r.failed,
        casesPerSecond: Math.round((r.ok / secs) * 10) / 10,
        latencyMs: { p50: Math.round(pct(r.lat, 50)! * 10) / 10, p95: Math.round(pct(r.lat, 95)! * 10) / 10, p99: Math.round(pct(r.lat, 99)! * 10) / 10 },
        perProcess: [...r.perServer.values()],
        serverCpuMsPerCase: r.ok ? Math.round((serverCpuMs / r.ok) * 100) / 100 : null,
        loadAverage1m: Math.round(os.loadavg()[0] * 10) / 10,
      };
      console.error(JSON.stringify(round));
      rounds.push(round);
    } finally {
      await Promise.all(servers.map((s) => s.kill('SIGTERM')));
    }
  }
} finally {
  pg.destroy();
}

const one = rounds.find((r) => r.processes === 1)?.casesPerSecond as number | undefined;
const two = rounds.find((r) => r.processes === 2)?.casesPerSecond as number | undefined;
writeResults('scale', {
  what: 'POST /api/cases (API token, Idempotency-Key, hooks on this branch) with N serve processes on one private PostgreSQL 15; round-robin load generator in the same machine',
  note: 'On a 2-core machine the load generator, PostgreSQL and the server processes share the same cores, so the 2-process gain is bounded by CPU (no target number); loadAverage1m says how busy the machine was; serverCpuMsPerCase is the servers\' own CPU per stored case and does not depend on the load.',
  rounds,
  speedup2vs1: one && two ? Math.round((two / one) * 100) / 100 : null,
});
