// postgres.js 3.4 can throw from a timer (connection.js nextWrite: socket is null) when PostgreSQL drops
// connections under pipelined load. That error belongs to a connection already closed; the request saw a
// connection error (503). Survive exactly that one; anything else still crashes the process as it should.
export function installCrashGuard(log: (msg: string) => void = console.error): void {
  process.on('uncaughtException', (err) => {
    const stack = String(err?.stack ?? '');
    if (err instanceof TypeError && /postgres[\\/]src[\\/]connection\.js/.test(stack) && /reading 'write'|reading 'end'/.test(err.message)) {
      log(`忽略已关闭数据库连接上的写入错误: ${err.message}`);
      return;
    }
    console.error(err);
    process.exit(1);
  });
}
