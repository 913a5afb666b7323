// The database contract. PostgreSQL is the system of record; PGlite (embedded) and a real server
// implement the same small interface and run the same SQL.

export type Row = Record<string, any>;

export interface Db {
  readonly engine: 'pglite' | 'postgres';
  /** One statement with $1… parameters. int8 comes back as number, date as 'YYYY-MM-DD', timestamptz as Date. */
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Several statements without parameters (migrations, DDL). */
  exec(sql: string): Promise<void>;
  /** Runs fn in one transaction; it commits when fn resolves and rolls back when it throws. */
  tx<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Bulk load: rows (arrays in `columns` order) through COPY … FROM STDIN (CSV). */
  copyRows(table: string, columns: string[], rows: Iterable<unknown[]> | AsyncIterable<unknown[]>): Promise<number>;
  /** Bulk load of ready CSV text (each chunk whole lines, `columns` order, no header): one COPY per chunk. */
  copyCsv(table: string, columns: string[], chunks: Iterable<string> | AsyncIterable<string>): Promise<void>;
  /** LISTEN on a channel; returns an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Encodes one value as a CSV field for COPY (NULL is an unquoted empty field). Quoted only when needed: an
 * empty string, a quote, separator, line break or backslash (`\.` alone on a line ends COPY data). Bulk loads
 * encode millions of fields, so the common case stays a plain string.
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  let s: string;
  if (v instanceof Date) return v.toISOString();
  else if (Array.isArray(v)) s = pgArrayLiteral(v);
  else if (typeof v === 'object') s = JSON.stringify(v);
  else s = String(v);
  return s === '' || NEEDS_QUOTES.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}
const NEEDS_QUOTES = /[",\r\n\\]/;

function pgArrayLiteral(values: unknown[]): string {
  return '{' + values.map((x) => (x === null ? 'NULL' : '"' + String(x).replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"')).join(',') + '}';
}

export function csvLine(row: unknown[]): string {
  return row.map(csvField).join(',') + '\n';
}

/** Batches an (async) iterable of rows into CSV text chunks of at most `batch` rows. */
export async function* csvChunks(rows: Iterable<unknown[]> | AsyncIterable<unknown[]>, batch = 20_000): AsyncGenerator<{ text: string; count: number }> {
  let parts: string[] = [];
  for await (const row of rows as AsyncIterable<unknown[]>) {
    parts.push(csvLine(row));
    if (parts.length >= batch) {
      yield { text: parts.join(''), count: parts.length };
      parts = [];
    }
  }
  if (parts.length) yield { text: parts.join(''), count: parts.length };
}

export const quoteIdent = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe identifier: ${name}`);
  return `"${name}"`;
};
