/**
 * A department's officer (条) works its cases in real headless Chromium against the real server
 * (simulator off, temp database), while the district's wall shows each step: the co-handling unit
 * reports its part, the lead unit reads it on the timeline and reports the case handled; a
 * mis-dispatched case is returned with a reason and leaves the unit's queue. A unit that works on
 * neither sees an empty queue; a unit has no wall, analysis or handover page.
 *
 * Standalone (its own server and browser): nobody but the test may act on cases. Needs the built
 * web: `npm run build` first (`npm test` and `npm run test:browser` do).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { AreaFeature, EventStatus } from '../../shared/index.ts';
import { labelPoint } from '../../web/src/lib/utils/geo.ts';
import type {} from '../../web/src/lib/console-debug.ts';
import type {} from '../../web/src/lib/debug.ts';
import { postJson } from '../helpers/server.ts';
import { sel } from './harness.ts';
import { standaloneSuite } from './standalone.ts';

const WJC_POINT = { lng: 121.514, lat: 31.302 };
/** a deadline for a condition, never a pause: two pages draw with software WebGL on 2 cores */
const WAIT_MS = 20_000;

const suite = standaloneSuite({ simulator: false });
const openPage = suite.openPage;
const pageErrors = suite.pageErrors;

let seq = 0;
/** a case reported in 五角场 and dispatched by the district to a lead unit (and co-units) */
async function dispatched(title: string, unit: string, coUnits: string[] = [], point = WJC_POINT): Promise<string> {
  const r = await postJson(suite.server.url, '/api/v1/events', {
    events: [{ source: 'grid', externalId: `unit-console-${Date.now()}-${++seq}`, category: 'road_occupation', title, occurredAt: new Date().toISOString(), ...point }],
  }, suite.server.ingestKey);
  expect(r.status, r.text).toBeLessThan(300);
  const id = r.json.results[0].id as string;
  const act = (body: object) => postJson(suite.server.url, `/api/v1/events/${id}/transitions`, body, undefined, { cookie: suite.server.cookie });
  expect((await act({ action: 'accept', version: 1 })).status).toBe(200);
  expect((await act({ action: 'dispatch', version: 2, unit, coUnits })).status).toBe(200);
  return id;
}

const queueIds = (page: Page) => page.$$eval(sel('queue-row'), (rows) => rows.map((r) => r.getAttribute('data-id')));

async function openConsole(page: Page): Promise<void> {
  await page.goto(`${suite.server.url}/console`);
  await page.waitForSelector(`${sel('console')}[data-ready="true"]`, { timeout: WAIT_MS });
}

/** the case's status as the wall's live state holds it, and its open detail shows it */
async function expectWall(wall: Page, id: string, status: EventStatus): Promise<void> {
  await expect
    .poll(() => wall.evaluate((id) => {
      const d = window.__onescreen?.state.live.data;
      return d ? ([...d.openEvents, ...d.recent].find((e) => e.id === id)?.status ?? null) : null;
    }, id), { timeout: WAIT_MS, interval: 50 })
    .toBe(status);
  await wall.waitForSelector(`${sel('detail-status')}[data-status="${status}"]`, { timeout: WAIT_MS });
}

describe("a unit's console", () => {
  it('should let the co-unit report its part and the lead unit handle the case, while the district wall follows', async () => {
    const login = async (unit: string) => {
      const u = await suite.server.createUser('unit', undefined, unit);
      return suite.server.login(u.username, u.password);
    };
    const [leadCookie, coCookie, otherCookie] = [await login('urban-management'), await login('traffic-police'), await login('housing')];
    const id = await dispatched('人行道违规占道经营', 'urban-management', ['traffic-police']);

    const wall = await openPage(suite.server.cookie, 1280, 720);
    await wall.goto(`${suite.server.url}/`);
    await wall.waitForSelector('[data-ready="true"]', { timeout: WAIT_MS });
    await wall.click(`${sel('ticker-line')}[data-event-id="${id}"]`);
    await expectWall(wall, id, 'dispatched');

    const [lead, co, other] = await Promise.all([openPage(leadCookie), openPage(coCookie), openPage(otherCookie)]);
    await Promise.all([openConsole(lead), openConsole(co), openConsole(other)]);
    expect(await queueIds(lead)).toEqual([id]);
    expect(await queueIds(co)).toEqual([id]);
    expect(await queueIds(other)).toEqual([]);
    // a unit's console: its standing in place of the area's alarms, its unit named, no area pages
    expect(await lead.getAttribute(sel('session-user'), 'data-unit')).toBe('urban-management');
    expect(await lead.textContent(sel('session-user'))).toContain('区城管执法局');
    expect(await lead.locator(sel('unit-standing')).count()).toBe(1);
    expect(await lead.locator(sel('alarm-panel')).count()).toBe(0);
    expect(await lead.locator(sel('tab-hotspots')).count()).toBe(0);
    expect(await lead.locator(sel('console-to-analytics')).count()).toBe(0);

    // the co-unit may only give its feedback (f), with the names of its photos
    await co.keyboard.press('j');
    await co.keyboard.press('Enter');
    await co.waitForSelector(`${sel('case-panel')}[data-case-id="${id}"]`);
    expect(await co.$$eval(`${sel('case-actions')} button`, (bs) => bs.map((b) => b.getAttribute('data-testid')))).toEqual(['act-feedback']);
    await co.keyboard.press('f');
    await co.waitForSelector(`${sel('action-form')}[data-action="feedback"] ${sel('action-note')}:focus`);
    await co.keyboard.type('已安排交警现场疏导');
    await co.fill(sel('action-files'), '疏导现场1.jpg, 疏导现场2.jpg');
    await co.click(sel('action-confirm'));
    await co.waitForSelector(`${sel('timeline-entry')}[data-action="feedback"]`, { timeout: WAIT_MS });

    // the lead opens the case: the co-unit's feedback is on its timeline, named by unit
    await lead.keyboard.press('j');
    await lead.keyboard.press('Enter');
    await lead.waitForSelector(`${sel('timeline-entry')}[data-action="feedback"]`, { timeout: WAIT_MS });
    const fb = await lead.textContent(`${sel('timeline-entry')}[data-action="feedback"]`);
    expect(fb).toContain('已安排交警现场疏导');
    expect(fb).toContain('区交警支队');
    expect(fb).toContain('疏导现场2.jpg');
    expect(await lead.$$eval(`${sel('case-actions')} button`, (bs) => bs.map((b) => b.getAttribute('data-testid')).sort())).toEqual(['act-cohandle', 'act-coordinate', 'act-feedback', 'act-handle', 'act-return']);

    // the lead reports it handled (h); the wall shows it at once
    await lead.keyboard.press('h');
    await lead.waitForSelector(`${sel('action-form')}[data-action="handle"] ${sel('action-note')}:focus`);
    await lead.keyboard.type('占道摊位已清理');
    await lead.fill(sel('action-files'), '整改后.jpg');
    await lead.click(sel('action-confirm'));
    await lead.waitForSelector(`${sel('case-panel')}[data-status="handled"]`, { timeout: WAIT_MS });
    await expectWall(wall, id, 'handled');
    const handled = (await suite.server.get(`/api/v1/events/${id}`)).json.timeline.at(-1);
    expect(handled).toMatchObject({ action: 'handle', actorRole: 'unit', note: '占道摊位已清理', attachments: ['整改后.jpg'], data: { unit: 'urban-management' } });

    // a mis-dispatched case: returned with a reason, it leaves the unit's queue and goes back to the district
    const wrong = await dispatched('楼道堆物', 'urban-management');
    await expect.poll(() => queueIds(lead), { timeout: WAIT_MS }).toContain(wrong);
    await lead.click(`${sel('queue-row')}[data-id="${wrong}"]`);
    await lead.waitForSelector(`${sel('case-panel')}[data-case-id="${wrong}"]`);
    await lead.click(sel('act-return'));
    await lead.waitForSelector(`${sel('action-form')}[data-action="return"] ${sel('action-note')}:focus`);
    await lead.keyboard.type('属物业管理范畴，应由房管处理');
    await lead.keyboard.press('Enter');
    await expect.poll(() => queueIds(lead), { timeout: WAIT_MS }).not.toContain(wrong);
    expect((await suite.server.get(`/api/v1/events/${wrong}`)).json).toMatchObject({ status: 'accepted', leadUnit: null });
    expect((await suite.server.get(`/api/v1/events/${wrong}`, leadCookie)).status).toBe(404);
    expect(pageErrors).toEqual([]);
  });

  it('should send a unit from the wall to its console, and refuse it the analysis and handover pages', async () => {
    const u = await suite.server.createUser('unit', undefined, 'health');
    const page = await openPage(await suite.server.login(u.username, u.password));
    await page.goto(`${suite.server.url}/`);
    await page.waitForURL(/\/console$/, { timeout: WAIT_MS });
    await page.waitForSelector(`${sel('console')}[data-ready="true"]`, { timeout: WAIT_MS });
    await page.goto(`${suite.server.url}/analytics`);
    await page.waitForSelector(sel('analytics-forbidden'), { timeout: WAIT_MS });
    await page.goto(`${suite.server.url}/handover`);
    await page.waitForSelector('[data-testid$="forbidden"]', { timeout: WAIT_MS });
  });

  it('should follow a unit limited to several streets on each of its streets, and nothing of another', async () => {
    const areas = ((await suite.server.get('/api/v1/areas')).json as { features: AreaFeature[] }).features;
    const streets = areas.filter((a) => a.properties.level === 'street').map((a) => a.properties.id).slice(3, 6);
    const inStreet = (id: string) => {
      const grid = areas.find((a) => a.properties.level === 'grid' && a.properties.parentId === id)!;
      const [lng, lat] = labelPoint(grid.geometry)!;
      return { lng, lat };
    };
    const [a, b, c] = streets as [string, string, string];
    const pw = 'several-streets-long-password';
    await suite.server.app.auth.createUser({ actor: 'test', actorKind: 'system', ip: '127.0.0.1' }, { username: 'hazmat-east', role: 'unit', unitId: 'hazmat', streets: [a, b], password: pw });
    const ids = { a: await dispatched('危化品仓库门口堆放杂物', 'hazmat', [], inStreet(a)), b: await dispatched('加油站旁违规储存', 'hazmat', [], inStreet(b)), c: await dispatched('别的街道的案件', 'hazmat', [], inStreet(c)) };
    const page = await openPage(await suite.server.login('hazmat-east', pw));
    await openConsole(page);
    await expect.poll(async () => (await queueIds(page)).sort(), { timeout: WAIT_MS }).toEqual([ids.a, ids.b].sort());
    // live, on the second street's stream too
    const later = await dispatched('加油站旁违规储存（复查）', 'hazmat', [], inStreet(b));
    await expect.poll(async () => (await queueIds(page)).sort(), { timeout: WAIT_MS }).toEqual([ids.a, ids.b, later].sort());
    expect(await queueIds(page)).not.toContain(ids.c);
    expect(pageErrors).toEqual([]);
  });
});
