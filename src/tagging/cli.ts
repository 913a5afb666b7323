// `minsheng tag train|predict|eval`: the classifier on any label,text CSV files, or the database's active model.
import fs from 'node:fs';
import type { Command } from 'commander';
import { deserializeModel, predict, predictLabel, serializeModel, trainModel, type TextModel } from './classifier.ts';
import { readLabelledCsv } from './csv.ts';
import { scoreLabels } from './evaluate.ts';
import { corpusIdf } from './keywords.ts';
import { normalizeText } from './text.ts';

async function withContext<T>(fn: (ctx: import('../server/context.ts').AppContext) => Promise<T>): Promise<T> {
  const { loadConfig } = await import('../config.ts');
  const { createContext } = await import('../server/start.ts');
  const ctx = await createContext(loadConfig());
  try {
    return await fn(ctx);
  } finally {
    await ctx.db.close();
  }
}

function loadModelFile(file: string): TextModel {
  if (!fs.existsSync(file)) throw new Error(`模型文件不存在: ${file}`);
  return deserializeModel(fs.readFileSync(file));
}

export function registerTagCommands(program: Command): void {
  const tag = program.command('tag').description('数据标签：分类模型的训练、预测与评估');

  tag
    .command('train')
    .description('用 CSV（表头 label,text）训练分类模型；--out 写入文件，否则存入数据库并启用')
    .requiredOption('--train <file>', '训练数据 CSV')
    .option('--out <model>', '模型输出文件')
    .option('--c <cost>', 'SVM 代价参数', '2')
    .action(async (opts) => {
      const rows = readLabelledCsv(opts.train);
      if (new Set(rows.map((r) => r.label)).size < 2) throw new Error('训练数据至少需要两个不同的标签');
      const model = trainModel(rows.map((r) => r.text), rows.map((r) => r.label), { c: Number(opts.c) });
      model.keywordIdf = corpusIdf(rows.map((r) => normalizeText(r.text)));
      const bytes = serializeModel(model);
      const summary = { docs: rows.length, labels: model.labels.length, features: model.keys.length, train_s: round(model.meta.trainS), model_bytes: bytes.length };
      if (opts.out) {
        fs.writeFileSync(opts.out, bytes);
        console.log(JSON.stringify({ ...summary, model: opts.out }));
      } else {
        const { storeModel } = await import('./train-from-database.ts');
        const { SYSTEM_ACTOR } = await import('../server/context.ts');
        const version = await withContext((ctx) => storeModel(ctx, model, bytes, { actor: SYSTEM_ACTOR, source: 'csv' }));
        console.log(JSON.stringify({ ...summary, version, active: true }));
      }
    });

  tag
    .command('predict')
    .description('预测分类：一段文本，或 --file CSV（text 列）逐行输出 JSON')
    .argument('[text]', '诉求文本')
    .option('--model <model>', '模型文件（默认：数据库中启用的模型）')
    .option('--file <csv>', '批量预测的 CSV（表头含 text）')
    .action(async (text: string | undefined, opts) => {
      if (!text && !opts.file) throw new Error('请给出文本或 --file CSV');
      const run = (model: TextModel) => {
        const texts = opts.file ? readLabelledCsv(opts.file, { requireLabel: false }).map((r) => r.text) : [text!];
        for (const t of texts) {
          const s = predict(model, t, 3, 5);
          console.log(JSON.stringify({ label: s[0]?.label ?? null, top3: s.map((x) => ({ label: x.label, probability: round(x.probability), evidence: x.evidence.map((e) => e.term) })) }));
        }
      };
      if (opts.model) run(loadModelFile(opts.model));
      else
        await withContext(async (ctx) => {
          const { taggingState } = await import('./service.ts');
          const state = await taggingState(ctx);
          if (!state.model) throw new Error('数据库中没有启用的分类模型：先运行 minsheng tag train --train FILE.csv，或用 --model 指定模型文件');
          run(state.model);
        });
    });

  tag
    .command('eval')
    .description('在训练集上训练、在测试集上评估；--json 输出一个 JSON 对象')
    .requiredOption('--train <file>', '训练数据 CSV（label,text）')
    .requiredOption('--test <file>', '测试数据 CSV（label,text）')
    .option('--json', '输出 JSON')
    .option('--c <cost>', 'SVM 代价参数', '2')
    .action(async (opts) => {
      const train = readLabelledCsv(opts.train);
      const test = readLabelledCsv(opts.test);
      if (!train.length) throw new Error(`${opts.train}: 没有带标签的行`);
      const t0 = performance.now();
      const model = trainModel(train.map((r) => r.text), train.map((r) => r.label), { c: Number(opts.c), calibrationFolds: 0 });
      const trainS = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      const pred = test.map((r) => predictLabel(model, r.text));
      const predS = (performance.now() - t1) / 1000;
      const scores = scoreLabels(test.map((r) => r.label), pred);
      const out = { ...scores, train_s: round(trainS), docs_per_s: round(test.length / Math.max(predS, 1e-9)), n_train: train.length, n_test: test.length, labels: model.labels.length };
      if (opts.json) console.log(JSON.stringify(out));
      else {
        console.log(`macro-F1 ${out.macro_f1}  准确率 ${out.accuracy}  训练 ${out.train_s} s  预测 ${out.docs_per_s} 条/秒`);
        for (const [l, f] of Object.entries(out.per_class_f1)) console.log(`  ${l}\t${f}`);
      }
    });
}

const round = (x: number) => Math.round(x * 1000) / 1000;
