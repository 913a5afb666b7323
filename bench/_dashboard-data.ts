// A simple synthetic city for the rollup-writes benchmark (the dashboard benchmark uses src/city):
// 9 districts × 20 streets, 15 × 6 categories, 60 units, realistic shares of channels, types and outcomes.
// Deterministic (seeded), streamed, never materialised in memory.
import type { Db } from '../src/store/db.ts';
import { addDays, localDateTime } from '../src/shared/time.ts';
import { rng } from '../src/shared/random.ts';

export const BENCH_CASE_COLUMNS = ['case_no', 'channel', 'received_at', 'local_day', 'content', 'district_code', 'street_code', 'category_code', 'request_type', 'status', 'unit_id',
  'dispatched_at', 'accepted_at', 'accept_due_at', 'reply_due_at', 'replied_at', 'closed_at', 'callback_result', 'callback_note', 'return_count', 'extension_count', 'keywords'];

const DISTRICTS = ['430102', '430103', '430104', '430105', '430111', '430112', '430121', '430181', '430182'];
const CHANNELS: [string, number][] = [['12345', 0.62], ['web', 0.12], ['app', 0.1], ['wechat', 0.08], ['12315', 0.04], ['12333', 0.02], ['letter', 0.01], ['import', 0.01]];
const TYPES: [string, number][] = [['consultation', 0.3], ['help', 0.25], ['complaint', 0.3], ['report', 0.07], ['suggestion', 0.06], ['praise', 0.02]];

export async function generateBenchCity(db: Db): Promise<{ districts: string[]; categories: string[] }> {
  const q = (sql: string, params: unknown[] = []) => db.query(sql, params);
  await q(`INSERT INTO divisions (code, name, level) VALUES ('430100', '长沙市', 'city') ON CONFLICT DO NOTHING`);
  for (const [i, d] of DISTRICTS.entries()) {
    await q(`INSERT INTO divisions (code, name, level, parent_code) VALUES ($1, $2, 'district', '430100') ON CONFLICT DO NOTHING`, [d, `区县${i + 1}`]);
    for (let s = 1; s <= 20; s++) await q(`INSERT INTO divisions (code, name, level, parent_code) VALUES ($1, $2, 'street', $3) ON CONFLICT DO NOTHING`, [`${d}${String(s).padStart(3, '0')}`, `区县${i + 1}街道${s}`, d]);
  }
  for (const [code, name, kind] of CHANNELS.map(([c]) => [c, `渠道${c}`, 'other'])) await q(`INSERT INTO channels (code, name, kind) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [code, name, kind]);
  const categories: string[] = [];
  for (let a = 1; a <= 15; a++) {
    const top = `B${String(a).padStart(2, '0')}`;
    await q(`INSERT INTO categories (code, name, level, path) VALUES ($1, $2, 1, $3) ON CONFLICT DO NOTHING`, [top, `一级分类${a}`, [`一级分类${a}`]]);
    categories.push(top);
    for (let b = 1; b <= 6; b++) await q(`INSERT INTO categories (code, name, parent_code, level, path) VALUES ($1, $2, $3, 2, $4) ON CONFLICT DO NOTHING`, [`${top}${b}`, `分类${a}-${b}`, top, [`一级分类${a}`, `分类${a}-${b}`]]);
  }
  for (let u = 1; u <= 60; u++) await q(`INSERT INTO units (id, name, kind) VALUES ($1, $2, 'bureau') ON CONFLICT DO NOTHING`, [`bu${u}`, `承办单位${u}`]);
  return { districts: DISTRICTS, categories };
}

const pickW = (r: number, xs: [string, number][]) => {
  for (const [v, w] of xs) if ((r -= w) < 0) return v;
  return xs[xs.length - 1][0];
};

export function* generateBenchCases(n: number, startDay: string, days: number): Generator<unknown[]> {
  const rand = rng(12345);
  const perDay = n / days;
  for (let i = 0; i < n; i++) {
    const day = addDays(startDay, Math.min(days - 1, Math.floor(i / perDay)));
    const at = localDateTime(day, Math.floor(rand() * 24), Math.floor(rand() * 60));
    const t = at.getTime();
    const district = DISTRICTS[Math.floor(rand() * rand() * DISTRICTS.length)];
    const a = 1 + Math.floor(rand() * rand() * 15), b = 1 + Math.floor(rand() * 6);
    const category = `B${String(a).padStart(2, '0')}${b}`;
    const type = pickW(rand(), TYPES);
    const online = rand() < (type === 'consultation' ? 0.7 : 0.15);
    const unit = online ? null : `bu${1 + ((a * 7 + b * 3 + DISTRICTS.indexOf(district)) % 60)}`;
    const stage = rand();
    const status = online ? 'resolved_online' : stage < 0.03 ? 'dispatched' : stage < 0.06 ? 'accepted' : stage < 0.1 ? 'replied' : 'closed';
    const H = 3600_000, D = 86400_000;
    const dispatched = online ? null : new Date(t + H);
    const acceptDue = online ? null : new Date(t + D);
    const accepted = online || status === 'dispatched' ? null : new Date(t + (rand() < 0.92 ? 2 : 30) * H);
    const replyDue = online ? null : new Date(t + 15 * D);
    const replied = status === 'replied' || status === 'closed' ? new Date(t + (1 + rand() * (rand() < 0.9 ? 12 : 25)) * D) : null;
    const closed = online ? at : status === 'closed' ? new Date(replied!.getTime() + D) : null;
    const cb = (status === 'closed' || online) && rand() < 0.6 ? pickW(rand(), [['satisfied', 0.8], ['basically_satisfied', 0.12], ['unsatisfied', 0.08]]) : null;
    yield [
      `B${day.replace(/-/g, '')}-${i}`, pickW(rand(), CHANNELS), at, day, `诉求${i % 997}`, district, `${district}${String(1 + Math.floor(rand() * 20)).padStart(3, '0')}`, category, type, status, unit,
      dispatched, accepted, acceptDue, replyDue, replied, closed, cb, cb === 'unsatisfied' ? ['问题没解决', '态度不好', '太慢了', '推诿'][i % 4] : null,
      !online && rand() < 0.04 ? 1 : 0, !online && rand() < 0.05 ? 1 : 0, [],
    ];
  }
}
