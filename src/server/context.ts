import type { Config } from '../config.ts';
import type { Db } from '../store/db.ts';
import type { Secrets } from '../shared/secrets.ts';

/** What every domain function needs from the running process. Built once at start. */
export interface AppContext {
  db: Db;
  config: Config;
  secrets: Secrets;
}

/** Who performs an action. Auth fills it from the session or token; tests and the CLI build it directly. */
export interface Actor {
  id: string;
  name: string;
  role: 'operator' | 'unit_staff' | 'analyst' | 'leader' | 'admin' | 'system' | 'citizen' | 'integration';
  unitId?: string | null;
}

export const SYSTEM_ACTOR: Actor = { id: 'system', name: '系统', role: 'system' };
