import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinCalendarData, createCalendar, loadCalendarFile } from './calendar.ts';
import { computeDeadlines, DEFAULT_POLICY, deadlineLight } from './deadlines.ts';
import { localDateTime } from '../shared/time.ts';

const cal = createCalendar(builtinCalendarData());

describe('working-day calendar', () => {
  it('knows 2026 holidays and adjusted working days (调休)', () => {
    expect(cal.isWorkingDay('2026-10-01')).toBe(false); // 国庆
    expect(cal.isWorkingDay('2026-02-17')).toBe(false); // 春节
    expect(cal.isWorkingDay('2026-11-28')).toBe(false); // Saturday
    expect(cal.isWorkingDay('2026-11-30')).toBe(true);
    const adjusted = Object.keys(builtinCalendarData().workdays).filter((d) => d.startsWith('2026'));
    expect(adjusted.length).toBeGreaterThan(0);
    for (const d of adjusted) expect(cal.isWorkingDay(d)).toBe(true);
  });

  it('adds working days over weekends and holidays; counts working days between', () => {
    expect(cal.addWorkingDays('2026-11-27', 1)).toBe('2026-11-30'); // Fri + 1 → Mon
    expect(cal.addWorkingDays('2026-11-28', 0)).toBe('2026-11-30');
    expect(cal.addWorkingDays('2026-09-30', 1)).toBe(cal.addWorkingDays('2026-10-08', 0) === '2026-10-08' ? '2026-10-08' : cal.addWorkingDays('2026-10-01', 0));
    expect(cal.workingDaysBetween('2026-11-27', '2026-11-30')).toBe(1);
    expect(cal.workingDaysBetween('2026-11-30', '2026-11-27')).toBe(-1);
    expect(cal.workingDaysBetween('2026-11-23', '2026-11-30')).toBe(5);
  });

  it('a calendar file replaces or extends other years', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cal-')), 'c.json');
    fs.writeFileSync(file, JSON.stringify({ holidays: { '2031-01-01': '元旦' }, workdays: { '2031-01-04': '调休' } }));
    const c = createCalendar(builtinCalendarData(), loadCalendarFile(file));
    expect(c.isWorkingDay('2031-01-01')).toBe(false); // a Wednesday, declared holiday
    expect(c.isWorkingDay('2031-01-04')).toBe(true); // a Saturday, declared working day
    expect(c.addWorkingDays('2030-12-31', 1)).toBe('2031-01-02');
  });
});

describe('deadlines', () => {
  const setup = { policy: DEFAULT_POLICY, calendar: cal };
  it('per request type, with sign-in 1 working day and urgent 2 hours', () => {
    const at = localDateTime('2026-11-27', 10); // Friday 10:00
    const d = computeDeadlines(setup, { requestType: 'complaint' }, at);
    expect(d.acceptDueAt.toISOString()).toBe(localDateTime('2026-12-01', 0).toISOString()); // end of Mon 30th
    expect(d.replyDueAt.toISOString()).toBe(localDateTime('2026-12-05', 0).toISOString()); // 5 working days → end of Fri 4th
    const u = computeDeadlines(setup, { requestType: 'complaint', urgency: 'urgent' }, at);
    expect(u.acceptDueAt.getTime() - at.getTime()).toBe(2 * 3600_000);
    expect(u.replyDueAt.toISOString()).toBe(localDateTime('2026-12-01', 0).toISOString());
    const r = computeDeadlines(setup, { requestType: 'report' }, at);
    expect(r.replyDueAt > d.replyDueAt).toBe(true);
  });
  it('lights: green, yellow near the end, red after it; none when not open', () => {
    const dispatched_at = localDateTime('2026-11-23', 9);
    const reply_due_at = localDateTime('2026-11-30', 0);
    const accept_due_at = localDateTime('2026-11-25', 0);
    const c = { status: 'accepted', dispatched_at, reply_due_at, accept_due_at };
    expect(deadlineLight(c, localDateTime('2026-11-24', 9))).toBe('green');
    expect(deadlineLight(c, localDateTime('2026-11-29', 9))).toBe('yellow');
    expect(deadlineLight(c, localDateTime('2026-11-30', 1))).toBe('red');
    expect(deadlineLight({ ...c, status: 'dispatched' }, localDateTime('2026-11-25', 1))).toBe('red'); // not signed in on time
    expect(deadlineLight({ ...c, status: 'closed' }, localDateTime('2026-12-30', 1))).toBe(null);
  });
});

describe('calendar overrides in settings', () => {
  it('are used for deadlines once stored', async () => {
    const { freshPglite } = await import('../../tests/engines.ts');
    const { setCalendarOverrides, deadlineSetup } = await import('./deadlines.ts');
    const db = await freshPglite();
    try {
      expect((await deadlineSetup(db)).calendar.isWorkingDay('2031-01-01')).toBe(true);
      await setCalendarOverrides(db, { holidays: { '2031-01-01': '元旦' }, workdays: {} });
      expect((await deadlineSetup(db)).calendar.isWorkingDay('2031-01-01')).toBe(false);
    } finally {
      await db.close();
    }
  });
});
