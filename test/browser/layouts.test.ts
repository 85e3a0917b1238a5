/**
 * The wall on real walls (issue 11 §5): at 1920×1080, 3840×2160, the 3×1 video wall of 5760×1080
 * and 1080×1920 portrait, the wall (full of data) is loaded with `?layout=`, photographed, and its
 * element boxes are checked: every panel inside the viewport, no two panels overlapping, no text
 * cut by a panel or a box it sits in, no panel across a bezel of the video wall, no text smaller
 * than the legibility rule (`MIN_TEXT_REM`, web/src/lib/utils/layout.ts), in the DOM and in the
 * charts' canvas text alike.
 *
 * Standalone (own server, simulator off: the test posts the data, so nothing changes while it
 * measures). One server, one browser, four page loads. Screenshots go to a temporary directory,
 * or to `LAYOUT_SCREENSHOTS=<dir>`; their paths are printed (`LAYOUT_DUMP=1` also writes what was
 * measured, as JSON, beside them).
 * Needs the built web: `npm run build` (or `npx vite build`) first.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AreaFeature } from '../../shared/index.ts';
import type {} from '../../web/src/lib/debug.ts';
import { labelPoint } from '../../web/src/lib/utils/geo.ts';
import { ARRANGEMENT, bezels, chartScale, minTextPx, type WallLayout } from '../../web/src/lib/utils/layout.ts';
import { postJson, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchChromium } from './chromium.ts';

const DIST_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));
const H = 3_600_000;

const LAYOUTS: [WallLayout, { width: number; height: number }][] = [
  ['1920x1080', { width: 1920, height: 1080 }],
  ['3840x2160', { width: 3840, height: 2160 }],
  ['5760x1080', { width: 5760, height: 1080 }],
  ['1080x1920', { width: 1080, height: 1920 }],
];

// Software WebGL on a shared machine: a 4K or 5760-wide map takes a while to draw.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

let server: TestServer;
let browser: Browser;
let shots: string;

/** Long titles, as citizens' reports and inspectors' notes are: the ticker and the watch must cut them cleanly. */
const TITLES = [
  '国定路与政立路交叉口东北角井盖缺失，夜间行人通行存在较大安全隐患，请尽快处置',
  '居民反映楼上住户长期深夜噪声扰民',
  '小区地下车库电动自行车违规充电，消防通道被占用',
  'Elevator stuck between floors 12 and 13 with two residents inside, maintenance unit notified',
  '沿街商铺占道经营',
  '工地夜间违规施工，渣土车未覆盖沿路撒漏',
  '共享单车大量堆积阻塞人行道',
  '河道水面漂浮垃圾较多',
];
const CATEGORIES = ['neighbour_dispute', 'fire_hazard', 'elevator_fault', 'illegal_construction', 'hotline_request', 'traffic_violation'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

async function seed(): Promise<void> {
  const areas = ((await server.get('/api/v1/areas')).json as { features: AreaFeature[] }).features;
  const streets = areas.filter((a) => a.properties.level === 'street');
  const gridsOf = (id: string) => areas.filter((a) => a.properties.level === 'grid' && a.properties.parentId === id);
  const now = Date.now();
  // 60 events over the last 20 hours, in every street, some from the 12345 hotline
  const events = Array.from({ length: 60 }, (_, i) => {
    const street = streets[i % streets.length]!;
    const grids = gridsOf(street.properties.id);
    const [lng, lat] = labelPoint(grids[i % grids.length]!.geometry)!;
    return {
      source: i % 3 === 0 ? '12345' : 'grid',
      externalId: `layout-${i}`,
      category: CATEGORIES[i % CATEGORIES.length]!,
      severity: SEVERITIES[i % SEVERITIES.length]!,
      occurredAt: new Date(now - ((i * 20 * H) / 60)).toISOString(),
      title: TITLES[i % TITLES.length]!,
      lng,
      lat,
    };
  });
  const r = await postJson(server.url, '/api/v1/events', { events }, server.ingestKey);
  expect(r.status, r.text).toBeLessThan(300);

  // a day of hourly readings for the district and its streets, PM2.5 and fire alarms crossing their alarm level
  const district = server.app.tree.districtId;
  const values: Record<string, number> = {
    fire_alarms: 9,
    elevator_faults: 3,
    hazmat_anomalies: 1,
    traffic_violations: 180,
    food_safety_alerts: 4,
    pm25: 130,
    online_handling_rate: 93.5,
    public_opinion: 120,
    illegal_construction: 6,
    unlicensed_business: 12,
  };
  const readings: object[] = [];
  const last = now - (now % H);
  for (let h = 23; h >= 0; h--) {
    const at = new Date(h === 0 ? now - 1000 : last - h * H).toISOString();
    for (const [indicator, v] of Object.entries(values)) {
      const value = Math.round(v * (0.6 + 0.4 * ((24 - h) / 24)) * 10) / 10;
      readings.push({ indicator, areaId: district, value, at });
      for (const s of streets.slice(0, 4)) readings.push({ indicator, areaId: s.properties.id, value: Math.round(value / 3), at });
    }
  }
  for (let i = 0; i < readings.length; i += 500) {
    const rr = await postJson(server.url, '/api/v1/readings', { readings: readings.slice(i, i + 500) }, server.ingestKey);
    expect(rr.status, rr.text).toBe(200);
  }
  // tasks on the map: long titles, every standing, projects and a drawn area
  const D = 24 * H;
  const TASK_TITLES = ['老旧小区加装电梯推进及既有多层住宅适老化改造三年行动', '五角场商圈占道经营整治', '黄兴公园周边道路综合整治', 'Riverside public space upgrade, southern section'];
  const UNITS = ['housing', 'urban-management', 'market-supervision', 'traffic-police', 'fire-safety', 'emergency-management'];
  for (let i = 0; i < 14; i++) {
    const [lng, lat] = labelPoint(streets[i % streets.length]!.geometry)!;
    const standing = i % 3; // 0 overdue, 1 a milestone late, 2 on track
    const task = {
      kind: i % 4 === 3 ? 'project' : 'task',
      title: `${TASK_TITLES[i % TASK_TITLES.length]!}（${i + 1}）`,
      unitId: UNITS[i % UNITS.length]!,
      person: i % 2 ? '王某某 副局长' : 'Li Ming, deputy director',
      standard: '按期完成',
      deadline: new Date(now + (standing === 0 ? -3 : 60) * D).toISOString(),
      location: i % 5 === 4 ? { type: 'Polygon', coordinates: [[[lng - 0.004, lat - 0.003], [lng + 0.004, lat - 0.003], [lng + 0.004, lat + 0.003], [lng - 0.004, lat + 0.003], [lng - 0.004, lat - 0.003]]] } : { type: 'Point', coordinates: [lng, lat] },
      milestones: [{ title: '完成入户调查与方案公示', due: new Date(now + (standing === 2 ? 10 : -5) * D).toISOString() }],
    };
    const t = await postJson(server.url, '/api/v1/tasks', task, undefined, { cookie: server.cookie });
    expect(t.status, t.text).toBe(201);
  }

  // the alarms are raised before any wall opens
  const end = Date.now() + 20_000;
  while (((await server.get('/api/v1/alarms?status=active')).json.alarms as unknown[]).length === 0) {
    if (Date.now() > end) throw new Error('no alarm was raised');
    await new Promise((res) => setTimeout(res, 100));
  }
}

beforeAll(async () => {
  if (!existsSync(DIST_INDEX)) throw new Error('dist/web is missing: run `npm run build` before the browser tests');
  [server, browser] = await Promise.all([startTestServer({ simulator: false, app: { alarmTickMs: 200 } }), launchChromium()]);
  await seed();
  const dir = process.env.LAYOUT_SCREENSHOTS;
  if (dir) mkdirSync(dir, { recursive: true });
  shots = dir ?? mkdtempSync(join(tmpdir(), 'onescreen-layouts-'));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop({ removeData: true });
});

/**
 * Fine print exempt from the size rule: the map data's attribution (a licence notice that must be
 * on screen, not information for the room).
 */
const FINE_PRINT = '.maplibregl-ctrl-attrib';

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}
interface Measured {
  layout: string | null;
  panels: { name: string; box: Box }[];
  /** text cut by a box it sits in: not hidden whole, not a designed ellipsis or fade */
  clipped: { where: string; text: string; rect: Box; by: string }[];
  /** text cut with an ellipsis (a designed truncation), reported */
  ellipsized: { where: string; text: string }[];
  fonts: { where: string; text: string; px: number }[];
  /** the scale the charts draw their canvas text at (their font sizes are checked in test/web/layout.test.ts) */
  chartScale: number | null;
}

/**
 * Everything measured in the page at once. A panel is an element with `data-panel` (the wall's
 * layout slots). A text is a non-empty text node; its rectangles are checked against every
 * ancestor, up to its panel, that clips (overflow other than visible), and against the panel.
 */
function measure(page: Page): Promise<Measured> {
  return page.evaluate((FINE_PRINT) => {
    const boxOf = (r: DOMRect) => ({ left: r.left, top: r.top, right: r.right, bottom: r.bottom });
    const nameOf = (el: Element): string => {
      const tid = el.closest('[data-testid]')?.getAttribute('data-testid');
      const panel = el.closest('[data-panel]')?.getAttribute('data-panel');
      const cls = typeof el.className === 'string' ? el.className.split(/\s+/).filter((c) => c && !c.startsWith('svelte-')).join('.') : '';
      return `${panel ?? '?'} › ${tid ?? ''} ${el.tagName.toLowerCase()}${cls ? `.${cls}` : ''}`;
    };
    const panelEls = [...document.querySelectorAll<HTMLElement>('[data-panel]')];
    const panels = panelEls.map((el) => ({ name: el.dataset.panel!, box: boxOf(el.getBoundingClientRect()) }));

    const clipped: Measured['clipped'] = [];
    const ellipsized: Measured['ellipsized'] = [];
    const fonts: Measured['fonts'] = [];
    const seenEllipsis = new Set<Element>();
    const walker = document.createTreeWalker(document.querySelector('.wall') ?? document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = (n.textContent ?? '').trim();
      const el = n.parentElement;
      if (!text || !el) continue;
      const style = getComputedStyle(el);
      if (style.visibility !== 'visible' || style.display === 'none') continue;
      const fs = parseFloat(style.fontSize);
      const range = document.createRange();
      range.selectNodeContents(n);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
      if (rects.length === 0) continue;
      // walk up to the panel: boxes that clip, and the panel itself
      let hidden = false;
      /** cut with an ellipsis by a box below: what lies past that box is not drawn anyway */
      let ellipsisX = false;
      /** faded out at the bottom of a wall list: what lies past the list is not drawn anyway */
      let fadedY = false;
      const panel = el.closest('[data-panel]');
      for (let a: Element | null = el; a && !hidden; a = a === panel ? null : a.parentElement) {
        const cs = getComputedStyle(a);
        const clipsX = a === panel || cs.overflowX !== 'visible';
        const clipsY = a === panel || cs.overflowY !== 'visible';
        if (!clipsX && !clipsY) continue;
        const b = a.getBoundingClientRect();
        for (const r of rects) {
          const outX = clipsX && (r.right <= b.left + 0.5 || r.left >= b.right - 0.5);
          const outY = clipsY && (r.bottom <= b.top + 0.5 || r.top >= b.bottom - 0.5);
          if (outX || outY) {
            hidden = true; // scrolled or cut away whole: a list longer than its panel, not a cut text
            break;
          }
          const cutX = !ellipsisX && clipsX && (r.left < b.left - 1 || r.right > b.right + 1);
          // vertically, the glyphs' em box (centred in the rectangle, which also holds the
          // font's ascent and descent) must stay inside, give or take the glyphs' own margin
          const cy = (r.top + r.bottom) / 2;
          const tol = Math.max(1, 0.12 * fs);
          const cutY = !fadedY && clipsY && (cy - fs / 2 < b.top - tol || cy + fs / 2 > b.bottom + tol);
          if (cutX && cs.textOverflow === 'ellipsis') {
            if (!seenEllipsis.has(a)) ellipsized.push({ where: nameOf(a), text: (a.textContent ?? '').trim().slice(0, 60) });
            seenEllipsis.add(a);
            ellipsisX = true;
            if (!cutY) continue;
          }
          // a wall list's last line fades out at its bottom (app.css) instead of being cut
          if (cutY && !cutX && a.matches('.wall-list')) {
            fadedY = true;
            continue;
          }
          if ((cutX && !ellipsisX) || cutY) clipped.push({ where: nameOf(el), text: text.slice(0, 60), rect: boxOf(r), by: nameOf(a) });
        }
      }
      // text cut with an ellipsis by its own box (the range is the whole text, the box narrower)
      if (!hidden && style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1 && !seenEllipsis.has(el)) {
        seenEllipsis.add(el);
        ellipsized.push({ where: nameOf(el), text: text.slice(0, 60) });
      }
      if (!hidden && !el.closest(FINE_PRINT)) fonts.push({ where: nameOf(el), text: text.slice(0, 30), px: fs });
    }

    return { layout: document.querySelector('.wall')?.getAttribute('data-layout') ?? null, panels, clipped, ellipsized, fonts, chartScale: window.__onescreen?.state.wall.scale ?? null };
  }, FINE_PRINT);
}

const area = (b: Box) => Math.max(0, b.right - b.left) * Math.max(0, b.bottom - b.top);
function overlap(a: Box, b: Box): number {
  return area({ left: Math.max(a.left, b.left), top: Math.max(a.top, b.top), right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom) });
}

describe('the wall at each layout', () => {
  it.each(LAYOUTS)('should lay out %s with every panel on screen, none overlapping, no text cut or too small', async (layout, viewport) => {
    // reduced motion: the pulses stop, so software WebGL is not asked for frames while the test measures
    const context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
    try {
      await context.addCookies([{ name: 'onescreen_session', value: server.cookie.slice(server.cookie.indexOf('=') + 1), url: server.url }]);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}/?layout=${layout}`);
      await page.waitForSelector('[data-ready="true"]', { timeout: 180_000 });
      // the wall is full: tiles with values, alarms, the board, the watch, the ticker, the hotline figures
      const missing = () =>
        page.evaluate(() =>
          Object.entries({
            alarms: '[data-testid="alarm-panel"]:not([data-count="0"])',
            board: '[data-testid="board-row"]',
            ticker: '[data-testid="ticker-line"]',
            hotline: '[data-testid="hotline-panel"][data-ready="true"]',
          }).flatMap(([what, selector]) => (document.querySelector(selector) ? [] : [what])),
        );
      await expect.poll(missing, { timeout: 120_000, interval: 500, message: 'panels still empty' }).toEqual([]);

      const arrangement = ARRANGEMENT[layout];
      const minPx = minTextPx(arrangement, viewport);
      /** photographs the wall as it is and checks what it measures */
      const check = async (view: string, opts: { mapZoomed?: boolean } = {}) => {
        await page.evaluate(() => document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))));
        const file = join(shots, `wall-${layout}${view}.png`);
        await page.screenshot({ path: file, timeout: 120_000, animations: 'disabled' });
        console.log(`[layouts] ${layout}${view}: ${file}`);

        const m = await measure(page);
        if (process.env.LAYOUT_DUMP) writeFileSync(join(shots, `m-${layout}${view}.json`), JSON.stringify(m, null, 1));
        const small = m.fonts.filter((f) => f.px < minPx - 0.05);
        const smallest = [...m.fonts].sort((a, b) => a.px - b.px);
        console.log(`[layouts] ${layout}${view}: ${m.panels.length} panels, smallest text ${smallest[0]?.px} px (rule ${minPx.toFixed(1)} px), ${m.ellipsized.length} ellipsized`, m.ellipsized.slice(0, 8));

        expect.soft(m.layout).toBe(arrangement);
        expect.soft(m.panels.length).toBeGreaterThanOrEqual(10);
        // every panel inside the viewport
        const outside = m.panels.filter(({ box: b }) => b.left < -0.5 || b.top < -0.5 || b.right > viewport.width + 0.5 || b.bottom > viewport.height + 0.5 || area(b) < 100);
        expect.soft(outside, 'panels outside the viewport (or empty)').toEqual([]);
        // no two panels overlap
        const overlapping: string[] = [];
        for (let i = 0; i < m.panels.length; i++)
          for (let j = i + 1; j < m.panels.length; j++) if (overlap(m.panels[i]!.box, m.panels[j]!.box) > 1) overlapping.push(`${m.panels[i]!.name} × ${m.panels[j]!.name}`);
        expect.soft(overlapping, 'overlapping panels').toEqual([]);
        // on the video wall, no panel across a bezel
        const crossing = bezels(arrangement, viewport).flatMap((x) => m.panels.filter(({ box: b }) => b.left < x - 0.5 && b.right > x + 0.5).map((p) => `${p.name} across x=${x}`));
        expect.soft(crossing, 'panels across a bezel').toEqual([]);
        // no text cut
        // a map zoomed onto an incident cuts its own labels and markers at its edges, as its canvas does
        const cutByMapEdge = (c: { by: string; where: string }) => opts.mapZoomed && c.where.startsWith('map ›') && /(div\.(map\.maplibregl-map|map-wrap|labels)|section\.map-panel)$/.test(c.by);
        expect.soft(m.clipped.filter((c) => !cutByMapEdge(c)), 'text cut by its box or panel').toEqual([]);
        // legible at 5 m
        expect.soft(small, `text under ${minPx} px`).toEqual([]);
        expect.soft(m.chartScale, 'the charts\' scale').toBeCloseTo(chartScale(arrangement, viewport), 3);
      };
      await check('');
      // the board's other view: the task board (挂图作战), as full as the panel can hold
      await page.click('[data-testid="board-switch"]');
      await page.waitForSelector('[data-testid="task-board"] [data-testid="task-row"]', { timeout: 60_000 });
      await check('-tasks');
      const shown = await page.$$eval('[data-testid="task-row"]', (rows) => rows.map((r) => r.getAttribute('data-standing')));
      expect.soft(shown[0], 'overdue first').toBe('late');
      expect.soft(shown.length, 'rows on the board').toBeGreaterThanOrEqual(4);
      // wartime (平战结合): the incident's band over the map, the command panel and the cases within reach
      const started = await postJson(server.url, '/api/v1/emergency', { grade: 'I', class: 'accident', title: '军工路某化工仓库火灾，周边三公里范围人员疏散', lng: 121.514, lat: 31.302, radiusM: 3000, drill: true, command: { commander: '王某某 副区长', members: ['区应急管理局', '区消防救援支队', '区公安分局', '区卫健委'] } }, undefined, { cookie: server.cookie });
      expect(started.status, started.text).toBe(201);
      const released = await postJson(server.url, `/api/v1/emergency/${started.json.id}/log`, { kind: 'release', version: 1, text: '17:40 明火已得到控制，军工路（政立路—国定路）双向封闭，请过往车辆绕行，周边居民关闭门窗' }, undefined, { cookie: server.cookie });
      expect(released.status).toBe(200);
      await page.waitForSelector('.wall[data-mode="war"] [data-testid="incident-log"][data-entries="2"]', { timeout: 60_000 });
      await check('-war', { mapZoomed: true });
      expect((await postJson(server.url, '/api/v1/emergency/end', { version: 2, summary: '结束' }, undefined, { cookie: server.cookie })).status).toBe(200);
      await page.waitForSelector('.wall[data-mode="peace"]', { timeout: 60_000 });
      expect.soft(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
