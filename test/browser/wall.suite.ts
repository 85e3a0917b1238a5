/**
 * The district officer's wall in real headless Chromium against the real server (simulator on):
 * live data, the map, drill-down, details, language, reconnection.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AreaFeature } from '../../shared/index.ts';
import { boundsOf, labelPoint } from '../../web/src/lib/utils/geo.ts';
import { postJson } from '../helpers/server.ts';
import { ctx, DISTRICT_ID, sel, text as textOf } from './harness.ts';

let page: Page;
let areas: AreaFeature[] = [];
let street: AreaFeature;

type Rgba = [number, number, number, number];

const text = (testid: string) => textOf(page, testid);

/** Reads the map's WebGL canvas in the frame it was drawn: the colours around each point (5×5 px). */
async function sampleMap(points: [number, number][]): Promise<Rgba[][]> {
  return page.evaluate(
    (pts) =>
      new Promise<Rgba[][]>((resolve) => {
        const map = window.__onescreen!.map!;
        map.once('render', () => {
          const c = map.getCanvas();
          const off = document.createElement('canvas');
          off.width = c.width;
          off.height = c.height;
          const ctx = off.getContext('2d', { willReadFrequently: true })!;
          ctx.drawImage(c, 0, 0);
          const ratio = c.width / c.clientWidth;
          resolve(
            pts.map(([lng, lat]) => {
              const p = map.project([lng, lat]);
              const d = ctx.getImageData(Math.round(p.x * ratio) - 2, Math.round(p.y * ratio) - 2, 5, 5).data;
              const px: Rgba[] = [];
              for (let i = 0; i < d.length; i += 4) px.push([d[i]!, d[i + 1]!, d[i + 2]!, d[i + 3]!]);
              return px;
            }),
          );
        });
        map.triggerRepaint();
      }),
    points,
  );
}

const mean = (px: Rgba[]): [number, number, number] => {
  const s: [number, number, number] = [0, 0, 0];
  for (const p of px) {
    s[0] += p[0];
    s[1] += p[1];
    s[2] += p[2];
  }
  return [s[0] / px.length, s[1] / px.length, s[2] / px.length];
};
const isCyan = (p: Rgba) => p[1] > 140 && p[2] > 170 && p[0] < 140;

/** A viewport point inside `streetId` with no event marker near it, to click the street itself. */
async function clickableStreetPoint(streetId: string, bbox: [number, number, number, number]): Promise<{ x: number; y: number } | null> {
  return page.evaluate(
    ({ streetId, bbox }) => {
      const map = window.__onescreen!.map!;
      const rect = map.getContainer().getBoundingClientRect();
      const a = map.project([bbox[0], bbox[3]]);
      const b = map.project([bbox[2], bbox[1]]);
      // a spot of the street clear of event markers (which take the click) and of anything drawn
      // over the map (KPI boxes, legend, labels, pulsing markers)
      const canvas = map.getCanvas();
      for (let y = Math.max(a.y, 4); y < Math.min(b.y, rect.height - 4); y += 4) {
        for (let x = Math.max(a.x, 4); x < Math.min(b.x, rect.width - 4); x += 4) {
          const near = map.queryRenderedFeatures([[x - 8, y - 8], [x + 8, y + 8]], { layers: ['events'] });
          if (near.length > 0) continue;
          if (document.elementFromPoint(rect.left + x, rect.top + y) !== canvas) continue;
          const at = map.queryRenderedFeatures([x, y], { layers: ['streets-fill'] });
          if (at[0]?.properties?.id === streetId) return { x: rect.left + x, y: rect.top + y };
        }
      }
      return null;
    },
    { streetId, bbox },
  );
}

export function wallSuite(): void {
  beforeAll(() => {
    page = ctx.district.page;
    areas = ctx.areas;
    // the street with the most grids: large enough to click reliably
    const streets = areas.filter((a) => a.properties.level === 'street');
    const gridCount = (id: string) => areas.filter((a) => a.properties.parentId === id).length;
    street = streets.sort((a, b) => gridCount(b.properties.id) - gridCount(a.properties.id))[0]!;
  });

describe('the wall', () => {
    it('should show the district with live data', async () => {
      expect(await text('centre-name')).toBe('杨浦区城市运行管理中心');
      expect(await text('scope-title')).toBe('杨浦区');
      expect(await page.getAttribute(sel('connection'), 'data-state')).toBe('connected');
      // who is signed in: a district officer may sign out, and has no admin page
      expect(await page.getAttribute(sel('session-user'), 'data-role')).toBe('district');
      expect(await text('session-user')).toContain('区级值班员');
      expect(await page.isVisible(sel('logout'))).toBe(true);
      expect(await page.locator(sel('admin-link')).count()).toBe(0);
      expect(await text('simulated-badge')).toContain('模拟数据');
      // a tile for every indicator of the registry shown at the district
      const districtDefs = (await ctx.server.get('/api/v1/indicators')).json.definitions.filter((d: { levels: string[] }) => d.levels.includes('district'));
      expect(await page.locator('[data-testid^="tile-"][data-status]').count()).toBe(districtDefs.length);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="ticker-line"]').length > 0);
      expect(await page.isVisible(sel('chart-hourly'))).toBe(true);
      const yesterday = await page.evaluate(() => {
        const hourly = window.__onescreen!.charts.hourly!.getOption() as { series: { data: (number | null)[] }[] };
        return hourly.series[1]!.data.reduce<number>((a, b) => a + (b ?? 0), 0);
      });
      expect(yesterday).toBeGreaterThan(0);
      // the closed-loop board lists every street, the funnel counts the open cases by stage
      expect(await page.locator(sel('board-row')).count()).toBe(12);
      // the funnel counts the open cases waiting to be accepted (an attribute that is missing
      // reads null, which is not '' either: the count itself must be there)
      await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-testid="loop-funnel"] li[data-stage="reported"]')?.getAttribute('data-n') ?? ''));
      expect(await page.isVisible(sel('deadline-watch'))).toBe(true);
      // the first-time success rate (derived from the loop: no value until a case is closed) shows its 90% target
      expect(await page.textContent(`${sel('tile-first_time_success_rate')} ${sel('tile-note')}`)).toMatch(/90/);
    });

    it('should draw the district polygon', async () => {
      const district = areas.find((a) => a.properties.id === DISTRICT_ID)!;
      const ring = (district.geometry.type === 'Polygon' ? district.geometry.coordinates[0] : district.geometry.coordinates[0]![0])!;
      const step = Math.max(1, Math.floor(ring.length / 24));
      const edge = ring.filter((_, i) => i % step === 0).map((p) => [p[0], p[1]] as [number, number]);
      const inside = areas
        .filter((a) => a.properties.level === 'street')
        .slice(0, 4)
        .map((s) => labelPoint(s.geometry)!);
      const xs = ring.map((p) => p[0]!);
      const ys = ring.map((p) => p[1]!);
      const west = Math.min(...xs), east = Math.max(...xs), midLat = (Math.min(...ys) + Math.max(...ys)) / 2;
      const outside: [number, number][] = [[west - (east - west) * 0.25, midLat]];

      const px = await sampleMap([...edge, ...inside, ...outside]);
      const edgePx = px.slice(0, edge.length);
      const insidePx = px.slice(edge.length, edge.length + inside.length);
      const outsidePx = px.slice(edge.length + inside.length);
      // the bright outline runs along the district boundary
      const cyanShare = edgePx.filter((n) => n.some(isCyan)).length / edgePx.length;
      expect(cyanShare).toBeGreaterThan(0.6);
      // outside the district the map is dark; inside, the streets are filled
      const out = mean(outsidePx[0]!);
      expect(out[0] + out[1] + out[2]).toBeLessThan(140);
      for (const n of insidePx) {
        const m = mean(n);
        expect(Math.abs(m[0] - out[0]) + Math.abs(m[1] - out[1]) + Math.abs(m[2] - out[2])).toBeGreaterThan(25);
      }
    });

    it('should update tiles, ticker and charts as data arrives', async () => {
      const tileIds = await page.$$eval('[data-testid^="tile-"][data-status]', (els) => els.map((e) => e.getAttribute('data-testid')!));
      const before = await page.$$eval('[data-testid="tile-value"]', (els) => els.map((e) => e.textContent));
      const todayBefore = await page.evaluate(() => window.__onescreen!.state.live.data.hourly.today.reduce((a, b) => a + b, 0));

      // readings through the ingest API: a direct district value, and a street value
      const at = new Date().toISOString();
      const r = await postJson(ctx.server.url, '/api/v1/readings', {
        readings: [
          { indicator: 'online_handling_rate', value: 42.5, at, areaId: DISTRICT_ID },
          { indicator: 'hazmat_anomalies', value: 77, at, areaId: street.properties.id },
        ],
      }, ctx.server.ingestKey);
      expect(r.status).toBeLessThan(300);
      await page.waitForFunction(() => document.querySelector('[data-testid="tile-online_handling_rate"] [data-testid="tile-value"]')?.textContent === '42.5');
      expect(await page.getAttribute(sel('tile-online_handling_rate'), 'data-status')).toBe('alarm');
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="tile-hazmat_anomalies"] [data-testid="tile-value"]')?.textContent?.replace(/,/g, '')) >= 77);

      // an event: it tops the ticker and counts into today's hourly bars
      const [lng, lat] = labelPoint(street.geometry)!;
      const e = await postJson(ctx.server.url, '/api/v1/events', {
        events: [{ source: 'grid', externalId: `wall-test-${Date.now()}`, category: 'neighbour_dispute', title: '浏览器测试：楼道堆物 <b>不要加粗</b>', description: 'x', lng, lat, occurredAt: at, severity: 'critical' }],
      }, ctx.server.ingestKey);
      expect(e.status).toBeLessThan(300);
      await page.waitForFunction(() => document.querySelector('[data-testid="ticker-line"]')?.textContent?.includes('浏览器测试：楼道堆物 <b>不要加粗</b>'));
      expect(await page.locator(`${sel('ticker')} b`).count()).toBe(0);
      await page.waitForFunction((n) => {
        const o = window.__onescreen!.charts.hourly!.getOption() as { series: { data: (number | null)[] }[] };
        return o.series[0]!.data.reduce<number>((a, b) => a + (b ?? 0), 0) > n;
      }, todayBefore);

      // the simulator keeps the other tiles moving
      const watched = tileIds.map((id, i) => ({ id, v: before[i] })).filter((t) => !/online_handling_rate|hazmat/.test(t.id));
      await page.waitForFunction(
        (w) => w.some((t) => document.querySelector(`[data-testid="${t.id}"] [data-testid="tile-value"]`)?.textContent !== t.v),
        watched,
        { timeout: 20_000 },
      );
    });

    it('should open the detail of a ticker line, with untrusted text as plain text', async () => {
      const description = '<img src=x onerror="window.__xss=1">第一行\n<script>window.__xss=2</script>第二行';
      const title = `详情测试 ${Date.now()}`;
      const [lng, lat] = labelPoint(street.geometry)!;
      await postJson(ctx.server.url, '/api/v1/events', {
        events: [{ source: 'drone', externalId: `detail-${Date.now()}`, category: 'zz_unknown', title, description, lng, lat, occurredAt: new Date().toISOString(), severity: 'high' }],
      }, ctx.server.ingestKey);
      const line = page.locator(sel('ticker-line'), { hasText: title });
      await line.waitFor();
      await line.click();
      await page.waitForSelector(sel('event-detail'));
      expect(await page.textContent(sel('detail-description'))).toBe(description);
      expect(await page.locator(`${sel('event-detail')} img, ${sel('event-detail')} script`).count()).toBe(0);
      expect(await text('detail-category')).toBe('未分类 (zz_unknown)');
      expect(await text('detail-place')).toContain(street.properties.name);
      expect(await page.textContent(sel('event-detail'))).toContain('drone');
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
      await page.keyboard.press('Escape');
      await page.waitForSelector(sel('event-detail'), { state: 'detached' });
    });

    it('should draw the roads, and name a case’s road, 路长 and key area in its detail (路长制, 重点区域)', async () => {
      await page.waitForFunction(() => window.__onescreen!.map!.querySourceFeatures('roads').length > 0);
      // on 四平路's last vertex, inside 五角场商圈 (the demo's layers)
      const title = `路长测试 ${Date.now()}`;
      await postJson(ctx.server.url, '/api/v1/events', {
        events: [{ source: 'grid', externalId: `road-${Date.now()}`, category: 'road_occupation', title, lng: 121.5135, lat: 31.301, occurredAt: new Date().toISOString(), severity: 'high' }],
      }, ctx.server.ingestKey);
      const line = page.locator(sel('ticker-line'), { hasText: title });
      await line.waitFor();
      await line.click();
      await page.waitForSelector(sel('detail-road'));
      expect(await text('detail-road')).toBe('四平路');
      expect(await text('detail-road-chief')).toContain('139****0001');
      expect(await text('detail-key-areas')).toContain('五角场商圈');
      expect(await text('detail-key-areas')).toContain('×0.5');
      await page.keyboard.press('Escape');
      await page.waitForSelector(sel('event-detail'), { state: 'detached' });
    });

    it('should drill into a clicked street, filter every panel, and come back', async () => {
      const [[w, s], [e, n]] = boundsOf([street.geometry])!;
      const point = await clickableStreetPoint(street.properties.id, [w, s, e, n]);
      expect(point).not.toBeNull();
      await page.mouse.click(point!.x, point!.y);

      await page.waitForFunction((name) => document.querySelector('[data-testid="scope-title"]')?.textContent?.trim() === name, street.properties.name);
      await page.waitForSelector(`[data-scope="${street.properties.id}"]`);
      await page.waitForFunction((id) => window.__onescreen!.state.live.data.areaId === id && window.__onescreen!.state.live.data.status === 'synced', street.properties.id);
      // tiles show the street's own values
      await page.waitForFunction(() => document.querySelector('[data-testid="tile-hazmat_anomalies"] [data-testid="tile-value"]')?.textContent === '77');
      // the ticker holds only this street's events, the bar chart its grids
      const streets = await page.$$eval('[data-testid="ticker-line"] .street', (els) => [...new Set(els.map((e) => e.textContent))]);
      expect(streets).toEqual([street.properties.name]);
      const bars = await page.evaluate(() => (window.__onescreen!.charts.streets!.getOption() as { yAxis: { data: string[] }[] }).yAxis[0]!.data);
      expect(bars.length).toBeGreaterThan(0);
      expect(bars.every((b) => /^第\d+网格$/.test(b))).toBe(true);
      // the camera went to the street
      const inView = await page.evaluate((pt) => window.__onescreen!.map!.getBounds().contains(pt), labelPoint(street.geometry)!);
      expect(inView).toBe(true);

      await page.click(sel('drill-back'));
      await page.waitForFunction(() => document.querySelector('[data-testid="scope-title"]')?.textContent?.trim() === '杨浦区');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="board-row"]').length === 12);
      expect(await page.locator(sel('drill-back')).count()).toBe(0);

      // a row of the closed-loop board drills too, and Esc goes back
      // (by id: the board may re-rank between reading a row and clicking it)
      const rowId = (await page.locator(sel('board-row')).nth(3).getAttribute('data-street'))!;
      await page.click(`${sel('board-row')}[data-street="${rowId}"]`);
      await page.waitForFunction((name) => document.querySelector('[data-testid="scope-title"]')?.textContent?.trim() === name, areas.find((a) => a.properties.id === rowId)!.properties.name);
      expect(await page.getAttribute('[data-scope]', 'data-scope')).toBe(rowId);
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => document.querySelector('[data-testid="scope-title"]')?.textContent?.trim() === '杨浦区');
    });

    it('should open the detail of a clicked event marker', async () => {
      // The simulator moves markers all the time (new cases, closed ones): finding a marker and
      // clicking it must be one step, with no message from the server in between. So a marker
      // alone in its spot (nothing else within the click's reach) is found and clicked in one
      // synchronous run inside the page, through the map's own DOM events, and the wall's
      // selection read in that same run.
      const clicked = await page.waitForFunction(() => {
        const w = window.__onescreen!;
        const map = w.map!;
        const canvas = map.getCanvas();
        const rect = map.getContainer().getBoundingClientRect();
        const reach = 6 * w.state.wall.scale; // the wall's click looks this far around the pointer
        for (const f of map.queryRenderedFeatures({ layers: ['events'] })) {
          if (f.geometry.type !== 'Point') continue;
          const p = map.project(f.geometry.coordinates as [number, number]);
          const x = rect.left + p.x;
          const y = rect.top + p.y;
          if (document.elementFromPoint(x, y) !== canvas) continue; // under a panel or a label
          const box: [[number, number], [number, number]] = [[p.x - 2 * reach, p.y - 2 * reach], [p.x + 2 * reach, p.y + 2 * reach]];
          const ids = new Set(map.queryRenderedFeatures(box, { layers: ['events'] }).map((g) => String(g.properties.id)));
          if (ids.size !== 1) continue;
          const id = String(f.properties.id);
          for (const type of ['mousedown', 'mouseup', 'click']) {
            canvas.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, view: window, button: 0, clientX: x, clientY: y }));
          }
          const title = [...w.state.live.data.openEvents, ...w.state.live.data.recent].find((e) => e.id === id)?.title ?? null;
          return { id, title, selected: w.state.wall.selectedEventId };
        }
        return null;
      });
      const target = (await clicked.jsonValue())!;
      expect(target.selected).toBe(target.id);
      expect(target.title).not.toBeNull();
      await page.waitForSelector(sel('event-detail'));
      // the detail is pinned to the picked case, even if it closes meanwhile
      expect(await page.textContent(sel('detail-title'))).toBe(target.title);
      await page.click(`${sel('event-detail')} button`);
      await page.waitForSelector(sel('event-detail'), { state: 'detached' });
    });

    it('should switch to English and remember it', async () => {
      await page.click(sel('lang-en'));
      expect(await text('scope-title')).toBe('Yangpu District');
      expect(await page.evaluate(() => localStorage.getItem('onescreen.lang'))).toBe('en');
      await page.click('button[aria-pressed="false"]');
      expect(await text('scope-title')).toBe('杨浦区');
    });

    it('should show a lost connection and resync from a new snapshot when it is back', async () => {
      const snapshots = await page.evaluate(() => window.__onescreen!.state.live.data.snapshots);
      await page.context().setOffline(true);
      await page.waitForFunction(() => document.querySelector('[data-testid="connection"]')?.getAttribute('data-state') === 'offline');
      expect(await text('connection')).toContain('离线');
      await page.context().setOffline(false);
      await page.waitForFunction(
        (n) => window.__onescreen!.state.live.connection === 'connected' && window.__onescreen!.state.live.data.snapshots > n,
        snapshots,
        { timeout: 20_000 },
      );
      expect(await page.getAttribute(sel('connection'), 'data-state')).toBe('connected');
    });

    it('should load nothing from outside the server', () => {
      const { requests, errors } = ctx.district;
      const origin = new URL(ctx.server.url).origin;
      const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:'));
      expect(requests.length).toBeGreaterThan(5);
      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
    });
  });
}
