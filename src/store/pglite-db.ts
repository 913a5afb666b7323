// Embedded PostgreSQL (PGlite, WASM). The database runs in its own worker thread (pglite-worker.mjs): PGlite
// executes each statement synchronously, and on the serving thread every statement used to stop HTTP,
// validation and tagging meanwhile — one core for everything. Here the statements run beside them, on the
// second core. One process, one data directory, the same SQL, transactions and LISTEN / NOTIFY as before.
import { Worker } from 'node:worker_threads';
import { csvChunks, quoteIdent, type Db, type Row } from './db.ts';

/** Embedded PostgreSQL (WASM) in a worker thread. dataDir undefined → in memory (tests). */
export async function openPglite(dataDir?: string): Promise<Db> {
  return wrap(await Link.open(dataDir), 0);
}

type Reply = { id: number; ok: boolean; rows?: Row[]; error?: Record<string, string> };
type Call = { op: 'query' | 'exec' | 'copy' | 'begin' | 'end' | 'listen' | 'unlisten' | 'close'; tx?: number; [k: string]: unknown };

/** The message channel to the database thread: one pending promise per call, notifications by channel. */
class Link {
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<string, Set<(payload: string) => void>>();
  private nextId = 1;
  private dead: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: Reply & { channel?: string; payload?: string }) => {
      if (m.channel !== undefined) {
        for (const fn of this.listeners.get(m.channel) ?? []) fn(m.payload!);
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (!this.pending.size) worker.unref();
      if (m.ok) p.resolve(m);
      else p.reject(databaseError(m.error!));
    });
    const fail = (err: Error) => {
      if (!this.dead) console.error('[store] 嵌入式数据库线程异常结束，此后的数据库请求都会失败:', err.message);
      this.dead ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`嵌入式数据库线程已退出 (${code})`)));
  }

  /** Starts the thread and waits until PGlite is open (its error, e.g. a data directory in use, is thrown here). */
  static open(dataDir?: string): Promise<Link> {
    const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), { workerData: { dataDir } });
    const link = new Link(worker);
    return new Promise<Link>((resolve, reject) => {
      link.pending.set(0, { resolve: () => resolve(link), reject: (err) => ((link.dead = err), void worker.terminate(), reject(err)) });
    });
  }

  /** One request to the database thread. The thread keeps the process alive only while a call is pending (an
   *  idle database never does, as on one thread). */
  call(msg: Call): Promise<Reply> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      if (!this.pending.size) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id });
    });
  }

  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    let set = this.listeners.get(channel);
    if (!set) {
      this.listeners.set(channel, (set = new Set()));
      await this.call({ op: 'listen', channel });
    }
    const fn = (p: string) => onPayload(p);
    set.add(fn);
    return async () => {
      set.delete(fn);
      if (set.size || this.listeners.get(channel) !== set) return;
      this.listeners.delete(channel);
      await this.call({ op: 'unlisten', channel }).catch(() => {});
    };
  }

  async close(): Promise<void> {
    if (this.dead) return;
    try {
      await this.call({ op: 'close' });
    } finally {
      this.dead = new Error('数据库已关闭');
      await this.worker.terminate();
    }
  }
}

/** The worker's error as an Error carrying PostgreSQL's fields (code, constraint, detail…), thrown here. */
function databaseError(fields: Record<string, string>): Error {
  return Object.assign(new Error(fields.message), fields);
}

/** The Db over the link; `tx` ≠ 0: inside that transaction. */
function wrap(link: Link, tx: number): Db {
  const db: Db = {
    engine: 'pglite',
    async query<T extends Row>(sql: string, params: unknown[] = []) {
      return (await link.call({ op: 'query', sql, params, tx })).rows as T[];
    },
    async exec(sql: string) {
      await link.call({ op: 'exec', sql, tx });
    },
    async tx<T>(fn: (tx: Db) => Promise<T>) {
      if (tx) return fn(db); // nested: join the outer transaction
      const { id } = await link.call({ op: 'begin' });
      let out: T;
      try {
        out = await fn(wrap(link, id));
      } catch (err) {
        await link.call({ op: 'end', tx: id, commit: false }).catch(() => {});
        throw err;
      }
      await link.call({ op: 'end', tx: id, commit: true });
      return out;
    },
    async copyRows(table, columns, rows) {
      let total = 0;
      await db.copyCsv(table, columns, (async function* () {
        for await (const chunk of csvChunks(rows)) {
          yield chunk.text;
          total += chunk.count;
        }
      })());
      return total;
    },
    async copyCsv(table, columns, chunks) {
      const sql = `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(',')}) FROM '/dev/blob' WITH (FORMAT csv)`;
      for await (const text of chunks) await link.call({ op: 'copy', sql, text, tx });
    },
    listen: (channel, onPayload) => link.listen(channel, onPayload),
    async notify(channel, payload) {
      await db.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      if (!tx) await link.close();
    },
  };
  return db;
}
