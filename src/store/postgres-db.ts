import postgres from 'postgres';
import { Writable } from 'node:stream';
import { AppError, isDbUnavailable } from '../shared/errors.ts';
import { csvChunks, quoteIdent, type Db, type Row } from './db.ts';

// A real PostgreSQL server through postgres.js, with types aligned to PGlite's.
//
// Losing the server (restart, failover, a killed backend) must give every request a quick 503 `db_unavailable`,
// never a hang or a crash. postgres.js 3.4.9 needs help for that: it batches small writes behind a
// setImmediate and does not reset that batch when a socket closes (upstream issues #1066, #1154, #1208). So
//  - a connection whose socket closed with a write pending keeps a stale timer; once reconnected it never
//    flushes its start-up message, and every query routed to it waits for connect_timeout (30 s by default);
//  - its `begin()` writes ROLLBACK to the dead socket after a failed statement: the write throws from a timer
//    (uncaught TypeError) and that promise never settles.
// Hence: transactions are our own (BEGIN/COMMIT on a reserved connection; nothing is written to a connection
// after the pool lost one), and a pool that lost a connection is retired — queries already running on its
// healthy connections finish, the rest fail within DRAIN_S — while a fresh pool serves new requests and
// takes the LISTENs over. Prepared statements stay on: they are per connection and start afresh with each pool.

const CONNECT_TIMEOUT_S = 10; // a server that cannot complete a connection handshake in 10 s is as good as down
// postgres.js waits before reconnecting, 3^failures/100 s up to 20 s by default: a request queued behind that
// wait during an outage would hang for seconds. Retry within half a second (a failed connect costs little).
const backoff = (failures: number) => Math.min(0.05 * 2 ** failures, 0.5);
const DRAIN_S = 2; // a retired pool's queries get this long to finish before its connections are closed
const FRESH_MS = 2000; // a new pool that has not reached the server yet is kept this long (no churn in an outage)
const RELISTEN_MS = 1000; // retry interval of LISTEN while the server is away

const TYPES = {
  int8: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
  date: { to: 1082, from: [1082], serialize: (x: string) => x, parse: (x: string) => x },
} as any;

// SQLSTATE class 08 (connection exception), 57P01–57P03 (shutdown, crash, cannot connect now), 53300 (too many
// connections), and the driver's and Node's socket errors.
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  '57P01', '57P02', '57P03', '53300',
]);

/** True for errors that mean "the database is not reachable right now" (safe to retry), not "the statement is wrong". */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'));
}

/** The one retryable database error: 503 `db_unavailable` (the HTTP layer adds Retry-After). */
export function dbUnavailable(cause?: unknown): AppError {
  const err = new AppError('db_unavailable', '数据库暂时不可用，请稍后使用相同的 Idempotency-Key 重试', 503);
  err.cause = cause;
  return err;
}

interface Pool {
  sql: postgres.Sql;
  born: number;
  /** Some statement succeeded on it (it reached the server). */
  reached: boolean;
  retired: boolean;
}
interface Subscription { channel: string; onPayload: (payload: string) => void; pool?: Pool; unlisten?: () => Promise<void> }

export async function openPostgres(url: string, opts: { max?: number } = {}): Promise<Db> {
  const pools = new Pools(url, opts.max ?? 10);
  try {
    await pools.current().sql`SELECT 1`; // fail fast with the driver's own message if the server is unreachable
  } catch (err) {
    await pools.close();
    throw err;
  }
  return pooledDb(pools);
}

/** The current postgres.js pool, and its replacement after it lost a connection. */
class Pools {
  private pool: Pool;
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  constructor(private readonly url: string, private readonly max: number) {
    this.pool = this.create();
  }

  current(): Pool {
    if (this.closed) throw dbUnavailable(new Error('database closed'));
    return this.pool;
  }

  private create(): Pool {
    const pool = { born: Date.now(), reached: false, retired: false } as Pool;
    const target = driverConnection(this.url);
    pool.sql = postgres(target.url, {
      ...target.options,
      max: this.max,
      connect_timeout: CONNECT_TIMEOUT_S,
      backoff,
      max_lifetime: null, // every close retires the pool (above), so connections are not rotated on a timer
      onnotice: () => {},
      onclose: () => this.lost(pool),
      types: TYPES,
    });
    return pool;
  }

  /** A connection of `pool` closed: replace the pool (unless it is new and never reached the server). */
  lost(pool: Pool): void {
    if (pool.retired || this.closed) return;
    if (!pool.reached && Date.now() - pool.born < FRESH_MS) return;
    this.retire(pool);
  }

  retire(pool: Pool): void {
    if (pool.retired || this.closed) return;
    pool.retired = true;
    if (this.pool === pool) this.pool = this.create();
    pool.sql.end({ timeout: DRAIN_S }).catch(() => {});
    for (const s of this.subscriptions) this.resubscribe(s);
  }

  /** LISTEN that survives pool changes. The first LISTEN reports its error to the caller; after a pool change it
   *  is re-issued on the new pool, retried until the server is back. */
  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    const s: Subscription = { channel, onPayload };
    this.subscriptions.add(s);
    try {
      await this.subscribe(s);
    } catch (err) {
      this.subscriptions.delete(s);
      throw isConnectionError(err) ? dbUnavailable(err) : err;
    }
    return async () => {
      this.subscriptions.delete(s);
      await s.unlisten?.().catch(() => {});
    };
  }

  private async subscribe(s: Subscription): Promise<void> {
    const pool = this.current();
    if (s.pool === pool || !this.subscriptions.has(s)) return;
    s.pool = pool;
    s.unlisten = undefined;
    const r = await pool.sql.listen(s.channel, s.onPayload);
    if (s.pool === pool) s.unlisten = () => r.unlisten();
    else await r.unlisten().catch(() => {}); // the pool changed meanwhile: the newer LISTEN counts
  }

  private resubscribe(s: Subscription): void {
    this.subscribe(s).catch(() => {
      if (s.pool === this.pool) s.pool = undefined;
      if (!this.closed) setTimeout(() => this.resubscribe(s), RELISTEN_MS).unref();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscriptions.clear();
    await this.pool.sql.end({ timeout: 5 });
  }
}

/** Runs one driver call on `pool`; connection errors become `db_unavailable`. (Plain `then`, no async layer:
 *  this wraps every statement.) */
function run<T>(pool: Pool, call: () => PromiseLike<T>): Promise<T> {
  if (pool.retired) return Promise.reject(dbUnavailable(new Error('connection pool retired after a lost connection')));
  return Promise.resolve(call()).then(
    (out) => {
      pool.reached = true;
      return out;
    },
    (err) => {
      throw isConnectionError(err) ? dbUnavailable(err) : err;
    },
  );
}

type Target = postgres.Sql | postgres.TransactionSql;

// Parameterised statements are prepared (cached per connection): one round trip instead of describe + execute.
const statement = (q: Target, text: string, params: unknown[]) => q.unsafe(text, params as any[], { prepare: params.length > 0 });

async function copyInto(q: Target, table: string, columns: string[], rows: Iterable<unknown[]> | AsyncIterable<unknown[]>): Promise<number> {
  let total = 0;
  await copyCsvInto(q, table, columns, (async function* () {
    for await (const chunk of csvChunks(rows)) {
      yield chunk.text;
      total += chunk.count;
    }
  })());
  return total;
}

async function copyCsvInto(q: Target, table: string, columns: string[], chunks: Iterable<string> | AsyncIterable<string>): Promise<void> {
  const cols = columns.map(quoteIdent).join(',');
  for await (const text of chunks) {
    const stream: Writable = await q.unsafe(`COPY ${quoteIdent(table)} (${cols}) FROM STDIN WITH (FORMAT csv)`).writable();
    await new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      stream.on('finish', resolve);
      stream.end(text);
    });
  }
}

function pooledDb(pools: Pools): Db {
  const onPool = <T>(call: (sql: postgres.Sql) => PromiseLike<T>) => {
    const pool = pools.current();
    return run(pool, () => call(pool.sql));
  };
  return {
    engine: 'postgres',
    query: <T extends Row>(text: string, params: unknown[] = []) => onPool((sql) => statement(sql, text, params) as unknown as PromiseLike<T[]>),
    exec: (text) => onPool(async (sql) => void (await sql.unsafe(text))),
    tx: (fn) => transaction(pools, fn),
    copyRows: (table, columns, rows) => onPool((sql) => copyInto(sql, table, columns, rows)),
    copyCsv: (table, columns, chunks) => onPool((sql) => copyCsvInto(sql, table, columns, chunks)),
    listen: (channel, onPayload) => pools.listen(channel, onPayload),
    notify: (channel, payload) => onPool(async (sql) => void (await sql.unsafe('SELECT pg_notify($1, $2)', [channel, payload]))),
    close: () => pools.close(),
  };
}

/** A transaction through postgres.js `begin()` — which also rejects when its connection closes — except that
 *  nothing is written to a connection once its pool lost one: no further statement, and no ROLLBACK or COMMIT
 *  (the callback then never settles; `begin()` rejects when the retired pool closes the connection, and the
 *  server rolls back). (`reserve()` is no alternative: a failed connect leaves its request queued, and the
 *  connection that later serves it is lost to the pool.) */
function transaction<T>(pools: Pools, fn: (tx: Db) => Promise<T>): Promise<T> {
  const pool = pools.current();
  const stalled = () => {
    pools.retire(pool);
    return new Promise<never>(() => {});
  };
  return run(pool, () =>
    pool.sql.begin(async (t) => {
      const on = <R>(call: () => PromiseLike<R>) => run(pool, call);
      const txDb: Db = {
        engine: 'postgres',
        query: <R extends Row>(text: string, params: unknown[] = []) => on(() => statement(t, text, params) as unknown as PromiseLike<R[]>),
        exec: (text) => on(async () => void (await t.unsafe(text))),
        tx: (inner) => inner(txDb),
        copyRows: (table, columns, rows) => on(() => copyInto(t, table, columns, rows)),
        copyCsv: (table, columns, chunks) => on(() => copyCsvInto(t, table, columns, chunks)),
        listen: (channel, onPayload) => pools.listen(channel, onPayload),
        notify: (channel, payload) => on(async () => void (await t.unsafe('SELECT pg_notify($1, $2)', [channel, payload]))),
        close: async () => {},
      };
      let result: T;
      try {
        result = await fn(txDb);
      } catch (err) {
        if (pool.retired || isDbUnavailable(err)) return stalled();
        throw err; // the connection is fine: begin() rolls back
      }
      return pool.retired ? stalled() : result; // begin() commits
    }),
  ) as Promise<T>;
}

// A Unix socket as libpq writes it: postgres://user@/db?host=/var/run/postgresql (or any ?host=/dir). The driver
// reads only its own options, so the directory moves from the query string into its `host` option.
/** A database URL as a URL object (libpq's `user@/db`, which has no host, included). */
export const parseDatabaseUrl = (url: string) => new URL(url.replace(/^(postgres(?:ql)?:\/\/(?:[^@/]*@)?)(?=[/?]|$)/, '$1localhost'));

/** The URL and options to give the driver for a database URL. */
export function driverConnection(url: string): { url: string; options: { host?: string } } {
  const u = parseDatabaseUrl(url);
  const dir = u.searchParams.get('host');
  if (!dir?.startsWith('/')) return { url, options: {} };
  u.searchParams.delete('host');
  return { url: u.toString(), options: { host: dir } };
}
