// Deadline policy (per request type and stage), stored in settings and changeable through the API;
// deadline computation on the working-day calendar; red / yellow / green lights.
import { z } from 'zod';
import type { Db } from '../store/db.ts';
import { loadCalendar, type CalendarData, type WorkCalendar } from './calendar.ts';

export const REQUEST_TYPES = ['consultation', 'help', 'complaint', 'report', 'suggestion', 'praise'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

const days = z.number().int().min(0).max(365);
export const DeadlinePolicySchema = z.object({
  signInWorkingDays: days.describe('签收时限（工作日）'),
  replyWorkingDays: z
    .object({ consultation: days, help: days, complaint: days, report: days, suggestion: days, praise: days, default: days })
    .describe('办理时限（工作日），按诉求类型'),
  urgent: z.object({ signInHours: z.number().min(0.1).max(240), replyWorkingDays: days }).describe('紧急件时限'),
  yellowFraction: z.number().min(0).max(1).describe('剩余时间少于时限的该比例时亮黄灯'),
});
export type DeadlinePolicy = z.infer<typeof DeadlinePolicySchema>;

export const DEFAULT_POLICY: DeadlinePolicy = {
  signInWorkingDays: 1,
  replyWorkingDays: { consultation: 3, help: 5, complaint: 5, report: 10, suggestion: 10, praise: 3, default: 5 },
  urgent: { signInHours: 2, replyWorkingDays: 1 },
  yellowFraction: 0.25,
};

// Policy and calendar change rarely: cache them per database for a short while (settings writes clear it).
const cache = new WeakMap<Db, { at: number; policy: DeadlinePolicy; calendar: WorkCalendar }>();
const TTL_MS = 30_000;

export function clearDeadlineCache(db: Db): void {
  cache.delete(db);
}

export async function deadlineSetup(db: Db): Promise<{ policy: DeadlinePolicy; calendar: WorkCalendar }> {
  const hit = cache.get(db);
  if (hit && Date.now() - hit.at < TTL_MS) return hit;
  const rows = await db.query<{ value: unknown }>(`SELECT value FROM settings WHERE key = 'deadline_policy'`);
  const parsed = DeadlinePolicySchema.safeParse(rows[0]?.value);
  const entry = { at: Date.now(), policy: parsed.success ? parsed.data : DEFAULT_POLICY, calendar: await loadCalendar(db) };
  cache.set(db, entry);
  return entry;
}

export async function getDeadlinePolicy(db: Db): Promise<DeadlinePolicy> {
  return (await deadlineSetup(db)).policy;
}

export async function setDeadlinePolicy(db: Db, policy: DeadlinePolicy): Promise<DeadlinePolicy> {
  await db.query(
    `INSERT INTO settings (key, value, updated_at) VALUES ('deadline_policy', $1::text::jsonb, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [JSON.stringify(policy)],
  );
  clearDeadlineCache(db);
  return policy;
}

/** Replaces the calendar overrides (settings entry `calendar`) layered over the bundled holidays. */
export async function setCalendarOverrides(db: Db, data: CalendarData): Promise<void> {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  for (const d of [...Object.keys(data.holidays), ...Object.keys(data.workdays)]) if (!day.test(d)) throw new Error(`日历日期格式无效: ${d}`);
  await db.query(
    `INSERT INTO settings (key, value, updated_at) VALUES ('calendar', $1::text::jsonb, now()) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [JSON.stringify({ holidays: data.holidays, workdays: data.workdays })],
  );
  clearDeadlineCache(db);
}

/** Sign-in and reply deadlines for a case dispatched at `at`. */
export function computeDeadlines(
  setup: { policy: DeadlinePolicy; calendar: WorkCalendar },
  c: { requestType?: string | null; urgency?: string | null },
  at: Date,
): { acceptDueAt: Date; replyDueAt: Date } {
  const { policy, calendar } = setup;
  if (c.urgency === 'urgent') {
    return {
      acceptDueAt: new Date(at.getTime() + policy.urgent.signInHours * 3600_000),
      replyDueAt: calendar.deadlineAfter(at, policy.urgent.replyWorkingDays),
    };
  }
  const reply = policy.replyWorkingDays[(c.requestType ?? 'default') as RequestType] ?? policy.replyWorkingDays.default;
  return { acceptDueAt: calendar.deadlineAfter(at, policy.signInWorkingDays), replyDueAt: calendar.deadlineAfter(at, reply) };
}

export type DeadlineLight = 'green' | 'yellow' | 'red' | null;

/**
 * The light of an open case (dispatched / accepted): red when the running deadline has passed (sign-in while
 * not accepted, reply always), yellow when less than yellowFraction of its window remains, else green.
 * Other statuses have no light. Same rule as lightSql().
 */
export function deadlineLight(
  c: { status: string; dispatched_at?: Date | null; accept_due_at?: Date | null; reply_due_at?: Date | null },
  now = new Date(),
  yellowFraction = DEFAULT_POLICY.yellowFraction,
): DeadlineLight {
  if (c.status !== 'dispatched' && c.status !== 'accepted') return null;
  const dues = [c.reply_due_at, c.status === 'dispatched' ? c.accept_due_at : null].filter((d): d is Date => !!d);
  if (!dues.length) return null;
  const t = now.getTime();
  if (dues.some((d) => d.getTime() < t)) return 'red';
  const start = c.dispatched_at?.getTime() ?? t;
  if (dues.some((d) => d.getTime() - t <= (d.getTime() - start) * yellowFraction)) return 'yellow';
  return 'green';
}

/** SQL predicate for a light over alias `c` at now(); the yellow fraction is a validated number, inlined. */
export function lightSql(light: 'red' | 'yellow' | 'green', yellowFraction: number): string {
  const f = Number(yellowFraction);
  if (!Number.isFinite(f)) throw new Error('invalid yellow fraction');
  const open = `c.status IN ('dispatched','accepted')`;
  const red = `(c.reply_due_at < now() OR (c.status = 'dispatched' AND c.accept_due_at < now()))`;
  const yellow = `((c.reply_due_at - now()) <= (c.reply_due_at - c.dispatched_at) * ${f}::float8
     OR (c.status = 'dispatched' AND (c.accept_due_at - now()) <= (c.accept_due_at - c.dispatched_at) * ${f}::float8))`;
  if (light === 'red') return `(${open} AND ${red})`;
  if (light === 'yellow') return `(${open} AND c.reply_due_at IS NOT NULL AND NOT ${red} AND ${yellow})`;
  return `(${open} AND c.reply_due_at IS NOT NULL AND NOT ${red} AND NOT ${yellow})`;
}
