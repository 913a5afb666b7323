// Tagging benchmark: 5-fold stratified CV on ../shared/data/taidi2020/train.csv, side by side with the
// sklearn peer on the same fold files in the same run; training time, single-core prediction throughput,
// calibration (ECE), model size, memory, and /api/tagging/suggest latency.
// Usage: npm run bench -- tagging [--shared DIR] [--folds K] [--no-peer] [--city-only]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import { writeResults } from './_results.ts';
import { readLabelledCsv } from '../src/tagging/csv.ts';
import { predictLabel, probabilities, serializeModel, stratifiedFolds, trainModel } from '../src/tagging/classifier.ts';
import { reliability, round4, scoreLabels } from '../src/tagging/evaluate.ts';
import { corpusIdf } from '../src/tagging/keywords.ts';
import { normalizeText } from '../src/tagging/text.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const shared = path.resolve(arg('--shared') ?? path.join(root, '..', 'shared'));
const trainCsv = path.join(shared, 'data', 'taidi2020', 'train.csv');
const peerPy = path.join(shared, 'peers', 'classify_sklearn.py');
const K = Number(arg('--folds') ?? 5);
const loadAtStart = os.loadavg().map((x) => Math.round(x * 100) / 100);
if (process.argv.includes('--city-only')) {
  console.log(JSON.stringify(await syntheticCity(), null, 2));
  process.exit(0);
}
if (!fs.existsSync(trainCsv)) {
  console.log(`SKIP tagging benchmark: ${trainCsv} not found (../shared beside the project root, or --shared DIR)`);
  process.exit(0);
}
const peerAvailable = !process.argv.includes('--no-peer') && fs.existsSync(peerPy) && fs.existsSync('/usr/bin/python3');
if (!peerAvailable) console.log(`NOTE: peer not run (${peerPy} or /usr/bin/python3 missing, or --no-peer)`);

let peakRss = process.memoryUsage().rss;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const rows = readLabelledCsv(trainCsv);
const labels = rows.map((r) => r.label);
const folds = K > 0 ? stratifiedFolds(labels, K, 20260) : new Int32Array(labels.length);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'minsheng-tagging-'));
const cpuSeconds = (f: () => void) => {
  const c = process.cpuUsage();
  const t = performance.now();
  f();
  const d = process.cpuUsage(c);
  return { cpu: (d.user + d.system) / 1e6, wall: (performance.now() - t) / 1000 };
};

const ours: { macro_f1: number; accuracy: number; train_s: number; train_cpu_s: number; docs_per_s: number; docs_per_cpu_s: number }[] = [];
const peer: Record<string, number>[] = [];
const gold: string[] = [];
const pred: string[] = [];
const conf: number[] = [];
const correct: boolean[] = [];
try {
  for (let f = 0; f < K; f++) {
    const tr = rows.filter((_, i) => folds[i] !== f);
    const te = rows.filter((_, i) => folds[i] === f);
    const trFile = path.join(tmp, `train_${f}.csv`);
    const teFile = path.join(tmp, `test_${f}.csv`);
    fs.writeFileSync(trFile, stringify(tr, { header: true, columns: ['label', 'text'] }));
    fs.writeFileSync(teFile, stringify(te, { header: true, columns: ['label', 'text'] }));

    let model!: ReturnType<typeof trainModel>;
    const tt = cpuSeconds(() => (model = trainModel(tr.map((r) => r.text), tr.map((r) => r.label))));
    const trainS = tt.wall;
    const trainCpuS = tt.cpu;
    sampleRss();
    predictLabel(model, te[0].text); // warm up
    let p: string[] = [];
    const timing = cpuSeconds(() => (p = te.map((r) => predictLabel(model, r.text))));
    const s = scoreLabels(te.map((r) => r.label), p);
    ours.push({ macro_f1: s.macro_f1, accuracy: s.accuracy, train_s: trainS, train_cpu_s: trainCpuS, docs_per_s: te.length / timing.wall, docs_per_cpu_s: te.length / timing.cpu });
    te.forEach((r, i) => {
      gold.push(r.label);
      pred.push(p[i]);
      const probs = probabilities(model, r.text);
      const best = Math.max(...probs);
      conf.push(best);
      correct.push(p[i] === r.label);
    });
    sampleRss();
    let peerRes: Record<string, number> | null = null;
    if (peerAvailable) {
      const out = spawnSync('/usr/bin/python3', [peerPy, trFile, teFile], { encoding: 'utf8', timeout: 600_000 });
      const line = out.stdout.trim().split('\n').pop() ?? '';
      try {
        peerRes = JSON.parse(line);
        peer.push(peerRes!);
      } catch {
        console.log(`peer failed on fold ${f}: ${out.stderr.slice(-500)}`);
      }
    }
    console.log(`fold ${f}: ours macro-F1 ${s.macro_f1} (train ${trainS.toFixed(1)} s, ${Math.round(te.length / timing.cpu)} docs/cpu-s)` + (peerRes ? `; peer ${peerRes.macro_f1} (train ${peerRes.train_s} s, ${peerRes.predict_docs_per_s} docs/s)` : ''));
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

// Full-data model: training time on all documents, size, keyword statistics.
let full!: ReturnType<typeof trainModel>;
const fullT = cpuSeconds(() => {
  full = trainModel(rows.map((r) => r.text), labels);
  full.keywordIdf = corpusIdf(rows.map((r) => normalizeText(r.text)));
});
const fullTrainS = fullT.wall;
const bytes = serializeModel(full);
sampleRss();

// Throughput on one core with the full model over every document (in-sample texts, same work per document).
const texts = rows.map((r) => r.text);
predictLabel(full, texts[0]);
const thr = cpuSeconds(() => texts.forEach((t) => predictLabel(full, t)));

// Suggest API latency (in process, PGlite, the full model active, empty case history).
const latency = await suggestLatency(full, bytes, texts.slice(0, 400)).catch((err) => ({ error: String(err), requests: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN }));

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
const pooled = scoreLabels(gold, pred);
const oursF1 = mean(ours.map((o) => o.macro_f1));
const peerF1 = peer.length ? mean(peer.map((p) => p.macro_f1)) : null;
const peerDocsPerS = peer.length ? mean(peer.map((p) => p.predict_docs_per_s)) : null;
const oursDocsPerS = texts.length / thr.cpu;
const base = {
  load_average: { at_start: loadAtStart, after_cv: os.loadavg().map((x) => Math.round(x * 100) / 100) },
  data: { file: 'shared/data/taidi2020/train.csv', docs: rows.length, labels: new Set(labels).size, folds: K },
  ours: {
    method: 'hashed TF-IDF (char 1–3-grams + word 1–2-grams by forward maximum matching over the lexicon of jieba words in ≥ 3 training texts, df ≥ 3, sublinear tf, l2 per block) + one-vs-rest NB-SVM (naive-Bayes log-count-ratio scaling, L2-loss linear SVM by dual CD), softmax temperature fitted on the margins of a held-out third',
    options: full.meta.options,
    macro_f1_mean: round4(oursF1),
    accuracy_mean: round4(mean(ours.map((o) => o.accuracy))),
    macro_f1_pooled: pooled.macro_f1,
    per_class_f1_pooled: pooled.per_class_f1,
    per_fold: ours.map((o) => ({ ...o, train_s: round4(o.train_s), train_cpu_s: round4(o.train_cpu_s), docs_per_s: Math.round(o.docs_per_s), docs_per_cpu_s: Math.round(o.docs_per_cpu_s) })),
    train_s_fold_mean: round4(mean(ours.map((o) => o.train_s))),
    train_cpu_s_fold_mean: round4(mean(ours.map((o) => o.train_cpu_s))),
    train_s_full: round4(fullTrainS),
    train_cpu_s_full: round4(fullT.cpu),
    train_docs_full: rows.length,
    docs_per_s_single_core: Math.round(oursDocsPerS),
    docs_per_s_wall: Math.round(texts.length / thr.wall),
    calibration: reliability(conf, correct),
    model_bytes: bytes.length,
    model_mb: round4(bytes.length / 2 ** 20),
    features: full.keys.length,
    peak_rss_mb: Math.round(peakRss / 2 ** 20),
    suggest_latency_ms: latency,
  },
  peer: peer.length ? { name: 'sklearn jieba + TF-IDF + LinearSVC (shared/peers/classify_sklearn.py)', macro_f1_mean: round4(peerF1!), accuracy_mean: round4(mean(peer.map((p) => p.accuracy))), train_s_mean: round4(mean(peer.map((p) => p.train_s))), predict_docs_per_s_mean: Math.round(peerDocsPerS!), per_fold: peer } : { skipped: 'peer not available' },
  ratios: peer.length
    ? { macro_f1_delta: round4(oursF1 - peerF1!), predict_speed_ratio: round4(oursDocsPerS / peerDocsPerS!), train_time_ratio: round4(mean(ours.map((o) => o.train_s)) / mean(peer.map((p) => p.train_s))) }
    : null,
  targets: { macro_f1_peer_plus_0_02: peerF1 === null ? null : oursF1 >= peerF1 + 0.02, docs_per_s_5000: oursDocsPerS >= 5000, train_3000_under_30s: fullTrainS < 30,
    train_3000_under_30_cpu_s: fullT.cpu < 30, model_under_50mb: bytes.length < 50 * 2 ** 20, suggest_p99_under_30ms: latency.p99 < 30 },
  notes: 'Throughput is documents per CPU-second of the prediction loop on one thread (cpuUsage), so other processes on the shared machine do not count against it; docs_per_s_wall is wall time. The lead re-runs this on a quiet machine.',
};
// Written now and again with the synthetic-city parts, so a slow machine still leaves the main results.
writeResults('tagging', base);
const city = await syntheticCity();
writeResults('tagging', { ...base, synthetic_city: city });
const nearDup = await nearDuplicatesAtCityScale(Number(arg('--near-dup-per-day') ?? 9600), Number(arg('--near-dup-days') ?? 40));
writeResults('tagging', { ...base, synthetic_city: city, near_duplicates_city_scale: nearDup });


/** A year of synthetic requests in the MinHash/LSH index: build time, memory, query latency. */
// The intake index holds the configured window (30 days by default) of a city's volume: the production window
// and 9,600 requests a day, streamed day by day with the daily expiry, then probed with edited earlier texts.
async function nearDuplicatesAtCityScale(perDay: number, days: number) {
  let gen: typeof import('../src/city/generate-city.ts');
  try {
    gen = await import('../src/city/generate-city.ts');
  } catch {
    return { skipped: 'src/city generator not merged' };
  }
  const { NearDuplicateIndex } = await import('../src/tagging/near-duplicates.ts');
  const idx = new NearDuplicateIndex();
  const rss0 = process.memoryUsage().rss;
  const probes: { text: string; at: number }[] = [];
  let n = 0;
  const t0 = performance.now();
  let last = 0;
  for (const b of gen.generateCity({ seed: 11, start: '2025-01-01', days, perDay, incidents: { concentrated: 0, trending: 0, emerging: 0 } }).days()) {
    if (last) idx.expire(last);
    for (const c of b.cases) {
      idx.add(c.id, `${c.title} ${c.content}`, c.receivedAt);
      last = c.receivedAt.getTime();
      if (n++ % 997 === 0) probes.push({ text: `${c.title} ${c.content}`, at: last });
    }
  }
  const buildS = (performance.now() - t0) / 1000;
  sampleRss();
  const times: number[] = [];
  let found = 0;
  for (const p of probes.filter((x) => x.at > last - (idx.windowDays - 1) * 86400_000).slice(-500)) {
    const t = performance.now();
    const r = idx.query(p.text + '，请尽快处理', { now: last });
    times.push(performance.now() - t);
    if (r.length) found++;
  }
  times.sort((a, b) => a - b);
  const q = (x: number) => Math.round(times[Math.min(times.length - 1, Math.floor(x * times.length))] * 100) / 100;
  return {
    window_days: idx.windowDays, per_day: perDay, days, cases_streamed: n, cases_in_window: idx.size, build_s_incl_generation: round4(buildS), rss_growth_mb: Math.round((process.memoryUsage().rss - rss0) / 2 ** 20),
    queries: times.length, found_rate: round4(found / Math.max(1, times.length)), p50_ms: q(0.5), p99_ms: q(0.99), max_ms: q(1),
  };
}

/** The synthetic city's requests: train on the first 80 % of days, test on the held-out last 20 %. */
async function syntheticCity() {
  let gen: typeof import('../src/city/generate-city.ts');
  let tax: typeof import('../src/city/taxonomy.ts');
  let gaz: typeof import('../src/city/gazetteer.ts');
  try {
    gen = await import('../src/city/generate-city.ts');
    tax = await import('../src/city/taxonomy.ts');
    gaz = await import('../src/city/gazetteer.ts');
  } catch {
    return { skipped: 'src/city generator not merged' };
  }
  const { Gazetteer } = await import('../src/tagging/places.ts');
  const { NearDuplicateIndex } = await import('../src/tagging/near-duplicates.ts');
  const { predict } = await import('../src/tagging/classifier.ts');
  const { extractKeywords } = await import('../src/tagging/keywords.ts');
  const { detectRequestType } = await import('../src/tagging/request-type.ts');
  const { detectUrgency } = await import('../src/tagging/urgency.ts');
  const days = 45;
  const g = gen.generateCity({ seed: 7, start: '2026-01-05', days, perDay: 150 });
  const cases: import('../src/city/generate-city.ts').GenCase[] = [];
  for (const b of g.days()) cases.push(...b.cases);
  const cut = [...cases].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime())[Math.floor(cases.length * 0.8)].receivedAt.getTime();
  const train = cases.filter((c) => c.receivedAt.getTime() < cut);
  const test = cases.filter((c) => c.receivedAt.getTime() >= cut);
  const text = (c: { title: string; content: string }) => `${c.title} ${c.content}`;
  const t0 = performance.now();
  const tc = process.cpuUsage();
  const m = trainModel(train.map(text), train.map((c) => c.categoryCode));
  const trainS = (performance.now() - t0) / 1000;
  const trainCpu = process.cpuUsage(tc);
  const pred = test.map((c) => predictLabel(m, text(c)));
  const leaf = scoreLabels(test.map((c) => c.categoryCode), pred);
  const topOf = new Map(tax.loadTaxonomy().leaves.map((l) => [l.code, l.topCode]));
  const top = scoreLabels(test.map((c) => topOf.get(c.categoryCode) ?? '?'), pred.map((p) => topOf.get(p) ?? '?'));
  const gz = gaz.loadGazetteer();
  const places = new Gazetteer(
    [gz.city, ...gz.districts, ...gz.streets, ...gz.communities].map((d) => ({ code: d.code, name: d.name, level: d.level, parent_code: d.parentCode })),
    [...gz.compounds, ...gz.roads].map((p) => ({ id: p.id, name: p.name, aliases: p.aliases, kind: p.kind, community_code: p.communityCode })),
  );
  let districtOk = 0, communityOk = 0, compoundOk = 0, compoundN = 0, typeOk = 0, urgentTp = 0, urgentFp = 0, urgentFn = 0;
  for (const c of test) {
    const norm = normalizeText(text(c));
    const pl = places.resolve(norm, c.address);
    if (pl.districtCode === c.districtCode) districtOk++;
    if (pl.communityCode === c.communityCode) communityOk++;
    if (c.compoundId) {
      compoundN++;
      if (pl.compoundId === c.compoundId) compoundOk++;
    }
    if (detectRequestType(norm).type === c.requestType) typeOk++;
    const u = detectUrgency(norm).level === 'urgent';
    if (u && c.urgency === 'urgent') urgentTp++;
    else if (u) urgentFp++;
    else if (c.urgency === 'urgent') urgentFn++;
  }
  // CPU per suggestTags call on city text, without its two SQL look-ups: top-3 with evidence over the 261-leaf
  // model, request type, urgency, place, keywords, and the near-duplicate query against the training cases.
  const dupes = new NearDuplicateIndex(366, 0.6);
  for (const c of train) dupes.add(c.id, text(c), c.receivedAt);
  const cpu0 = process.cpuUsage();
  for (const c of test) {
    const norm = normalizeText(text(c));
    predict(m, norm, 3, 5);
    detectRequestType(norm);
    detectUrgency(norm);
    places.resolve(norm, c.address);
    extractKeywords(norm, 5, null);
    dupes.query(text(c), { now: c.receivedAt.getTime(), limit: 5 });
  }
  const cpuD = process.cpuUsage(cpu0);
  return {
    suggest_cpu_ms_per_call_in_memory: round4((cpuD.user + cpuD.system) / 1000 / test.length),
    generator: { seed: 7, days, perDay: 150, train: train.length, test: test.length, split: 'by time: first 80 % train, last 20 % held out' },
    category_leaf: { labels: m.labels.length, accuracy: leaf.accuracy, macro_f1: leaf.macro_f1 },
    category_top_level: { accuracy: top.accuracy, macro_f1: top.macro_f1 },
    train_s: round4(trainS),
    train_cpu_s: round4((trainCpu.user + trainCpu.system) / 1e6),
    request_type_accuracy: round4(typeOk / test.length),
    urgency: { precision: round4(urgentTp / Math.max(1, urgentTp + urgentFp)), recall: round4(urgentTp / Math.max(1, urgentTp + urgentFn)), urgent_in_test: urgentTp + urgentFn },
    place: { district_accuracy: round4(districtOk / test.length), community_accuracy: round4(communityOk / test.length), compound_accuracy: round4(compoundOk / Math.max(1, compoundN)) },
  };
}

async function suggestLatency(model: import('../src/tagging/classifier.ts').TextModel, bytes: Buffer, sample: string[]) {
  const { freshPglite } = await import('../tests/engines.ts');
  const { buildApp } = await import('../src/server/app.ts');
  const { createSecrets } = await import('../src/shared/secrets.ts');
  const { loadConfig } = await import('../src/config.ts');
  const { storeModel } = await import('../src/tagging/train-from-database.ts');
  const { SYSTEM_ACTOR } = await import('../src/server/context.ts');
  const db = await freshPglite();
  const ctx = { db, config: loadConfig({ dataDir: os.tmpdir() }), secrets: createSecrets('bench-secret-0123456789') };
  await storeModel(ctx, model, bytes, { actor: SYSTEM_ACTOR, source: 'bench' });
  const { signedInApp } = await import('../tests/auth.ts');
  const app = await signedInApp(await buildApp(ctx), db, 'operator');
  const times: number[] = [];
  for (let i = 0; i < sample.length; i++) {
    const text = sample[i].slice(0, 600); // what an operator types: a few hundred characters
    const t = performance.now();
    const res = await app.inject({ method: 'POST', url: '/api/tagging/suggest', payload: { text, callerPhone: '13800138000' } });
    times.push(performance.now() - t);
    if (res.statusCode !== 200) throw new Error(`suggest ${res.statusCode}: ${res.body}`);
  }
  await app.close();
  await db.close();
  times.sort((a, b) => a - b);
  const q = (p: number) => Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))] * 100) / 100;
  return { requests: times.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: q(1) };
}
