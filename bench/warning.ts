// Early-warning benchmark: per family sensitivity, median days to detect and false alarms per month (total
// and per unit) on a simulated city with ≥ 100 injected incidents per family; the R package surveillance
// (EARS C2/C3, glrnb, farrington) runs on the SAME trending series in the same run and all methods are also
// compared at an equal false-alarm rate; and the runtime of one full daily run over 365 days ≈ 3.5 M cases.
// `npm run bench -- warning [--quick]`
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { writeResults } from './_results.ts';
import { addDays } from '../src/shared/time.ts';
import { earsC } from '../src/warning/ears.ts';
import { trendSeries, detectConcentrated, detectAll, type WarningInput } from '../src/warning/detect.ts';
import { FirstStoryClusterer, emergingTopics } from '../src/warning/emerging.ts';
import { rng } from '../src/warning/random.ts';
import { simulateCity, simulateSeries, simulateStream, type SimCase } from '../src/warning/simulate.ts';

const quick = process.argv.includes('--quick');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : null;
const R_SCRIPT = '/work/shared/peers/detect_surveillance.R';
const median = (xs: number[]) => { if (!xs.length) return null; const s = xs.slice().sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const r3 = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
const log = (...a: unknown[]) => console.error('[warning bench]', ...a);

// ---------------- A. trending ----------------
function benchTrending() {
  const firstDay = '2023-01-01', days = 1095, fitEnd = 730;
  const nSeries = quick ? 60 : 130, nInjected = quick ? 50 : 110;
  const rand = rng(42);
  const series: { y: Float64Array; rise: { start: number; end: number; factor: number } | null; level: number }[] = [];
  for (let s = 0; s < nSeries; s++) {
    const level = Math.exp(Math.log(2) + rand() * Math.log(20)); // 2–40 a day
    const rise = s < nInjected ? (() => { const start = fitEnd + 14 + Math.floor(rand() * (days - fitEnd - 90)); return { start, end: start + 27 + Math.floor(rand() * 29), factor: 1.5 }; })() : null;
    series.push({ y: simulateSeries(rand, firstDay, days, level, 0.03, rise ?? undefined), rise, level });
  }
  const dates = Array.from({ length: days }, (_, t) => addDays(firstDay, t));
  // score[t] ≥ threshold is an alarm on day t; each method gives one score array per series (monitored days only)
  const scores: Record<string, Float64Array[]> = {};
  const operational: Record<string, number> = {};
  const t0 = performance.now();
  const ri = 200;
  scores['NB-CUSUM (ours)'] = series.map((s) => {
    const tr = trendSeries(s.y, firstDay, fitEnd, 1.5, ri);
    const out = new Float64Array(days).fill(-Infinity);
    out.set(tr.stat.map((x) => x - tr.h), fitEnd); // operational threshold at 0
    return out;
  });
  operational['NB-CUSUM (ours)'] = 0;
  const oursSeconds = (performance.now() - t0) / 1000;
  for (const m of ['C2', 'C3'] as const) {
    scores[`EARS ${m} (ours)`] = series.map((s) => { const r = earsC(s.y, m, 0.01); return Float64Array.from(s.y, (x, t) => (t >= fitEnd ? x - r.upperbound[t] : -Infinity)); });
    operational[`EARS ${m} (ours)`] = 0;
  }
  // R peer on the same series
  const peer: Record<string, unknown> = {};
  let rOk = false;
  try { execFileSync('Rscript', ['--version'], { stdio: 'ignore' }); rOk = fs.existsSync(R_SCRIPT); } catch { rOk = false; }
  if (!rOk) log('R peer missing (Rscript or', R_SCRIPT, ') — peer comparison skipped');
  else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warn-bench-'));
    const csv = path.join(dir, 'counts.csv');
    const lines = ['series,date,count'];
    series.forEach((s, i) => s.y.forEach((x, t) => lines.push(`s${i},${dates[t]},${x}`)));
    fs.writeFileSync(csv, lines.join('\n') + '\n');
    for (const method of ['C2', 'C3', 'glrnb', 'farrington']) {
      const t1 = performance.now();
      try {
        const out = execFileSync('Rscript', [R_SCRIPT, csv, method, '0.01'], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 900_000, stdio: ['ignore', 'pipe', 'ignore'] });
        const arr = series.map(() => new Float64Array(days).fill(-Infinity));
        let secs = null as number | null;
        for (const line of out.split('\n')) {
          if (line.startsWith('# seconds=')) { secs = Number(line.slice(10)); continue; }
          const [sname, date, count, ub] = line.split(',');
          if (!sname || sname === 'series' || !ub || ub === 'NA') continue;
          const si = Number(sname.slice(1));
          let t: number;
          if (method === 'farrington') {
            // weekly: the alarm is known at the end of the ISO week (its Sunday)
            const [yy, ww] = date.split('-W').map(Number);
            const jan4 = Date.UTC(yy, 0, 4);
            const monday = jan4 - (((new Date(jan4).getUTCDay() + 6) % 7) * 86400_000) + (ww - 1) * 7 * 86400_000;
            t = Math.round((monday + 6 * 86400_000 - Date.parse(`${firstDay}T00:00:00Z`)) / 86400_000);
          } else t = Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${firstDay}T00:00:00Z`)) / 86400_000);
          if (t >= fitEnd && t < days) arr[si][t] = Number(count) - Number(ub);
        }
        scores[`R ${method}`] = arr;
        operational[`R ${method}`] = 0;
        peer[method] = { seconds: secs, wallSeconds: r3((performance.now() - t1) / 1000) };
      } catch (e) {
        peer[method] = { error: String((e as Error).message).slice(0, 200) };
        log('R', method, 'failed', (e as Error).message.slice(0, 200));
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const isNull = (si: number, t: number) => { const r = series[si].rise; return !r || t < r.start || t > r.end + 21; };
  const evaluate = (arr: Float64Array[], thr: number) => {
    let onsets = 0, nullDays = 0;
    const delays: number[] = [];
    let detected = 0;
    arr.forEach((sc, si) => {
      for (let t = fitEnd; t < days; t++) {
        if (!isNull(si, t)) continue;
        nullDays++;
        if (sc[t] >= thr && !(sc[t - 1] >= thr)) onsets++;
      }
      const r = series[si].rise;
      if (r) { for (let t = r.start; t <= r.end; t++) if (sc[t] >= thr) { detected++; delays.push(t - r.start); break; } }
    });
    return { sensitivity: r3(detected / nInjected), medianDaysToDetect: median(delays), falseAlarmsPerDayPerSeries: r3(onsets / nullDays) ?? 0, falseAlarmsPerMonthTotal: r3((onsets / nullDays) * 30 * nSeries) };
  };
  const target = 0.005;
  const equalFa = (arr: Float64Array[]) => {
    const cands = new Set<number>();
    arr.forEach((sc, si) => sc.forEach((x, t) => { if (t >= fitEnd && isNull(si, t) && Number.isFinite(x)) cands.add(x); }));
    const sorted = [...cands].sort((a, b) => a - b);
    let lo = 0, hi = sorted.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (evaluate(arr, sorted[mid] + 1e-9).falseAlarmsPerDayPerSeries <= target) hi = mid; else lo = mid + 1; }
    const thr = (sorted[lo] ?? 0) + 1e-9;
    return { threshold: r3(thr), ...evaluate(arr, thr) };
  };
  const methods: Record<string, unknown> = {};
  for (const [name, arr] of Object.entries(scores)) methods[name] = { operational: evaluate(arr, operational[name]), atEqualFalseAlarmRate: equalFa(arr) };
  return {
    setup: { series: nSeries, injectedRises: nInjected, factor: 1.5, riseDays: '28–56', levels: '2–40 a day, NB α=0.03, weekday/holiday/调休/season', history: '2 years fitted, third year monitored', recurrenceDaysPerSeries: ri, equalFalseAlarmTarget: target },
    methods, peer: rOk ? peer : 'R peer not available', oursSeconds: r3(oursSeconds),
  };
}

// ---------------- B. concentrated ----------------
function benchConcentrated() {
  const city = simulateCity(3, { placesPerStreet: 6 }); // 432 places (community level)
  const firstDay = '2024-03-01', warm = 56, evalDays = quick ? 20 : 40, days = warm + evalDays;
  const perDay = quick ? 1500 : 2000, nInc = quick ? 50 : 105;
  const rand = rng(77);
  const incidents = Array.from({ length: nInc }, (_, i) => {
    const len = 1 + Math.floor(rand() * 7);
    return { id: i, place: Math.floor(rand() * city.places.length), cat: Math.floor(rand() * city.categories.length), size: 10 + Math.floor(rand() * 21), start: warm + Math.floor(rand() * (evalDays - len)), len };
  });
  const cases: SimCase[] = [];
  simulateStream(city, {
    firstDay, days, perDay, seed: 5,
    inject: (d, add) => {
      for (const inc of incidents) {
        if (d < inc.start || d >= inc.start + inc.len) continue;
        const n = Math.floor(inc.size / inc.len) + (d - inc.start < inc.size % inc.len ? 1 : 0);
        const pl = city.places[inc.place];
        for (let k = 0; k < n; k++) add({ day: d, cat: inc.cat, district: pl.district, street: pl.street, place: inc.place, truth: `c${inc.id}` });
      }
    },
  }, (c) => cases.push(c));
  const recent = {
    id: Float64Array.from(cases, (c) => c.id), day: Int32Array.from(cases, (c) => c.day), at: Float64Array.from(cases, (c) => c.at),
    cat: Int32Array.from(cases, (c) => c.cat), district: Int32Array.from(cases, (c) => c.district), street: Int32Array.from(cases, (c) => c.street), place: Int32Array.from(cases, (c) => c.place),
  };
  const truthOf = new Map<number, string>();
  cases.forEach((c) => c.truth && truthOf.set(c.id, c.truth));
  const input = (today: string): WarningInput => ({
    today, firstDay, counts: { day: new Int32Array(0), cat: new Int32Array(0), district: new Int32Array(0), street: new Int32Array(0), n: new Float64Array(0) },
    catCodes: city.categories.map((c) => c.code), districtCodes: city.districts, streetCodes: city.streets.map((s) => s.code), names: new Map(), recent,
    places: city.places.map((p) => ({ key: p.key, name: p.name, lng: p.lng, lat: p.lat, districtCode: city.districts[p.district], streetCode: city.streets[p.street].code })),
  });
  const alerts: { keys: string[]; first: number; last: number; members: Set<number>; cat: string }[] = [];
  const t0 = performance.now();
  for (let d = warm; d < days; d++) {
    if ((d - warm) % 10 === 0) log('concentrated day', d - warm, 'of', evalDays, ((performance.now() - t0) / 1000).toFixed(1), 's');
    for (const det of detectConcentrated(input(addDays(firstDay, d)), {})) {
      const open = alerts.find((a) => a.keys.some((k) => det.matchKeys.includes(k)) && d - a.last <= 14);
      if (open) { open.last = d; det.memberCaseIds.forEach((m) => open.members.add(m)); open.keys = [...new Set([...open.keys, ...det.matchKeys])]; }
      else alerts.push({ keys: det.matchKeys, first: d, last: d, members: new Set(det.memberCaseIds), cat: det.categoryCode! });
    }
  }
  const scanSecondsPerDay = (performance.now() - t0) / 1000 / evalDays;
  const delays: number[] = [], delaysFrom3: number[] = [];
  let detected = 0;
  for (const inc of incidents) {
    const tag = `c${inc.id}`;
    const hit = alerts.filter((a) => [...a.members].some((m) => truthOf.get(m) === tag)).sort((a, b) => a.first - b.first)[0];
    if (hit && hit.first <= inc.start + inc.len + 2) {
      detected++;
      delays.push(hit.first - inc.start);
    }
  }
  const falseAlerts = alerts.filter((a) => ![...a.members].some((m) => truthOf.has(m)));
  const perUnit = new Map<string, number>();
  for (const a of falseAlerts) { const u = city.categories.find((c) => c.code === a.cat)!.unit; perUnit.set(u, (perUnit.get(u) ?? 0) + 1); }
  const months = evalDays / 30;
  return {
    setup: { places: city.places.length, categories: city.categories.length, casesPerDay: perDay, evalDays, incidents: nInc, size: '10–30 requests', length: '1–7 days', replicates: 999, windows: '1–14 days', neighbours: 10 },
    sensitivity: r3(detected / nInc), medianDaysToDetect: median(delays), delayNote: 'days from the incident’s first request to the first alert (0 = same day)',
    alerts: alerts.length, falseAlarms: falseAlerts.length, falseAlarmsPerMonth: r3(falseAlerts.length / months),
    falseAlarmsPerMonthPerUnit: { mean: r3(falseAlerts.length / months / city.units.length), max: r3(Math.max(0, ...perUnit.values()) / months), units: city.units.length },
    scanSecondsPerDailyRun: r3(scanSecondsPerDay),
  };
  void delaysFrom3;
}

// ---------------- C. emerging ----------------
const ORGS = ['快递公司', '社保局', '医保局', '电商客服', '供电公司', '银行', '税务局', '公积金中心', '燃气公司', '学校老师'];
const PRETEXT = ['退费', '补贴发放', '账户认证', '积分兑换', '刷单返利', '注销账户', '资格审核', '包裹理赔'];
const SYL = ['鑫', '融', '汇', '易', '快', '聚', '金', '宝', '利', '盈', '优', '乐', '安', '信', '诚', '瑞', '星', '恒', '泰', '达', '享', '付', '通', '益', '惠', '联', '捷', '丰'];
function newTopicText(rand: () => number, term: string, org: string, pre: string): string {
  const forms = [
    `有人自称${org}工作人员，以${pre}为名让我下载${term}，还要验证码，被骗了${1 + Math.floor(rand() * 50)}百元`,
    `接到冒充${org}的电话，说${pre}要用${term}操作，转账后对方失联，损失${1 + Math.floor(rand() * 50)}百元`,
    `${term}是不是诈骗？对方说是${org}的${pre}，要求先交保证金`,
    `家里老人被${term}骗了，对方冒充${org}办理${pre}，请公安查处`,
  ];
  return forms[Math.floor(rand() * forms.length)];
}
function benchEmerging() {
  const city = simulateCity(4);
  const firstDay = '2024-05-01', warm = 28, evalDays = quick ? 42 : 84, days = warm + evalDays;
  const perDay = quick ? 1200 : 2000, nInc = quick ? 60 : 110;
  const rand = rng(99);
  const incidents = Array.from({ length: nInc }, (_, i) => {
    const term = SYL[Math.floor(rand() * SYL.length)] + SYL[Math.floor(rand() * SYL.length)] + ['宝', '贷', 'APP', '钱包', '助手'][Math.floor(rand() * 5)] + String.fromCharCode(65 + (i % 26));
    return { id: i, term, org: ORGS[Math.floor(rand() * ORGS.length)], pre: PRETEXT[Math.floor(rand() * PRETEXT.length)], size: 10 + Math.floor(rand() * 11), start: warm + Math.floor(rand() * (evalDays - 3)), len: 1 + Math.floor(rand() * 3) };
  });
  const fsd = new FirstStoryClusterer(0.4, 60);
  const raised = new Map<number, number>(); // cluster id → day raised
  const truth = new Map<string, number>();
  let currentDay = 0;
  const t0 = performance.now();
  let docs = 0;
  simulateStream(city, {
    firstDay, days, perDay, seed: 11, text: true,
    inject: (d, add) => {
      for (const inc of incidents) {
        if (d < inc.start || d >= inc.start + inc.len) continue;
        const n = Math.floor(inc.size / inc.len) + (d - inc.start < inc.size % inc.len ? 1 : 0);
        for (let k = 0; k < n; k++) {
          const p = Math.floor(rand() * city.places.length);
          const pl = city.places[p];
          add({ day: d, cat: Math.floor(rand() * city.categories.length), district: pl.district, street: pl.street, place: p, text: newTopicText(rand, inc.term, inc.org, inc.pre), truth: `e${inc.id}` });
        }
      }
    },
  }, (c) => {
    if (c.day !== currentDay) {
      if (currentDay >= warm) for (const cl of emergingTopics(fsd, currentDay, { minPersons: 8, windowDays: 3, maxAgeDays: 7 })) if (!raised.has(cl.id)) raised.set(cl.id, currentDay);
      currentDay = c.day;
    }
    docs++;
    if (c.truth) truth.set(String(c.id), Number(c.truth.slice(1)));
    // arrival order within a day is by generation; for the incremental run what matters is the day
    fsd.add({ id: String(c.id), day: c.day, text: c.text!, person: c.person });
  });
  for (const cl of emergingTopics(fsd, currentDay, { minPersons: 8, windowDays: 3, maxAgeDays: 7 })) if (!raised.has(cl.id)) raised.set(cl.id, currentDay);
  const seconds = (performance.now() - t0) / 1000;
  const delays: number[] = [];
  let detected = 0, falseAlarms = 0;
  const hitBy = new Map<number, number>();
  for (const [cid, day] of raised) {
    const cl = fsd.clusters[cid];
    const counts = new Map<number, number>();
    for (const m of cl.members) { const t = truth.get(m.id); if (t !== undefined) counts.set(t, (counts.get(t) ?? 0) + 1); }
    const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
    if (!best || best[1] < cl.members.length / 2) { falseAlarms++; continue; }
    const prev = hitBy.get(best[0]);
    if (prev === undefined || day < prev) hitBy.set(best[0], day);
  }
  for (const inc of incidents) {
    const day = hitBy.get(inc.id);
    if (day !== undefined && day - inc.start <= 2) { detected++; delays.push(day - inc.start); }
  }
  return {
    setup: { casesPerDay: perDay, evalDays, newTopics: nInc, size: '10–20 requests within 1–3 days, spread over categories and districts', minPersons: 8, windowDays: 3 },
    sensitivityWithin3Days: r3(detected / nInc), medianDaysToDetect: median(delays), alerts: raised.size, falseAlarms,
    falseAlarmsPerWeek: r3(falseAlarms / (evalDays / 7)), docsPerSecond: Math.round(docs / seconds),
  };
}

// ---------------- D. runtime of one full daily run ----------------
function benchRuntime() {
  const city = simulateCity(8, { streetsPer: 20, placesPerStreet: 8 });
  const firstDay = '2025-01-01', days = 365, perDay = quick ? 3000 : 9600;
  const agg = new Map<number, number>();
  const rec: SimCase[] = [];
  const tg = performance.now();
  const n = simulateStream(city, { firstDay, days, perDay, seed: 21, text: true, textFromDay: days - 28 }, (c) => {
    const key = (c.day * city.categories.length + c.cat) * city.streets.length + c.street;
    agg.set(key, (agg.get(key) ?? 0) + 1);
    if (c.day >= days - 56) rec.push(c);
  });
  const genSeconds = (performance.now() - tg) / 1000;
  const keys = [...agg.keys()];
  const S = city.streets.length, K = city.categories.length;
  const input: WarningInput = {
    today: addDays(firstDay, days - 1), firstDay,
    counts: {
      day: Int32Array.from(keys, (k) => Math.floor(k / (K * S))), cat: Int32Array.from(keys, (k) => Math.floor(k / S) % K),
      street: Int32Array.from(keys, (k) => k % S), district: Int32Array.from(keys, (k) => city.streets[k % S].district), n: Float64Array.from(keys, (k) => agg.get(k)!),
    },
    catCodes: city.categories.map((c) => c.code), districtCodes: city.districts, streetCodes: city.streets.map((s) => s.code),
    catParent: new Map(city.categories.map((c) => [c.code, c.parent])), names: new Map(),
    recent: {
      id: Float64Array.from(rec, (c) => c.id), day: Int32Array.from(rec, (c) => c.day), at: Float64Array.from(rec, (c) => c.at), cat: Int32Array.from(rec, (c) => c.cat),
      district: Int32Array.from(rec, (c) => c.district), street: Int32Array.from(rec, (c) => c.street), place: Int32Array.from(rec, (c) => c.place),
      text: rec.map((c) => c.text ?? ''), person: rec.map((c) => c.person),
    },
    places: city.places.map((p) => ({ key: p.key, name: p.name, lng: p.lng, lat: p.lat, districtCode: city.districts[p.district], streetCode: city.streets[p.street].code })),
  };
  const times: Record<string, number> = {};
  let total = 0;
  const found: Record<string, number> = {};
  for (const kind of ['trending', 'concentrated', 'emerging'] as const) {
    const t = performance.now();
    found[kind] = detectAll(input, { kinds: [kind] }).length;
    times[kind] = r3((performance.now() - t) / 1000)!;
    total += times[kind];
  }
  return { cases: n, days, generateSeconds: r3(genSeconds), detectSeconds: times, totalDetectSeconds: r3(total), alertsOnNullBackground: found, target: '< 60 s', note: 'detectors over one in-memory snapshot (365 days of counts, 56 days of cases, 28 days of texts); the database run adds the SQL group-by and the recent-case read' };
}

const results: Record<string, unknown> = { quick };
for (const [name, fn] of [['trending', benchTrending], ['concentrated', benchConcentrated], ['emerging', benchEmerging], ['runtime', benchRuntime]] as const) {
  if (only && !only.includes(name)) continue;
  const t = performance.now();
  log('running', name);
  try { results[name] = fn(); } catch (e) { results[name] = { error: String((e as Error).stack ?? e) }; }
  log(name, 'done in', ((performance.now() - t) / 1000).toFixed(1), 's', JSON.stringify(results[name]).slice(0, 400));
}
results.targets = {
  concentrated: '≥ 90% of ≥10-request/≤7-day incidents, median delay ≤ 2 days',
  trending: '≥ 90% of ×1.5 rises at ≤ 0.005 false alarms/day/series, median delay ≤ 5 days, ≥ best R peer at equal FA',
  emerging: '≥ 10-request new topics within 3 days, ≤ 1 false alarm/week',
  runtime: 'full daily run over 365 days ≈ 3.5 M cases < 60 s',
};
// With --only, keep the other sections of an earlier run (each section says when it ran).
const file = path.join(path.dirname(new URL(import.meta.url).pathname), 'results', 'warning.json');
if (only && fs.existsSync(file)) {
  const prev = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const k of ['trending', 'concentrated', 'emerging', 'runtime']) if (!(k in results) && prev[k]) results[k] = { ...prev[k], ranAt: prev[k].ranAt ?? prev.ranAt };
}
for (const k of ['trending', 'concentrated', 'emerging', 'runtime']) if (results[k] && !(results[k] as any).ranAt) (results[k] as any).ranAt = new Date().toISOString();
writeResults('warning', results);
