import postgres from 'postgres';
import { Writable } from 'node:stream';
import { csvChunks, quoteIdent, type Db, type Row } from './db.ts';

/** A real PostgreSQL server through postgres.js, with types aligned to PGlite's. */
export async function openPostgres(url: string, opts: { max?: number } = {}): Promise<Db> {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    types: {
      int8: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
      date: { to: 1082, from: [1082], serialize: (x: string) => x, parse: (x: string) => x },
    } as any,
  });
  await sql`SELECT 1`; // fail fast with a clear error if the server is unreachable
  return wrap(sql, sql);
}

function wrap(root: postgres.Sql, q: postgres.Sql | postgres.TransactionSql, inTx = false): Db {
  const db: Db = {
    engine: 'postgres',
    async query<T extends Row>(text: string, params: unknown[] = []) {
      // Parameterised statements are prepared (cached per connection): one round trip instead of describe + execute.
      const rows = await q.unsafe(text, params as any[], { prepare: params.length > 0 });
      return rows as unknown as T[];
    },
    async exec(text: string) {
      await q.unsafe(text);
    },
    async tx<T>(fn: (tx: Db) => Promise<T>) {
      if (inTx) return fn(db);
      return (await root.begin((t) => fn(wrap(root, t, true)))) as T;
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
      const cols = columns.map(quoteIdent).join(',');
      for await (const text of chunks) {
        const stream: Writable = await q.unsafe(`COPY ${quoteIdent(table)} (${cols}) FROM STDIN WITH (FORMAT csv)`).writable();
        await new Promise<void>((resolve, reject) => {
          stream.on('error', reject);
          stream.on('finish', resolve);
          stream.end(text);
        });
      }
    },
    async listen(channel, onPayload) {
      const sub = await root.listen(channel, onPayload);
      return async () => sub.unlisten();
    },
    async notify(channel, payload) {
      await q.unsafe('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      if (!inTx) await root.end({ timeout: 5 });
    },
  };
  return db;
}
