import fs from 'node:fs';
import { PGlite, types } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import type { Transaction } from '@electric-sql/pglite';
import { csvChunks, quoteIdent, type Db, type Row } from './db.ts';

type Queryable = PGlite | Transaction;

/** Embedded PostgreSQL (WASM). dataDir undefined → in memory (tests). */
export async function openPglite(dataDir?: string): Promise<Db> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create({
    dataDir,
    extensions: { pg_trgm, btree_gin },
    parsers: { [types.DATE]: (v: string) => v },
  });
  return wrap(pg, pg);
}

function wrap(pg: PGlite, q: Queryable, inTx = false): Db {
  const db: Db = {
    engine: 'pglite',
    async query<T extends Row>(sql: string, params: unknown[] = []) {
      const r = await q.query<T>(sql, params as any[]);
      return r.rows;
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
    async tx<T>(fn: (tx: Db) => Promise<T>) {
      if (inTx) return fn(db); // nested: join the outer transaction
      return pg.transaction((t) => fn(wrap(pg, t, true)));
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
        await q.query(`COPY ${quoteIdent(table)} (${cols}) FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: new Blob([text]) });
      }
    },
    async listen(channel, onPayload) {
      const unsub = await pg.listen(channel, onPayload);
      return async () => unsub();
    },
    async notify(channel, payload) {
      await q.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      if (!inTx) await pg.close();
    },
  };
  return db;
}
