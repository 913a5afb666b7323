// DATABASE_URL with a Unix socket, as libpq writes it (?host=/dir): parsed, and connected to when the test server
// has a socket (CI's local server does).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { driverConnection, openPostgres, parseDatabaseUrl } from './postgres-db.ts';

describe('DATABASE_URL with a Unix socket', () => {
  it('moves ?host=/dir into the driver option and keeps the rest of the URL', () => {
    expect(driverConnection('postgres://app@/minsheng?host=/var/run/postgresql').options).toEqual({ host: '/var/run/postgresql' });
    expect(driverConnection('postgres://app@/minsheng?host=/var/run/postgresql&sslmode=disable').url).toBe('postgres://app@localhost/minsheng?sslmode=disable');
    expect(parseDatabaseUrl('postgres://app@/minsheng?host=/run/pg').pathname).toBe('/minsheng');
  });

  it('leaves TCP URLs alone', () => {
    expect(driverConnection('postgres://app@db.example:5432/minsheng').options).toEqual({});
    expect(driverConnection('postgres://app@db.example:5432/minsheng').url).toBe('postgres://app@db.example:5432/minsheng');
  });

  const url = process.env.TEST_DATABASE_URL;
  const dir = '/var/run/postgresql';
  const local = url && ['127.0.0.1', 'localhost'].includes(new URL(url).hostname) && fs.existsSync(`${dir}/.s.PGSQL.${new URL(url).port || 5432}`);
  it.skipIf(!local)('connects through the socket', async () => {
    const u = new URL(url!);
    const db = await openPostgres(`postgres://${u.username}@/${u.pathname.slice(1)}?host=${dir}`);
    try {
      const [r] = await db.query<{ via: string }>(`SELECT coalesce(inet_client_addr()::text, 'socket') AS via`);
      expect(r!.via).toBe('socket');
    } finally {
      await db.close();
    }
  });
});
