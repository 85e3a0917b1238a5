/**
 * Data age on the wall in real headless Chromium against the real server (simulator on): every
 * widget's root carries `data-updated-at`; cutting the network turns them stale with the reason
 * and shows the connection banner; they recover by themselves when it is back.
 * Needs the built web: `npm run build` first.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchChromium } from './chromium.ts';
import { cookieValue, sel, VIEWPORT } from './harness.ts';

const DIST_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));

/** every widget of the district wall that shows data */
const WIDGETS = ['panel-indicators', 'map-panel', 'loop-funnel', 'panel-alarms', 'panel-hourly', 'panel-pm25', 'panel-board', 'panel-watch', 'panel-ticker', 'panel-hotline'];
/** the widgets the live stream feeds */
const STREAM_WIDGETS = ['map-panel', 'panel-alarms', 'panel-hourly', 'panel-watch', 'panel-ticker'];

// Software WebGL on a shared machine: a step that takes 5 s alone can take 30 s under load.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 });

let server: TestServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(DIST_INDEX)) throw new Error('dist/web is missing: run `npm run build` before the browser tests');
  [server, browser] = await Promise.all([startTestServer({ simulator: true, seed: 11, simulatorTickMs: 2000, flushPerSec: 1, simulatorEventsPerHour: 30 }), launchChromium()]);
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addCookies([{ name: 'onescreen_session', value: cookieValue(server.cookie), url: server.url }]);
  page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.waitForSelector('.wall[data-ready="true"]', { timeout: 150_000 });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop({ removeData: true });
});

/** `data-updated-at` and `data-stale` of each widget root (null: no such attribute) */
function widgetAttrs(ids: string[]): Promise<Record<string, { at: string | null; stale: string | null } | null>> {
  return page.evaluate((list) => {
    const out: Record<string, { at: string | null; stale: string | null } | null> = {};
    for (const id of list) {
      const el = document.querySelector(`[data-testid="${id}"]`);
      out[id] = el ? { at: el.getAttribute('data-updated-at'), stale: el.getAttribute('data-stale') } : null;
    }
    return out;
  }, ids);
}

describe('data age on the wall', () => {
  it('should carry the time of its data on every widget root, live and not stale', async () => {
    // the stream-fed widgets are as of now; the fetched ones once their answer is in
    await page.waitForFunction(
      (ids) => ids.every((id) => (document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-updated-at') ?? '') !== ''),
      WIDGETS,
      { timeout: 120_000, polling: 1000 },
    );
    // a loaded machine can drop the socket for a moment: judge once the stream is live
    await page.waitForFunction(() => window.__onescreen!.state.model.stream.live, undefined, { timeout: 120_000, polling: 1000 });
    const attrs = await widgetAttrs(WIDGETS);
    // the server's time now, read after the attributes (the model's own clock ticks once a second)
    const serverNow = await page.evaluate(() => window.__onescreen!.state.live.serverNow());
    for (const id of WIDGETS) {
      const a = attrs[id];
      expect(a, id).not.toBeNull();
      expect(Number.isFinite(Date.parse(a!.at!)), `${id} ${a!.at}`).toBe(true);
      // no data from the future (give or take the offset estimated from the snapshot)
      expect(Date.parse(a!.at!), id).toBeLessThanOrEqual(serverNow + 2000);
    }
    for (const id of STREAM_WIDGETS) expect(attrs[id]!.stale, id).toBeNull();
    // every tile too, with the time of its reading
    const tiles = await page.$$eval('[data-testid^="tile-"][data-status]', (els) => els.map((e) => e.getAttribute('data-updated-at')));
    expect(tiles.length).toBeGreaterThan(5);
    expect(tiles.every((t) => t !== null)).toBe(true);
    expect(tiles.filter((t) => t && Number.isFinite(Date.parse(t))).length).toBeGreaterThan(0);
    expect(await page.locator(sel('connection-banner')).count()).toBe(0);
  });

  it('should turn stale with the reason and show the banner when the network is cut, and recover by itself', async () => {
    const snapshots = await page.evaluate(() => window.__onescreen!.state.live.data.snapshots);
    await page.context().setOffline(true);
    await page.waitForSelector(sel('connection-banner'), { timeout: 120_000 });
    await page.waitForFunction(
      (ids) => ids.every((id) => document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-stale') === 'connection_lost'),
      STREAM_WIDGETS,
      { timeout: 60_000, polling: 1000 },
    );
    expect(['offline', 'reconnecting']).toContain(await page.getAttribute(sel('connection-banner'), 'data-kind'));
    expect(await page.textContent(sel('connection-banner'))).toMatch(/自 \d\d:\d\d:\d\d 起/);
    // the reason is written on the widgets, in the wall's language
    expect(await page.textContent(`${sel('panel-ticker')} [data-testid="data-age"]`)).toContain('连接中断');
    // tiles with a reading say so too
    expect(await page.locator('[data-testid^="tile-"][data-stale="connection_lost"]').count()).toBeGreaterThan(0);

    await page.context().setOffline(false);
    await page.waitForFunction(
      (n) => window.__onescreen!.state.live.connection === 'connected' && window.__onescreen!.state.live.data.snapshots > n,
      snapshots,
      { timeout: 120_000, polling: 1000 },
    );
    await page.waitForFunction(() => document.querySelector('[data-testid="connection-banner"]') === null, undefined, { timeout: 30_000, polling: 1000 });
    expect(await page.locator('[data-stale="connection_lost"]').count()).toBe(0);
    const attrs = await widgetAttrs(STREAM_WIDGETS);
    for (const id of STREAM_WIDGETS) expect(attrs[id]!.stale, id).toBeNull();
  });
});
