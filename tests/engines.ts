// Test databases: embedded PGlite always; a real PostgreSQL server when TEST_DATABASE_URL is set
// (CI sets it; outside CI its absence skips those suites with one clear line).
import postgres from 'postgres';
import type { Db } from '../src/store/db.ts';
import { openPglite } from '../src/store/pglite-db.ts';
import { openPostgres } from '../src/store/postgres-db.ts';
import { migrate } from '../src/store/migrate.ts';

export interface TestEngine {
  name: 'pglite' | 'postgres';
  /** A fresh, migrated, empty database. */
  open(): Promise<Db>;
}

let warned = false;

export function engines(): TestEngine[] {
  const list: TestEngine[] = [{ name: 'pglite', open: freshPglite }];
  const url = process.env.TEST_DATABASE_URL;
  if (url) list.push({ name: 'postgres', open: () => freshPostgres(url) });
  else if (process.env.CI) throw new Error('CI=true but TEST_DATABASE_URL is not set: the PostgreSQL suites cannot be skipped in CI');
  else if (!warned) {
    warned = true;
    console.warn('SKIP real-PostgreSQL suites: TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)');
  }
  return list;
}

export async function freshPglite(): Promise<Db> {
  const { openPglite: open } = await import('../src/store/pglite-db.ts');
  const db = await open();
  await migrate(db);
  return db;
}

const urls = new WeakMap<Db, string>();
/** The URL of a fresh real-PostgreSQL test database (for code that opens its own connection); undefined for PGlite. */
export const databaseUrlOf = (db: Db): string | undefined => urls.get(db);

/** Creates a uniquely named database on the server, so that parallel test files never share state. */
export async function freshPostgres(url: string): Promise<Db> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const name = `minsheng_t_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = await openPostgres(u.toString(), { max: 4 });
  urls.set(db, u.toString());
  await migrate(db);
  const close = db.close.bind(db);
  db.close = async () => {
    await close();
    const a = postgres(url, { max: 1, onnotice: () => {} });
    await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await a.end();
  };
  return db;
}

export { openPglite };
