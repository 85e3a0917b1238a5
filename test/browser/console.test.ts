/**
 * The duty-officer console in real headless Chromium against the real server (simulator off,
 * temp database): a district officer takes a freshly reported case from the top of the queue to
 * archive, mostly with the keyboard, while a second browser context on the wall sees each step
 * live; a conflicting action by someone else is shown clearly and the case reloaded.
 *
 * Standalone (its own server and browser) while the wall's suites are being reorganised.
 * Needs the built web: `npm run build` first (`npm test` and `npm run test:browser` do).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStatus } from '../../shared/index.ts';
import type {} from '../../web/src/lib/console-debug.ts';
import type {} from '../../web/src/lib/debug.ts';
import { postJson, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchChromium } from './chromium.ts';

const DIST_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));
const WJC_POINT = { lng: 121.514, lat: 31.302 };
const sel = (testid: string) => `[data-testid="${testid}"]`;

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

async function openPage(cookie: string, width = 1920, height = 1080): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } });
  contexts.push(context);
  await context.addCookies([{ name: 'onescreen_session', value: cookie.slice(cookie.indexOf('=') + 1), url: server.url }]);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return page;
}

let seq = 0;
async function report(over: Record<string, unknown>): Promise<string> {
  const r = await postJson(server.url, '/api/v1/events', {
    events: [{ source: '12345', externalId: `console-${Date.now()}-${++seq}`, category: 'fire_hazard', title: '消防通道堵塞', occurredAt: new Date().toISOString(), ...WJC_POINT, ...over }],
  }, server.ingestKey);
  expect(r.status, r.text).toBeLessThan(300);
  return r.json.results[0].id as string;
}

/** the case's status as the wall's live state holds it */
const wallStatus = (wall: Page, id: string) =>
  wall.evaluate((id) => {
    const d = window.__onescreen?.state.live.data;
    return d ? ([...d.openEvents, ...d.recent].find((e) => e.id === id)?.status ?? null) : null;
  }, id);

async function expectWall(wall: Page, id: string, status: EventStatus): Promise<void> {
  await expect.poll(() => wallStatus(wall, id), { timeout: 5000, interval: 50 }).toBe(status);
}

async function expectConsole(page: Page, status: EventStatus): Promise<void> {
  await page.waitForSelector(`${sel('case-panel')}[data-status="${status}"]`, { timeout: 5000 });
}

beforeAll(async () => {
  if (!existsSync(DIST_INDEX)) throw new Error('dist/web is missing: run `npm run build` before the browser tests');
  [server, browser] = await Promise.all([startTestServer({ simulator: false }), launchChromium()]);
}, 30_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop({ removeData: true });
});

describe('the duty-officer console', () => {
  it('should take a new case from the top of the queue to archive while the wall follows live, and show a conflict', async () => {
    const officer = await server.createUser('district');
    const officerCookie = await server.login(officer.username, officer.password);
    const [wall, desk] = await Promise.all([openPage(server.cookie, 1280, 720), openPage(officerCookie)]);
    await Promise.all([
      wall.goto(`${server.url}/`).then(() => wall.waitForSelector('[data-ready="true"]', { timeout: 20_000 })),
      desk.goto(`${server.url}/console`).then(() => desk.waitForSelector(`${sel('console')}[data-ready="true"]`, { timeout: 20_000 })),
    ]);

    // a calm case first, then an urgent one: the urgent one tops the queue
    const calm = await report({ category: 'neighbour_dispute', title: '邻里噪声纠纷', severity: 'low' });
    const id = await report({ title: '紧急：楼道堆物堵塞消防通道', severity: 'critical', description: '<img src=x onerror=alert(1)>' });
    await expect.poll(() => desk.$$eval(sel('queue-row'), (rows) => rows.map((r) => r.getAttribute('data-id'))), { timeout: 5000 }).toEqual([id, calm]);
    expect(await desk.textContent(`${sel('queue-row')} ${sel('row-title')}`)).toBe('紧急：楼道堆物堵塞消防通道');
    // the countdown ticks without a fetch
    const c1 = await desk.textContent(`${sel('queue-row')} ${sel('row-countdown')}`);
    await desk.waitForTimeout(1100);
    expect(await desk.textContent(`${sel('queue-row')} ${sel('row-countdown')}`)).not.toBe(c1);

    // j moves to the top, Enter opens, a accepts
    await desk.keyboard.press('j');
    await desk.keyboard.press('Enter');
    await desk.waitForSelector(`${sel('case-panel')}[data-case-id="${id}"]`);
    expect(await desk.textContent(sel('case-title'))).toBe('紧急：楼道堆物堵塞消防通道');
    expect(await desk.locator('.desc').textContent()).toBe('<img src=x onerror=alert(1)>'); // text, not HTML
    expect(await desk.$$eval(`${sel('case-actions')} button`, (bs) => bs.map((b) => b.getAttribute('data-testid')))).toEqual(['act-accept', 'act-urge', 'act-reject']);
    expect(await desk.textContent(sel('act-accept'))).toContain('a');
    await desk.keyboard.press('a');
    await expectConsole(desk, 'accepted');
    await expectWall(wall, id, 'accepted');

    // d opens the dispatch form with the suggested unit; Enter confirms
    await desk.keyboard.press('d');
    await desk.waitForSelector(`${sel('action-form')}[data-action="dispatch"]`);
    expect(await desk.inputValue(sel('dispatch-unit'))).toBe('fire-safety');
    await desk.keyboard.press('Enter');
    await expectConsole(desk, 'dispatched');
    expect(await desk.textContent(sel('case-lead'))).toBe('消防安全专班');
    await expectWall(wall, id, 'dispatched');

    // while the officer writes the handling note, someone else urges the case first
    await desk.keyboard.press('h');
    await desk.waitForSelector(`${sel('action-form')}[data-action="handle"] ${sel('action-note')}:focus`);
    await desk.keyboard.type('已清理楼道堆物');
    // typing "h", "v" or "x" in the note fired no shortcut
    expect(await desk.getAttribute(sel('case-panel'), 'data-status')).toBe('dispatched');
    const version = (await server.get(`/api/v1/events/${id}`)).json.version as number;
    const other = await postJson(server.url, `/api/v1/events/${id}/transitions`, { action: 'urge', version }, undefined, { cookie: server.cookie });
    expect(other.status).toBe(200);
    // and a stale version is refused by the server outright
    const stale = await desk.evaluate(async ({ id, version }) => {
      const r = await fetch(`/api/v1/events/${id}/transitions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'urge', version }) });
      return r.status;
    }, { id, version });
    expect(stale).toBe(409);
    await desk.keyboard.press('Enter');
    await desk.waitForSelector(`${sel('console-notice')}[data-kind="conflict"]`, { timeout: 5000 });
    expect(await desk.textContent(sel('console-notice'))).toContain('该事件已被他人处理，已刷新');
    await desk.waitForSelector(`${sel('case-panel')}[data-version="${version + 1}"]`);
    expect(await desk.getAttribute(sel('case-panel'), 'data-status')).toBe('dispatched');

    // again, now on the fresh version
    await desk.keyboard.press('h');
    await desk.waitForSelector(`${sel('action-form')}[data-action="handle"] ${sel('action-note')}:focus`);
    await desk.keyboard.type('已清理楼道堆物');
    await desk.keyboard.press('Enter');
    await expectConsole(desk, 'handled');
    await expectWall(wall, id, 'handled');

    await desk.keyboard.press('v');
    await expectConsole(desk, 'verified');
    await expectWall(wall, id, 'verified');

    await desk.keyboard.press('x');
    await desk.waitForSelector(`${sel('action-form')}[data-action="archive"]`);
    await desk.click(sel('rating-good'));
    await desk.selectOption(sel('satisfaction'), '4');
    await desk.click(sel('action-confirm'));
    await expectConsole(desk, 'archived');
    await expectWall(wall, id, 'archived');

    // the timeline holds every step, and the closed case has left the queue
    expect(await desk.$$eval(sel('timeline-entry'), (es) => es.map((e) => e.getAttribute('data-action')).reverse())).toEqual([
      'report', 'accept', 'dispatch', 'urge', 'handle', 'verify', 'archive',
    ]);
    expect(await desk.textContent(sel('timeline'))).toContain('已清理楼道堆物');
    await expect.poll(() => desk.$$eval(sel('queue-row'), (rows) => rows.map((r) => r.getAttribute('data-id'))), { timeout: 5000 }).toEqual([calm]);
    expect(await desk.$$eval(`${sel('case-actions')} button`, (bs) => bs.length)).toBe(0);
    expect(pageErrors).toEqual([]);

    if (process.env.ONESCREEN_SCREENSHOTS) {
      await desk.keyboard.press('j');
      await desk.keyboard.press('Enter');
      await desk.waitForSelector(`${sel('case-panel')}[data-case-id="${calm}"]`);
      await desk.waitForTimeout(1500);
      await desk.screenshot({ path: 'docs/screenshot-console.png' });
    }
  }, 45_000);

  it('should send someone without a session to the login page and back', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${server.url}/console`);
    await page.waitForURL(/\/login\?next=%2Fconsole$/, { timeout: 5000 });
  });
});
