/**
 * Untrusted text (citizens' 12345 titles and descriptions) carrying HTML and script payloads is
 * shown as text in the ticker, the detail panel, the map's hover label and a chart tooltip,
 * and nothing of it executes or becomes markup, with the server's CSP in force.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { labelPoint } from '../../web/src/lib/utils/geo.ts';
import { cspViolations, ctx, postEvents, sel } from './harness.ts';

const PAYLOAD_IMG = '<img src=x onerror=window.__xss=1>';
const PAYLOAD_SCRIPT = '<script>window.__xss=2</script>';
const PAYLOAD_SVG = '"><svg onload=window.__xss=3>';

interface DomCensus {
  img: number;
  svg: number;
  scripts: string[];
  handlers: number;
}

const census = (page: Page) =>
  page.evaluate<DomCensus>(() => ({
    img: document.querySelectorAll('img').length,
    // the tiles' own sparklines come and go with their data; any other svg would be injected
    svg: document.querySelectorAll('svg:not([data-sparkline])').length,
    scripts: [...document.querySelectorAll('script')].map((s) => s.src),
    handlers: document.querySelectorAll('[onerror], [onload], [onmouseover]').length,
  }));

export function xssSuite(): void {
  describe('untrusted text on the wall', () => {
    let page: Page;
    let before: DomCensus;
    const stamp = `XSS${Date.now().toString(36)}`;
    const title = `${PAYLOAD_IMG}${PAYLOAD_SCRIPT}${PAYLOAD_SVG} 标题${stamp}`;
    const description = `${PAYLOAD_SCRIPT}\n${PAYLOAD_SVG}\n${PAYLOAD_IMG} 描述${stamp}`;
    let streetId = '';
    let lngLat: [number, number] = [0, 0];

    beforeAll(async () => {
      page = ctx.district.page;
      await page.waitForSelector('[data-scope="310110"]');
      before = await census(page);
      // a spot on the map with no other marker and nothing drawn over it, to hover the event
      const spot = await page.evaluate((candidates) => {
        const map = window.__onescreen!.map!;
        const rect = map.getContainer().getBoundingClientRect();
        for (const c of candidates) {
          const p = map.project(c.point);
          if (p.x < 20 || p.y < 20 || p.x > rect.width - 20 || p.y > rect.height - 40) continue;
          if (document.elementFromPoint(rect.left + p.x, rect.top + p.y) !== map.getCanvas()) continue;
          if (map.queryRenderedFeatures([[p.x - 9, p.y - 9], [p.x + 9, p.y + 9]], { layers: ['events'] }).length > 0) continue;
          return c;
        }
        return null;
      }, ctx.areas.filter((a) => a.properties.level === 'grid').map((g) => ({ streetId: g.properties.parentId!, point: labelPoint(g.geometry)! })));
      expect(spot).not.toBeNull();
      streetId = spot!.streetId;
      lngLat = spot!.point;
      await postEvents([{ title, description, lng: lngLat[0], lat: lngLat[1], severity: 'critical' }]);
    });

    it('should show the payloads as text in the ticker and the detail panel', async () => {
      const line = page.locator(sel('ticker-line'), { hasText: stamp });
      await line.waitFor();
      expect(await line.locator('.title').textContent()).toBe(title);
      await line.click();
      await page.waitForSelector(sel('event-detail'));
      expect(await page.textContent(sel('detail-title'))).toBe(title);
      expect(await page.textContent(sel('detail-description'))).toBe(description);
      await page.keyboard.press('Escape');
      await page.waitForSelector(sel('event-detail'), { state: 'detached' });
    });

    it('should show them as text in the map label of the hovered marker', async () => {
      // Once the payload's marker is drawn, alone in its spot, the pointer moves onto it in the
      // same run inside the page (the map's own DOM events): a marker the simulator adds later
      // cannot come between finding the spot and hovering it.
      await page.waitForFunction(
        ({ stamp, ll }) => {
          const w = window.__onescreen!;
          const map = w.map!;
          const canvas = map.getCanvas();
          const rect = map.getContainer().getBoundingClientRect();
          const p = map.project(ll);
          const ids = new Set(map.queryRenderedFeatures([[p.x - 9, p.y - 9], [p.x + 9, p.y + 9]], { layers: ['events'] }).map((f) => String(f.properties.id)));
          const only = ids.size === 1 ? w.state.live.data.openEvents.find((e) => ids.has(e.id)) : undefined;
          if (!only?.title.includes(stamp)) return false;
          if (document.elementFromPoint(rect.left + p.x, rect.top + p.y) !== canvas) return false;
          canvas.dispatchEvent(new MouseEvent('mousemove', { bubbles: true, view: window, clientX: rect.left + p.x, clientY: rect.top + p.y }));
          return true;
        },
        { stamp, ll: lngLat },
      );
      const tip = page.locator(sel('map-event-tip'));
      await tip.waitFor();
      expect(await tip.textContent()).toContain(title);
      expect(await page.locator(`${sel('map-panel')} img, ${sel('map-panel')} script, ${sel('map-panel')} svg`).count()).toBe(0);
      // the pointer leaves the map: the label goes
      await page.evaluate(() => window.__onescreen!.map!.getCanvas().dispatchEvent(new MouseEvent('mouseout', { bubbles: true, view: window, relatedTarget: document.body })));
      await tip.waitFor({ state: 'detached' });
    });

    it("should show them as text in the tooltip of the street's grid chart", async () => {
      // the chart shows a street's busiest grids: six more cases make the payload's grid one of them
      const gridId = await page.evaluate((stamp) => window.__onescreen!.state.live.data.openEvents.find((e) => e.title.includes(stamp))!.gridId, stamp);
      const grid = ctx.areas.find((a) => a.properties.id === gridId)!;
      await postEvents([0, 1, 2, 3, 4, 5].map((i) => ({ title: `同网格事件${i}`, description: '', lng: labelPoint(grid.geometry)![0], lat: labelPoint(grid.geometry)![1], severity: 'low' })));
      await page.click(`${sel('board-row')}[data-street="${streetId}"]`);
      await page.waitForFunction((id) => window.__onescreen!.state.live.data.areaId === id && window.__onescreen!.state.live.data.status === 'synced', streetId);
      // wait until the grid is among the chart's bars (its index may be 0: wrap it)
      const found = await page.waitForFunction((gridId) => {
        const o = window.__onescreen!.charts.streets?.getOption() as { series: { data: { id: string }[] }[] } | undefined;
        const i = o?.series[0]?.data.findIndex((d) => d.id === gridId) ?? -1;
        return i >= 0 ? { i } : null;
      }, gridId);
      const index = (await found.jsonValue())!.i;
      await page.waitForFunction(
        ({ i, stamp }) => {
          const chart = window.__onescreen!.charts.streets!;
          chart.dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: i });
          return chart.getDom().querySelector('.wall-tooltip')?.textContent?.includes(stamp) ?? false;
        },
        { i: index, stamp },
      );
      const tip = await page.evaluate(() => {
        const dom = window.__onescreen!.charts.streets!.getDom();
        return { text: dom.querySelector('.wall-tooltip')!.textContent, markup: dom.querySelectorAll('img, script, svg, [onerror], [onload]').length };
      });
      expect(tip.text).toContain(title);
      expect(tip.markup).toBe(0);
      await page.evaluate(() => window.__onescreen!.charts.streets!.dispatchAction({ type: 'hideTip' }));
      await page.keyboard.press('Escape');
      await page.waitForSelector('[data-scope="310110"]');
    });

    it('should have executed nothing and created no markup, with the CSP in force', async () => {
      expect(ctx.districtCsp).toContain("script-src 'self'");
      expect(ctx.districtCsp).toContain("object-src 'none'");
      expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
      const after = await census(page);
      expect(after.img).toBe(before.img);
      expect(after.svg).toBe(before.svg);
      expect(after.scripts).toEqual(before.scripts);
      expect(after.scripts.every((src) => src.startsWith(`${ctx.server.url}/assets/`))).toBe(true);
      expect(after.handlers).toBe(0);
      // an injected handler would also have been reported as a policy violation
      expect(await cspViolations(page)).toEqual([]);
      expect(ctx.district.errors).toEqual([]);
    });
  });
}
