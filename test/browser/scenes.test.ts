/**
 * A display's scenes on the wall (issue 11 §1): an enrolled district display with a 2-scene
 * playlist (overview 10 s, closed-loop board 10 s) rotates on its own; a critical alarm raised in
 * its scope (PM2.5 above the alarm level for half an hour, posted by the test) pins it to the
 * alarms view with a banner naming the alarm; acknowledging the alarm lets it rotate again from
 * where it stopped. A pause from the console's API holds it and is shown; resuming lets it go on.
 * A playlist with a tasks scene brings the task board (挂图作战) forward in the board's place.
 *
 * Standalone (its own server and browser, simulator off: only the test posts readings). Needs the
 * built web: `npx vite build` first.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Alarm } from '../../shared/index.ts';
import { ADMIN, postJson, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchChromium } from './chromium.ts';

const DIST_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));
const DISTRICT = '310110';
const MIN = 60_000;
const sel = (testid: string) => `[data-testid="${testid}"]`;

vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let wall: Page;
let displayId: string;
let admin: string;
const pageErrors: string[] = [];

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const scene = () => wall.getAttribute(sel('scene-indicator'), 'data-scene');
const waitScene = (kind: string, ms = 25_000) => wall.waitForSelector(`${sel('scene-indicator')}[data-scene="${kind}"]`, { timeout: ms });
const send = async (method: string, path: string, body: unknown, cookie: string) => {
  const r = await fetch(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
};

beforeAll(async () => {
  if (!existsSync(DIST_INDEX)) throw new Error('dist/web is missing: run `npx vite build` before the browser tests');
  [server, browser] = await Promise.all([startTestServer({ simulator: false, demoLayers: true, app: { alarmTickMs: 200 } }), launchChromium()]);
  admin = await server.login(ADMIN.username, ADMIN.password);
  const d = await server.createDisplay(DISTRICT);
  displayId = d.id;
  const saved = await send('PUT', `/api/v1/admin/displays/${d.id}/config`, { scenes: [{ kind: 'overview', durationSec: 10 }, { kind: 'loop', durationSec: 10 }], layout: '1920x1080' }, admin);
  expect(saved.status).toBe(200);
  context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  wall = await context.newPage();
  wall.on('pageerror', (e) => pageErrors.push(e.message));
  // enrol as a screen does: the link once, then it runs unattended
  await wall.goto(`${server.url}/?display=${encodeURIComponent(d.token)}`);
  await wall.waitForSelector('[data-ready="true"]', { timeout: 60_000 });
});

afterAll(async () => {
  await context?.close().catch(() => {});
  await browser?.close();
  await server?.stop({ removeData: true });
});

describe('a display’s scenes on the wall', () => {
  it('rotates through its two scenes on its own', async () => {
    await wall.waitForSelector(sel('scene-indicator'));
    const first = await scene();
    expect(['overview', 'loop']).toContain(first);
    const other = first === 'overview' ? 'loop' : 'overview';
    await waitScene(other);
    await waitScene(first!);
    // the loop scene brings the closed-loop board forward
    await waitScene('loop');
    await wall.waitForSelector(`[data-scene-focus="loop"]`);
  });

  it('pins on a critical alarm in its scope, with a banner naming it, until it is acknowledged; then rotates again', async () => {
    const now = Date.now();
    await postJson(server.url, '/api/v1/readings', { readings: Array.from({ length: 32 }, (_, i) => ({ indicator: 'pm25', areaId: DISTRICT, value: 130, at: new Date(now - i * MIN).toISOString() })) }, server.ingestKey);
    const alarm = await until('the PM2.5 alarm', async () => ((await server.get('/api/v1/alarms?status=active')).json.alarms as Alarm[]).find((a) => a.ruleId === 'pm25.district' && a.severity === 'alarm'));
    const pin = await wall.waitForSelector(`${sel('scene-pin')}[data-pinned-id="${alarm.id}"]`, { timeout: 20_000 });
    expect(await pin.textContent()).toContain(alarm.title.zh);
    await waitScene('alarms', 5_000);
    // the banner is legible from 5 m: at least 30 px text on a 1080-line wall
    const px = await pin.evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    expect(px).toBeGreaterThanOrEqual(30);
    // the alarm itself is highlighted in the alarm panel
    await wall.waitForSelector(`[data-testid="alarm-row"][data-alarm-id="${alarm.id}"][data-pinned="true"]`);
    // pinned: no change for longer than a scene lasts
    await new Promise((r) => setTimeout(r, 12_000));
    expect(await scene()).toBe('alarms');

    const ack = await send('POST', `/api/v1/alarms/${alarm.id}/ack`, { version: alarm.version, note: 'seen' }, server.cookie);
    expect(ack.status).toBe(200);
    await wall.waitForSelector(sel('scene-pin'), { state: 'detached', timeout: 20_000 });
    const resumed = await scene();
    expect(['overview', 'loop']).toContain(resumed);
    await waitScene(resumed === 'overview' ? 'loop' : 'overview');
  });

  it('holds while paused from the console and shows who paused it; resumes when told', async () => {
    const paused = await send('POST', `/api/v1/displays/${displayId}/rotation`, { action: 'pause', minutes: 15 }, server.cookie);
    expect(paused.status).toBe(200);
    await wall.waitForSelector(`${sel('scene-indicator')}[data-paused="true"]`, { timeout: 10_000 });
    expect(await wall.textContent(sel('scene-paused'))).toContain(paused.json.pause.by);
    const held = await scene();
    await new Promise((r) => setTimeout(r, 12_000));
    expect(await scene()).toBe(held);
    expect((await send('POST', `/api/v1/displays/${displayId}/rotation`, { action: 'resume' }, server.cookie)).status).toBe(200);
    await wall.waitForSelector(`${sel('scene-indicator')}[data-paused="false"]`, { timeout: 10_000 });
    await waitScene(held === 'overview' ? 'loop' : 'overview');
    expect(pageErrors).toEqual([]);
  });

  it('shows the task board in a tasks scene, with no switch a screen nobody touches could use', async () => {
    const t = await send('POST', '/api/v1/tasks', {
      title: '消防通道堵塞专项清理', unitId: 'fire-safety', person: '周某 队长', standard: '通道全部畅通', deadline: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      location: { type: 'Point', coordinates: [121.52, 31.28] }, milestones: [{ title: '排查建档', due: new Date(Date.now() + 10 * 86_400_000).toISOString() }],
    }, server.cookie);
    expect(t.status).toBe(201);
    const saved = await send('PUT', `/api/v1/admin/displays/${displayId}/config`, { scenes: [{ kind: 'tasks', durationSec: 10 }, { kind: 'overview', durationSec: 10 }], layout: '1920x1080' }, admin);
    expect(saved.status).toBe(200);
    await waitScene('tasks');
    await wall.waitForSelector('[data-scene-focus="tasks"]');
    await wall.waitForSelector(`${sel('panel-tasks')} ${sel('task-row')}[data-task-id="${t.json.id}"]`, { timeout: 20_000 });
    expect(await wall.locator(sel('board-switch')).count()).toBe(0);
    // the next scene gives the board back to the closed loop
    await waitScene('overview');
    await wall.waitForSelector(sel('panel-board'));
    expect(pageErrors).toEqual([]);
  });

  it('shows the key-area board in a keyAreas scene, the map fitted to the key areas', async () => {
    const saved = await send('PUT', `/api/v1/admin/displays/${displayId}/config`, { scenes: [{ kind: 'keyAreas', durationSec: 10 }, { kind: 'overview', durationSec: 10 }], layout: '1920x1080' }, admin);
    expect(saved.status).toBe(200);
    await waitScene('keyAreas');
    await wall.waitForSelector('[data-scene-focus="keyAreas"]');
    await wall.waitForSelector(`${sel('panel-key-areas')} ${sel('key-area-row')}[data-key-area-id="wujiaochang"]`);
    expect(await wall.locator(sel('key-area-row')).count()).toBe(3);
    // the camera settles on the key areas: every one of them in view
    await wall.waitForFunction(() => {
      const map = window.__onescreen!.map!;
      const b = map.getBounds();
      const inView = (lng: number, lat: number) => lng >= b.getWest() && lng <= b.getEast() && lat >= b.getSouth() && lat <= b.getNorth();
      return !map.isMoving() && inView(121.514, 31.3015) && inView(121.52, 31.255) && map.getZoom() > 12.5;
    }, undefined, { timeout: 20_000 });
    // and named on the map
    await wall.waitForSelector('.key-area-label[data-key-area-id="daxue-rd"]');
    await waitScene('overview');
    await wall.waitForSelector(sel('panel-board'));
    expect(pageErrors).toEqual([]);
  });
});
