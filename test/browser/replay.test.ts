/**
 * Replay and the shift handover in real headless Chromium against the real server (simulator off,
 * a fake server clock so "an hour ago" is the test's own): three cases arrive, two hours pass, two
 * more arrive and one is closed. The district officer's wall replays an hour ago — the REPLAY
 * banner shows that time and the ticker holds only the first three cases (back to live from the bar is not yet covered here). A wall display has no replay. The handover
 * page (linked from the console) counts what happened since a time.
 *
 * Standalone (its own server and browser). Needs the built web: `npx vite build` first.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { postJson, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchChromium } from './chromium.ts';

const DIST_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));
const MIN = 60_000;
const H = 60 * MIN;
const WAIT_MS = 30_000;
const WJC_POINT = { lng: 121.514, lat: 31.302 };
const sel = (testid: string) => `[data-testid="${testid}"]`;

vi.setConfig({ testTimeout: 240_000, hookTimeout: 90_000 });

let server: TestServer;
let browser: Browser;
// the server's clock: two hours after the first cases by the time the browser looks
let now = Math.floor(Date.now() / MIN) * MIN - 2 * H;
const T0 = now;
const ids: string[] = [];
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

async function openPage(cookie: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  contexts.push(context);
  await context.addCookies([{ name: 'onescreen_session', value: cookie.slice(cookie.indexOf('=') + 1), url: server.url }]);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return page;
}

async function ingest(n: number, at: number) {
  const events = Array.from({ length: n }, (_, i) => ({
    source: 'grid', externalId: `rb-${ids.length + i}`, category: 'hotline_request', title: `回放案件 ${ids.length + i}`, ...WJC_POINT, occurredAt: new Date(at - MIN).toISOString(),
  }));
  const r = await postJson(server.url, '/api/v1/events', { events }, server.ingestKey);
  expect(r.status, r.text).toBe(200);
  ids.push(...(r.json.results as { id: string }[]).map((x) => x.id));
}

const tickerIds = (page: Page) => page.$$eval(`${sel('ticker-line')}`, (els) => els.map((e) => e.getAttribute('data-event-id')).sort());

beforeAll(async () => {
  if (!existsSync(DIST_INDEX)) throw new Error('dist/web is missing: run `npx vite build` before the browser tests');
  [server, browser] = await Promise.all([startTestServer({ simulator: false, clock: { now: () => now }, breachCheckMs: 60_000 }), launchChromium()]);
  await ingest(3, now);
  now += 2 * H;
  await ingest(2, now);
  // one of the first three closed since
  let v = (await server.get(`/api/v1/events/${ids[0]}`)).json.version as number;
  for (const step of [{ action: 'reject', reason: 'invalid' }]) {
    now += MIN;
    const r = await postJson(server.url, `/api/v1/events/${ids[0]}/transitions`, { ...step, version: v }, undefined, { cookie: server.cookie });
    expect(r.status, r.text).toBe(200);
    v = r.json.version;
  }
});

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => {});
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop({ removeData: true });
});

describe('replay on the wall', () => {
  it('should show an hour ago under a REPLAY banner', async () => {
    const page = await openPage(server.cookie);
    await page.goto(`${server.url}/`);
    await page.waitForSelector('[data-ready="true"]', { timeout: 60_000 });
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="ticker-line"]').length === n, 5, { timeout: WAIT_MS });
    expect(await tickerIds(page)).toEqual([...ids].sort());

    await page.click(sel('replay-open'));
    await page.waitForSelector(sel('replay-banner'), { timeout: WAIT_MS });
    // an hour ago (server time): only the first three cases had arrived, none closed
    await page.waitForFunction(() => document.querySelector('[data-testid="replay-bar"]')?.getAttribute('data-step') !== '', null, { timeout: WAIT_MS });
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="ticker-line"]').length === n, 3, { timeout: WAIT_MS });
    expect(await tickerIds(page)).toEqual(ids.slice(0, 3).sort());
    const at = Date.parse((await page.getAttribute(sel('replay-bar'), 'data-at'))!);
    expect(Math.abs(at - (now - H))).toBeLessThan(5 * MIN);
    const shown = await page.textContent(sel('replay-time'));
    const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
    expect(shown).toContain(hhmm);
    // the banner is the largest text on the wall (legible at 5 m)
    const size = await page.$eval('[data-testid="replay-banner"] .tag', (el) => parseFloat(getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(40);


    // play at ×60: the replayed time moves on by itself; pause holds it
    await page.click(sel('replay-speed-60'));
    await page.click(sel('replay-play'));
    await page.waitForFunction((t) => Date.parse(document.querySelector('[data-testid="replay-bar"]')!.getAttribute('data-at')!) > t, at + MIN, { timeout: WAIT_MS });
    await page.click(sel('replay-pause'));
    await page.waitForSelector(sel('replay-play'), { timeout: WAIT_MS });

    // back to live: the banner goes, the live ticker (all five cases) is back
    await page.click(sel('replay-live'));
    await page.waitForSelector(sel('replay-bar'), { state: 'detached', timeout: WAIT_MS });
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="ticker-line"]').length === n, 5, { timeout: WAIT_MS });
    expect(await tickerIds(page)).toEqual([...ids].sort());
  });

  it('should offer no replay on an unattended display', async () => {
    const { token } = await server.createDisplay('310110019000');
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}/?display=${encodeURIComponent(token)}`);
    await page.waitForSelector('[data-ready="true"]', { timeout: 60_000 });
    expect(await page.$(sel('replay-open'))).toBeNull();
  });
});

describe('the shift handover page', () => {
  it('should count what happened since a time, linked from the console', async () => {
    const page = await openPage(server.cookie);
    await page.goto(`${server.url}/console`);
    await page.waitForSelector(sel('console-to-handover'), { timeout: WAIT_MS });
    await page.click(sel('console-to-handover'));
    await page.waitForSelector(sel('handover-form'), { timeout: WAIT_MS });
    // since a minute before the first cases, in the centre's zone
    const since = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .format(T0 - MIN)
      .replace(' ', 'T');
    await page.fill(sel('handover-since'), since);
    await page.click(sel('handover-apply'));
    await page.waitForFunction(() => document.querySelector('[data-testid="handover"]')?.getAttribute('data-ready') === 'true', null, { timeout: WAIT_MS });
    await page.waitForFunction(() => document.querySelector('[data-testid="handover-kpi-newCases"] .value')?.textContent === '5', null, { timeout: WAIT_MS });
    expect(await page.textContent(`${sel('handover-kpi-closedCases')} .value`)).toBe('0');
    expect(await page.$$eval(`${sel('handover-new')} tbody tr`, (rows) => rows.length)).toBe(5);
  });
});
