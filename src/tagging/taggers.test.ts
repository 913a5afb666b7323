import { describe, expect, it } from 'vitest';
import { deserializeModel, predict, predictLabel, probabilities, serializeModel, stratifiedFolds, topLevel, trainModel } from './classifier.ts';
import { detectRequestType } from './request-type.ts';
import { detectUrgency } from './urgency.ts';
import { Gazetteer } from './places.ts';
import { extractKeywords } from './keywords.ts';
import { minhash, NearDuplicateIndex } from './near-duplicates.ts';
import { caseNoCode, caseNoOf } from '../cases/case-number.ts';
import { bandKey, jaccardEstimate } from '../shared/minhash.ts';
import { normalizeText, words, hasChinese, MAX_ANALYSED_CHARS } from './text.ts';
import { TINY_CORPUS } from './fixtures.ts';
import { scoreLabels, reliability } from './evaluate.ts';
import { featureNames, Lexicon } from './features.ts';

const model = trainModel(TINY_CORPUS.map((r) => r.text), TINY_CORPUS.map((r) => r.label), { calibrationFolds: 3 });

describe('classifier', () => {
  it('suggests the right category path with probabilities and evidence', () => {
    const s = predict(model, '晚上工地施工噪音太大，吵得睡不着');
    expect(s).toHaveLength(3);
    expect(s[0].label).toBe('环境保护/噪声污染');
    expect(s[0].probability).toBeGreaterThan(s[1].probability);
    expect(s.reduce((a, x) => a + x.probability, 0)).toBeCloseTo(1, 5);
    expect(s[0].evidence.length).toBeGreaterThan(0);
    expect(s[0].evidence.map((e) => e.term).join('')).toMatch(/噪|施工|吵|晚上/);
    expect(predictLabel(model, '公司欠薪不发工资')).toBe('劳动和社会保障/劳动权益');
    expect(topLevel(s)[0].label).toBe('环境保护');
  });

  it('explains only the first categories asked for (intake keeps the top one\'s evidence), the ranking unchanged', () => {
    const text = '晚上工地施工噪音太大，吵得睡不着';
    const all = predict(model, text);
    const top = predict(model, text, 3, 5, 1);
    expect(top.map((x) => [x.label, x.probability])).toEqual(all.map((x) => [x.label, x.probability]));
    expect(top[0].evidence).toEqual(all[0].evidence);
    expect(top.slice(1).map((x) => x.evidence)).toEqual([[], []]);
    expect(all[1].evidence.length).toBeGreaterThan(0);
  });

  it('fits a finite positive temperature and probabilities that sum to one', () => {
    expect(model.scale).toBeGreaterThan(0);
    expect(Number.isFinite(model.scale)).toBe(true);
    const p = probabilities(model, '物业收费');
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('round-trips through its binary form', () => {
    const back = deserializeModel(serializeModel(model));
    for (const t of ['物业不修电梯', '广场舞太吵', 'abc']) expect(predict(back, t)[0]).toEqual(predict(model, t)[0]);
    expect(() => deserializeModel(Buffer.from('nonsense'))).toThrow();
  });

  it('segments with the lexicon it learnt from jieba, so prediction needs no jieba call', () => {
    expect(model.lexicon?.words.length).toBeGreaterThan(0);
    const lex = new Lexicon(['魅力之城', '噪音', '扰民']);
    const names = new Map<number, string>();
    featureNames('魅力之城噪音扰民x', lex, names);
    expect([...names.values()]).toEqual(expect.arrayContaining(['魅力之城', '噪音 扰民', '扰民 x']));
    // A model stored before lexicons existed (no word list) still segments, by jieba.
    const legacy = { ...model, lexicon: null, runtime: undefined };
    expect(predict(legacy, '晚上工地施工噪音太大')[0].label).toBe('环境保护/噪声污染');
  });

  it('handles any label set, including one with a single class', () => {
    const m = trainModel(['甲', '乙'], ['x', 'x']);
    expect(predict(m, '甲')[0].label).toBe('x');
  });

  it('gives a defined result for bad input: empty, no Chinese, emoji, control characters, 100,000 characters', () => {
    for (const t of ['', '   ', 'hello world 123', '😀😀🔥', '\u0000\u0007噪音\u001b[31m', '扰'.repeat(100_000)]) {
      const s = predict(model, t);
      expect(s).toHaveLength(3);
      for (const x of s) expect(Number.isFinite(x.probability)).toBe(true);
    }
    expect(normalizeText('\u0000a\u200bＢ  c')).toBe('ab c');
    expect(normalizeText('长'.repeat(100_000)).length).toBe(MAX_ANALYSED_CHARS);
    expect(hasChinese('abc')).toBe(false);
  });

  it('stratifies folds', () => {
    const labels = TINY_CORPUS.map((r) => r.label);
    const f = stratifiedFolds(labels, 3);
    for (let k = 0; k < 3; k++) expect(labels.filter((_, i) => f[i] === k).length).toBe(6);
  });

  it('scores macro-F1 and reliability', () => {
    const s = scoreLabels(['a', 'a', 'b', 'b'], ['a', 'b', 'b', 'b']);
    expect(s.accuracy).toBe(0.75);
    expect(s.per_class_f1.a).toBeCloseTo(0.6667, 3);
    expect(s.macro_f1).toBeCloseTo((0.6667 + 0.8) / 2, 3);
    expect(reliability([0.95, 0.55], [true, false]).ece).toBeCloseTo(0.3, 5);
  });
});

describe('request type and urgency', () => {
  it('reads the request type from cue phrases', () => {
    expect(detectRequestType('请问办理居住证需要哪些材料？').type).toBe('consultation');
    expect(detectRequestType('我要投诉小区物业乱收费').type).toBe('complaint');
    expect(detectRequestType('举报某工厂夜间偷排污水').type).toBe('report');
    expect(detectRequestType('建议在路口增设红绿灯').type).toBe('suggestion');
    expect(detectRequestType('表扬环卫工人，感谢他们的辛苦付出').type).toBe('praise');
    expect(detectRequestType('老人走失求助，请帮忙寻找').type).toBe('help');
    const none = detectRequestType('路灯');
    expect(none.cues).toEqual([]);
    expect(none.confidence).toBeLessThan(0.5);
  });

  it('flags urgent cues with the matched text as evidence', () => {
    const gas = detectUrgency('三楼燃气泄漏，气味很大');
    expect(gas.level).toBe('urgent');
    expect(gas.cues[0]).toMatchObject({ cue: '燃气泄漏' });
    expect(detectUrgency('整栋楼停水两天了').level).toBe('urgent');
    expect(detectUrgency('工地拖欠50名农民工工资').cues.map((c) => c.cue)).toContain('群体欠薪');
    expect(detectUrgency('有人站在楼顶要跳楼').cues.map((c) => c.cue)).toContain('轻生');
    expect(detectUrgency('商场着火了').level).toBe('urgent');
    expect(detectUrgency('情况紧急，请马上派人').cues.map((c) => c.cue)).toContain('情况紧急');
    expect(detectUrgency('路灯不亮').level).toBe('normal');
  });
});

describe('places', () => {
  const g = new Gazetteer(
    [
      { code: '4301', name: '长沙市', level: 'city', parent_code: null },
      { code: '430104', name: '岳麓区', level: 'district', parent_code: '4301' },
      { code: '430104001', name: '望月湖街道', level: 'street', parent_code: '430104' },
      { code: '430104001001', name: '望月湖社区', level: 'community', parent_code: '430104001' },
      { code: '430102', name: '芙蓉区', level: 'district', parent_code: '4301' },
    ],
    [
      { id: 'CP-MEILI', name: '万科魅力之城小区', aliases: ['魅力之城'], kind: 'compound', community_code: '430104001001' },
      { id: 'RD-1', name: '麓山路', aliases: [], kind: 'road', community_code: '430104001001' },
    ],
  );

  it('resolves an alias to the compound and fills the parent codes', () => {
    const p = g.resolve(normalizeText('魅力之城小区夜间施工扰民'));
    expect(p).toMatchObject({ compoundId: 'CP-MEILI', compoundName: '万科魅力之城小区', communityCode: '430104001001', streetCode: '430104001', districtCode: '430104' });
    expect(p.matched[0].text).toBe('魅力之城');
    expect(p.confidence).toBeGreaterThan(0.6);
  });

  it('segments compound names as one token once the gazetteer is loaded', () => {
    expect(words('魅力之城小区夜间施工扰民')).toContain('魅力之城');
    expect(words('魅力之城小区夜间施工扰民')).toContain('扰民');
  });

  it('reads districts, short forms, roads and the address field', () => {
    expect(g.resolve('岳麓区某路口').districtCode).toBe('430104');
    expect(g.resolve('芙蓉有积水').districtCode).toBe('430102');
    expect(g.resolve('麓山路井盖缺失').road).toEqual({ id: 'RD-1', name: '麓山路' });
    expect(g.resolve('路灯坏了', '望月湖街道').streetCode).toBe('430104001');
    const none = g.resolve('没有地点');
    expect(none.districtCode).toBeNull();
    expect(none.confidence).toBe(0);
  });
});

describe('keywords and near-duplicates', () => {
  it('extracts keywords without stop words', () => {
    const k = extractKeywords(normalizeText('小区电梯故障，电梯经常停运，物业不维修电梯'), 3).map((x) => x.word);
    expect(k[0]).toBe('电梯');
    expect(k).not.toContain('小区，');
  });

  it('finds near-identical texts within the window and forgets older ones', () => {
    const idx = new NearDuplicateIndex(30, 0.6);
    const now = Date.parse('2026-06-01T00:00:00Z');
    idx.add(1, '万科魅力之城小区夜间施工噪音扰民，凌晨两点还在打桩，严重影响休息', now - 2 * 86400_000, '20260530-000017');
    idx.add(2, '公司拖欠工资三个月，老板拒绝支付', now - 86400_000);
    idx.add(3, '万科魅力之城小区夜间施工噪音扰民，凌晨两点还在打桩，严重影响休息', now - 40 * 86400_000);
    const hits = idx.query('万科魅力之城小区夜间施工噪音扰民，凌晨两点还在打桩，严重影响休息！！', { now });
    expect(hits.map((h) => h.id)).toEqual([1]);
    expect(hits[0].caseNo).toBe('20260530-000017'); // kept with the case: intake names it without a database read
    expect(hits[0].similarity).toBeGreaterThan(0.8);
    expect(idx.query('完全不同的内容：路灯不亮', { now })).toEqual([]);
    expect(idx.query('', { now })).toEqual([]);
    idx.expire(now);
    expect(idx.size).toBe(2);
  });

  it('keeps case numbers as numbers and gives them back as they were', () => {
    for (const no of ['20261128-000123', '20261231-999999', '20270101-1234567']) expect(caseNoOf(caseNoCode(no))).toBe(no);
    for (const no of ['IMPORT-1', '2026112-000001', '20261128-12345678', '20261128-0123456']) expect(caseNoCode(no)).toBeNaN();
    const idx = new NearDuplicateIndex(30, 0.6);
    idx.add(7, '路灯不亮，晚上出行不便，请尽快维修', 1000, 'IMPORT-1'); // a number not in the usual form: left unnamed
    expect(idx.query('路灯不亮，晚上出行不便，请尽快维修', { now: 2000 })[0]).toEqual({ id: 7, similarity: 1, receivedAt: new Date(1000).toISOString() });
  });

  it('answers as a scan of every case would, through growth, late cases, expiry and compaction', () => {
    const idx = new NearDuplicateIndex(1, 0.6);
    const all: { id: number; at: number; sig: Uint32Array }[] = [];
    const t0 = Date.parse('2026-06-01T00:00:00Z');
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const places = ['万科魅力之城', '芙蓉花园', '岳麓山庄', '天心阁小区', '星沙新城', '梅溪湖一期', '洋湖湿地'];
    const issues = ['夜间施工噪音扰民，凌晨还在打桩', '电梯故障困人，物业不来处理', '路灯不亮，晚上出行不安全', '楼下餐馆油烟扰民', '小区停车位被长期占用'];
    const text = () => `${places[Math.floor(rand() * places.length)]}${issues[Math.floor(rand() * issues.length)]}${rand() < 0.5 ? '，请尽快处理' : `，编号${Math.floor(rand() * 50)}`}`;
    const reference = (q: string, now: number, excludeId?: number) => {
      const sig = minhash(q)!;
      const cutoff = now - 86400_000;
      return all
        .filter((c) => c.at >= cutoff && c.at <= now && c.id !== excludeId && Array.from({ length: 16 }, (_, b) => b).some((b) => bandKey(c.sig, b) === bandKey(sig, b)))
        .map((c) => ({ id: c.id, similarity: Math.round(jaccardEstimate(sig, c.sig) * 100) / 100, receivedAt: new Date(c.at).toISOString() }))
        .filter((c) => c.similarity >= 0.6)
        .sort((a, b) => b.similarity - a.similarity || b.id - a.id)
        .slice(0, 5);
    };
    let now = t0;
    for (let i = 1; i <= 3000; i++) {
      now += 60_000 * (1 + Math.floor(rand() * 3));
      const late = rand() < 0.05;
      const at = late ? now - Math.floor(rand() * 1.5 * 86400_000) : now; // some arrive late, some already expired
      const t = text();
      idx.add(i, t, at);
      all.push({ id: i, at, sig: minhash(t)! });
      if (i % 7 === 0) idx.expire(now);
      if (i % 50 === 0) {
        const q = text();
        expect(idx.query(q, { now })).toEqual(reference(q, now));
        expect(idx.query(q, { now, excludeId: i })).toEqual(reference(q, now, i));
      }
    }
    idx.expire(now);
    expect(idx.size).toBe(all.filter((c) => c.at >= now - 86400_000).length);
    // ≈ 700 cases a day: the expired slots were reused (compaction) rather than the arrays growing with every case
    expect((idx as unknown as { cap: number }).cap).toBe(2048);
  });

  it('keeps expiring correctly over many small steps (intake expires a few items per case)', () => {
    const idx = new NearDuplicateIndex(1, 0.6);
    const t0 = Date.parse('2026-06-01T00:00:00Z');
    const minute = 60_000;
    for (let i = 1; i <= 5000; i++) {
      idx.add(i, `第${i}号小区${i % 7 === 0 ? '电梯' : '路灯'}故障，编号${i * 7919}，请尽快维修处理`, t0 + i * minute);
      idx.expire(t0 + i * minute);
      expect(idx.size).toBe(Math.min(i, 1440 + 1)); // a day of minutes, both ends included
    }
    idx.add(99_999, '一条迟到的旧消息：第4990号小区路灯故障', t0 + 4000 * minute); // late, inside the window
    idx.expire(t0 + 5000 * minute);
    expect(idx.size).toBe(1442);
  });
});
