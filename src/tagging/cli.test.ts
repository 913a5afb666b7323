// The tag CLI on small CSV files written here (BOM, quoted newlines, extra column, any labels).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TINY_CORPUS } from './fixtures.ts';

const root = path.resolve(import.meta.dirname, '../..');
const run = (args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

describe('minsheng tag', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minsheng-tag-cli-'));
  const train = path.join(dir, 'train.csv');
  const test = path.join(dir, 'test.csv');
  fs.writeFileSync(train, '\uFEFFlabel,text,extra\n' + TINY_CORPUS.map((r, i) => `${q(r.label)},${q(i % 2 ? r.text.replace('，', '，\n') : r.text)},x`).join('\r\n') + '\n');
  fs.writeFileSync(test, 'label,text\n' + [['环境保护/噪声污染', '晚上施工噪音太吵'], ['城乡建设/物业管理', '物业乱收费，"停车费"涨价'], ['劳动和社会保障/劳动权益', '公司拖欠工资']].map(([l, t]) => `${q(l)},${q(t)}`).join('\n') + '\n');

  it('eval prints one JSON object with the agreed keys', () => {
    const out = run(['tag', 'eval', '--train', train, '--test', test, '--json']).trim();
    expect(out.split('\n')).toHaveLength(1);
    const r = JSON.parse(out);
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['macro_f1', 'accuracy', 'per_class_f1', 'train_s', 'docs_per_s']));
    expect(r.accuracy).toBeGreaterThan(0.6);
    expect(Object.keys(r.per_class_f1).sort()).toEqual(['劳动和社会保障/劳动权益', '城乡建设/物业管理', '环境保护/噪声污染']);
  });

  it('trains to a file and predicts from it, for a text and a file', () => {
    const model = path.join(dir, 'm.bin');
    const t = JSON.parse(run(['tag', 'train', '--train', train, '--out', model]));
    expect(t).toMatchObject({ docs: TINY_CORPUS.length, labels: 3 });
    expect(fs.statSync(model).size).toBe(t.model_bytes);
    const one = JSON.parse(run(['tag', 'predict', '--model', model, '楼下广场舞太吵了']));
    expect(one.label).toBe('环境保护/噪声污染');
    expect(one.top3).toHaveLength(3);
    const many = run(['tag', 'predict', '--model', model, '--file', test]).trim().split('\n').map((l) => JSON.parse(l));
    expect(many).toHaveLength(3);
  }, 180_000); // three CLI processes: slow to start on a loaded machine

  it('fails clearly on a file without the text column', () => {
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'a,b\n1,2\n');
    expect(() => run(['tag', 'eval', '--train', bad, '--test', test, '--json'])).toThrow(/text/);
  });
});
