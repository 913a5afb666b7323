// Sustained intake through the real HTTP API: the server runs in a child process (as in production), the load
// generator here keeps `concurrency` keep-alive requests in flight for `duration` seconds after a warm-up.
// Engines: PGlite (temp data dir) and real PostgreSQL (a fresh database, dropped afterwards).
// npm run bench -- intake [--engine pglite|postgres|both] [--duration 15] [--concurrency 16] [--pg-url postgres://…]
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { writeResults } from './_results.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
};
const which = arg('engine', 'both');
const durationS = Number(arg('duration', '15'));
const warmupS = Number(arg('warmup', '3'));
const pgUrl = arg('pg-url', 'postgres://postgres@127.0.0.1:5432/postgres');
// --cpu-prof DIR: the server child writes a V8 CPU profile there on exit (open in Chrome DevTools).
const cpuProfDir = arg('cpu-prof', '');
const ADMIN_PASSWORD = 'bench-admin-password';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

function request(agent: http.Agent, port: number, method: string, url: string, body?: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: url, agent, headers: { ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(cpuProfDir)}`] : []), '--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'start', '--port', String(port)], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', MINSHENG_DEMO: '0', MINSHENG_ADMIN_PASSWORD: ADMIN_PASSWORD, MINSHENG_RATE_LIMIT: '1000000', MINSHENG_RATE_BURST: '1000000', NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const agent = new http.Agent({ keepAlive: false });
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await request(agent, port, 'GET', '/api/health')).status === 200) return { child, port };
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGTERM');
  throw new Error('server did not become healthy within 120 s');
}

/** Signs in when the auth domain is present (cookie session); otherwise the placeholder accepts everyone. */
async function authHeaders(agent: http.Agent, port: number): Promise<Record<string, string>> {
  const r = await request(agent, port, 'POST', '/api/auth/login', JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }));
  if (r.status !== 200) return {};
  const cookie = ([] as string[]).concat(r.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
  return cookie ? { cookie } : {};
}

const CONTENTS = ['小区门口工地夜间施工噪音扰民，严重影响休息', '咨询居住证办理需要哪些材料', '路灯不亮已经一周，夜间出行不安全', '物业乱收费，要求退还多收的停车费', '餐馆油烟直排，影响周边居民', '公交站台破损，请尽快维修'];

/** CPU seconds (user + system) used so far by a process, from /proc (Linux); null elsewhere. */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

async function load(port: number, concurrency: number, headers: Record<string, string>, serverPid?: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let seq = 0;
  const lat: number[] = [];
  let ok = 0;
  let errors = 0;
  const statuses: Record<string, number> = {};
  let measuring = false;
  const body = () => {
    const n = seq++;
    return JSON.stringify({ channel: '12345', content: `${CONTENTS[n % CONTENTS.length]}（编号${n}）`, callerPhone: `138${String(10_000_000 + (n % 89_999_999)).slice(-8)}`, title: '来电诉求' });
  };
  const start = Date.now();
  const warmEnd = start + warmupS * 1000;
  const end = warmEnd + durationS * 1000;
  let measuredFrom = 0;
  let cpuFrom: number | null = null;
  async function worker() {
    while (Date.now() < end) {
      const t0 = performance.now();
      const r = await request(agent, port, 'POST', '/api/cases', body(), { ...headers, 'idempotency-key': `bench-${process.pid}-${seq}` }).catch(() => ({ status: 0, body: '', headers: {} }));
      const ms = performance.now() - t0;
      if (!measuring && Date.now() >= warmEnd) ((measuring = true), (measuredFrom = Date.now()), (cpuFrom = cpuSeconds(serverPid)));
      if (!measuring) continue;
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status === 201) (ok++, lat.push(ms));
      else errors++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (Date.now() - measuredFrom) / 1000;
  const cpuTo = cpuSeconds(serverPid);
  // Server CPU per case: independent of how busy the shared machine is; 1000 / it = cases/s one core could serve.
  const serverCpuMsPerCase = cpuFrom !== null && cpuTo !== null && ok ? Math.round(((cpuTo - cpuFrom) * 1000 * 100) / ok) / 100 : null;
  agent.destroy();
  lat.sort((a, b) => a - b);
  const q = (p: number) => (lat.length ? Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! * 100) / 100 : null);
  return { concurrency, durationS: Math.round(elapsed * 10) / 10, cases: ok, errors, statuses, casesPerSec: Math.round(ok / elapsed), serverCpuMsPerCase, loadAverage1m: Math.round(os.loadavg()[0]! * 10) / 10, p50Ms: q(0.5), p90Ms: q(0.9), p99Ms: q(0.99), maxMs: q(1) };
}

async function runEngine(name: 'pglite' | 'postgres', concurrency: number) {
  let dbName: string | undefined;
  let env: Record<string, string>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `ms-bench-${name}-`));
  if (name === 'postgres') {
    const admin = postgres(pgUrl, { max: 1, onnotice: () => {} });
    dbName = `minsheng_bench_${Date.now().toString(36)}`;
    await admin.unsafe(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(pgUrl);
    u.pathname = `/${dbName}`;
    env = { DATABASE_URL: u.toString(), MINSHENG_DATA: dataDir };
  } else env = { MINSHENG_DATA: dataDir };
  const { child, port } = await startServer(env);
  try {
    const headers = await authHeaders(new http.Agent(), port);
    const r = await load(port, concurrency, headers, child.pid);
    return r;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (dbName) {
      const admin = postgres(pgUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
      await admin.end();
    }
  }
}

const results: Record<string, unknown> = {};
if (which === 'both' || which === 'postgres') {
  try {
    results.postgres = { ...(await runEngine('postgres', Number(arg('concurrency', '16')))), target: { casesPerSec: 1000, p99Ms: 50 } };
  } catch (err) {
    results.postgres = { skipped: `PostgreSQL not reachable at ${pgUrl}: ${(err as Error).message}` };
  }
}
if (which === 'both' || which === 'pglite') results.pglite = { ...(await runEngine('pglite', Number(arg('concurrency', '8')))), target: { casesPerSec: 300 } };
writeResults('intake', {
  method: `POST /api/cases (validation, idempotency key, encryption, case number, case + audit event in one statement, concurrent requests batched, NOTIFY after commit, hooks registered at start) through the HTTP API; server in a child process; ${warmupS}s warm-up then ${durationS}s measured; keep-alive load generator in the benchmark process on the same machine`,
  ...results,
});
