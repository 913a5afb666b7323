// A database that is down, a full disk or an unwritable data directory at start: the process exits with a
// clear message (not a stack trace, not a hang).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, requireReliability, runCli } from './harness.ts';

const enabled = requireReliability();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'minsheng-start-'));
afterAll(() => {
  spawnSync('umount', [path.join(tmp, 'full')]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.runIf(enabled)('start-up failures give a clear message', () => {
  it('PostgreSQL down', async () => {
    const port = await freePort();
    const r = runCli(['serve', '--port', '0'], { DATABASE_URL: `postgres://minsheng:secret-pw@127.0.0.1:${port}/minsheng` });
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/无法打开数据库 postgres:\/\/minsheng:\*\*\*@127\.0\.0\.1/);
    expect(r.output).not.toContain('secret-pw');
    expect(r.output).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('disk full (a 2 MB tmpfs)', () => {
    const dir = path.join(tmp, 'full');
    fs.mkdirSync(dir);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { encoding: 'utf8' });
    if (m.status !== 0) {
      if (process.env.CI) throw new Error(`CI cannot skip: mount tmpfs failed: ${m.stderr}`);
      console.warn(`SKIP disk-full test: cannot mount a tmpfs here (${m.stderr.trim()})`);
      return;
    }
    const r = runCli(['serve', '--port', '0', '--data', dir], {});
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/磁盘空间不足|磁盘已满/);
  });

  it('data directory not writable', () => {
    const file = path.join(tmp, 'not-a-dir');
    fs.writeFileSync(file, 'x');
    const r = runCli(['serve', '--port', '0', '--data', path.join(file, 'data')], {});
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/无法创建数据目录|不可写/);
  });
});
