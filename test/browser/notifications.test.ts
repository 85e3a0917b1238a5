/**
 * The notifications tab of `/admin` in headless Chromium against the real server (simulator
 * off) and a local receiver on 127.0.0.1: an admin adds a webhook channel, sees it listed with
 * its URL masked, sends a test and sees it delivered in the log; a channel whose receiver
 * refuses shows the failure, and "retry now" delivers it once the receiver accepts.
 *
 * Standalone (its own server and browser). Needs the built web: `npm run build` first.
 */
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestServer, type TestServer } from '../helpers/server.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { launchChromium } from './chromium.ts';

const DIST_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));
const sel = (testid: string) => `[data-testid="${testid}"]`;
/** a deadline for a condition, never a pause */
const WAIT_MS = 20_000;

let server: TestServer;
let browser: Browser;
let rx: Receiver;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(DIST_INDEX)) throw new Error('dist/web is missing: run `npm run build` before the browser tests');
  // the worker polls often here: the page must see deliveries settle by themselves
  [server, browser, rx] = await Promise.all([startTestServer({ app: { notify: { pollMs: 200, retryScheduleMs: [60_000] } } }), launchChromium(), startReceiver()]);
  const cookie = await server.login(ADMIN.username, ADMIN.password);
  context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  await context.addCookies([{ name: 'onescreen_session', value: cookie.slice(cookie.indexOf('=') + 1), url: server.url }]);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.url}/admin#notifications`);
  await page.waitForSelector('[data-testid="admin-page"][data-state="ready"]', { timeout: WAIT_MS });
  await page.waitForSelector(sel('admin-notifications'), { timeout: WAIT_MS });
}, 90_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop({ removeData: true });
  await rx?.close();
});

describe('the notifications tab', { timeout: 60_000 }, () => {
  const secret = 'ui-webhook-secret-123456';

  it('should add a webhook channel, list it masked, send a test and show it delivered', async () => {
    rx.script({ status: 200 });
    const key = 'token-abcdef0123456789';
    await page.fill(sel('channel-name'), '区值班接收');
    await page.selectOption(sel('channel-kind'), 'webhook');
    await page.fill(sel('channel-url'), `${rx.url}/ui-hook?token=${key}`);
    await page.fill(sel('channel-secret'), secret);
    await page.click(sel('channel-save'));
    const row = page.locator(sel('channel-row'), { hasText: '区值班接收' });
    await row.waitFor({ timeout: WAIT_MS });
    const url = (await row.locator(sel('channel-row-url')).textContent()) ?? '';
    expect(url).toContain('/ui-hook?token=••••');
    expect(url).not.toContain(key);
    expect(await page.content()).not.toContain(secret);

    await row.locator(sel('channel-test')).click();
    await page.waitForSelector(sel('channel-note'), { timeout: WAIT_MS });
    await page.waitForSelector(`${sel('delivery-row')}[data-kind="test"][data-status="delivered"]`, { timeout: WAIT_MS });
    const sent = rx.requests.find((r) => r.url.startsWith('/ui-hook'))!;
    expect(sent).toBeDefined();
    const ts = String(sent.headers['x-onescreen-timestamp']);
    expect(sent.headers['x-onescreen-signature']).toBe(`sha256=${createHmac('sha256', secret).update(`${ts}.${sent.body}`).digest('hex')}`);
    expect(JSON.parse(sent.body)).toMatchObject({ kind: 'test', title: { zh: 'OneScreen 测试通知' } });
  });

  it('should show a refused delivery as failed and deliver it on "retry now"', async () => {
    rx.script({ status: 400, body: '{"error":"bad"}' });
    await page.fill(sel('channel-name'), '拒收通道');
    await page.fill(sel('channel-url'), `${rx.url}/refusing`);
    await page.fill(sel('channel-secret'), secret);
    await page.click(sel('channel-save'));
    const row = page.locator(sel('channel-row'), { hasText: '拒收通道' });
    await row.waitFor({ timeout: WAIT_MS });
    await row.locator(sel('channel-test')).click();
    const failed = page.locator(`${sel('delivery-row')}[data-status="failed"]`);
    await failed.waitFor({ timeout: WAIT_MS });
    expect(await failed.textContent()).toContain('HTTP 400');

    rx.script({ status: 200 });
    await failed.locator(sel('delivery-retry')).click();
    // pending at once, then delivered by the worker; the log refreshes by itself
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="delivery-row"][data-status="delivered"]').length === 2, undefined, { timeout: WAIT_MS });
    expect(await page.locator(`${sel('delivery-row')}[data-status="failed"]`).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('should disable a channel and switch the page to English', async () => {
    const row = page.locator(sel('channel-row'), { hasText: '拒收通道' });
    await row.locator(sel('channel-toggle')).click();
    await page.waitForSelector(`${sel('channel-row')}.off`, { timeout: WAIT_MS });
    const channels = (await server.get('/api/v1/admin/notifications/channels', await server.login(ADMIN.username, ADMIN.password))).json;
    expect(channels.find((c: any) => c.name === '拒收通道').enabled).toBe(false);
    await page.click(sel('lang-en'));
    await page.waitForFunction(() => document.querySelector('[data-testid="tab-notifications"]')?.textContent?.includes('Notifications'), undefined, { timeout: WAIT_MS });
    expect(await page.locator(`${sel('delivery-row')}[data-kind="test"]`).first().textContent()).toContain('Delivered');
  });
});
