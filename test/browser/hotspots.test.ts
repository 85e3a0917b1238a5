/**
 * Hotspots in real headless Chromium against the real server (simulator off, temp database): a
 * burst of cases in one grid against a flat four-week history shows on the wall's map as an
 * emerging hotspot (its grid in the hotspot source, the legend counting it) and as a recurring
 * spot; in the console the 热点 list shows it, a click opens its newest case with its tags and
 * the earlier cases it recurs, and the 典型 toggle marks it typical.
 *
 * Standalone (its own server and browser) with the simulator off, so that only the test's cases
 * exist. Needs the built web: `npm run build` first.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {} from '../../web/src/lib/console-debug.ts';
import type {} from '../../web/src/lib/debug.ts';
import { postJson, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchChromium } from './chromium.ts';

const DIST_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));
const WJC = '310110019000';
const DAY = 86_400_000;
const WAIT_MS = 20_000;
const sel = (testid: string) => `[data-testid="${testid}"]`;

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
let gridId: string;
let burst: string[];

async function openPage(cookie: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  contexts.push(context);
  await context.addCookies([{ name: 'onescreen_session', value: cookie.slice(cookie.indexOf('=') + 1), url: server.url }]);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return page;
}

let seq = 0;
async function post(items: Record<string, unknown>[]): Promise<string[]> {
  const r = await postJson(server.url, '/api/v1/events', {
    events: items.map((it) => ({ source: 'grid', externalId: `hs-browser-${++seq}`, category: 'illegal_parking', title: '占道停车', ...it })),
  }, server.ingestKey);
  expect(r.status, r.text).toBe(200);
  expect(r.json.rejected, r.text).toBe(0);
  return r.json.results.map((x: { id: string }) => x.id);
}

beforeAll(async () => {
  if (!existsSync(DIST_INDEX)) throw new Error('dist/web is missing: run `npm run build` before the browser tests');
  [server, browser] = await Promise.all([startTestServer({ simulator: false, app: { hotspots: { cacheMs: 0 }, emergingTagMs: 3_600_000 } }), launchChromium()]);
  // a grid of 五角场 whose bbox centre lies inside it
  const grid = server.app.tree.children(WJC).find((g) => server.app.tree.locate((g.bbox[0] + g.bbox[2]) / 2, (g.bbox[1] + g.bbox[3]) / 2)?.id === g.id)!;
  gridId = grid.id;
  const at = { lng: (grid.bbox[0] + grid.bbox[2]) / 2, lat: (grid.bbox[1] + grid.bbox[3]) / 2 };
  const now = Date.now();
  await post(Array.from({ length: 28 }, (_, i) => ({ ...at, occurredAt: new Date(now - (i + 1) * DAY - 3_600_000).toISOString() })));
  burst = await post(Array.from({ length: 8 }, (_, i) => ({ ...at, lat: at.lat + i * 0.00001, title: `占道停车 ${i + 1}`, occurredAt: new Date(now - (8 - i) * 300_000).toISOString() })));
}, 30_000);

afterAll(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop({ removeData: true });
});

describe('hotspots in the browser', () => {
  it('should draw the emerging grid and the recurring spot on the wall map, with the legend counting them', async () => {
    const wall = await openPage(server.cookie);
    await wall.goto(`${server.url}/`);
    await wall.waitForSelector('[data-ready="true"]', { timeout: 30_000 });
    await wall.waitForSelector(`${sel('hotspot-legend')}[data-emerging="1"]`, { timeout: WAIT_MS });
    expect(Number(await wall.getAttribute(sel('hotspot-legend'), 'data-recurring'))).toBeGreaterThanOrEqual(1);
    const inSource = () =>
      wall.evaluate(() => {
        const m = window.__onescreen?.map;
        if (!m) return { grids: [] as string[], spots: 0 };
        return {
          grids: [...new Set(m.querySourceFeatures('hotspot-grids').map((f) => String(f.properties.id)))],
          spots: m.querySourceFeatures('hotspot-spots').length,
        };
      });
    await expect.poll(async () => (await inSource()).grids, { timeout: WAIT_MS, interval: 100 }).toEqual([gridId]);
    expect((await inSource()).spots).toBeGreaterThanOrEqual(1);
    await contexts.pop()!.close();
  }, 60_000);

  it('should list the hotspot in the console, open its case with tags and related cases, and mark it typical', async () => {
    const page = await openPage(server.cookie);
    await page.goto(`${server.url}/console`);
    await page.waitForSelector(`${sel('console')}[data-ready="true"]`, { timeout: 30_000 });
    await page.click(sel('tab-hotspots'));
    const item = `${sel('hotspot-item')}[data-kind="emerging"][data-category="illegal_parking"][data-grid="${gridId}"]`;
    await page.waitForSelector(item, { timeout: WAIT_MS });
    expect(await page.getAttribute(item, 'data-count')).toBe('8');
    await page.waitForSelector(`${sel('hotspot-item')}[data-kind="recurring"]`, { timeout: WAIT_MS });

    await page.click(item);
    await page.waitForSelector(sel('hotspot-cases'), { timeout: WAIT_MS });
    expect(await page.$$eval(sel('hotspot-case'), (els) => els.map((e) => e.getAttribute('data-id')))).toHaveLength(8);
    // the newest case opens: recurring, linking the earlier ones
    const newest = burst.at(-1)!;
    await page.waitForSelector(`${sel('case-panel')}[data-case-id="${newest}"]`, { timeout: WAIT_MS });
    await page.waitForSelector(`${sel('case-tag')}[data-tag="recurring"]`, { timeout: WAIT_MS });
    const related = await page.$$eval(sel('related-case'), (els) => els.map((e) => e.getAttribute('data-id')));
    expect(related).toHaveLength(10);
    expect(related[0]).toBe(burst.at(-2));

    await page.fill(sel('typical-note'), '同一网格短时多发');
    await page.click(sel('typical-toggle'));
    await page.waitForSelector(`${sel('case-tag')}[data-tag="typical"]`, { timeout: WAIT_MS });
    await page.waitForSelector(`${sel('typical-toggle')}[data-on="true"]`, { timeout: WAIT_MS });
    expect((await server.get(`/api/v1/events/${newest}`)).json.tags).toContain('typical');
    await page.waitForSelector(`${sel('timeline-entry')}[data-action="tag"]`, { timeout: WAIT_MS });

    // a related case opens on a click
    await page.click(`${sel('related-case')}[data-id="${related[0]}"]`);
    await page.waitForSelector(`${sel('case-panel')}[data-case-id="${related[0]}"]`, { timeout: WAIT_MS });
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
