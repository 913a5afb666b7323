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

/** Named data-modifying CTEs (`name AS (…)`) and their parameters. */
export interface ChangeCtes {
  ctes: string[];
  params: unknown[];
}

export interface CaseHooks {
  name: string;
  /** Before a new case is stored, outside the transaction: may fill derived fields of the draft (tags, place, category…). */
  enrich?(ctx: AppContext, draft: Record<string, unknown>): Promise<void>;
  /** Inside the transaction of every change, after the case row and its audit event are written (rollups…). */
  afterChange?(tx: Db, change: CaseChange): Promise<void>;
  /** Same, for all changes of one transaction at once (intake stores concurrent requests together); when
   *  present it is called instead of afterChange. */
  afterChanges?(tx: Db, changes: CaseChange[]): Promise<void>;
  /** The work of afterChange(s) as data-modifying CTEs (their parameters numbered from `first`), used instead of
   *  them: intake joins them into the one statement that inserts a batch (a single round trip, no BEGIN/COMMIT),
   *  where `after` of a new case lacks only the database's id (its default columns are inherited: read columns by
   *  name, do not copy the object). They must not read the changed case rows. */
  changeCtes?(changes: CaseChange[], first: number): ChangeCtes;
  /** Intake: the SQL of what a new case's stored `tags` become, given the SQL of the tags as they are so far
   *  (`tags`; the sent row is `src`): for what needs the database, found inside the insert instead of by a round
   *  trip before it (tagging: the caller's earlier cases). The insert then reads the stored tags back. */
  intakeTagsSql?(tags: string): string;
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

/** Runs every hook's afterChange(s) for the changes of one transaction, inside it. */
export async function runAfterChange(tx: Db, changes: CaseChange[]): Promise<void> {
  if (!changes.length) return;
  for (const h of hooks) {
    if (h.changeCtes) {
      const { ctes, params } = h.changeCtes(changes, 1);
      if (ctes.length) await tx.query(`WITH ${ctes.join(',\n')}\nSELECT 1`, params);
    } else if (h.afterChanges) await h.afterChanges(tx, changes);
    else if (h.afterChange) for (const c of changes) await h.afterChange(tx, c);
  }
}

/** The SQL of a new case's stored tags: the tags sent, as each hook's intakeTagsSql rewrites them. */
export const intakeTagsSql = (sent: string): string => hooks.reduce((sql, h) => h.intakeTagsSql?.(sql) ?? sql, sent);

export const hasAfterChange = () => hooks.some((h) => h.afterChange || h.afterChanges || h.changeCtes);

/** Every hook's CTEs for the changes (parameters from `first`), or null when a hook must run code in the
 *  transaction (afterChange). */
export function changeCtes(changes: CaseChange[], first: number): ChangeCtes | null {
  if (hooks.some((h) => !h.changeCtes && (h.afterChange || h.afterChanges))) return null;
  const out: ChangeCtes = { ctes: [], params: [] };
  for (const h of hooks) {
    const part = h.changeCtes?.(changes, first + out.params.length);
    if (part) out.ctes.push(...part.ctes), out.params.push(...part.params);
  }
  return out;
}
