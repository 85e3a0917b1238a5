/**
 * 平战结合 in real headless Chromium against the real server (simulator off): a district officer
 * switches the district to wartime on the command page — the place clicked on its map — and every
 * wall in scope follows at once (the district's and a street centre's): the band naming the
 * incident and its grade, its reach on the map, the rolling releases, the cases within reach. A
 * release posted on the page appears on the walls; returning to peacetime brings every wall back
 * and archives the incident with its log. A drill says so on every wall, and so does each case
 * its exercise reports (演练).
 *
 * Standalone (its own server and browser). Needs the built web: `npm run build` first.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { ADMIN, postJson } from '../helpers/server.ts';
import { sel } from './harness.ts';
import { standaloneSuite } from './standalone.ts';

const WAIT_MS = 20_000;
const WJC = '310110019000';
const suite = standaloneSuite({ simulator: false });
// three pages draw maps with software WebGL on 2 cores
vi.setConfig({ testTimeout: 120_000 });

async function openWall(cookie: string): Promise<Page> {
  const wall = await suite.openPage(cookie, 1920, 1080);
  await wall.goto(`${suite.server.url}/`);
  await wall.waitForSelector('.wall[data-ready="true"]', { timeout: WAIT_MS });
  return wall;
}

describe('wartime mode on every wall in scope', () => {
  it('should switch the walls when the district starts an incident, show its releases and cases within reach, and switch them back', async () => {
    // a case near the middle of the district, inside the reach the officer will give
    const r = await postJson(suite.server.url, '/api/v1/events', { events: [{ source: 'grid', externalId: 'war-1', category: 'fire_hazard', severity: 'critical', title: '仓库冒烟', lng: 121.514, lat: 31.302, occurredAt: new Date().toISOString() }] }, suite.server.ingestKey);
    expect(r.status).toBeLessThan(300);
    // the centre's resource registry: a team near the incident
    const admin = await suite.server.login(ADMIN.username, ADMIN.password);
    const reg = await fetch(`${suite.server.url}/api/v1/admin/resources`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie: admin },
      body: JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [121.516, 31.301] }, properties: { id: 'fire-wjc', kind: 'team', name: '五角场消防救援站', owner: '区消防救援支队', contact: '值班室 021-1234-5678', capacity: '队员 30 人', available: true } }] }),
    });
    expect(reg.status).toBe(200);
    const street = await suite.server.createUser('street', WJC);
    const district = await openWall(suite.server.cookie);
    const streetWall = await openWall(await suite.server.login(street.username, street.password));
    for (const w of [district, streetWall]) expect(await w.getAttribute('.wall', 'data-mode')).toBe('peace');

    const desk = await suite.openPage(suite.server.cookie);
    await desk.goto(`${suite.server.url}/emergency`);
    await desk.waitForSelector(`${sel('emergency-page')}[data-ready="true"]`, { timeout: WAIT_MS });
    await desk.waitForSelector(sel('emergency-peace'));
    await desk.selectOption(sel('emergency-grade'), 'II');
    await desk.selectOption(sel('emergency-class'), 'accident');
    await desk.fill(sel('emergency-radius'), '20000');
    await desk.fill(sel('emergency-title'), '化工仓库火灾');
    await desk.fill(sel('emergency-commander'), '王某某 副区长');
    await desk.fill(sel('emergency-members'), '区应急管理局、区消防救援支队');
    await desk.waitForSelector(`${sel('place-picker')}[data-ready="true"]`, { timeout: WAIT_MS });
    const box = (await desk.locator(sel('place-map')).boundingBox())!;
    await desk.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await desk.waitForSelector(`${sel('place-picker')}[data-kind="Point"]`, { timeout: WAIT_MS });
    await desk.click(sel('emergency-start-submit'));
    await desk.waitForSelector(sel('emergency-current'), { timeout: WAIT_MS });
    const id = await desk.getAttribute(sel('emergency-current'), 'data-incident-id');

    // both walls follow at once, with the incident's band, reach and command panel
    for (const w of [district, streetWall]) {
      await w.waitForSelector(`.wall[data-mode="war"] ${sel('emergency-banner')}[data-incident-id="${id}"][data-grade="II"]`, { timeout: WAIT_MS });
      expect(await w.textContent(sel('emergency-banner'))).toContain('化工仓库火灾');
      await w.waitForSelector('.incident-marker');
      await w.waitForSelector(`${sel('incident-log')}[data-entries="1"]`);
      expect(await w.textContent(sel('incident-log'))).toContain('王某某 副区长');
      await w.waitForSelector(`${sel('incident-case')}`);
    }
    expect(await district.locator(sel('emergency-drill')).count()).toBe(0);

    // a team sent from the page: logged, and green on the walls' maps
    await desk.click(`[data-resource-id="fire-wjc"] ${sel('emergency-send')}`);
    await desk.waitForSelector('[data-resource-id="fire-wjc"] .ok', { timeout: WAIT_MS });
    for (const w of [district, streetWall]) {
      await w.waitForSelector(`${sel('incident-resources')}[data-sent="1"]`, { timeout: WAIT_MS });
      await w.waitForSelector('.resource-badge[data-resource-id="fire-wjc"][data-dispatched="true"]', { timeout: WAIT_MS });
    }

    // a release on the page rolls onto every wall
    await desk.fill(sel('emergency-release-text'), '明火已得到控制，周边道路封闭，请绕行');
    await desk.click(sel('emergency-release-submit'));
    for (const w of [district, streetWall]) {
      await w.waitForSelector(`${sel('incident-log')}[data-entries="3"]`, { timeout: WAIT_MS });
      expect(await w.textContent(`${sel('incident-entry')}[data-kind="release"]`)).toContain('明火已得到控制');
    }

    // back to peacetime: every wall returns, the incident is archived with its log
    await desk.fill(sel('emergency-end-summary'), '明火已扑灭，交通恢复');
    await desk.click(sel('emergency-end-submit'));
    await desk.waitForSelector(sel('emergency-peace'), { timeout: WAIT_MS });
    for (const w of [district, streetWall]) {
      await w.waitForSelector('.wall[data-mode="peace"]', { timeout: WAIT_MS });
      expect(await w.locator(sel('emergency-banner')).count()).toBe(0);
      expect(await w.locator(sel('panel-incident')).count()).toBe(0);
    }
    expect(await desk.textContent(sel('emergency-archive'))).toContain('化工仓库火灾');
    const archived = await suite.server.get(`/api/v1/emergency/${id}`);
    expect(archived.json.log.map((e: { kind: string }) => e.kind)).toEqual(['start', 'dispatch', 'release', 'end']);
    // the team is free again
    expect((await suite.server.get('/api/v1/resources')).json.resources[0].dispatchedTo).toBeNull();
    expect(suite.pageErrors).toEqual([]);
  });

  it('should mark a drill on every wall in scope, and leave a neighbouring street in peacetime', async () => {
    const street = await suite.server.createUser('street', WJC);
    const streetCookie = await suite.server.login(street.username, street.password);
    const neighbour = await suite.server.createUser('street', '310110001000');
    const wjcWall = await openWall(streetCookie);
    const otherWall = await openWall(await suite.server.login(neighbour.username, neighbour.password));
    const drill = await postJson(suite.server.url, '/api/v1/emergency', { grade: 'IV', class: 'natural', title: '防汛演练', lng: 121.514, lat: 31.302, radiusM: 800, drill: true, command: { commander: '李某 街道主任', members: [] } }, undefined, { cookie: streetCookie });
    expect(drill.status, drill.text).toBe(201);
    await wjcWall.waitForSelector(`${sel('emergency-banner')}[data-drill="true"] ${sel('emergency-drill')}`, { timeout: WAIT_MS });
    expect(await otherWall.getAttribute('.wall', 'data-mode')).toBe('peace');
    // a case the exercise reports is marked 演练 in the ticker and among the cases within reach
    const ex = await postJson(suite.server.url, '/api/v1/events', { events: [{ source: 'grid', externalId: 'drill-1', category: 'fire_hazard', title: '演练：积水点', lng: 121.5142, lat: 31.3021, occurredAt: new Date().toISOString(), drill: true }] }, suite.server.ingestKey);
    const exId = ex.json.results[0].id as string;
    await wjcWall.waitForSelector(`${sel('ticker-line')}[data-event-id="${exId}"] ${sel('drill-tag')}`, { timeout: WAIT_MS });
    await wjcWall.waitForSelector(`${sel('incident-case')}[data-event-id="${exId}"] ${sel('drill-tag')}`, { timeout: WAIT_MS });
    // the district officer's command page opens the street's incident, and may command it
    const desk = await suite.openPage(suite.server.cookie);
    await desk.goto(`${suite.server.url}/emergency`);
    await desk.waitForSelector(`${sel('emergency-current')}[data-incident-id="${drill.json.id}"]`, { timeout: WAIT_MS });
    await desk.waitForSelector(sel('emergency-release'));
    const end = await postJson(suite.server.url, '/api/v1/emergency/end', { version: 1, summary: '演练结束' }, undefined, { cookie: streetCookie });
    expect(end.status).toBe(200);
    await wjcWall.waitForSelector('.wall[data-mode="peace"]', { timeout: WAIT_MS });
    expect(suite.pageErrors).toEqual([]);
  });
});
