// A tiny labelled corpus and gazetteer for tagging tests (invented texts and places, no real data).
import type { Db } from '../store/db.ts';

export const TINY_CORPUS: { label: string; text: string }[] = [
  ...['夜间施工噪音扰民，凌晨还在打桩', '楼下广场舞音响太吵，晚上十点还在跳', '工地晚上施工声音很大影响休息', '酒吧噪音扰民严重，音乐声太大', '装修电钻噪音每天早上七点开始', '夜里渣土车轰鸣噪音大睡不着'].map((text) => ({ label: '环境保护/噪声污染', text })),
  ...['物业乱收费，停车费涨价不合理', '物业服务差，电梯坏了一个月没人修', '小区物业不作为，垃圾堆积无人清理', '物业费收了却不提供保洁服务', '物业公司强行收取装修押金', '业主委员会与物业纠纷无人处理'].map((text) => ({ label: '城乡建设/物业管理', text })),
  ...['公司拖欠工资三个月不发', '老板欠薪跑路，工人讨薪无门', '单位不给缴纳社保，要求补缴', '劳动合同到期不续签也不给补偿', '加班不给加班费，违反劳动法', '工伤认定申请一直没有结果'].map((text) => ({ label: '劳动和社会保障/劳动权益', text })),
];

export const TINY_PLACES = {
  city: '4301',
  yuelu: '430104',
  wangyuehu: '430104001',
  wangyuehuCommunity: '430104001001',
  furong: '430102',
  wenyilu: '430102001',
  wenyiluCommunity: '430102001001',
  meili: 'CP-MEILI',
  road: 'RD-LUSHAN',
};

/** Divisions, compounds, categories and a channel — enough for tagging without the city seed. */
export async function seedTaggingFixture(db: Db): Promise<void> {
  await db.exec(`
    INSERT INTO divisions (code, name, level, parent_code) VALUES
      ('4301', '长沙市', 'city', NULL),
      ('430104', '岳麓区', 'district', '4301'),
      ('430102', '芙蓉区', 'district', '4301'),
      ('430104001', '望月湖街道', 'street', '430104'),
      ('430102001', '文艺路街道', 'street', '430102'),
      ('430104001001', '望月湖社区', 'community', '430104001'),
      ('430102001001', '文艺路社区', 'community', '430102001')
    ON CONFLICT DO NOTHING;
    INSERT INTO compounds (id, name, aliases, kind, community_code) VALUES
      ('CP-MEILI', '万科魅力之城小区', '{魅力之城}', 'compound', '430104001001'),
      ('CP-YUEYANG', '阳光小区', '{}', 'compound', '430102001001'),
      ('RD-LUSHAN', '麓山路', '{}', 'road', '430104001001')
    ON CONFLICT DO NOTHING;
    INSERT INTO categories (code, name, parent_code, level, path) VALUES
      ('C01', '环境保护', NULL, 1, '{环境保护}'),
      ('C0101', '噪声污染', 'C01', 2, '{环境保护,噪声污染}'),
      ('C02', '城乡建设', NULL, 1, '{城乡建设}'),
      ('C0201', '物业管理', 'C02', 2, '{城乡建设,物业管理}'),
      ('C03', '劳动和社会保障', NULL, 1, '{劳动和社会保障}'),
      ('C0301', '劳动权益', 'C03', 2, '{劳动和社会保障,劳动权益}')
    ON CONFLICT DO NOTHING;
    INSERT INTO channels (code, name, kind) VALUES ('12345', '12345热线', 'phone') ON CONFLICT DO NOTHING;
  `);
}

export const CODE_OF: Record<string, string> = { '环境保护/噪声污染': 'C0101', '城乡建设/物业管理': 'C0201', '劳动和社会保障/劳动权益': 'C0301' };

let seq = 0;
/** Inserts a case row directly (the intake path belongs to the cases domain). */
export async function insertCase(db: Db, c: { content: string; title?: string; categoryCode?: string | null; receivedAt?: Date; phoneHash?: string | null; tags?: object }): Promise<number> {
  const at = c.receivedAt ?? new Date();
  seq++;
  const [r] = await db.query<{ id: number }>(
    `INSERT INTO cases (case_no, channel, received_at, local_day, content, title, category_code, status, caller_phone_hash, tags)
     VALUES ($1, '12345', $2, $3::date, $4, $5, $6, 'received', $7, $8::text::jsonb) RETURNING id`,
    [`T${Date.now()}-${seq}-${Math.random().toString(36).slice(2, 6)}`, at, at.toISOString().slice(0, 10), c.content, c.title ?? null, c.categoryCode ?? null, c.phoneHash ?? null, JSON.stringify(c.tags ?? {})],
  );
  return Number(r.id);
}
