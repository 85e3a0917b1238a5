/**
 * The 12345 analysis page in real headless Chromium against the real server (simulator off, so
 * the figures are exactly the test's own): a district officer opens /analytics, sees the totals,
 * the category table, the chart and the heat map as the API counts them, switches the period,
 * narrows to a street, and downloads the CSV; the console links to the page; a signed-out visit
 * goes to the login page (with /analytics to come back to); the wall's 12345 panel shows today's calls.
 *
 * Standalone (its own server and browser). Needs the built web: `npm run build` first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {} from '../../web/src/lib/analytics-debug.ts';
import { startOfZonedDay } from '../../shared/time-zone.ts';
import { postJson, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchChromium } from './chromium.ts';

const DIST_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));
const H = 3_600_000;
const DAY = 24 * H;
const WJC = '310110019000';
const WJC_POINT = { lng: 121.514, lat: 31.302 };
const DINGHAI_POINT = { lng: 121.55, lat: 31.272 };
const WAIT_MS = 20_000;
const sel = (testid: string) => `[data-testid="${testid}"]`;

let server: TestServer;
let browser: Browser;
let ingestedAt = 0;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

async function openPage(cookie: string | null): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, acceptDownloads: true });
  contexts.push(context);
  if (cookie) await context.addCookies([{ name: 'onescreen_session', value: cookie.slice(cookie.indexOf('=') + 1), url: server.url }]);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return page;
}

/** hotline (and one other) events at chosen ages; returns how many hotline calls lie within `age` */
const plan: { age: number; category: string; point: { lng: number; lat: number }; source?: string }[] = [
  // the last 24 hours: a repeat spot in 五角场 and calls elsewhere
  { age: 1 * H, category: 'hotline_request', point: WJC_POINT },
  { age: 2 * H, category: 'hotline_request', point: { lng: WJC_POINT.lng + 0.0002, lat: WJC_POINT.lat } },
  { age: 3 * H, category: 'property_dispute', point: WJC_POINT },
  { age: 4 * H, category: 'neighbour_dispute', point: DINGHAI_POINT },
  { age: 5 * H, category: 'neighbour_dispute', point: DINGHAI_POINT },
  { age: 5 * H, category: 'fire_hazard', point: WJC_POINT, source: 'grid' },
  // earlier this week (inside 7 days, outside 24 hours)
  { age: 2 * DAY, category: 'hotline_request', point: WJC_POINT },
  { age: 3 * DAY, category: 'elevator_fault', point: DINGHAI_POINT },
  { age: 4 * DAY, category: 'hotline_request', point: DINGHAI_POINT },
  // the baseline of the last 24 hours
  { age: 7 * DAY + 2 * H, category: 'hotline_request', point: WJC_POINT },
];
const hotlineWithin = (age: number, street?: 'wjc') => plan.filter((p) => p.age < age && (p.source ?? '12345') === '12345' && (!street || p.point !== DINGHAI_POINT)).length;

beforeAll(async () => {
  if (!existsSync(DIST_INDEX)) throw new Error('dist/web is missing: run `npm run build` before the browser tests');
  [server, browser] = await Promise.all([startTestServer({ simulator: false }), launchChromium()]);
  const now = (ingestedAt = Date.now());
  const events = plan.map((p, i) => ({
    source: p.source ?? '12345', externalId: `an-${i}`, category: p.category, title: i === 0 ? '=HYPERLINK("http://x/","y")' : '路灯不亮', ...p.point, occurredAt: new Date(now - p.age).toISOString(),
  }));
  const r = await postJson(server.url, '/api/v1/events', { events }, server.ingestKey);
  expect(r.status, r.text).toBe(200);
}, 30_000);

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => {});
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop({ removeData: true });
});

const ready = (page: Page) => page.waitForSelector(`${sel('analytics')}[data-ready="true"]`, { timeout: WAIT_MS });
const kpi = async (page: Page, id: string) => ((await page.textContent(`${sel(id)} .value`)) ?? '').trim();

describe('the 12345 analysis page', () => {
  it('should show a district officer the figures, the chart and the heat map, switch the period and download the CSV', async () => {
    const page = await openPage(server.cookie);
    await page.goto(`${server.url}/analytics`);
    await ready(page);

    // the last 24 hours by default, counted as the API counts them
    expect(await kpi(page, 'kpi-total')).toBe(String(hotlineWithin(DAY)));
    expect(await page.getAttribute(sel('analytics-period-24h'), 'aria-pressed')).toBe('true');
    const rows = await page.$$eval(`${sel('category-row')}`, (trs) => trs.map((tr) => [tr.getAttribute('data-category'), tr.querySelectorAll('td')[1]!.textContent!.trim()]));
    expect(Object.fromEntries(rows)).toEqual({ hotline_request: '2', neighbour_dispute: '2', property_dispute: '1' });
    await page.waitForSelector(`${sel('rising-list')} li[data-category="neighbour_dispute"]`);
    expect(await page.$$eval(sel('repeat-place'), (li) => li.map((x) => x.getAttribute('data-count')))).toContain('3');
    // nothing closed: no rate is made up
    expect(await kpi(page, 'kpi-ontime')).toBe('—');
    expect(await kpi(page, 'kpi-satisfaction')).toBe('—');
    // the citizen's text is shown as text
    expect(await page.textContent(sel('repeat-list'))).toContain('=HYPERLINK("http://x/","y")');

    // the chart: the period and last week, hour by hour, summing to the totals
    await expect.poll(() => page.evaluate(() => {
      const o = window.__onescreenAnalytics?.chart?.getOption() as { series?: { id: string; data: number[] }[] } | undefined;
      return o?.series?.map((s) => [s.id, s.data.reduce((a, b) => a + b, 0)]) ?? null;
    }), { timeout: WAIT_MS }).toEqual([['period', hotlineWithin(DAY)], ['baseline', 1]]);
    // the heat map: drawn, with the grids that had calls
    await page.waitForSelector(`${sel('hotline-heatmap')} canvas`, { timeout: WAIT_MS });
    expect(Number(await page.getAttribute(sel('hotline-heatmap'), 'data-grids'))).toBeGreaterThanOrEqual(2);
    await expect.poll(() => page.evaluate(() => window.__onescreenAnalytics?.map?.loaded() ?? false), { timeout: WAIT_MS }).toBe(true);

    // seven days: more calls, and a wider span
    const from24 = await page.getAttribute(sel('analytics'), 'data-from');
    await page.click(sel('analytics-period-7d'));
    await page.waitForFunction((f) => {
      const el = document.querySelector('[data-testid="analytics"]');
      return el?.getAttribute('data-ready') === 'true' && el.getAttribute('data-from') !== f;
    }, from24, { timeout: WAIT_MS });
    expect(await kpi(page, 'kpi-total')).toBe(String(hotlineWithin(7 * DAY)));
    const span = await page.evaluate(() => {
      const el = document.querySelector('[data-testid="analytics"]')!;
      return Date.parse(el.getAttribute('data-to')!) - Date.parse(el.getAttribute('data-from')!);
    });
    expect(span).toBe(7 * DAY);

    // one street
    await page.selectOption(sel('analytics-area'), WJC);
    await page.waitForFunction((id) => {
      const el = document.querySelector('[data-testid="analytics"]');
      return el?.getAttribute('data-ready') === 'true' && el.getAttribute('data-area') === id;
    }, WJC, { timeout: WAIT_MS });
    expect(await kpi(page, 'kpi-total')).toBe(String(hotlineWithin(7 * DAY, 'wjc')));

    // the CSV of what is shown
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: WAIT_MS }), page.click(sel('analytics-csv'))]);
    expect(download.suggestedFilename()).toMatch(/^onescreen-12345-.*\.csv$/);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.toString('utf8');
    expect(csv).toContain('类别 category,代码 code,本期 count,上周同期 baseline');
    expect(csv).toContain(`"合计 total","","${hotlineWithin(7 * DAY, 'wjc')}"`);
    expect(csv).toContain(`"'=HYPERLINK(""http://x/"",""y"")"`);

    // custom: a bad span is refused before it is asked for
    await page.click(sel('analytics-period-custom'));
    await page.fill(sel('analytics-from'), '2026-11-20T10:00');
    await page.fill(sel('analytics-to'), '2026-11-19T10:00');
    await page.waitForSelector(sel('analytics-range-error'));
    expect(await page.isDisabled(sel('analytics-apply'))).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('should be linked from the console, and send a signed-out visitor to the login page (to come back here)', async () => {
    const desk = await openPage(server.cookie);
    await desk.goto(`${server.url}/console`);
    await desk.waitForSelector(sel('console-to-analytics'), { timeout: WAIT_MS });
    await desk.click(sel('console-to-analytics'));
    await desk.waitForURL(/\/analytics$/, { timeout: WAIT_MS });
    await ready(desk);

    const anon = await openPage(null);
    await anon.goto(`${server.url}/analytics`);
    await anon.waitForURL(/\/login\?next=%2Fanalytics$/, { timeout: WAIT_MS });
  });

  it("should show a street officer its own street only", async () => {
    const u = await server.createUser('street', WJC);
    const page = await openPage(await server.login(u.username, u.password));
    await page.goto(`${server.url}/analytics`);
    await ready(page);
    expect(await page.getAttribute(sel('analytics'), 'data-area')).toBe(WJC);
    expect(await page.$$eval(`${sel('analytics-area')} option`, (o) => o.map((x) => (x as HTMLOptionElement).value))).toEqual([WJC]);
    expect(await kpi(page, 'kpi-total')).toBe(String(hotlineWithin(DAY, 'wjc')));
  });

  it("should show today's calls against last week on the wall's 12345 panel", async () => {
    const wall = await openPage(server.cookie);
    await wall.goto(`${server.url}/`);
    await wall.waitForSelector(`${sel('hotline-panel')}[data-ready="true"]`, { timeout: WAIT_MS });
    // the panel counts today in the centre's zone (Asia/Shanghai), up to now
    const todayStart = startOfZonedDay(Date.now(), 'Asia/Shanghai');
    const today = plan.filter((p) => (p.source ?? '12345') === '12345' && ingestedAt - p.age >= todayStart).length;
    expect(Number(await wall.getAttribute(sel('hotline-panel'), 'data-total'))).toBe(today);
    expect((await wall.textContent(sel('hotline-today')))!.trim()).toBe(String(today));
    expect(await wall.textContent(sel('hotline-ontime'))).toBe('—');
  });
});
