// `minsheng warn replay --messages FILE.csv --json`: replays a message-board stream (id,user,time,subject,
// detail,likes,dislikes) in time order, in memory: places by pattern, reposts of one user folded, the three
// detector families run as of each day (alerts merged per incident exactly like the alert store does), and
// hot issues (热点问题) grouped by place + topic and ranked by a heat index of distinct people and support.
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { validationError } from '../shared/errors.ts';
import { addDays, daysBetween } from '../shared/time.ts';
import { detectAll, type PlaceInfo, type WarningInput, type WarningOptions } from './detect.ts';
import type { Detection } from './detection.ts';
import { FirstStoryClusterer, clusterKeywords } from './emerging.ts';
import { jaccardEstimate, minhash, words } from './text.ts';

export interface Message { id: string; user: string; time: string; subject: string; detail: string; likes: number; dislikes: number }

const REQUIRED = ['id', 'user', 'time', 'subject', 'detail'];

/** Parses and validates a messages CSV; rows with a bad time are skipped and counted, a bad header is an error. */
export function readMessages(text: string): { messages: Message[]; skipped: { line: number; reason: string }[] } {
  let rows: string[][];
  try {
    rows = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: true });
  } catch (e) {
    throw validationError({ messages: `CSV 格式错误：${(e as Error).message}` }, '留言文件无法解析');
  }
  if (!rows.length) throw validationError({ messages: '文件为空' }, '留言文件为空');
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length) throw validationError({ messages: `缺少列：${missing.join(', ')}（需要 id,user,time,subject,detail[,likes,dislikes]）` }, '留言文件缺少必需的列');
  const col = (name: string) => header.indexOf(name);
  const messages: Message[] = [];
  const skipped: { line: number; reason: string }[] = [];
  const seen = new Set<string>();
  for (let i = 1; i < rows.length; i++) {
    const r = rows[i];
    const get = (name: string) => (col(name) >= 0 ? (r[col(name)] ?? '').trim() : '');
    const id = get('id'), time = get('time');
    if (!id) { skipped.push({ line: i + 1, reason: '缺少 id' }); continue; }
    if (seen.has(id)) { skipped.push({ line: i + 1, reason: `重复 id ${id}` }); continue; }
    const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?/.exec(time);
    if (!m) { skipped.push({ line: i + 1, reason: `时间无法识别: ${time.slice(0, 30)}` }); continue; }
    const iso = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')} ${(m[4] ?? '0').padStart(2, '0')}:${m[5] ?? '00'}:${m[6] ?? '00'}`;
    if (Number.isNaN(Date.parse(iso.replace(' ', 'T') + '+08:00'))) { skipped.push({ line: i + 1, reason: `时间无效: ${time}` }); continue; }
    const text = get('subject') + get('detail');
    if (!text) { skipped.push({ line: i + 1, reason: '标题和内容都为空' }); continue; }
    seen.add(id);
    const num = (s: string) => (/^-?\d+$/.test(s) ? Math.max(0, Number(s)) : 0);
    messages.push({ id, user: get('user') || `anon:${id}`, time: iso, subject: get('subject'), detail: get('detail'), likes: num(get('likes')), dislikes: num(get('dislikes')) });
  }
  messages.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  return { messages, skipped };
}

const DISTRICT = /(?:[A-Z]市)?([A-Z]\d{1,2}(?:区|县|市))/;
const PLACE = /([\u4e00-\u9fa5A-Za-z0-9]{2,12}?(?:小区|花园|家园|公寓|大厦|广场|新城|社区|村|镇|街道|大道|路|街|巷|中学|小学|学校|幼儿园|医院|市场|公司|楼盘|苑|府|城|湾|园|庭|郡|里))/g;
const LEAD = /^(?:.*?(?:反映|关于|投诉|举报|咨询|请问|建议|希望|要求|请求|强烈|我是|我们|位于|在|的|了|到|和|与|对|向|给|将|为|从|及|等|市|区|县))+/;
const GENERIC = new Set(['道路', '马路', '小区', '公路', '社区', '农村', '城市', '花园', '学校', '医院', '公司', '市场', '街道', '乡镇', '城区', '新城', '老城', '本村', '我村', '该小区', '这个小区', '进城', '出城', '回家路']);

/** The most specific place named in a message (compound, road, village…) and its anonymised district. */
export function placeOf(subject: string, detail: string): { district: string | null; place: string | null } {
  const text = subject + '。' + detail;
  const district = DISTRICT.exec(text)?.[1] ?? null;
  for (const src of [subject, detail.slice(0, 300)]) {
    const clean = src.replace(/[A-Z]市|[A-Z]\d{1,2}(?:区|县|市)/g, '，');
    for (const m of clean.matchAll(PLACE)) {
      let name = m[1].replace(LEAD, '');
      const more = /^(?:小区|花园|家园|公寓|社区|新城|村|镇)/.exec(clean.slice((m.index ?? 0) + m[1].length));
      if (more) name += more[0];
      if (name.length < 3 || GENERIC.has(name) || /^\d/.test(name)) continue;
      if (/(?:问题|情况|建设|改造|规划|管理|政策|工作)/.test(name)) continue;
      name = name.slice(-12);
      return { district, place: name };
    }
  }
  return { district, place: null };
}

export interface ReplayOptions { minPersons?: number; replicates?: number; top?: number; options?: WarningOptions }

interface AlertOut {
  kind: string; title: string; raisedOn: string; updatedOn: string;
  scope: { place: string | null; district: string | null; keywords: string[] };
  firstSeen: string; lastSeen: string; memberIds: string[];
  stats: { observed: number; expected: number; pValue: number | null; recurrenceDays: number | null; statistic: number | null; distinctUsers: number };
  matchKeys: string[];
}

export function replayMessages(text: string, o: ReplayOptions = {}) {
  const t0 = performance.now();
  const { messages, skipped } = readMessages(text);
  if (!messages.length) throw validationError({ messages: '没有有效的留言行' }, '留言文件没有有效数据');
  // The timeline starts where the stream becomes regular (a few stray old messages would only pad it).
  const day0 = messages[Math.floor(messages.length * 0.005)].time.slice(0, 10), dayN = messages[messages.length - 1].time.slice(0, 10);
  const days = daysBetween(day0, dayN) + 1;
  const at = (m: Message) => Date.parse(m.time.replace(' ', 'T') + '+08:00');

  // Places and reposts: a repost is the same user saying nearly the same thing again within 60 days.
  const placed = messages.map((m) => placeOf(m.subject, m.detail));
  const sigs = messages.map((m) => minhash(m.subject + m.detail.slice(0, 200)));
  const repostOf = new Int32Array(messages.length).fill(-1);
  const byUser = new Map<string, number[]>();
  messages.forEach((m, i) => {
    const prev = byUser.get(m.user) ?? [];
    for (const j of prev) {
      if (at(m) - at(messages[j]) > 60 * 86400_000) continue;
      if (jaccardEstimate(sigs[i], sigs[j]) >= 0.5 || (placed[i].place && placed[i].place === placed[j].place)) { repostOf[i] = repostOf[j] >= 0 ? repostOf[j] : j; break; }
    }
    prev.push(i);
    byUser.set(m.user, prev);
  });

  // Detector input: originals only (reposts never inflate counts), one topic, districts as series.
  const originals = messages.map((_, i) => i).filter((i) => repostOf[i] < 0);
  const districts: string[] = [];
  const dIdx = (d: string | null) => { if (!d) return -1; let k = districts.indexOf(d); if (k < 0) { districts.push(d); k = districts.length - 1; } return k; };
  const places: PlaceInfo[] = [];
  const pIdx = new Map<string, number>();
  const placeIndex = (i: number) => {
    const p = placed[i].place;
    if (!p) return -1;
    const key = `${placed[i].district ?? ''}|${p}`;
    let k = pIdx.get(key);
    if (k === undefined) { places.push({ key, name: (placed[i].district ?? '') + p, lng: 0, lat: 0, districtCode: placed[i].district }); pIdx.set(key, (k = places.length - 1)); }
    return k;
  };
  const dayOf = (i: number) => daysBetween(day0, messages[i].time.slice(0, 10));
  const recent = {
    id: Float64Array.from(originals, (i) => i),
    day: Int32Array.from(originals, dayOf),
    at: Float64Array.from(originals, (i) => at(messages[i])),
    cat: new Int32Array(originals.length),
    district: Int32Array.from(originals, (i) => dIdx(placed[i].district)),
    street: new Int32Array(originals.length).fill(-1),
    place: Int32Array.from(originals, placeIndex),
    text: originals.map((i) => messages[i].subject + messages[i].detail),
    person: originals.map((i) => messages[i].user),
  };
  const counts = { day: recent.day, cat: recent.cat, district: recent.district, street: recent.street, n: new Float64Array(originals.length).fill(1) };
  const names = new Map<string, string>([['msg', '网络留言']]);
  const opts: WarningOptions = {
    ...o.options,
    trending: { recurrenceDays: 200, minLevel: 0.5, monitorDays: 28, ...o.options?.trending },
    concentrated: { neighbours: 1, minCases: 3, replicates: o.replicates ?? 999, familyAlarmsPerDay: 0.01, analysisDays: Math.min(56, days), ...o.options?.concentrated },
    // messages carry no street: "several places" cannot be asked of them
    emerging: { minPersons: o.minPersons ?? 3, minPlaces: 1, historyDays: Math.min(28, days), ...o.options?.emerging },
  };

  // Day by day, as of each day's end; merge detections into incidents like upsertAlerts.
  const alerts: (AlertOut & { lastAt: number; members: Set<string>; users: Set<string> })[] = [];
  const idOf = (k: number) => messages[k].id;
  for (let d = 0; d < days; d++) {
    const today = addDays(day0, d);
    const input: WarningInput = { today, firstDay: day0, counts, catCodes: ['msg'], districtCodes: districts, streetCodes: [], names, recent, places };
    let found: Detection[];
    found = detectAll(input, opts);
    for (const det of found) {
      const open = alerts.find((a) => a.kind === det.kind && a.matchKeys.some((k) => det.matchKeys.includes(k)) && det.lastSeenAt.getTime() - a.lastAt < 14 * 86400_000);
      const memberIds = det.memberCaseIds.map((k) => idOf(k));
      // fold reposts of the members back in as members (they are evidence, just not extra people)
      messages.forEach((_, i) => { if (repostOf[i] >= 0 && det.memberCaseIds.includes(repostOf[i])) memberIds.push(idOf(i)); });
      if (open) {
        memberIds.forEach((x) => open.members.add(x));
        det.memberCaseIds.forEach((k) => open.users.add(messages[k].user));
        open.updatedOn = today;
        open.lastAt = Math.max(open.lastAt, det.lastSeenAt.getTime());
        open.lastSeen = new Date(open.lastAt).toISOString();
        open.stats.observed = Math.max(open.stats.observed, det.observed);
        // a detector without a p-value (novel clusters) leaves it unknown, not 1
        const ps = [open.stats.pValue, det.pValue].filter((p): p is number => typeof p === 'number');
        open.stats.pValue = ps.length ? Math.min(...ps) : null;
        open.matchKeys = [...new Set([...open.matchKeys, ...det.matchKeys])];
        continue;
      }
      alerts.push({
        kind: det.kind, title: det.title.replace('网络留言', '留言'), raisedOn: today, updatedOn: today,
        scope: { place: det.placeName ?? null, district: det.districtCode ?? null, keywords: det.keywords ?? [] },
        firstSeen: det.firstSeenAt.toISOString(), lastSeen: det.lastSeenAt.toISOString(), memberIds: [],
        stats: { observed: det.observed, expected: det.expected, pValue: det.pValue ?? null, recurrenceDays: det.recurrenceDays ?? null, statistic: det.statistic ?? null, distinctUsers: 0 },
        matchKeys: det.matchKeys, lastAt: det.lastSeenAt.getTime(), members: new Set(memberIds), users: new Set(det.memberCaseIds.map((k) => messages[k].user)),
      });
    }
  }

  // Hot issues: union of (same text cluster) and (same specific place), ranked by heat.
  const parent = Int32Array.from(messages, (_, i) => i);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x])));
  const union = (a: number, b: number) => { a = find(a); b = find(b); if (a !== b) parent[Math.max(a, b)] = Math.min(a, b); };
  const fsd = new FirstStoryClusterer(0.35, 365 * 5);
  const firstOfCluster = new Map<string, number>();
  const byPlace = new Map<string, number>();
  messages.forEach((m, i) => {
    if (repostOf[i] >= 0) { union(i, repostOf[i]); return; }
    const { cluster } = fsd.add({ id: String(i), day: dayOf(i), text: m.subject + m.detail.slice(0, 200), person: m.user });
    // a topic groups with itself only within one district: hot issues are place + topic
    const ck = `${cluster.id}|${placed[i].district ?? ''}`;
    const f = firstOfCluster.get(ck);
    if (f === undefined) firstOfCluster.set(ck, i); else union(i, f);
    const p = placed[i].place;
    if (p) { const key = `${placed[i].district ?? ''}|${p}`; const q = byPlace.get(key); if (q === undefined) byPlace.set(key, i); else union(i, q); }
  });
  const groups = new Map<number, number[]>();
  messages.forEach((_, i) => { const r = find(i); const g = groups.get(r); if (g) g.push(i); else groups.set(r, [i]); });
  const bg = new Map<string, number>();
  const step = Math.max(1, Math.floor(messages.length / 3000));
  let bgDocs = 0;
  for (let i = 0; i < messages.length; i += step) { bgDocs++; for (const w of new Set(words(messages[i].subject))) bg.set(w, (bg.get(w) ?? 0) + 1); }
  const hot = [...groups.values()]
    .map((idx) => {
      const users = new Map<string, { likes: number; dislikes: number }>();
      for (const i of idx) {
        const m = messages[i];
        const u = users.get(m.user) ?? { likes: 0, dislikes: 0 };
        users.set(m.user, { likes: Math.max(u.likes, m.likes), dislikes: Math.max(u.dislikes, m.dislikes) });
      }
      let likes = 0, dislikes = 0;
      for (const u of users.values()) { likes += u.likes; dislikes += u.dislikes; }
      const support = Math.max(0, likes - dislikes);
      const heat = users.size + 2 * Math.log1p(support);
      return { idx, users: users.size, likes, dislikes, heat };
    })
    .filter((g) => g.users >= 2 || g.likes >= 10)
    .sort((a, b) => b.heat - a.heat)
    .slice(0, o.top ?? 20)
    .map((g, rank) => {
      const top = g.idx.slice().sort((a, b) => messages[b].likes - messages[a].likes)[0];
      const placesHere = [...new Set(g.idx.map((i) => placed[i].place).filter(Boolean))] as string[];
      const districtsHere = [...new Set(g.idx.map((i) => placed[i].district).filter(Boolean))] as string[];
      const cluster = { id: 0, firstDay: 0, lastDay: 0, members: g.idx.map((i) => ({ id: messages[i].id, day: 0, text: messages[i].subject })), persons: new Set<string>(), sigs: [] };
      const times = g.idx.map((i) => messages[i].time).sort();
      return {
        rank: rank + 1,
        place: placesHere[0] ? `${districtsHere[0] ?? ''}${placesHere[0]}` : districtsHere.length ? districtsHere.join('、') : '未识别地点',
        group: placesHere.length ? '地点' : '话题',
        description: messages[top].subject,
        keywords: clusterKeywords(cluster, bg, bgDocs, 5),
        from: times[0], to: times[times.length - 1],
        messages: g.idx.length, distinctUsers: g.users, likes: g.likes, dislikes: g.dislikes,
        heatIndex: Math.round(g.heat * 100) / 100,
        memberIds: g.idx.map((i) => messages[i].id),
      };
    });
  const outAlerts = alerts.map(({ lastAt: _l, members, users, matchKeys: _m, ...a }) => ({ ...a, memberIds: [...members], stats: { ...a.stats, distinctUsers: users.size } }));
  return {
    input: { rows: messages.length + skipped.length, valid: messages.length, skipped: skipped.length, skippedLines: skipped.slice(0, 20), from: messages[0].time, to: messages[messages.length - 1].time, users: new Set(messages.map((m) => m.user)).size, reposts: [...repostOf].filter((x) => x >= 0).length },
    heatIndex: '热度 = 不同留言人数 + 2·ln(1 + 支持数)，支持数 = 每位留言人最高点赞数之和 − 反对数（同一人重复留言只计一次）',
    alerts: outAlerts,
    alertCounts: outAlerts.reduce<Record<string, number>>((a, x) => ((a[x.kind] = (a[x.kind] ?? 0) + 1), a), {}),
    hotIssues: hot,
    seconds: Math.round(performance.now() - t0) / 1000,
  };
}

export function replayFile(file: string, o: ReplayOptions = {}) {
  if (!fs.existsSync(file)) throw validationError({ messages: `文件不存在：${file}` }, '留言文件不存在');
  return replayMessages(fs.readFileSync(file, 'utf8'), o);
}
