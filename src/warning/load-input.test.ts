// The incremental runs' snapshot: kept between runs, only the changed cases read again — and always equal to a
// snapshot read whole, after new cases, an update and a bulk load with old timestamps.
import { describe, expect, it } from 'vitest';
import { engines } from '../../tests/engines.ts';
import type { Db } from '../store/db.ts';
import { addDays, localDateTime } from '../shared/time.ts';
import { loadWarningInput } from './load-input.ts';
import type { WarningInput } from './detect.ts';

const TODAY = '2026-11-20';
const upTo = localDateTime(TODAY, 23);
const COLS = ['case_no', 'channel', 'received_at', 'local_day', 'content', 'district_code', 'street_code', 'community_code', 'category_code', 'status', 'caller_phone_hash'];
let n = 0;
const row = (day: string, cat: string, text: string, updatedAt?: Date) =>
  [`T-${++n}`, 'web', localDateTime(day, 9, n % 60), day, text, '430102', '430102001', `43010200100${n % 3}`, cat, 'received', `p${n}`, ...(updatedAt ? [updatedAt] : [])];

/** The recent cases of a snapshot by id, decoded (independent of row order and code numbering). */
const byId = (s: WarningInput) =>
  Object.fromEntries(Array.from(s.recent.id, (id, i) => [id, [s.recent.day[i], s.recent.at[i], s.catCodes[s.recent.cat[i]!] ?? null, s.districtCodes[s.recent.district[i]!] ?? null,
    s.streetCodes[s.recent.street[i]!] ?? null, s.places[s.recent.place[i]!]?.key ?? null, s.recent.text?.[i], s.recent.person?.[i]]]));

for (const engine of engines()) {
  describe(`warning snapshot (${engine.name})`, () => {
    it('read incrementally, equals the snapshot read whole', async () => {
      const db = await engine.open();
      n = 0;
      try {
        await db.exec(`
          INSERT INTO channels (code, name, kind) VALUES ('web', '网站', 'web') ON CONFLICT DO NOTHING;
          INSERT INTO divisions (code, name, level, parent_code) VALUES ('4301', '长沙市', 'city', NULL), ('430102', '芙蓉区', 'district', '4301'), ('430102001', '文艺路街道', 'street', '430102');
          INSERT INTO divisions (code, name, level, parent_code, lng, lat) VALUES ('430102001000', '甲社区', 'community', '430102001', 112.98, 28.19),
            ('430102001001', '乙社区', 'community', '430102001', 112.99, 28.19), ('430102001002', '丙社区', 'community', '430102001', 112.99, 28.20);
          INSERT INTO categories (code, name, parent_code, level, path) VALUES ('C1', '城乡建设', NULL, 1, '{城乡建设}'), ('C2', '环境保护', NULL, 1, '{环境保护}');`);
        await db.copyRows('cases', COLS, Array.from({ length: 30 }, (_, i) => row(addDays(TODAY, -(i % 10)), i % 2 ? 'C1' : 'C2', `物业问题${i}`)));
        const sql: string[] = [];
        const spy: Db = Object.assign(Object.create(Object.getPrototypeOf(db)), db, { query: (q: string, p?: unknown[]) => (sql.push(q), db.query(q, p)) });
        let generation = 0;
        const read = (cached: boolean) => loadWarningInput(spy, TODAY, { counts: false, upTo, cache: cached ? { generation } : undefined });

        // the rows of one day at one instant: a whole read pages on (received_at, id) and must neither skip nor repeat them
        await db.exec(`UPDATE cases SET received_at = x.received_at FROM cases x WHERE x.case_no = 'T-1' AND cases.local_day = x.local_day`);
        const paged = await loadWarningInput(spy, TODAY, { counts: false, upTo, pageRows: 2 });
        expect(paged.recent.id.length).toBe(30);
        expect(byId(paged)).toEqual(byId(await read(false)));
        expect(Object.keys(byId(await read(true))).length).toBe(30);
        // New cases, and a case re-categorised (as the lifecycle and corrections do: updated_at = now()).
        await db.copyRows('cases', COLS, [row(TODAY, 'C1', '新的问题一'), row(TODAY, 'C2', '新的问题二')]);
        await db.exec(`UPDATE cases SET category_code = 'C2', community_code = '430102001000', updated_at = now() WHERE case_no = 'T-1'`);
        sql.length = 0;
        const incremental = await read(true);
        expect(sql.some((q) => q.includes('updated_at > to_timestamp'))).toBe(true);
        expect(sql.filter((q) => q.includes('SELECT id, received_at')).length).toBe(1); // only the changed rows
        expect(byId(incremental)).toEqual(byId(await read(false)));
        expect(Object.keys(byId(incremental)).length).toBe(32);
        expect(incremental.places.map((p) => p.key).sort()).toEqual(['430102001000', '430102001001', '430102001002']);

        // A bulk load carrying old timestamps moves the generation on (the warning hook counts them): read whole again.
        await db.copyRows('cases', [...COLS, 'updated_at'], [row(addDays(TODAY, -3), 'C1', '导入的旧件', new Date('2020-01-01T00:00:00Z'))]);
        generation++;
        const afterLoad = await read(true);
        expect(byId(afterLoad)).toEqual(byId(await read(false)));
        expect(Object.keys(byId(afterLoad)).length).toBe(33);
      } finally {
        await db.close();
      }
    }, 120_000);
  });
}
