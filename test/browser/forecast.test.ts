/**
 * The wall's PM2.5 trend chart draws the forecast (趋势预判): a dashed line after the last real
 * point with its interval as a band, labelled 预测, and 「预计 N 小时后超标」 when the forecast
 * reaches the alarm level. Standalone (own server, simulator off): the test posts four days of
 * hourly district readings with past timestamps (the shipped Jing'an series, raised so that it
 * ends above the alarm level).
 * Needs the built web: `npm run build` first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type {} from '../../web/src/lib/debug.ts';
import { postJson, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchChromium } from './chromium.ts';

const DIST_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));
const H = 3_600_000;
const sel = (testid: string) => `[data-testid="${testid}"]`;

vi.setConfig({ testTimeout: 60_000, hookTimeout: 90_000 });

let server: TestServer;
let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  if (!existsSync(DIST_INDEX)) throw new Error('dist/web is missing: run `npm run build` before the browser tests');
  [server, browser] = await Promise.all([startTestServer({ simulator: false }), launchChromium()]);
  const lines = readFileSync(new URL('../../data/pm25/jingan_pm25_hourly.csv', import.meta.url), 'utf8').trim().split('\n').slice(-96);
  const now = Date.now();
  const last = now - (now % H);
  const readings = lines.map((l, i) => ({
    indicator: 'pm25',
    areaId: server.app.tree.districtId,
    value: Math.min(1000, Math.round(Number(l.split(',')[4]) * 1.8)),
    at: new Date(last - (lines.length - 1 - i) * H).toISOString(),
  }));
  const r = await postJson(server.url, '/api/v1/readings', { readings }, server.ingestKey);
  expect(r.status, r.text).toBeLessThan(300);
});

afterAll(async () => {
  await context?.close().catch(() => {});
  await browser?.close();
  await server?.stop({ removeData: true });
});

describe('the trend chart with a forecast', () => {
  it('should draw the forecast line and band after the last real point, and warn of the crossing', async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    await context.addCookies([{ name: 'onescreen_session', value: server.cookie.slice(server.cookie.indexOf('=') + 1), url: server.url }]);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/`);
    await page.waitForSelector('[data-ready="true"]', { timeout: 60_000 });

    // the forecast series, read from the chart's own option
    await page.waitForFunction(() => {
      const o = window.__onescreen?.charts.pm25?.getOption() as { series?: { id: string; data: unknown[] }[] } | undefined;
      return (o?.series?.find((s) => s.id === 'forecast')?.data.length ?? 0) > 1;
    }, undefined, { timeout: 30_000 });
    const drawn = await page.evaluate(() => {
      const o = window.__onescreen!.charts.pm25!.getOption() as {
        series: { id: string; data: [number, number][]; lineStyle?: { type?: string }; stack?: string; endLabel?: { show?: boolean } }[];
        xAxis: { max: number }[];
      };
      const by = (id: string) => o.series.find((s) => s.id === id)!;
      return {
        line: by('forecast').data,
        dashed: by('forecast').lineStyle?.type,
        label: by('forecast').endLabel?.show,
        lower: by('forecast-lower').data,
        band: by('forecast-band').data,
        stacked: [by('forecast-lower').stack, by('forecast-band').stack],
        trend: by('trend').data,
        xMax: o.xAxis[0]!.max,
      };
    });
    expect(drawn.dashed).toBe('dashed');
    expect(drawn.label).toBe(true);
    expect(drawn.band).toHaveLength(12);
    expect(drawn.lower).toHaveLength(12);
    expect(drawn.stacked).toEqual(['forecast-band', 'forecast-band']);
    for (const [, width] of drawn.band) expect(width).toBeGreaterThanOrEqual(0);
    // the line starts at the last real point (when there is one) and runs 12 hours ahead
    const forecastHours = drawn.line.filter(([at]) => at % H === 0 && at > Date.now() - H);
    expect(forecastHours.length).toBeGreaterThanOrEqual(12);
    if (drawn.trend.length) expect(drawn.line[0]).toEqual(drawn.trend[drawn.trend.length - 1]);
    expect(drawn.xMax).toBe(drawn.line[drawn.line.length - 1]![0]);

    await expect.poll(() => page.textContent(sel('forecast-legend')), { timeout: 10_000 }).toContain('预测');
    // the series ends far above 115 µg/m³: the first forecast hour is at the alarm level
    const crossing = page.locator(sel('forecast-crossing'));
    await crossing.waitFor({ timeout: 10_000 });
    expect(await crossing.getAttribute('data-level')).toBe('alarm');
    expect(await crossing.textContent()).toMatch(/预计 \d+ 小时后超标/);
    expect(errors).toEqual([]);
  });
});
