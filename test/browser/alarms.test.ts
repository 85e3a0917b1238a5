/**
 * Alarms on the wall (DOMAIN.md R3.2): readings posted through the ingest API cross a rule, and
 * the wall shows the alarm in its panel within seconds, marks the indicator's tile and the
 * street on the map, and its health score (体征指数) drops and names the indicator; readings
 * back below the clear level take the alarm out of the panel. A street centre's wall shows its
 * own street's alarms only.
 *
 * Standalone (its own server and browser, simulator off: only the test posts readings). Needs the
 * built web: `npm run build` first. `ALARM_SCREENSHOT=file.png` also saves a 1920×1080 picture
 * of the wall with its alarms.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Alarm } from '../../shared/index.ts';
import type {} from '../../web/src/lib/debug.ts';
import { postJson, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchChromium } from './chromium.ts';

const DIST_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));
const DISTRICT = '310110';
const WJC = '310110019000';
const MIN = 60_000;
const sel = (testid: string) => `[data-testid="${testid}"]`;
const row = (id: string) => `[data-testid="alarm-row"][data-alarm-id="${id}"]`;

vi.setConfig({ testTimeout: 60_000, hookTimeout: 90_000 });

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

async function openWall(cookie: string, viewport = { width: 1280, height: 720 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  await context.addCookies([{ name: 'onescreen_session', value: cookie.slice(cookie.indexOf('=') + 1), url: server.url }]);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.url}/`);
  await page.waitForSelector('[data-ready="true"]', { timeout: 45_000 });
  return page;
}

async function readings(items: object[]): Promise<void> {
  const r = await postJson(server.url, '/api/v1/readings', { readings: items }, server.ingestKey);
  expect(r.status, r.text).toBe(200);
}

/** polls the API until `fn` finds something (the failure names what was awaited) */
async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const activeOf = async (ruleId: string) => ((await server.get('/api/v1/alarms?status=active')).json.alarms as Alarm[]).find((a) => a.ruleId === ruleId);

beforeAll(async () => {
  if (!existsSync(DIST_INDEX)) throw new Error('dist/web is missing: run `npm run build` before the browser tests');
  [server, browser] = await Promise.all([startTestServer({ simulator: false, app: { alarmTickMs: 200 } }), launchChromium()]);
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop({ removeData: true });
});

describe('alarms on the wall', () => {
  let wall: Page;
  let pm25: Alarm;
  let fire: Alarm;

  it('shows no alarm while none is active', async () => {
    wall = await openWall(server.cookie);
    await wall.waitForSelector(sel('alarms-empty'));
    expect((await wall.textContent(sel('alarms-empty')))?.trim()).toBe('当前无告警');
    expect(await wall.$$(sel('alarm-row'))).toHaveLength(0);
    expect(await wall.$$(sel('tile-alarm-mark'))).toHaveLength(0);
  });

  it('a half hour of PM2.5 above the alarm level: the panel lists it within seconds, the tile is marked, the score drops and names PM2.5', async () => {
    const now = Date.now();
    // 31 minutes at 130 µg/m³ (alarm ≥ 115 for 30 min), posted at once
    await readings(Array.from({ length: 32 }, (_, i) => ({ indicator: 'pm25', areaId: DISTRICT, value: 130, at: new Date(now - i * MIN).toISOString() })));
    pm25 = await until('the PM2.5 alarm', () => activeOf('pm25.district'));
    const line = await wall.waitForSelector(row(pm25.id), { timeout: 20_000 });
    expect(await line.getAttribute('data-severity')).toBe('alarm');
    const figure = (await line.$eval(sel('alarm-figure'), (e) => e.textContent ?? '')).replace(/\s+/g, ' ');
    expect(figure).toContain('130 / 115');
    expect(figure).toContain('g/m³'); // the registry's unit
    // its age ticks from raisedAt
    expect(await line.$eval(sel('alarm-age'), (e) => e.textContent ?? '')).toMatch(/\d+秒|\d+分/);

    await wall.waitForSelector(`${sel('tile-pm25')}[data-alarm="alarm"] ${sel('tile-alarm-mark')}`);
    await wall.waitForFunction(() => {
      const el = document.querySelector('[data-testid="health-score"]');
      const s = Number(el?.getAttribute('data-score'));
      return el?.getAttribute('data-score') !== '' && s < 100;
    });
    await wall.waitForSelector(`${sel('health-drags')} [data-indicator-id="pm25"]`);
    expect(await wall.$$(sel('alarms-empty'))).toHaveLength(0);
  });

  it('five fire alarms in a grid of 五角场: the street alarm is listed with its case, and the street is outlined on the map', async () => {
    const grid = server.app.tree.children(WJC)[0]!.id;
    await readings([{ indicator: 'fire_alarms', areaId: grid, value: 5, at: new Date().toISOString() }]);
    fire = await until('the street fire alarm with its case', async () => {
      const a = await activeOf('fire_alarms.street');
      return a?.caseId ? a : undefined;
    });
    const line = await wall.waitForSelector(`${row(fire.id)} ${sel('alarm-case')}`, { timeout: 20_000 });
    expect(line).toBeTruthy();
    // the most severe and oldest first: PM2.5 (alarm, older) before the street fire alarm
    const ids = await wall.$$eval(sel('alarm-row'), (els) => els.map((e) => e.getAttribute('data-alarm-id')));
    expect(ids.indexOf(pm25.id)).toBeLessThan(ids.indexOf(fire.id));
    await wall.waitForFunction((id) => {
      const map = window.__onescreen?.map;
      return map?.getFeatureState({ source: 'streets', id }).alarm === 2;
    }, WJC);
    await wall.waitForSelector(`[data-street-id="${WJC}"][data-alarm="2"]`);
    // 五角场 ranks among the lowest street scores
    await wall.waitForSelector(`${sel('health-child')}[data-area-id="${WJC}"]`);
    const s = Number(await wall.getAttribute(`${sel('health-child')}[data-area-id="${WJC}"]`, 'data-score'));
    expect(s).toBeLessThan(100);
  });

  it("a street centre's wall shows its own street's alarm, not the district's", async () => {
    const u = await server.createUser('street', WJC);
    const street = await openWall(await server.login(u.username, u.password));
    await street.waitForSelector(row(fire.id));
    expect(await street.$$(row(pm25.id))).toHaveLength(0);
    await street.context().close();
  });

  it('takes a picture of the wall with alarms at 1920×1080', async () => {
    const out = process.env.ALARM_SCREENSHOT;
    if (!out) return;
    const big = await openWall(server.cookie, { width: 1920, height: 1080 });
    await big.waitForSelector(row(fire.id));
    await big.screenshot({ path: out });
    await big.context().close();
  });

  it('PM2.5 back below the clear level: the alarm leaves the panel for the recently cleared line', async () => {
    await readings([{ indicator: 'pm25', areaId: DISTRICT, value: 40, at: new Date().toISOString() }]);
    await wall.waitForSelector(row(pm25.id), { state: 'detached', timeout: 20_000 });
    await wall.waitForSelector(`${sel('alarms-cleared')} [data-alarm-id="${pm25.id}"]`);
    // the tile keeps no alarm mark (the fire alarm's tile still has one)
    await wall.waitForFunction(() => !document.querySelector('[data-testid="tile-pm25"]')?.hasAttribute('data-alarm'));
    expect(await wall.$$(row(fire.id))).toHaveLength(1);
    expect(pageErrors).toEqual([]);
  });
});
