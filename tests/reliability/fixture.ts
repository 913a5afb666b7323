// The setup the reliability tests share: a private PostgreSQL per describe block, and processes killed afterwards.
import { afterAll, beforeAll } from 'vitest';
import { startOwnPostgres, type OwnPostgres, type ServerProc } from './harness.ts';

/** Starts a private PostgreSQL before the block's tests; kills the processes handed to `own` and destroys it after. */
export function privatePostgres(): { readonly pg: OwnPostgres; own<P extends ServerProc>(proc: P): P } {
  let pg: OwnPostgres | undefined;
  const procs: ServerProc[] = [];
  beforeAll(async () => {
    pg = await startOwnPostgres();
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill()));
    pg?.destroy();
  });
  return {
    get pg() {
      return pg!;
    },
    own: (proc) => (procs.push(proc), proc),
  };
}
