// Last resort only. src/store/postgres-db.ts keeps postgres.js from writing to a closed socket (which throws
// from a timer) and turns every lost connection into a 503; tests/reliability asserts this guard never speaks.
// Should it happen anyway, one dead database connection must not take down every other request of the
// process: survive exactly those errors, loudly; anything else still ends the process as it should.
import { isConnectionError } from '../store/postgres-db.ts';

export const CRASH_GUARD_MARK = '严重错误（已拦截，请报告）';

export function installCrashGuard(log: (msg: string) => void = console.error): void {
  process.on('uncaughtException', (err, origin) => {
    if (isDriverWriteRace(err) || (origin === 'unhandledRejection' && isConnectionError(err))) {
      log(`${CRASH_GUARD_MARK}: 数据库连接错误未被请求处理 (${origin}): ${err?.stack ?? err}`);
      return;
    }
    log(`未捕获的异常 (${origin})，进程退出: ${err?.stack ?? err}`);
    process.exit(1);
  });
}

/** postgres.js 3.4 writing to a connection whose socket is already gone (connection.js nextWrite / end). */
function isDriverWriteRace(err: unknown): boolean {
  return err instanceof TypeError && /postgres[\\/]src[\\/]connection\.js/.test(String(err.stack)) && /reading '(write|end)'/.test(err.message);
}
