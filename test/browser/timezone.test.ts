/**
 * A centre in another time zone: a server with `TIME_ZONE=America/New_York` (daylight saving,
 * 12 or 13 hours from Shanghai), and the web shows every date and time in it — the header clock
 * and its label, the ticker, a case's detail, the hourly chart's day and hours (the server's
 * snapshot and the web's live counting agree) — and reads the admin's audit filter in it, a time
 * the clocks skipped included. The browser itself runs in Shanghai time, so nothing here can pass
 * by following the computer's own zone.
 *
 * Standalone (its own server and browser, simulator off: only the test posts events). Needs the
 * built web: `npm run build` first.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type {} from '../../web/src/lib/debug.ts';
import { ADMIN, postJson, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchChromium } from './chromium.ts';

const DIST_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));
const TZ = 'America/New_York';
const WJC_POINT = { lng: 121.514, lat: 31.302 };
const sel = (testid: string) => `[data-testid="${testid}"]`;

vi.setConfig({ testTimeout: 60_000, hookTimeout: 90_000 });

/** New York wall-clock fields by Intl directly (not by the code under test). */
function ny(ms: number) {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: TZ, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(ms)
      .map((x) => [x.type, x.value]),
  );
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}`, hour: Number(p.hour) % 24, minute: Number(p.minute) };
}

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

async function openPage(cookie: string): Promise<Page> {
  // the browser's own zone is Shanghai's: the page must follow the server, not the computer
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, timezoneId: 'Asia/Shanghai' });
  contexts.push(context);
  await context.addCookies([{ name: 'onescreen_session', value: cookie.slice(cookie.indexOf('=') + 1), url: server.url }]);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return page;
}

let seq = 0;
async function report(title: string, occurredAtMs: number): Promise<string> {
  const r = await postJson(server.url, '/api/v1/events', {
    events: [{ source: 'grid', externalId: `tz-${Date.now()}-${++seq}`, category: 'neighbour_dispute', title, occurredAt: new Date(occurredAtMs).toISOString(), severity: 'medium', ...WJC_POINT }],
  }, server.ingestKey);
  expect(r.status, r.text).toBeLessThan(300);
  return r.json.results[0].id as string;
}

beforeAll(async () => {
  if (!existsSync(DIST_INDEX)) throw new Error('dist/web is missing: run `npm run build` before the browser tests');
  [server, browser] = await Promise.all([startTestServer({ simulator: false, timeZone: TZ }), launchChromium()]);
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop({ removeData: true });
});

describe('a centre in America/New_York', () => {
  it('should show the clock, the ticker, the detail and the hourly chart in New York time', async () => {
    // an event earlier today in New York (or at its very start, just after midnight)
    const now = Date.now();
    const earlier = Math.floor((now - (ny(now).hour * 3_600_000 + ny(now).minute * 60_000) / 2) / 1000) * 1000;
    const firstId = await report('纽约时区测试 一', earlier);

    const wall = await openPage(server.cookie);
    await wall.goto(`${server.url}/`);
    await wall.waitForSelector('[data-ready="true"]', { timeout: 30_000 });

    // the header names the zone and shows its time
    const zone = wall.locator(sel('clock-zone'));
    expect(await zone.getAttribute('data-zone')).toBe(TZ);
    expect(await zone.textContent()).toMatch(/^北美东部时间 UTC-[45]$/);
    expect(await wall.textContent(`${sel('clock')} + .date`)).toMatch(/ · 北美东部时间 UTC-[45]$/);
    const t0 = Date.now();
    const clock = (await wall.textContent(sel('clock')))!.trim();
    const t1 = Date.now();
    // the clock redraws every second: it shows New York's hour of some moment in [t0 − 2 s, t1]
    expect([ny(t0 - 2000).hour, ny(t1).hour]).toContain(Number(clock.slice(0, 2)));

    // the snapshot's day is New York's: its start is a New York midnight
    const todayStart = await wall.evaluate(() => window.__onescreen!.state.live.data.hourly.todayStart);
    expect(ny(todayStart).time).toBe('00:00:00');

    // the ticker and the detail show the event's New York time
    const line = wall.locator(`${sel('ticker-line')}[data-event-id="${firstId}"]`);
    await line.waitFor();
    expect(await line.locator('.time').textContent()).toBe(ny(earlier).time);
    await line.click();
    await wall.waitForSelector(sel('event-detail'));
    expect(await wall.textContent(sel('detail-occurred'))).toBe(`${ny(earlier).date} ${ny(earlier).time}`);
    await wall.keyboard.press('Escape');

    // the hourly chart counts it at its New York hour, on the snapshot's day
    const slot = (at: number) => (at >= todayStart ? { series: 0, hour: ny(at).hour } : { series: 1, hour: ny(at).hour });
    const chartAt = (s: { series: number; hour: number }) =>
      wall.evaluate((s) => (window.__onescreen!.charts.hourly!.getOption() as { series: { data: (number | null)[] }[] }).series[s.series]!.data[s.hour] ?? 0, s);
    await expect.poll(() => chartAt(slot(earlier))).toBe(1);

    // an event arriving live is counted by the web in its New York hour too
    const liveAt = Math.floor(Date.now() / 1000) * 1000;
    const liveId = await report('纽约时区测试 二', liveAt);
    await wall.waitForSelector(`${sel('ticker-line')}[data-event-id="${liveId}"]`);
    const hourly = await wall.evaluate(() => window.__onescreen!.state.live.data.hourly);
    const expected = new Array<number>(24).fill(0);
    if (hourly.todayStart === todayStart) {
      expected[ny(earlier).hour]! += earlier >= todayStart ? 1 : 0;
      expected[ny(liveAt).hour]! += 1;
      expect(hourly.today).toEqual(expected);
    } else {
      // New York's midnight passed between the two events: the live one starts the new day
      expect(ny(hourly.todayStart).time).toBe('00:00:00');
      expected[ny(liveAt).hour] = 1;
      expect(hourly.today).toEqual(expected);
    }
    expect(pageErrors).toEqual([]);
  });

  it("should read the audit filter in New York time, a time the clocks skipped included", async () => {
    const admin = await openPage(await server.login(ADMIN.username, ADMIN.password));
    await admin.goto(`${server.url}/admin#audit`);
    await admin.waitForSelector('[data-testid="admin-page"][data-state="ready"]');
    await admin.waitForSelector(sel('audit-row'));
    expect(await admin.textContent(sel('audit-zone'))).toMatch(/^北美东部时间 UTC-[45]$/);

    // the table shows each entry's time in New York
    const row = admin.locator(sel('audit-row')).first();
    const at = Date.parse((await row.getAttribute('data-at'))!);
    expect(await row.locator('td').first().textContent()).toBe(`${ny(at).date} ${ny(at).time}`);

    // 02:30 on 8 March 2026 never happened in New York: read as 03:30 EDT, and said so
    await admin.fill(sel('audit-from'), '2026-03-08T02:30');
    await admin.waitForSelector(sel('audit-time-note'));
    expect(await admin.textContent(sel('audit-time-note'))).toBe('该时刻因夏令时调整不存在，按 03:30 UTC-4 计');
    // 01:30 on 1 November 2026 happened twice: an end reads the second
    await admin.fill(sel('audit-to'), '2026-11-01T01:30');
    await admin.click(sel('audit-apply'));
    await expect.poll(() => admin.getAttribute(sel('audit-csv'), 'href')).toBe(
      `/api/v1/admin/audit.csv?${new URLSearchParams({ from: '2026-03-08T03:30:00-04:00', to: '2026-11-01T01:30:00-05:00' }).toString()}`,
    );
    expect(pageErrors).toEqual([]);
  });
});
