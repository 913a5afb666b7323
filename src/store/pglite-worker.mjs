// The embedded PostgreSQL (PGlite, WASM) in its own thread: the serving thread keeps HTTP, validation and
// tagging while this one runs the statements, so the two use both cores. Plain JavaScript (no tsx in the
// worker); the protocol is private to pglite-db.ts:
//   main → worker  {id, op: 'query' | 'exec' | 'copy' | 'begin' | 'end' | 'listen' | 'unlisten' | 'close', tx?, …}
//   worker → main  {id, ok: true, rows?} | {id, ok: false, error: {message, code, constraint, …}} | {channel, payload}
// A transaction is PGlite's own `transaction()` held open until the main thread ends it: statements of other
// callers wait for it exactly as they do on one thread.
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types, protocol, parse } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';

const { dataDir } = workerData;
if (dataDir) fs.mkdirSync(dataDir, { recursive: true });

let pg;
try {
  pg = await PGlite.create({ dataDir, extensions: { pg_trgm, btree_gin }, parsers: { [types.DATE]: (v) => v } });
} catch (err) {
  parentPort.postMessage({ id: 0, ok: false, error: errorFields(err) });
  process.exit(1);
}

const txs = new Map(); // id → { t, end(commit) }
const listeners = new Map(); // channel → unsubscribe

parentPort.on('message', (m) => {
  handle(m).then(
    (out) => parentPort.postMessage({ id: m.id, ok: true, ...out }),
    (err) => parentPort.postMessage({ id: m.id, ok: false, error: errorFields(err) }),
  );
});
parentPort.postMessage({ id: 0, ok: true });

async function handle(m) {
  const q = m.tx ? txs.get(m.tx)?.t : pg;
  if (!q) throw new Error('transaction already ended');
  switch (m.op) {
    case 'query':
      if (m.params?.length && PREPARED) return { rows: await preparedQuery(m.sql, m.params, !!m.tx) };
      return { rows: (await q.query(m.sql, m.params)).rows };
    case 'exec':
      await q.exec(m.sql);
      return {};
    case 'copy':
      await q.query(m.sql, [], { blob: new Blob([m.text]) });
      return {};
    case 'begin':
      return begin(m.id);
    case 'end':
      return end(m.tx, m.commit);
    case 'listen': {
      if (!listeners.has(m.channel)) listeners.set(m.channel, await pg.listen(m.channel, (payload) => parentPort.postMessage({ channel: m.channel, payload })));
      return {};
    }
    case 'unlisten': {
      const unsub = listeners.get(m.channel);
      listeners.delete(m.channel);
      await unsub?.();
      return {};
    }
    case 'close':
      await pg.close();
      return {};
    default:
      throw new Error(`unknown op ${m.op}`);
  }
}

/** Opens a transaction (waiting for the one before it, as PGlite does) and keeps it open until `end`. */
function begin(id) {
  return new Promise((started, failed) => {
    let opened = false;
    const outcome = pg.transaction(
      (t) =>
        new Promise((commit, rollback) => {
          opened = true;
          txs.set(id, { t, end: (ok) => (ok ? commit() : rollback(ROLLBACK)) });
          started({});
        }),
    );
    outcomes.set(id, outcome);
    outcome.catch((err) => {
      if (!opened) (outcomes.delete(id), failed(err));
    });
  });
}
const ROLLBACK = new Error('rollback');
const outcomes = new Map(); // transaction id → the promise of its COMMIT / ROLLBACK

/** Ends a transaction; a COMMIT's failure (e.g. a deferred constraint) goes to the caller. */
async function end(id, commit) {
  const tx = txs.get(id);
  const outcome = outcomes.get(id);
  txs.delete(id);
  outcomes.delete(id);
  if (!tx) throw new Error('transaction already ended');
  tx.end(commit);
  if (commit) await outcome;
  else await outcome.catch(() => {});
  return {};
}

// Statements with parameters are prepared once (named) and then only bound and executed, as postgres.js does on a
// server: PGlite's query() parses and plans every statement anew, and planning the intake's larger statements
// (the case insert, the rollup deltas) cost more than running them. PostgreSQL's plan cache decides between a
// generic and a per-call plan as it does for any prepared statement. Built on PGlite's protocol API the way its
// own query() is (same locks, messages, parsers and serializers); without that API, query() is used.
const PREPARED = typeof pg._runExclusiveTransaction === 'function' && typeof pg.runExclusive === 'function' && protocol?.serialize && parse?.parseResults && parse?.parseDescribeStatementResults;
const MAX_STATEMENTS = 500;
const statements = new Map(); // sql → { name, types }
let statementSeq = 0;

function preparedQuery(sql, params, inTx) {
  const run = () => pg.runExclusive(() => runPrepared(sql, params, inTx, true));
  return inTx ? run() : pg._runExclusiveTransaction(run);
}

async function runPrepared(sql, params, inTx, retry) {
  const { serialize } = protocol;
  const opts = { syncToFs: false };
  const out = [];
  let st = statements.get(sql);
  try {
    if (!st) {
      if (statements.size >= MAX_STATEMENTS) {
        statements.clear();
        await pg.execProtocolStream(serialize.query('DEALLOCATE ALL'), opts);
      }
      const name = `ms${++statementSeq}`;
      await pg.execProtocolStream(serialize.parse({ name, text: sql }), opts);
      const types = parse.parseDescribeStatementResults(await pg.execProtocolStream(serialize.describe({ type: 'S', name }), opts));
      statements.set(sql, (st = { name, types }));
    }
    const values = params.map((v, i) => {
      if (v === null || v === undefined) return null;
      const ser = pg.serializers[st.types[i]];
      return ser ? ser(v) : v.toString();
    });
    out.push(...(await pg.execProtocolStream(serialize.bind({ statement: st.name, values }), opts)));
    out.push(...(await pg.execProtocolStream(serialize.describe({ type: 'P' }), opts)));
    out.push(...(await pg.execProtocolStream(serialize.execute({}), opts)));
  } catch (err) {
    await pg.execProtocolStream(serialize.sync(), opts);
    // The table behind a prepared statement changed shape (DDL since): prepare it afresh, once.
    if (retry && !inTx && st && err?.code === '0A000' && /cached plan/.test(err.message ?? '')) {
      statements.delete(sql);
      await pg.execProtocolStream(serialize.close({ type: 'S', name: st.name }), opts).catch(() => {});
      await pg.execProtocolStream(serialize.sync(), opts);
      return runPrepared(sql, params, inTx, false);
    }
    throw err;
  }
  out.push(...(await pg.execProtocolStream(serialize.sync(), opts)));
  if (!inTx) await pg.syncToFs();
  return parse.parseResults(out, pg.parsers)[0].rows;
}

function errorFields(err) {
  const e = err ?? {};
  const out = { message: String(e.message ?? e) };
  for (const k of ['name', 'code', 'severity', 'detail', 'hint', 'position', 'where', 'schema', 'table', 'column', 'dataType', 'constraint', 'routine']) {
    if (typeof e[k] === 'string') out[k] = e[k];
  }
  return out;
}
