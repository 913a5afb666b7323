// Start-up checks that turn "the database cannot start" into a clear message: the embedded data directory
// must be writable and have room; a server database must answer.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';

/** Free space the embedded database needs to start (a new one is ~40 MB; writes need headroom). */
export const MIN_FREE_BYTES = 64 * 1024 * 1024;

export class StartupError extends Error {
  override name = 'StartupError';
}

/** Throws a StartupError naming the problem and the fix when the embedded data directory is unusable. */
export function checkDataDir(config: Pick<Config, 'dataDir' | 'databaseUrl'>, minFree = MIN_FREE_BYTES): void {
  if (config.databaseUrl) return;
  const dir = config.dataDir;
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new StartupError(`无法创建数据目录 ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}。请检查路径与权限，或用 MINSHENG_DATA / --data 指定其他目录`);
  }
  const probe = path.join(dir, `.write-test-${process.pid}`);
  try {
    fs.writeFileSync(probe, 'ok');
    fs.rmSync(probe, { force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') throw new StartupError(`数据目录 ${dir} 所在磁盘已满，无法启动。请清理磁盘空间后重试`);
    throw new StartupError(`数据目录 ${dir} 不可写 (${code ?? (err as Error).message})。请检查权限（只读文件系统？），或用 MINSHENG_DATA / --data 指定其他目录`);
  }
  const st = fs.statfsSync(dir);
  const free = Number(st.bavail) * Number(st.bsize);
  if (free < minFree) {
    throw new StartupError(`数据目录 ${dir} 所在磁盘空间不足（剩余 ${(free / 1024 / 1024).toFixed(1)} MB，至少需要 ${Math.round(minFree / 1024 / 1024)} MB）。请清理磁盘空间后重试`);
  }
}
