// Per-case indicators: the ONE place that says what each rollup counter counts. Each is a SQL expression
// over a case row `c` (current state). Rollups are sums of these grouped by the key columns; the same
// expressions give the drill-down predicates, so a number and the list of its cases can never disagree.

/** Reasons for dissatisfaction, classified from the callback note (first match wins). */
export const UNSAT_REASONS: { code: string; label: string; pattern: string }[] = [
  { code: 'unresolved', label: '问题未解决', pattern: '未解决|没解决|没有解决|没处理|未处理|没人管|依旧|仍然|还是' },
  { code: 'slow', label: '办理时效慢', pattern: '慢|拖|超时|太久|时间长|迟迟|没回复|未回复' },
  { code: 'attitude', label: '服务态度差', pattern: '态度|敷衍|不耐烦|不礼貌' },
  { code: 'shirking', label: '推诿扯皮', pattern: '推诿|踢皮球|扯皮|不作为|推脱|推给' },
  { code: 'disagree', label: '对答复不认可', pattern: '不认可|不同意|不合理|不满意答复|答复' },
];
export const UNSAT_REASON_OTHER = { code: 'other', label: '其他' };

function unsatReasonSql(note: string): string {
  const whens = UNSAT_REASONS.map((r) => `WHEN ${note} ~ '${r.pattern}' THEN '${r.code}'`).join(' ');
  return `(CASE ${whens} ELSE 'other' END)`;
}

/** Key columns of the rollups and the case expression that fills each ('' = none). */
export const ROLLUP_KEYS = {
  local_day: `c.local_day`,
  category_code: `coalesce(c.category_code, '')`,
  district_code: `coalesce(c.district_code, '')`,
  channel: `coalesce(c.channel, '')`,
  unit_id: `coalesce(c.unit_id, '')`,
  request_type: `coalesce(c.request_type, '')`,
  unsat_reason: `CASE WHEN c.callback_result = 'unsatisfied' THEN ${unsatReasonSql('c.callback_note')} ELSE '' END`,
} as const;

export type RollupKey = keyof typeof ROLLUP_KEYS;

// Transferred (转办): with a unit now, or returned (退单) and waiting at the centre to be dispatched again. A returned
// case the centre then answers itself counts as resolved online only: online and transferred never overlap, so
// the 三率 denominators (online + transferred) count every case once, as their drill-down lists do.
const TRANSFERRED = `(c.status IN ('dispatched', 'accepted', 'replied', 'closed') OR (c.return_count > 0 AND c.status <> 'resolved_online'))`;

/** Counter name → boolean SQL condition over `c` (counted as 1), except handling_seconds (a sum). */
export const INDICATORS = {
  received: `true`,
  resolved_online: `c.status = 'resolved_online'`,
  transferred: TRANSFERRED,
  accepted: `(${TRANSFERRED} AND (c.accepted_at IS NOT NULL OR c.status IN ('accepted', 'replied', 'closed')))`,
  accepted_on_time: `(${TRANSFERRED} AND c.accepted_at IS NOT NULL AND (c.accept_due_at IS NULL OR c.accepted_at <= c.accept_due_at))`,
  replied: `c.status IN ('replied', 'closed')`,
  closed: `c.status = 'closed'`,
  closed_on_time: `(c.status = 'closed' AND (c.reply_due_at IS NULL OR coalesce(c.replied_at, c.closed_at) <= c.reply_due_at))`,
  // Solved: finished (online or after transfer) and not judged unsatisfied at callback.
  solved: `(c.status IN ('resolved_online', 'closed') AND c.callback_result IS DISTINCT FROM 'unsatisfied')`,
  returned: `(c.return_count > 0 AND ${TRANSFERRED})`, // 退单率 = returned transferred cases ÷ transferred
  extended: `c.extension_count > 0`,
  reopened: `c.reopen_count > 0`,
  callbacks: `c.callback_result IS NOT NULL`,
  satisfied: `c.callback_result = 'satisfied'`,
  basically_satisfied: `c.callback_result = 'basically_satisfied'`,
  unsatisfied: `c.callback_result = 'unsatisfied'`,
  repeats: `c.repeat_of IS NOT NULL`,
} as const;

export type Counter = keyof typeof INDICATORS | 'return_total' | 'handling_seconds';

/** All counters with the SQL that computes one case's contribution. */
export const COUNTER_SQL: Record<Counter, string> = {
  ...(Object.fromEntries(Object.entries(INDICATORS).map(([k, cond]) => [k, `(CASE WHEN ${cond} THEN 1 ELSE 0 END)`])) as Record<keyof typeof INDICATORS, string>),
  return_total: `c.return_count`,
  // Handling time of a closed case: from receipt to closure, in seconds.
  handling_seconds: `(CASE WHEN c.status = 'closed' AND c.closed_at IS NOT NULL THEN extract(epoch FROM c.closed_at - c.received_at)::double precision ELSE 0 END)`,
};

export const COUNTERS = Object.keys(COUNTER_SQL) as Counter[];
export const KEY_COLUMNS = Object.keys(ROLLUP_KEYS) as RollupKey[];
