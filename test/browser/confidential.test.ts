/**
 * Confidential cases and personal data on real screens (headless Chromium, real server, simulator
 * off): the district wall shows a citizen's report masked and never receives the full text; a
 * district officer reads it in full in the console, and the reading is in the audit trail; a
 * confidential case is on no wall and in no street console without clearance, while a district
 * officer's console lists it; a case marked confidential in the console leaves the wall at once.
 *
 * Standalone (its own server and browser). Needs the built web: `npm run build` first.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type {} from '../../web/src/lib/console-debug.ts';
import type {} from '../../web/src/lib/debug.ts';
import { ADMIN, postJson } from '../helpers/server.ts';
import { sel } from './harness.ts';
import { standaloneSuite } from './standalone.ts';

const WJC = '310110019000';
const WJC_POINT = { lng: 121.514, lat: 31.302 };
const PHONE = '13912345678';
const WAIT_MS = 20_000;

const suite = standaloneSuite({ simulator: false });
const openPage = suite.openPage;
const pageErrors = suite.pageErrors;

let seq = 0;
async function report(over: Record<string, unknown>): Promise<string> {
  const r = await postJson(suite.server.url, '/api/v1/events', { events: [{ source: '12345', externalId: `conf-ui-${++seq}`, category: 'road_occupation', title: '占道经营', occurredAt: new Date().toISOString(), ...WJC_POINT, ...over }] }, suite.server.ingestKey);
  expect(r.status, r.text).toBe(200);
  return r.json.results[0].id as string;
}

/** whether the page's live state holds the case (open list or ticker) */
const holds = (page: Page, id: string) =>
  page.evaluate((id) => {
    const d = window.__onescreen?.state.live.data ?? window.__onescreenConsole?.state.live.data;
    return d ? [...d.openEvents, ...d.recent].some((e) => e.id === id) : null;
  }, id);

describe('confidential cases and personal data on the screens', () => {
  it('should show the wall a masked report, and a district officer the full one with the reading audited', async () => {
    const wall = await openPage(suite.server.cookie, 1280, 720);
    await wall.goto(`${suite.server.url}/`);
    await wall.waitForSelector('[data-ready="true"]', { timeout: WAIT_MS });
    const id = await report({ title: '联系人：王小明 反映占道', description: `来电人王小明，电话${PHONE}，沪B54321 长期占道` });
    await wall.waitForSelector(`${sel('ticker-line')}[data-event-id="${id}"]`, { timeout: WAIT_MS });
    expect(await wall.textContent(`${sel('ticker-line')}[data-event-id="${id}"]`)).toContain('联系人：王**');
    await wall.click(`${sel('ticker-line')}[data-event-id="${id}"]`);
    await wall.waitForSelector(sel('detail-status'), { timeout: WAIT_MS });
    const wallText = await wall.evaluate(() => document.body.innerText + JSON.stringify(window.__onescreen?.state.live.data));
    for (const secret of [PHONE, '王小明', '沪B54321']) expect(wallText).not.toContain(secret);

    const desk = await openPage(suite.server.cookie);
    await desk.goto(`${suite.server.url}/console?case=${id}`);
    await desk.waitForSelector(`${sel('case-panel')}[data-case-id="${id}"]`, { timeout: WAIT_MS });
    expect(await desk.textContent('.desc')).toBe('来电人王**，电话139****5678，沪B****1 长期占道');
    await desk.click(sel('personal-show'));
    await desk.waitForSelector(sel('personal-full'), { timeout: WAIT_MS });
    expect(await desk.textContent(sel('personal-full'))).toContain(`来电人王小明，电话${PHONE}，沪B54321 长期占道`);
    const audit = (await suite.server.get('/api/v1/admin/audit?limit=200', await suite.server.login(ADMIN.username, ADMIN.password))).json;
    expect(audit.filter((a: any) => a.action === 'case.unmask' && a.target === id && a.outcome === 'ok')).toHaveLength(1);
    expect(pageErrors).toEqual([]);
  });

  it('should keep a confidential case off the wall and out of an uncleared street console, list it for the district, and take a case off the wall when marked', async () => {
    const streetUser = await suite.server.createUser('street', WJC);
    const [wall, street] = await Promise.all([openPage(suite.server.cookie, 1280, 720), openPage(await suite.server.login(streetUser.username, streetUser.password))]);
    await Promise.all([
      wall.goto(`${suite.server.url}/`).then(() => wall.waitForSelector('[data-ready="true"]', { timeout: WAIT_MS })),
      street.goto(`${suite.server.url}/console`).then(() => street.waitForSelector(`${sel('console')}[data-ready="true"]`, { timeout: WAIT_MS })),
    ]);
    const secret = await report({ title: '涉密线索核查', confidential: true });
    const marker = await report({ title: '普通占道' });
    await wall.waitForSelector(`${sel('ticker-line')}[data-event-id="${marker}"]`, { timeout: WAIT_MS });
    await street.waitForSelector(`${sel('queue-row')}[data-id="${marker}"]`, { timeout: WAIT_MS });
    expect(await holds(wall, secret)).toBe(false);
    expect(await street.locator(`${sel('queue-row')}[data-id="${secret}"]`).count()).toBe(0);
    expect(await wall.evaluate(() => document.body.innerText)).not.toContain('涉密线索核查');

    // the district officer's console lists it, marked
    const desk = await openPage(suite.server.cookie);
    await desk.goto(`${suite.server.url}/console`);
    await desk.waitForSelector(`${sel('queue-row')}[data-id="${secret}"] ${sel('row-confidential')}`, { timeout: WAIT_MS });

    // the officer marks the ordinary case confidential, with a reason: it leaves the wall and the street console
    await desk.click(`${sel('queue-row')}[data-id="${marker}"]`);
    await desk.waitForSelector(`${sel('case-panel')}[data-case-id="${marker}"]`);
    await desk.click(sel('act-classify'));
    await desk.waitForSelector(`${sel('action-form')}[data-action="classify"] ${sel('action-note')}:focus`);
    await desk.keyboard.type('涉及未公开的执法行动');
    await desk.keyboard.press('Enter');
    await desk.waitForSelector(sel('case-confidential'), { timeout: WAIT_MS });
    await expect.poll(() => holds(wall, marker), { timeout: WAIT_MS }).toBe(false);
    await wall.waitForSelector(`${sel('ticker-line')}[data-event-id="${marker}"]`, { state: 'detached', timeout: WAIT_MS });
    await street.waitForSelector(`${sel('queue-row')}[data-id="${marker}"]`, { state: 'detached', timeout: WAIT_MS });
    // and it stays in the district officer's queue, marked
    await desk.waitForSelector(`${sel('queue-row')}[data-id="${marker}"] ${sel('row-confidential')}`, { timeout: WAIT_MS });
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
