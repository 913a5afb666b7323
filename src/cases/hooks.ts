// Extension points of the case lifecycle, so that other domains (tagging, metrics, warning) plug in
// without the cases domain importing them. Registered once at start (see src/server/start.ts).
import type { Db, Row } from '../store/db.ts';
import type { Actor, AppContext } from '../server/context.ts';

/** A case row as stored (snake_case columns of the `cases` table). */
export type CaseRow = Row;

export interface CaseChange {
  action: string; // 'create' | 'dispatch' | 'accept' | … (the lifecycle action)
  before: CaseRow | null; // null on create
  after: CaseRow;
  actor: Actor;
  at: Date;
}

export interface CaseHooks {
  name: string;
  /** Before a new case is stored, outside the transaction: may fill derived fields of the draft (tags, place, category…). */
  enrich?(ctx: AppContext, draft: Record<string, unknown>): Promise<void>;
  /** Inside the transaction of every change, after the case row and its audit event are written (rollups…). */
  afterChange?(tx: Db, change: CaseChange): Promise<void>;
  /** After the transaction committed (notifications, incremental early warning…). Errors are logged, never thrown. */
  afterCommit?(ctx: AppContext, change: CaseChange): Promise<void>;
  /** After cases were bulk-loaded without the per-case path (demo data, large imports): rebuild what derives from them. */
  afterBulkLoad?(ctx: AppContext, range: { fromDay: string; toDay: string }): Promise<void>;
}

const hooks: CaseHooks[] = [];

export function registerCaseHooks(h: CaseHooks): void {
  if (!hooks.some((x) => x.name === h.name)) hooks.push(h);
}

export function caseHooks(): readonly CaseHooks[] {
  return hooks;
}
