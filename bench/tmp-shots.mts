import { startTestServer, launchBrowser, newPage, shot } from '../tests/web/harness.ts';
const s = await startTestServer();
const b = await launchBrowser();
for (const [p, w, h] of [['/', 1440, 900], ['/cases', 1440, 900], ['/inbox', 1440, 900], ['/alerts', 1440, 900], ['/analysis', 1440, 900], ['/knowledge', 1440, 900], ['/screen', 1920, 1080], ['/login', 1440, 900]] as const) {
  const { page, errors } = await newPage(b, { width: w, height: h });
  await page.goto(s.url + p);
  await page.waitForTimeout(1500);
  await shot(page, 'dev' + p.replace(/\//g, '_'));
  console.log(p, errors);
  await page.context().close();
}
await b.close();
await s.close();
