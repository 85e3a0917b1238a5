/**
 * The API page (`/api/docs`) in real headless Chromium against the real server: Swagger UI,
 * served by our own server under its unchanged Content-Security-Policy, lists every documented
 * operation, reports no error in the description, sends "Try it out" with the session cookie on
 * the same origin, and asks nothing of any other origin (no CDN, no validator badge).
 *
 * Standalone (its own server and browser); it does not need the built web.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../server/app.ts';
import { API_OPERATIONS } from '../../server/openapi/operations.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchChromium } from './chromium.ts';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const requests: string[] = [];
const problems: string[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ serveWeb: false }), launchChromium()]);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __csp?: string[] }).__csp ??= [];
      (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const cookie = server.cookie;
  await context.addCookies([{ name: 'onescreen_session', value: cookie.slice(cookie.indexOf('=') + 1), url: server.url }]);
  page = await context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop({ removeData: true });
});

describe('the API page', () => {
  it('should list every operation, from our own server only, under the unchanged CSP', async () => {
    const res = await page.goto(`${server.url}/api/docs`);
    expect(res?.status()).toBe(200);
    const csp = res!.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(CONTENT_SECURITY_POLICY.scriptSrc).toEqual(["'self'"]);

    await page.waitForFunction((n) => document.querySelectorAll('.opblock').length >= n, API_OPERATIONS.length, { timeout: 30_000 });
    const listed = await page.$$eval('.opblock', (blocks) =>
      blocks.map((b) => `${b.querySelector('.opblock-summary-method')?.textContent?.trim()} ${b.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`),
    );
    expect(new Set(listed)).toEqual(new Set(API_OPERATIONS.map((o) => `${o.method.toUpperCase()} ${o.path}`)));
    expect(await page.locator('.info .title').textContent()).toContain('OneScreen API');
    // Swagger UI shows problems it finds in a description (an unresolved $ref, a bad schema) here
    expect(await page.locator('.errors-wrapper').count()).toBe(0);
    // no validator badge (it would be fetched from validator.swagger.io), and no link out of the server
    expect(await page.locator('img[src*="validator"], a[href*="validator"]').count()).toBe(0);
    const links = await page.$$eval('a[href]', (as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(links.filter((href) => /^https?:/.test(href) && new URL(href).origin !== new URL(server.url).origin)).toEqual([]);

    await page.screenshot({ path: 'test-results/api-page.png', fullPage: false });
  });

  it('should try an operation out with the session cookie on the same origin', async () => {
    const op = page.locator('#operations-session-getSession');
    await op.locator('.opblock-summary').click();
    await op.locator('.try-out__btn').click();
    await op.locator('.execute').click();
    const status = op.locator('.live-responses-table tbody .response-col_status').first();
    await status.waitFor({ timeout: 10_000 });
    expect((await status.textContent())?.trim()).toBe('200');
    expect(await op.locator('.live-responses-table tbody .response-col_description').first().textContent()).toContain('"role": "district"');
    await status.scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'test-results/api-page-try-it-out.png', fullPage: false });
  });

  it('should have asked nothing of any other origin, and reported no CSP violation or error', async () => {
    const origin = new URL(server.url).origin;
    const elsewhere = requests.filter((u) => /^https?:/.test(u) && new URL(u).origin !== origin);
    expect(elsewhere).toEqual([]);
    expect(requests.some((u) => u.endsWith('/api/openapi.json'))).toBe(true);
    expect(requests.some((u) => u.endsWith('/api/docs/onescreen-api-page.js'))).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])).toEqual([]);
    expect(problems).toEqual([]);
  });
});
