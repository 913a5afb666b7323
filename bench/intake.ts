// Sustained intake through the real HTTP API: the server runs in a child process (as in production). The load
// generator here first keeps `concurrency` keep-alive requests in flight for `duration` seconds after a warm-up
// (closed loop: how fast it goes; on PostgreSQL at 16, 20 and 24 in turn, reporting the fastest whose p99 meets the
// target), then starts requests on a fixed schedule at the engine's target rate for
// `rate-duration` seconds (open loop, as calls arrive: latency counted from each request's scheduled start).
// Engines: PGlite (temp data dir) and real PostgreSQL (a fresh database, dropped afterwards).
// The database is prepared first as a centre would run it: reference data, 30 days of history (near-duplicate
// index and repeat callers have something to find) and an active category model (261 leaf classes), so every
// request really runs the whole tagging. Each request is its own POST with its own body (synthetic city
// requests: text, title, address, phone) and its own Idempotency-Key.
// CPU per case is measured for the server process, the PostgreSQL backends serving it and the load generator
// itself: on this shared 2-core machine wall-clock rates depend on the others' load, CPU per case does not.
// npm run bench -- intake [--engine pglite|postgres|both] [--duration 40] [--concurrency 16,20,24] [--pg-url postgres://…]
//   [--rate-duration 30] [--rate N] [--history-days 30] [--train 3000] [--cpu-prof DIR] [--db-prefix minsheng_bench_]
//   [--tag-threads N] [--keep-db]
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { fixedTaskMs, writeResults } from './_results.ts';
import { arg, cpuSeconds, HISTORY_PER_DAY, intakeRequests, prepareIntakeDatabase, threadCpuSeconds, type TrainedModel } from './_intake-common.ts';
import { loadConfig } from '../src/config.ts';
import { createContext } from '../src/server/start.ts';
import { runDueJobs } from '../src/jobs/registry.ts';
import { defaultTaggingThreads } from '../src/tagging/tag-in-worker.ts';
import { taggingState } from '../src/tagging/service.ts';
import { categorySuggestions } from '../src/tagging/suggest.ts';
import { normalizeText } from '../src/tagging/text.ts';
import { detectRequestType } from '../src/tagging/request-type.ts';
import { detectUrgency } from '../src/tagging/urgency.ts';
import { extractKeywords } from '../src/tagging/keywords.ts';
import { CreateCaseSchema } from '../src/cases/schema.ts';
import { hashRequest } from '../src/cases/create-case.ts';
import { driverConnection, parseDatabaseUrl } from '../src/store/postgres-db.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const which = arg('engine', 'both');
// Each closed-loop level is measured for 40 s: longer than the incremental warning run's 20 s wait after new cases,
// so that its runs (seconds of CPU each, in the server and PostgreSQL) fall inside the measurement as they do in
// sustained service — with 15 s (before session 7) a first level was measured before any run started.
const durationS = Number(arg('duration', '40'));
const warmupS = Number(arg('warmup', '3'));
// The open-loop run at the engine's target rate (0: none).
const rateDurationS = Number(arg('rate-duration', '30'));
// --rate N: the open loop at N requests/s instead of the engine's target (to find the rate a latency holds up to).
const rateOverride = Number(arg('rate', '0'));
const pgUrl = arg('pg-url', 'postgres://postgres@127.0.0.1:5432/postgres');
// The PostgreSQL run's database is created as PREFIX<time> and dropped afterwards (kept with --keep-db, to study).
const dbPrefix = arg('db-prefix', 'minsheng_bench_');
// --cpu-prof DIR: the server child writes a V8 CPU profile there on exit (open in Chrome DevTools).
const cpuProfDir = arg('cpu-prof', '');
const historyDays = Number(arg('history-days', '30'));
const trainCases = Number(arg('train', '3000'));
// Tagging threads of the server (MINSHENG_TAG_THREADS; 0 = tagging on its main thread); default: the server's.
const tagThreads = arg('tag-threads', process.env.MINSHENG_TAG_THREADS ?? '');
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

/** A keep-alive HTTP/1.1 connection for the load: each request is written as prepared bytes (head, its own
 *  Idempotency-Key, its own body, encoded once beforehand) and only the status line and Content-Length of the
 *  answer are read — the same requests on the wire as a general client sends, for a fraction of its CPU (the load
 *  generator shares the machine with the server it measures). */
class LoadConnection {
  private socket: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (status: number) => void; reject: (e: Error) => void } | null = null;
  /** The last answer's Server-Timing header (the server's stages of the request), if it sent one. */
  serverTiming: string | null = null;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk) => this.onData(chunk));
    const fail = (e: Error) => {
      const w = this.waiting;
      this.waiting = null;
      w?.reject(e);
    };
    this.socket.on('error', fail);
    this.socket.on('close', () => fail(new Error('connection closed')));
  }

  post(head: Buffer, key: string, body: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.cork();
      this.socket.write(head);
      this.socket.write(`content-length: ${body.length}\r\nidempotency-key: ${key}\r\n\r\n`);
      this.socket.write(body);
      this.socket.uncork();
    });
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const head = this.buf.subarray(0, end).toString('latin1');
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) return this.waiting.reject(new Error(`answer without Content-Length: ${head.slice(0, 200)}`));
    const total = end + 4 + Number(length[1]);
    if (this.buf.length < total) return;
    this.buf = this.buf.subarray(total);
    const w = this.waiting;
    this.waiting = null;
    this.serverTiming = /\r\nserver-timing:\s*([^\r]*)/i.exec(head)?.[1] ?? null;
    w.resolve(Number(head.slice(9, 12)));
  }

  close(): void {
    this.socket.destroy();
  }
}

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  // Started as `npm start` / the `minsheng` bin start it (the same node flags).
  const child = spawn(process.execPath, ['--max-semi-space-size=32', ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(cpuProfDir)}`] : []), '--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'start', '--port', String(port)], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', MINSHENG_DEMO: '0', MINSHENG_ADMIN_PASSWORD: ADMIN_PASSWORD, MINSHENG_RATE_LIMIT: '1000000', MINSHENG_RATE_BURST: '1000000', MINSHENG_TAG_THREADS: tagThreads, NODE_ENV: 'production' },
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

/** Request bodies as a hotline operator's form sends them: the synthetic city's texts (another seed than the
 *  history), phone, title and address when the caller gave one; category, type and place left to tagging. */
function requestBodies(n: number): string[] {
  return intakeRequests(n, 'intake-bench').map((b) => JSON.stringify(b));
}

/** CPU seconds used by the whole machine so far (all cores, /proc/stat). */
function machineCpuSeconds(): number {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / 100; // user nice system irq softirq steal
  } catch {
    return 0;
  }
}

/** Write and read system calls of a process so far (/proc/PID/io: every socket write to the database or a client
 *  is one); null where unavailable. */
function syscalls(pid: number | undefined): { w: number; r: number } | null {
  try {
    const io = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
    return { w: Number(/syscw: (\d+)/.exec(io)![1]), r: Number(/syscr: (\d+)/.exec(io)![1]) };
  } catch {
    return null;
  }
}

/** CPU seconds of each thread of a process (thread id → seconds). */
function threadCpu(pid: number | undefined): Map<number, number> {
  const out = new Map<number, number>();
  try {
    for (const t of fs.readdirSync(`/proc/${pid}/task`)) out.set(Number(t), threadCpuSeconds(pid, Number(t)) ?? 0);
  } catch {}
  return out;
}


/** How the load generator offers requests: `concurrency` clients each sending the next request as soon as the last
 *  one is answered (closed loop: the rate follows the server), or requests started on a fixed schedule of `rate`
 *  per second whatever the answers' latency, as calls reach a centre (open loop). */
type LoadMode = { concurrency: number } | { rate: number; maxConnections: number };

/** The measured window's counters: latencies and statuses, and CPU of the server, its threads, PostgreSQL's
 *  processes and the load generator between begin() and end(). */
class Measurement {
  measuring = false;
  private lat: number[] = [];
  private ok = 0;
  private errors = 0;
  private statuses: Record<string, number> = {};
  private from = 0;
  private cpuFrom: number | null = null;
  private mainFrom: number | null = null;
  private threadsFrom = new Map<number, number>();
  private ioFrom = null as { w: number; r: number } | null;
  private genFrom = process.cpuUsage();
  private machineFrom = 0;
  private pgFrom: Map<number, number> | null = null;

  constructor(private serverPid: number | undefined, private dbPids: () => Promise<number[]>) {}

  begin(): void {
    this.measuring = true;
    this.from = Date.now();
    this.cpuFrom = cpuSeconds(this.serverPid);
    this.mainFrom = threadCpuSeconds(this.serverPid);
    this.threadsFrom = threadCpu(this.serverPid);
    this.ioFrom = syscalls(this.serverPid);
    this.genFrom = process.cpuUsage();
    this.machineFrom = machineCpuSeconds();
    void this.dbPids().then((pids) => (this.pgFrom = new Map(pids.map((p) => [p, cpuSeconds(p) ?? 0]))));
  }

  private perSecond: number[][] = [];
  private lagPerSecond: number[] = [];
  private lags: number[] = [];

  /** How late the load generator started a scheduled request (its own stalls, not the server's latency). */
  sendLag(ms: number): void {
    const second = Math.floor((Date.now() - this.from) / 1000);
    this.lagPerSecond[second] = Math.max(this.lagPerSecond[second] ?? 0, ms);
    this.lags.push(ms);
  }

  private stages: Record<string, number[]> = {};
  private stagesPerSecond: Record<string, number[]>[] = [];

  record(status: number, ms: number, serverTiming: string | null = null): void {
    const second = Math.floor((Date.now() - this.from) / 1000);
    (this.perSecond[second] ??= []).push(ms);
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    if (status === 201) (this.ok++, this.lat.push(ms));
    else this.errors++;
    if (status !== 201 || !serverTiming) return;
    // The server's stages (Server-Timing), and the rest of the latency: outside the handler — the request waiting
    // to be read and parsed, the answer to be written, and in the open loop the generator's own lag.
    const stages = Object.fromEntries([...serverTiming.matchAll(/(\w+);dur=([\d.]+)/g)].map((m) => [m[1]!, Number(m[2])]));
    if (stages.total !== undefined) stages.outside = ms - stages.total;
    const thisSecond = (this.stagesPerSecond[second] ??= {});
    for (const [k, v] of Object.entries(stages)) {
      (this.stages[k] ??= []).push(v);
      (thisSecond[k] ??= []).push(v);
    }
  }

  async end(mode: LoadMode) {
    const { serverPid, ok, lat } = this;
    const elapsed = (Date.now() - this.from) / 1000;
    const cpuTo = cpuSeconds(serverPid);
    const mainTo = threadCpuSeconds(serverPid);
    const ioTo = syscalls(serverPid);
    const busiestOther = Math.max(0, ...[...threadCpu(serverPid)].filter(([t]) => t !== serverPid).map(([t, s]) => s - (this.threadsFrom.get(t) ?? 0)));
    const gen = process.cpuUsage(this.genFrom);
    const machine = machineCpuSeconds() - this.machineFrom;
    // Every server process, those started during the measurement from zero (a new connection, autovacuum).
    const pgFrom = this.pgFrom;
    const pgCpu = pgFrom === null ? null : (await this.dbPids()).reduce((a, p) => a + (cpuSeconds(p) ?? 0) - (pgFrom.get(p) ?? 0), 0);
    // CPU per case: independent of how busy the shared machine is. The whole pipeline on one machine needs
    // (server + PostgreSQL + load generator) ms per case; 2 cores × 1000 / that = what a quiet machine could do.
    const perCase = (s: number | null) => (s !== null && ok ? Math.round((s * 1000 * 1000) / ok) / 1000 : null);
    const serverCpuMsPerCase = perCase(this.cpuFrom !== null && cpuTo !== null ? cpuTo - this.cpuFrom : null);
    const cpuMsPerCase = {
      server: serverCpuMsPerCase,
      // The server's main thread (HTTP, validation, tagging); the rest of the server is its other threads
      // (PGlite's thread, libuv's pool, GC helpers, warning detectors).
      serverMainThread: perCase(this.mainFrom !== null && mainTo !== null ? mainTo - this.mainFrom : null),
      serverBusiestOtherThread: perCase(busiestOther),
      postgres: perCase(pgCpu),
      loadGenerator: perCase((gen.user + gen.system) / 1e6),
      total: null as number | null,
    };
    cpuMsPerCase.total = serverCpuMsPerCase === null ? null : Math.round(((cpuMsPerCase.server ?? 0) + (cpuMsPerCase.postgres ?? 0) + (cpuMsPerCase.loadGenerator ?? 0)) * 1000) / 1000;
    const cores = os.cpus().length;
    lat.sort((a, b) => a - b);
    const quantile = (xs: number[], p: number) => (xs.length ? Math.round(xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]! * 100) / 100 : null);
    const q = (p: number) => quantile(lat, p);
    const lags = this.lags.sort((a, b) => a - b);
    return {
      ...mode, measuredFrom: this.from, durationS: Math.round(elapsed * 10) / 10, cases: ok, errors: this.errors, statuses: this.statuses, casesPerSec: Math.round(ok / elapsed),
      p50Ms: q(0.5), p90Ms: q(0.9), p99Ms: q(0.99), maxMs: q(1),
      // Open loop: how late the generator itself started requests (its thread waiting for a core on this shared
      // machine); counted in the latencies above, since they run from each request's scheduled start.
      ...('rate' in mode ? { sendLagMs: { p50: quantile(lags, 0.5), p99: quantile(lags, 0.99), max: quantile(lags, 1) } } : {}),
      // Where the latency went (ms): tag, queue (waiting for the batch's statement), db, total (the handler) from the
      // server's Server-Timing; outside = latency − total.
      stagesMs: Object.fromEntries(Object.entries(this.stages).map(([k, xs]) => (xs.sort((a, b) => a - b), [k, { p50: quantile(xs, 0.5), p90: quantile(xs, 0.9), p99: quantile(xs, 0.99) }]))),
      serverCpuMsPerCase, cpuMsPerCase,
      // The server's write / read system calls per stored case (socket writes to PostgreSQL and to clients).
      serverSyscallsPerCase: this.ioFrom && ioTo && ok ? { write: Math.round(((ioTo.w - this.ioFrom.w) / ok) * 100) / 100, read: Math.round(((ioTo.r - this.ioFrom.r) / ok) * 100) / 100 } : null,
      // What the pipeline would sustain if it had the machine's cores to itself (CPU-bound estimate).
      cpuBoundCasesPerSec: cpuMsPerCase.total ? Math.round((cores * 1000) / cpuMsPerCase.total) : null,
      // Share of the machine's CPU used by everything else (other engineers' work) during the measurement.
      othersCpuShare: machine > 0 ? Math.round(Math.max(0, 1 - ((cpuTo ?? 0) - (this.cpuFrom ?? 0) + (pgCpu ?? 0) + (gen.user + gen.system) / 1e6) / machine) * 100) / 100 : null,
      loadAverage1m: Math.round(os.loadavg()[0]! * 10) / 10,
      // Each second of the measurement: answers, p99 / max latency of the requests answered in it, and the p99 of each
      // stage (which one a slow second's latency came from).
      perSecond: Array.from(this.perSecond, (l = [], i) => {
        const p99 = (xs: number[]) => Math.round(xs.sort((a, b) => a - b)[Math.floor(0.99 * xs.length)] ?? 0);
        const stagesP99 = Object.fromEntries(Object.entries(this.stagesPerSecond[i] ?? {}).map(([k, xs]) => [k, p99(xs)]));
        return { n: l.length, p99Ms: p99(l), maxMs: Math.round(l[l.length - 1] ?? 0), stagesP99, ...('rate' in mode ? { sendLagMs: Math.round(this.lagPerSecond[i] ?? 0) } : {}) };
      }),
    };
  }
}

/** Requests sent so far by this process: each its own Idempotency-Key, across all load phases. */
let seq = 0;

async function load(port: number, mode: LoadMode, measuredS: number, headers: Record<string, string>, bodies: string[], serverPid: number | undefined, dbPids: () => Promise<number[]>) {
  // Prepared once: the request head with the session, and every body as bytes.
  const head = Buffer.from(`POST /api/cases HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}`);
  const encoded = bodies.map((b) => Buffer.from(b));
  const connections: LoadConnection[] = [];
  const open = () => {
    const c = new LoadConnection(port);
    connections.push(c);
    return c;
  };
  const m = new Measurement(serverPid, dbPids);
  const warmEnd = Date.now() + warmupS * 1000;
  const end = warmEnd + measuredS * 1000;
  /** One request on `conn` (replaced by a new connection if it failed); resolves with the status (0: failed) and
   *  the answer's Server-Timing. */
  const send = async (conn: LoadConnection): Promise<{ status: number; conn: LoadConnection; timing: string | null }> => {
    const n = seq++;
    const status = await conn.post(head, `bench-${process.pid}-${n}`, encoded[n % encoded.length]!).catch(() => 0);
    if (status === 0) conn.close();
    return { status, conn: status === 0 ? open() : conn, timing: status === 0 ? null : conn.serverTiming };
  };

  if ('concurrency' in mode) {
    const client = async () => {
      let conn = open();
      while (Date.now() < end) {
        const t0 = performance.now();
        const r = await send(conn);
        conn = r.conn;
        if (!m.measuring && Date.now() >= warmEnd) m.begin();
        else if (m.measuring) m.record(r.status, performance.now() - t0, r.timing);
      }
    };
    await Promise.all(Array.from({ length: mode.concurrency }, client));
  } else {
    // Request i starts at t0 + i / rate on an idle connection (a new one while fewer than maxConnections are open;
    // else it waits for one). Its latency counts from its scheduled start, so a stall counts against every request
    // it held up (no coordinated omission).
    // A pool opened beforehand, as a gateway keeps one; more are opened only while all are busy.
    const idle: LoadConnection[] = Array.from({ length: Math.min(32, mode.maxConnections) }, open);
    const waiting: number[] = [];
    let inFlight = 0;
    const t0 = performance.now();
    const startAt = Date.now();
    const interval = 1000 / mode.rate;
    let i = 0;
    let scheduleDone = false;
    let drained: () => void = () => {};
    const run = async (conn: LoadConnection, scheduled: number, measured: boolean) => {
      inFlight++;
      const r = await send(conn);
      inFlight--;
      if (measured) m.record(r.status, performance.now() - scheduled, r.timing);
      const next = waiting.shift();
      if (next !== undefined) void run(r.conn, next, next - t0 >= warmEnd - startAt);
      else idle.push(r.conn);
      if (!inFlight && scheduleDone) drained();
    };
    await new Promise<void>((resolve) => {
      drained = resolve;
      const tick = () => {
        const now = performance.now();
        for (; t0 + i * interval <= now && startAt + i * interval < end; i++) {
          const scheduled = t0 + i * interval;
          const measured = i * interval >= warmEnd - startAt;
          if (measured && !m.measuring) m.begin();
          if (measured) m.sendLag(now - scheduled);
          const conn = idle.pop() ?? (connections.length < mode.maxConnections ? open() : undefined);
          if (conn) void run(conn, scheduled, measured);
          else waiting.push(scheduled);
        }
        // Sleep until the next request is due (≥ 1 ms): at low rates the generator wakes only when it has work.
        if (startAt + i * interval < end) return void setTimeout(tick, Math.max(1, Math.floor(t0 + i * interval - performance.now())));
        scheduleDone = true;
        if (!inFlight) resolve();
      };
      tick();
    });
  }
  const result = await m.end(mode);
  for (const c of connections) c.close();
  return { ...result, connections: connections.length };
}

const bodies = requestBodies(30_000);

/** A one-connection client of the server behind --pg-url (creating, watching and dropping the run's database). */
const adminSql = () => {
  const target = driverConnection(pgUrl);
  return postgres(target.url, { ...target.options, max: 1, onnotice: () => {} });
};

/** Reference data, history and the active model, written before the server starts (not measured). */
async function prepare(env: Record<string, string>, model: { current: TrainedModel | null }): Promise<{ historyCases: number; trainedOn: number }> {
  const ctx = await createContext(loadConfig({ dataDir: env.MINSHENG_DATA, databaseUrl: env.DATABASE_URL, demoOnEmpty: false }, {}));
  try {
    const r = await prepareIntakeDatabase(ctx, { historyDays, trainCases, model: model.current });
    // The background jobs a running centre has already done (last month's reports, pruning): otherwise a fresh
    // server renders the reports in the first seconds of the measured load.
    await runDueJobs(ctx);
    model.current = r.model; // one model for both engines, trained on the first engine's history
    stages ??= await stageCpu(ctx);
    return { historyCases: r.historyCases, trainedOn: r.model.model.meta.trainedDocs };
  } finally {
    await ctx.db.close();
  }
}

/** Share of the measured run's cases that carry the tagging result (category from the model, request type). */
async function taggedShare(env: Record<string, string>): Promise<{ cases: number; withCategory: number; withModelVersion: number }> {
  const ctx = await createContext(loadConfig({ dataDir: env.MINSHENG_DATA, databaseUrl: env.DATABASE_URL, demoOnEmpty: false }, {}));
  try {
    const [r] = await ctx.db.query<{ cases: number; with_category: number; with_model: number }>(
      `SELECT count(*)::int AS cases, count(*) FILTER (WHERE category_code IS NOT NULL)::int AS with_category,
              count(*) FILTER (WHERE tags->'auto'->>'modelVersion' IS NOT NULL)::int AS with_model
         FROM cases WHERE idempotency_key LIKE 'bench-%'`,
    );
    return { cases: r!.cases, withCategory: r!.with_category, withModelVersion: r!.with_model };
  } finally {
    await ctx.db.close();
  }
}

/** CPU per case of the pure in-process stages of intake, measured here on the same bodies, model and gazetteer
 *  (one thread, no I/O): where the server's main-thread time goes besides HTTP, the driver and the database. */
let stages: Record<string, number> | undefined;
async function stageCpu(ctx: Awaited<ReturnType<typeof createContext>>): Promise<Record<string, number>> {
  const state = await taggingState(ctx);
  const sample = bodies.slice(0, 2000).map((b) => JSON.parse(b) as { channel: string; content: string; title: string; callerPhone: string; address?: string });
  const text = (b: (typeof sample)[number]) => normalizeText(`${b.title} ${b.content}`);
  const measure = (f: (b: (typeof sample)[number]) => unknown) => {
    for (const b of sample.slice(0, 200)) f(b);
    const c = process.cpuUsage();
    for (const b of sample) f(b);
    const d = process.cpuUsage(c);
    return Math.round(((d.user + d.system) / 1000 / sample.length) * 1000) / 1000;
  };
  return {
    jsonParse: measure((b) => JSON.parse(JSON.stringify(b))),
    validation: measure((b) => CreateCaseSchema.safeParse(b)),
    idempotencyHash: measure((b) => hashRequest(b)),
    classifier: measure((b) => categorySuggestions(state, text(b))),
    place: measure((b) => state.gazetteer.resolve(text(b), b.address ?? null)),
    keywords: measure((b) => extractKeywords(text(b), 5, state.model?.keywordIdf)),
    requestTypeAndUrgency: measure((b) => (detectRequestType(text(b)), detectUrgency(text(b)))),
    nearDuplicateQuery: measure((b) => state.duplicates.query(`${b.title} ${b.content}`)),
    encryptionAndKeyedHash: measure((b) => (ctx.secrets.encrypt(b.callerPhone), ctx.secrets.hash(b.callerPhone))),
  };
}

const sharedModel: { current: TrainedModel | null } = { current: null };

async function runEngine(name: 'pglite' | 'postgres', concurrencies: number[], targetRate: number, targetP99Ms: number | null) {
  let dbName: string | undefined;
  let env: Record<string, string>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `ms-bench-${name}-`));
  if (name === 'postgres') {
    const admin = adminSql();
    if (!/^[a-z_][a-z0-9_]*$/.test(dbPrefix)) throw new Error(`--db-prefix: not a plain identifier: ${dbPrefix}`);
    dbName = `${dbPrefix}${Date.now().toString(36)}`;
    await admin.unsafe(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = parseDatabaseUrl(pgUrl);
    u.pathname = `/${dbName}`;
    env = { DATABASE_URL: u.toString(), MINSHENG_DATA: dataDir };
  } else env = { MINSHENG_DATA: dataDir };
  try {
    const t0 = Date.now();
    const prepared = await prepare(env, sharedModel);
    console.log(`${name}: ${prepared.historyCases} cases of history and a model on ${prepared.trainedOn} cases ready in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    const taskBefore = fixedTaskMs();
    const { child, port } = await startServer(env);
    let r;
    let atTargetRate;
    const monitor = dbName ? adminSql() : null;
    try {
      const headers = await authHeaders(new http.Agent(), port);
      // All of the server's processes (backends, WAL writer, checkpointer, autovacuum): the writes cost there too.
      const dbPids = async () => (monitor ? (await monitor.unsafe(`SELECT pid FROM pg_stat_activity`)).map((x) => Number(x.pid)) : []);
      // Closed loop at each concurrency in turn; the headline is the highest rate whose p99 meets the target (the
      // usual "throughput at a latency objective"), else the lowest p99.
      const levels: ({ concurrency: number } & Awaited<ReturnType<typeof load>>)[] = [];
      if (durationS > 0) for (const concurrency of concurrencies) levels.push({ concurrency, ...(await load(port, { concurrency }, durationS, headers, bodies, child.pid, dbPids)) });
      if (levels.length) {
        const p99 = (l: (typeof levels)[number]) => l.p99Ms ?? Infinity;
        const meeting = levels.filter((l) => targetP99Ms === null || p99(l) < targetP99Ms);
        r = meeting.length ? meeting.reduce((a, b) => (b.casesPerSec > a.casesPerSec ? b : a)) : levels.reduce((a, b) => (p99(b) < p99(a) ? b : a));
        if (levels.length > 1) r = { ...r, byConcurrency: levels.map((l) => ({ concurrency: l.concurrency, casesPerSec: l.casesPerSec, p50Ms: l.p50Ms, p99Ms: l.p99Ms, cpuMsPerCaseTotal: l.cpuMsPerCase?.total })) };
      }
      // Then the same server offered the target rate on a fixed schedule (open loop), for longer: does it sustain
      // that rate, and at what latency?
      if (rateDurationS > 0) atTargetRate = await load(port, { rate: rateOverride || targetRate, maxConnections: 256 }, rateDurationS, headers, bodies, child.pid, dbPids);
    } finally {
      await monitor?.end();
      child.kill('SIGTERM');
      await new Promise((res) => (child.exitCode !== null ? res(null) : child.once('exit', res)));
    }
    return { ...r, atTargetRate, fixedTaskMs: { before: taskBefore, after: fixedTaskMs() }, taggingThreads: tagThreads === '' ? defaultTaggingThreads(name) : Number(tagThreads), state: { historyCases: prepared.historyCases, modelTrainedOn: prepared.trainedOn, tagged: await taggedShare(env) } };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (dbName && process.argv.includes('--keep-db')) console.log(`kept database ${dbName} (--keep-db)`);
    else if (dbName) {
      const admin = adminSql();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
      await admin.end();
    }
  }
}

/** --concurrency 16 or 16,20,24 (a sweep; the engine's default otherwise). */
const levelsArg = (dflt: string) => arg('concurrency', dflt).split(',').map(Number).filter((n) => n > 0);
const results: Record<string, unknown> = {};
if (which === 'both' || which === 'postgres') {
  try {
    results.postgres = { ...(await runEngine('postgres', levelsArg('16,20,24'), 1000, 50)), target: { casesPerSec: 1000, p99Ms: 50 } };
  } catch (err) {
    results.postgres = { skipped: `PostgreSQL run failed (${pgUrl}): ${(err as Error).message}` };
  }
}
if (which === 'both' || which === 'pglite') results.pglite = { ...(await runEngine('pglite', levelsArg('8'), 300, null)), target: { casesPerSec: 300 } };
writeResults('intake', {
  method: `POST /api/cases through the HTTP API, each request its own body (synthetic city requests) and Idempotency-Key: auth (cookie session), validation, tagging (category model over 261 leaves, request type, urgency, place, keywords, near-duplicates, repeat callers), encryption, case number, case + audit event + rollups in one transaction (concurrent requests batched), NOTIFY after commit. Database prepared with ${historyDays} days × ${HISTORY_PER_DAY} cases of history and an active model; server in a child process; closed loop (concurrency requests in flight): ${warmupS}s warm-up then ${durationS}s measured; then atTargetRate: open loop, requests started on a fixed schedule at the engine's target rate, ${warmupS}s warm-up then ${rateDurationS}s measured, latency from each request's scheduled start (no coordinated omission); keep-alive load generator in the benchmark process on the same machine. cpuMsPerCase: CPU of the server process, of all PostgreSQL server processes (backends, WAL writer, checkpointer, autovacuum) and of the load generator per stored case; cpuBoundCasesPerSec = cores × 1000 / total`,
  stagesCpuMsPerCase: stages,
  ...results,
});
