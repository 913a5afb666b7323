// Browser test harness: the real server (in process, temp embedded database, built web app) and one shared
// headless Debian Chromium per test file. Skips with one line when Chromium is missing (throws in CI).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page, type ConsoleMessage } from 'playwright-core';
import { loadConfig } from '../../src/config.ts';
import { createContext } from '../../src/server/start.ts';
import { buildApp } from '../../src/server/app.ts';
import type { AppContext } from '../../src/server/context.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.resolve('test-artifacts');
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

export function chromiumMissing(): string | null {
  if (fs.existsSync(CHROMIUM)) return null;
  const why = `SKIP browser tests: Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
  if (process.env.CI) throw new Error(`CI=true: ${why}`);
  return why;
}

/** Builds web/dist when its sources are newer (same script as prestart / pretest). */
export function ensureWebBuilt(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-web-if-stale.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

export interface TestServer { url: string; ctx: AppContext; close(): Promise<void> }

export async function startTestServer(): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minsheng-web-'));
  const config = loadConfig({ port: 0, host: '127.0.0.1', dataDir, demoOnEmpty: false, logLevel: 'silent' }, {});
  const ctx = await createContext(config);
  const app = await buildApp(ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    url,
    ctx,
    async close() {
      await app.close();
      await ctx.db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A page that records console errors and uncaught exceptions (tests assert there are none). */
export async function newPage(browser: Browser, opts: { width?: number; height?: number } = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1440, height: opts.height ?? 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return { page, errors };
}

export async function shot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Endpoints the server does not serve yet (from its own OpenAPI document). */
export async function missingEndpoints(url: string, wanted: string[]): Promise<string[]> {
  const doc = (await (await fetch(`${url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  return wanted.filter((w) => {
    const [method, p] = w.split(' ');
    return !doc.paths[p.replace(/:([A-Za-z_]+)/g, '{$1}')]?.[method.toLowerCase()];
  });
}

/** Skips a test (one line) when a feature it exercises has not landed; in CI that is an error. */
export async function requireEndpoints(url: string, wanted: string[], skip: (note: string) => void): Promise<void> {
  const missing = await missingEndpoints(url, wanted);
  if (!missing.length) return;
  const why = `SKIP: the server does not serve ${missing.join(', ')} yet`;
  if (process.env.CI) throw new Error(`CI=true: ${why}`);
  console.warn(why);
  skip(why);
}

/** Signs in through the login page with the keyboard only. */
export async function loginAs(page: Page, base: string, username: string, password: string, next = '/'): Promise<void> {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.locator('#login-user').fill(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 });
}
