// A tiny city for metrics tests: channels, two districts, a two-level category tree, three units, and a
// helper that writes case rows directly (the lifecycle itself belongs to the cases domain).
import type { Db, Row } from '../src/store/db.ts';
import { localDay } from '../src/shared/time.ts';

export async function seedMetricsCity(db: Db): Promise<void> {
  await db.exec(`
    INSERT INTO channels (code, name, kind) VALUES ('12345', '12345热线', 'phone'), ('web', '网站', 'web'), ('app', '移动端', 'app')
      ON CONFLICT (code) DO NOTHING;
    INSERT INTO divisions (code, name, level, parent_code) VALUES ('430100', '长沙市', 'city', NULL) ON CONFLICT (code) DO NOTHING;
    INSERT INTO divisions (code, name, level, parent_code) VALUES ('430102', '芙蓉区', 'district', '430100'), ('430103', '天心区', 'district', '430100')
      ON CONFLICT (code) DO NOTHING;
    INSERT INTO categories (code, name, parent_code, level, path) VALUES
      ('T01', '城乡建设', NULL, 1, '{城乡建设}'), ('T02', '环境保护', NULL, 1, '{环境保护}')
      ON CONFLICT (code) DO NOTHING;
    INSERT INTO categories (code, name, parent_code, level, path) VALUES
      ('T0101', '物业管理', 'T01', 2, '{城乡建设,物业管理}'), ('T0102', '道路维修', 'T01', 2, '{城乡建设,道路维修}'),
      ('T0201', '噪音扰民', 'T02', 2, '{环境保护,噪音扰民}'), ('T0202', '大气污染', 'T02', 2, '{环境保护,大气污染}')
      ON CONFLICT (code) DO NOTHING;
    INSERT INTO units (id, name, kind) VALUES ('u-house', '市住建局', 'bureau'), ('u-env', '市生态环境局', 'bureau'), ('u-frd', '芙蓉区政府', 'district')
      ON CONFLICT (id) DO NOTHING;
  `);
}

let seq = 0;
export interface CaseSpec {
  at: Date;
  channel?: string;
  category?: string | null;
  district?: string | null;
  type?: string | null;
  status?: string;
  unit?: string | null;
  content?: string;
  keywords?: string[];
  [col: string]: unknown;
}

/** Inserts one case row as given (snake_case extra columns allowed) and returns the stored row. */
export async function insertCase(db: Db, spec: CaseSpec): Promise<Row> {
  seq++;
  const { at, channel, category, district, type, status, unit, content, keywords, ...extra } = spec;
  const row: Record<string, unknown> = {
    case_no: `T${process.pid}-${seq}-${Math.random().toString(36).slice(2, 8)}`,
    channel: channel ?? '12345',
    received_at: at,
    local_day: localDay(at),
    content: content ?? '测试诉求',
    category_code: category === undefined ? 'T0101' : category,
    district_code: district === undefined ? '430102' : district,
    request_type: type === undefined ? 'complaint' : type,
    status: status ?? 'received',
    unit_id: unit ?? null,
    keywords: keywords ?? [],
    ...extra,
  };
  const cols = Object.keys(row);
  const [stored] = await db.query(`INSERT INTO cases (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`, Object.values(row));
  return stored;
}

/** Updates columns of a case and returns [before, after] rows. */
export async function updateCase(db: Db, id: number, set: Record<string, unknown>): Promise<[Row, Row]> {
  const [before] = await db.query('SELECT * FROM cases WHERE id = $1', [id]);
  const cols = Object.keys(set);
  const [after] = await db.query(`UPDATE cases SET ${cols.map((c, i) => `${c} = $${i + 2}`).join(', ')}, version = version + 1 WHERE id = $1 RETURNING *`, [id, ...Object.values(set)]);
  return [before, after];
}
