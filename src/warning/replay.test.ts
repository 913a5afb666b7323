import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { placeOf, readMessages, replayMessages } from './replay.ts';
import { addDays } from '../shared/time.ts';
import { rng } from './random.ts';

const TOPICS = ['路灯不亮晚上出行不便', '垃圾清运不及时气味很大', '公交线路调整后等车时间太长', '学校周边交通拥堵', '医保报销流程太复杂', '菜市场占道经营'];

/** 60 days of varied messages, one user reposting 8 times, and a real hot issue: 12 people about one compound. */
function synthetic(): string {
  const rand = rng(9);
  const lines = ['id,user,time,subject,detail,likes,dislikes'];
  let id = 1000;
  const row = (user: string, day: string, subject: string, detail: string, likes = 0) =>
    lines.push([id++, user, `${day} ${String(8 + Math.floor(rand() * 12)).padStart(2, '0')}:15:00`, subject, `"${detail}"`, likes, 0].join(','));
  for (let d = 0; d < 60; d++) {
    for (let k = 0; k < 6; k++) {
      const t = TOPICS[Math.floor(rand() * TOPICS.length)];
      row(`U${Math.floor(rand() * 100000)}`, addDays('2019-03-01', d), `A${1 + Math.floor(rand() * 9)}区${t}`, `${t}，编号${Math.floor(rand() * 1e6)}，请处理。`);
    }
  }
  for (let k = 0; k < 8; k++) row('REPOSTER', addDays('2019-03-01', 20 + k), 'A3区幸福里小区楼下烧烤店油烟扰民', '幸福里小区楼下烧烤店油烟扰民，每天营业到凌晨两点，请城管处理。', 1);
  for (let k = 0; k < 12; k++) row(`H${k}`, addDays('2019-03-01', 50 + (k % 3)), `A5区金色家园小区开发商拒不办理不动产权证`, `A5区金色家园小区交房三年，开发商拒不办理不动产权证，业主${k}号楼无法落户上学。`, 10 + k);
  return lines.join('\n') + '\n';
}

describe('warn replay', () => {
  it('validates the columns with a clear error', () => {
    expect(() => readMessages('id,user,time\n1,a,2020-01-01\n')).toThrow(/缺少必需的列/);
    const r = readMessages('id,user,time,subject,detail\n1,a,not-a-time,x,y\n2,b,2020-01-02 10:00:00,路灯,不亮\n');
    expect(r.messages.length).toBe(1);
    expect(r.skipped[0].line).toBe(2);
  });
  it('places messages by pattern', () => {
    expect(placeOf('A5区金色家园小区开发商拒不办理不动产权证', '')).toEqual({ district: 'A5区', place: '金色家园小区' });
    expect(placeOf('反映A7县东六路路面破损', '').place).toBe('东六路');
  });
  it('raises the hot issue once, ranks it first and folds one user\'s reposts', () => {
    const out = replayMessages(synthetic(), { minPersons: 5 });
    const top = out.hotIssues[0];
    expect(top.place).toContain('金色家园');
    expect(top.distinctUsers).toBe(12);
    expect(top.memberIds.length).toBe(12);
    const repost = out.hotIssues.find((h) => h.place.includes('幸福里'));
    if (repost) expect(repost.heatIndex).toBeLessThan(top.heatIndex);
    expect(out.input.reposts).toBeGreaterThanOrEqual(7);
    const hits = out.alerts.filter((a) => a.memberIds.some((m) => top.memberIds.includes(m)) && a.kind !== 'trending');
    expect(hits.length).toBeGreaterThanOrEqual(1);
    // one alert per kind per incident, not one per day
    const kinds = hits.map((a) => a.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    // the reposting user never makes an alert on their own
    expect(out.alerts.some((a) => a.kind !== 'trending' && a.stats.distinctUsers < 2)).toBe(false);
    // a p-value is a probability where the detector has one, and unknown (null) where it has none — never a made-up 1
    for (const a of out.alerts) if (a.stats.pValue !== null) expect(a.stats.pValue).toBeLessThan(1);
  }, 120_000);
  it('runs on the real message board when present', () => {
    const file = '/work/shared/data/taidi2020/messages.csv';
    if (!fs.existsSync(file)) {
      if (process.env.CI) throw new Error(`CI: ${file} missing`);
      console.warn(`SKIP real replay: ${file} not found`);
      return;
    }
    // Only the first 1200 lines, to stay fast; the full file runs in the CLI.
    const text = fs.readFileSync(file, 'utf8').split('\n').slice(0, 1200).join('\n');
    const out = replayMessages(text);
    expect(out.input.valid).toBeGreaterThan(1000);
    expect(out.hotIssues.length).toBeGreaterThan(0);
    for (const h of out.hotIssues) expect(h.distinctUsers).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
