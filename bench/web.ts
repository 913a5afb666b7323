// `npm run bench -- web`: big-screen first render (navigation → map and charts painted) and the workstation's
// suggestion round trip (POST /api/tagging/suggest from the page), p50/p95, in Debian's Chromium against the
// real server on a temp embedded database. The knowledge search (same page, same moment) is the peer.
import { performance } from 'node:perf_hooks';
import { writeResults } from './_results.ts';
import { chromiumMissing, ensureWebBuilt, launchBrowser, loginAs, missingEndpoints, newPage, startTestServer } from '../tests/web/harness.ts';

const SCREEN_RUNS = Number(process.env.BENCH_SCREEN_RUNS ?? 15);
const SUGGEST_RUNS = Number(process.env.BENCH_SUGGEST_RUNS ?? 60);
const CASES = Number(process.env.BENCH_CASES ?? 300);

const why = chromiumMissing();
if (why) {
  console.log(why);
  process.exit(0);
}
const pct = (xs: number[], p: number) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 10) / 10;
};
const stats = (xs: number[]) => ({ runs: xs.length, p50: pct(xs, 50), p95: pct(xs, 95), max: xs.length ? Math.round(Math.max(...xs) * 10) / 10 : null });

ensureWebBuilt();
const server = await startTestServer();
const browser = await launchBrowser();
const notes: string[] = [];
try {
  // Reference data, users and some cases so that the screen has numbers to draw.
  let login: ((page: any, next: string) => Promise<void>) | null = null;
  try {
    const auth = await import('../tests/auth.ts');
    const ref = await import('../tests/fixtures/reference.ts');
    await ref.seedTestReference(server.ctx.db);
    const leader = await auth.signIn(server.ctx.db, 'admin', { name: '基准' });
    login = (page, next) => loginAs(page, server.url, leader.user.username, auth.TEST_PASSWORD, next);
    const t0 = performance.now();
    const texts = ['小区夜间施工噪音扰民', '物业收费不合理要求公示', '餐馆油烟直排影响居民', '路灯不亮夜间出行不便', '租房提取公积金需要什么材料'];
    const cats = Object.values(ref.REF.categories) as string[];
    for (let i = 0; i < CASES; i++) {
      const r = await fetch(`${server.url}/api/cases`, {
        method: 'POST',
        headers: { ...leader.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: '12345', content: `${texts[i % texts.length]}（${i}）`, categoryCode: cats[i % cats.length], districtCode: i % 2 ? ref.REF.furong : ref.REF.yuelu }),
      });
      if (!r.ok) throw new Error(`seed case: ${r.status} ${await r.text()}`);
    }
    notes.push(`seeded ${CASES} cases through the API in ${Math.round(performance.now() - t0)} ms`);
  } catch (e) {
    notes.push(`no auth helper / reference fixture / cases API yet: ${(e as Error).message.split('\n')[0]}`);
  }

  const { page } = await newPage(browser, { width: 1920, height: 1080 });
  if (login) await login(page, '/screen');
  // Warm-up: browser cache as on a wall display that reloads (the first, cold load is reported separately).
  // First render: map and charts painted with numbers (the last known ones, kept by the page); fresh: the
  // live summary from the server has arrived and been drawn.
  const firstRender = async () => {
    await page.goto(`${server.url}/screen`, { waitUntil: 'commit' });
    await page.waitForFunction(() => document.querySelectorAll('.screen canvas').length > 0 && document.querySelector('[data-counter=today]')?.textContent !== '—', null, { timeout: 20_000, polling: 'raf' });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const first = await page.evaluate(() => performance.now()); // ms since navigation start
    await page.waitForSelector('.screen[data-fresh="1"]', { timeout: 30_000 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    return { first, fresh: await page.evaluate(() => performance.now()) };
  };
  const cold = await firstRender();
  const screen: number[] = [];
  const freshData: number[] = [];
  for (let i = 0; i < SCREEN_RUNS; i++) {
    const r = await firstRender();
    screen.push(r.first);
    freshData.push(r.fresh);
  }

  // Workstation: the suggestion request as the page makes it, and the knowledge search beside it.
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`${server.url}/`);
  await page.waitForSelector('textarea[name=content]');
  const hasSuggest = !(await missingEndpoints(server.url, ['POST /api/tagging/suggest'])).length;
  if (!hasSuggest) notes.push('POST /api/tagging/suggest is not served yet: suggestion round trip not measured');
  const roundTrip = (kind: 'suggest' | 'knowledge', text: string) =>
    page.evaluate(async ({ kind, text }) => {
      const t = performance.now();
      const r = kind === 'suggest'
        ? await fetch('/api/tagging/suggest', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) })
        : await fetch(`/api/knowledge?q=${encodeURIComponent(text)}&limit=5`);
      await r.json();
      return performance.now() - t;
    }, { kind, text });
  const phrases = ['岳麓区桃子湖小区旁工地夜间施工噪音扰民', '请问租房怎么提取公积金需要什么材料', '芙蓉区文艺路餐馆油烟直排', '魅力之城小区物业乱收费', '社保卡丢了怎么补办'];
  const suggest: number[] = [];
  const knowledge: number[] = [];
  for (let i = 0; i < SUGGEST_RUNS; i++) {
    const text = phrases[i % phrases.length] + '，' + '请尽快处理'.slice(0, i % 5);
    if (hasSuggest) suggest.push(await roundTrip('suggest', text));
    knowledge.push(await roundTrip('knowledge', text));
  }

  writeResults('web', {
    targets: { screenFirstRenderMs: 2000, suggestRoundTripMs: 150 },
    screenFirstRender: { coldMs: Math.round(cold.first), ...stats(screen) },
    screenFreshData: { coldMs: Math.round(cold.fresh), ...stats(freshData) },
    suggestRoundTrip: hasSuggest ? stats(suggest) : null,
    knowledgeSearchRoundTrip: stats(knowledge),
    notes,
    rerun: 'npm run bench -- web   (BENCH_SCREEN_RUNS, BENCH_SUGGEST_RUNS, BENCH_CASES to change the sizes)',
  });
} finally {
  await browser.close();
  await server.close();
}
