/**
 * Two walls side by side: the district officer's and the 五角场 street centre's. The district
 * sees every street live; the street centre sees its own street, grids, values and charts only,
 * with the district as an outline, and never a neighbour's case.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AreaFeature } from '../../shared/index.ts';
import { postJson } from '../helpers/server.ts';
import { cspViolations, ctx, DINGHAI_ID, DISTRICT_ID, newSessionPage, openWall, pointIn, postEvents, sel, text, WUJIAOCHANG_ID, type SessionPage } from './harness.ts';

const tickerTitles = (page: Page) => page.$$eval('[data-testid="ticker-line"] .title', (els) => els.map((e) => e.textContent ?? ''));

export function streetSuite(): void {
  describe('a street centre beside the district wall', () => {
    let street: SessionPage;
    let user: { username: string; password: string };
    /** what `/api/v1/areas` answered the street centre */
    let fetched: AreaFeature[] = [];

    beforeAll(async () => {
      user = await ctx.server.createUser('street', WUJIAOCHANG_ID);
      street = await newSessionPage(await ctx.server.login(user.username, user.password));
      street.page.on('response', async (r) => {
        if (new URL(r.url()).pathname === '/api/v1/areas' && r.ok()) fetched = ((await r.json()) as { features: AreaFeature[] }).features;
      });
      await openWall(street);
    }, 45_000);

    afterAll(async () => {
      await street?.context.close();
    });

    it("should show 五角场's own street, grids and charts, with no way out of its scope", async () => {
      const page = street.page;
      expect(await text(page, 'scope-title')).toBe('五角场街道');
      expect(await page.getAttribute('[data-scope]', 'data-scope')).toBe(WUJIAOCHANG_ID);
      expect(await page.getAttribute(sel('session-user'), 'data-role')).toBe('street');
      expect(await page.locator(sel('drill-back')).count()).toBe(0);
      // the bar chart counts open events by grid of this street
      const bars = await page.evaluate(() => (window.__onescreen!.charts.streets!.getOption() as { yAxis: { data: string[] }[] }).yAxis[0]!.data);
      expect(bars.length).toBeGreaterThan(0);
      expect(bars.every((b) => /^第\d+网格$/.test(b))).toBe(true);
      // Esc does not leave it
      await page.keyboard.press('Escape');
      expect(await page.getAttribute('[data-scope]', 'data-scope')).toBe(WUJIAOCHANG_ID);
    });

    it('should have fetched and drawn no other street, and the district as an outline only', async () => {
      const page = street.page;
      const others = fetched.filter((a) => a.properties.level === 'street' && a.properties.id !== WUJIAOCHANG_ID);
      expect(fetched.length).toBeGreaterThan(1);
      expect(others).toEqual([]);
      expect(fetched.filter((a) => a.properties.level === 'grid').every((g) => g.properties.parentId === WUJIAOCHANG_ID)).toBe(true);
      expect(fetched.some((a) => a.properties.id === DISTRICT_ID)).toBe(true);

      const drawn = await page.evaluate(() => {
        const map = window.__onescreen!.map!;
        const ids = (source: string) => [...new Set(map.querySourceFeatures(source).map((f) => String(f.properties.id)))];
        const parents = [...new Set(map.querySourceFeatures('grids').map((f) => String(f.properties.parentId)))];
        return { streets: ids('streets'), scope: ids('district'), context: ids('context'), parents, labels: document.querySelectorAll('.labels .label').length };
      });
      expect(drawn.streets).toEqual([WUJIAOCHANG_ID]);
      expect(drawn.scope).toEqual([WUJIAOCHANG_ID]);
      expect(drawn.context).toEqual([DISTRICT_ID]);
      expect(drawn.parents).toEqual([WUJIAOCHANG_ID]);
      expect(drawn.labels).toBe(1);
      // the district is drawn by a line layer only
      const contextLayers = await page.evaluate(() => window.__onescreen!.map!.getStyle().layers.filter((l) => 'source' in l && l.source === 'context').map((l) => l.type));
      expect(contextLayers).toEqual(['line']);
    });

    it("should show the street's own indicator values", async () => {
      const r = await postJson(ctx.server.url, '/api/v1/readings', {
        readings: [{ indicator: 'hazmat_anomalies', value: 55, at: new Date().toISOString(), areaId: WUJIAOCHANG_ID }],
      }, ctx.server.ingestKey);
      expect(r.status).toBeLessThan(300);
      await street.page.waitForFunction(() => document.querySelector('[data-testid="tile-hazmat_anomalies"] [data-testid="tile-value"]')?.textContent === '55');
    });

    it('should show both cases live on the district wall and only its own on the street wall', async () => {
      const stamp = Date.now().toString(36);
      const own = `五角场测试事件 ${stamp}`;
      const neighbour = `定海路测试事件 ${stamp}`;
      const [wLng, wLat] = pointIn(WUJIAOCHANG_ID, 1);
      const [dLng, dLat] = pointIn(DINGHAI_ID, 1);
      await postEvents([
        { title: neighbour, lng: dLng, lat: dLat },
        { title: own, lng: wLng, lat: wLat },
      ]);
      const district = ctx.district.page;
      await district.waitForFunction(
        (titles) => titles.every((t) => [...document.querySelectorAll('[data-testid="ticker-line"] .title')].some((e) => e.textContent === t)),
        [own, neighbour],
      );
      await street.page.waitForFunction((t) => [...document.querySelectorAll('[data-testid="ticker-line"] .title')].some((e) => e.textContent === t), own);
      // Had the neighbour's case leaked, it would be here by now: a later case of 五角场, posted
      // after that batch was committed and sent, comes down the same ordered socket behind it.
      const later = `五角场后续事件 ${stamp}`;
      await postEvents([{ title: later, lng: wLng, lat: wLat }]);
      await street.page.waitForFunction((t) => [...document.querySelectorAll('[data-testid="ticker-line"] .title')].some((e) => e.textContent === t), later);
      expect(await tickerTitles(street.page)).not.toContain(neighbour);
      const leaked = await street.page.evaluate((id) => {
        const d = window.__onescreen!.state.live.data;
        return [...d.recent, ...d.openEvents].filter((e) => e.streetId !== id).map((e) => `${e.streetId} ${e.title}`);
      }, WUJIAOCHANG_ID);
      expect(leaked).toEqual([]);
      const streetsShown = await street.page.$$eval('[data-testid="ticker-line"] .street', (els) => [...new Set(els.map((e) => e.textContent))]);
      expect(streetsShown).toEqual(['五角场街道']);
      expect(await cspViolations(street.page)).toEqual([]);
      expect(street.errors).toEqual([]);
    });

    it('should colour its grids by a 多格合一 overlay, and open a grid’s detail with its overlays', async () => {
      const page = street.page;
      await page.click(`${sel('overlay-switch')} button[data-kind="zongzhi"]`);
      await page.waitForSelector(`${sel('overlay-switch')}[data-kind="zongzhi"]`);
      const grids = fetched.filter((a) => a.properties.level === 'grid');
      // every grid of the street coloured, by the colour of its 综治 grid
      await page.waitForFunction((n) => window.__onescreen!.map!.querySourceFeatures('grid-overlay').map((f) => f.properties.id).filter((v, i, a) => a.indexOf(v) === i).length === n, grids.length);
      // a click on a grid opens its detail (where a live case's marker happens to lie under the point, the next grid)
      let opened = false;
      for (let i = 0; i < grids.length; i++) {
        const g = grids[i]!;
        const [lng, lat] = pointIn(WUJIAOCHANG_ID, i);
        const xy = await page.evaluate(([x, y]) => window.__onescreen!.map!.project([x!, y!]), [lng, lat]);
        const box = (await page.locator('canvas.maplibregl-canvas').boundingBox())!;
        await page.mouse.click(box.x + xy.x, box.y + xy.y);
        await page.waitForSelector(`${sel('grid-detail')}, ${sel('event-detail')}`);
        if (await page.locator(sel('event-detail')).count()) {
          await page.keyboard.press('Escape');
          continue;
        }
        const shown = await page.getAttribute(`${sel('grid-detail')} dl`, 'data-grid-id');
        const p = (fetched.find((a) => a.properties.id === shown) ?? g).properties;
        expect(shown && p.parentId).toBe(WUJIAOCHANG_ID);
        expect(await page.getAttribute(`${sel('grid-overlay')}[data-kind="zongzhi"]`, 'data-overlay-id')).toBe(p.overlays!.zongzhi);
        expect(await text(page, 'grid-zone')).toBe('核心区');
        await page.keyboard.press('Escape');
        await page.waitForSelector(sel('grid-detail'), { state: 'detached' });
        opened = true;
        break;
      }
      expect(opened).toBe(true);
      await page.click(`${sel('overlay-switch')} button:not([data-kind])`);
      await page.waitForFunction(() => window.__onescreen!.map!.querySourceFeatures('grid-overlay').length === 0);
      expect(street.errors).toEqual([]);
    });

    it('should list a grid’s buildings with their 三长 and open cases in its detail (三长联动)', async () => {
      const page = street.page;
      // the demo's sample buildings stand in this grid of 五角场; a case is reported at one of them
      const grid = '310110019000-g046';
      const title = `楼栋测试 ${Date.now()}`;
      await postEvents([{ title, lng: 121.507, lat: 31.2962, buildingId: 'demo-b2' }]);
      await page.waitForFunction((t) => window.__onescreen!.state.live.data.openEvents.some((e) => e.title === t), title);
      await page.evaluate((id) => window.__onescreen!.state.model.selectGrid(id), grid);
      await page.waitForSelector(`${sel('grid-detail')} ${sel('grid-building')}`);
      expect(await page.locator(sel('grid-building')).count()).toBe(6);
      expect(await text(page, 'grid-chief')).toBe('未登记');
      // the building with the open case comes first, with its count, its 楼栋长 and 单元长 (phones masked)
      const first = page.locator(sel('grid-building')).first();
      expect(await first.getAttribute('data-building-id')).toBe('demo-b2');
      expect(Number(await first.getAttribute('data-open'))).toBeGreaterThanOrEqual(1);
      expect(await first.textContent()).toMatch(/楼栋长 .+（示例） 136\*\*\*\*0001/);
      expect(await first.textContent()).toContain('单元长');
      // drawn on the map while the detail is open
      await page.waitForFunction(() => new Set(window.__onescreen!.map!.querySourceFeatures('buildings').map((f) => f.properties.id)).size === 6);
      await page.keyboard.press('Escape');
      await page.waitForSelector(sel('grid-detail'), { state: 'detached' });
      await page.waitForFunction(() => window.__onescreen!.map!.querySourceFeatures('buildings').length === 0);
      expect(street.errors).toEqual([]);
    });

    it('should count its key areas’ open cases on the key-area board, live', async () => {
      const page = street.page;
      // 闭环 → 任务 → 重点区域
      await page.click(sel('board-switch'));
      await page.click(`${sel('board-switch')}[data-to="keyAreas"]`);
      const row = `${sel('key-area-row')}[data-key-area-id="wujiaochang"]`;
      await page.waitForSelector(row);
      // a neighbour's key area is not on a street's board
      expect(await page.locator(`${sel('key-area-row')}[data-key-area-id="yangpu-riverside"]`).count()).toBe(0);
      const title = `重点区域测试 ${Date.now()}`;
      await postEvents([{ title, lng: 121.514, lat: 31.3015 }]);
      // our case is in the area, and the row counts the area's open cases the wall holds (the
      // simulator may open or close others meanwhile: the two are compared as they are, together)
      await page.waitForFunction(
        ([s, t]) => {
          const open = window.__onescreen!.state.live.data.openEvents.filter((e) => !e.drill && e.keyAreaIds.includes('wujiaochang'));
          return open.some((e) => e.title === t) && Number(document.querySelector(s!)?.getAttribute('data-open')) === open.length;
        },
        [row, title] as const,
      );
      await page.click(`${sel('board-switch')}[data-to="loop"]`);
      expect(street.errors).toEqual([]);
    });

    it('should sign the street officer out when an admin disables the account', async () => {
      const users = (await ctx.server.get('/api/v1/admin/users', ctx.adminCookie)).json as { id: string; username: string }[];
      const id = users.find((u) => u.username === user.username)!.id;
      const r = await postJson(ctx.server.url, `/api/v1/admin/users/${encodeURIComponent(id)}/disable`, {}, undefined, { cookie: ctx.adminCookie });
      expect(r.status).toBe(200);
      // the server re-checks live sessions every 500 ms here (sessionCheckMs)
      await street.page.waitForSelector(sel('signed-out'));
      expect(await text(street.page, 'signed-out')).toContain('已退出登录');
      await street.page.waitForURL(`${ctx.server.url}/login`);
    });
  });
}
