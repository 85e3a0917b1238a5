/**
 * @module test/browser/harness
 * What the browser suites share: one server (simulator on), one Chromium, and pages that carry
 * a session cookie. Every context records Content-Security-Policy violations and page errors, so
 * any suite can assert that the wall ran clean under the server's policy.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { AreaFeature } from '../../shared/index.ts';
import type {} from '../../web/src/lib/debug.ts';
import { labelPoint } from '../../web/src/lib/utils/geo.ts';
import { postJson, type TestServer } from '../helpers/server.ts';

export const VIEWPORT = { width: 1280, height: 720 };
export const DISTRICT_ID = '310110';
export const WUJIAOCHANG_ID = '310110019000';
export const DINGHAI_ID = '310110001000';

export interface SessionPage {
  context: BrowserContext;
  page: Page;
  /** every URL the page requested */
  requests: string[];
  /** uncaught page errors */
  errors: string[];
}

/** Filled by the entry file's `beforeAll`. */
export const ctx = {} as {
  server: TestServer;
  browser: Browser;
  /** every area, as a district officer sees them */
  areas: AreaFeature[];
  /** an admin's `Cookie` header value */
  adminCookie: string;
  /** the district officer's wall, shared by the suites (zh, at the district, 1280×720) */
  district: SessionPage;
  /** the Content-Security-Policy header the wall's document came with */
  districtCsp: string;
};

export const sel = (testid: string) => `[data-testid="${testid}"]`;

export async function text(page: Page, testid: string): Promise<string> {
  return ((await page.textContent(sel(testid))) ?? '').trim();
}

/** `onescreen_session=abc` → `abc` */
export const cookieValue = (cookie: string) => cookie.slice(cookie.indexOf('=') + 1);

/** A fresh context (own cookie jar) with a session cookie, or none. */
export async function newSessionPage(cookie: string | null): Promise<SessionPage> {
  const context = await ctx.browser.newContext({ viewport: VIEWPORT, acceptDownloads: true });
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  if (cookie) await context.addCookies([{ name: 'onescreen_session', value: cookieValue(cookie), url: ctx.server.url }]);
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, requests, errors };
}

/** Opens the wall and waits until it has drawn its first snapshot. */
export async function openWall(p: SessionPage, path = '/'): Promise<void> {
  await p.page.goto(`${ctx.server.url}${path}`);
  await p.page.waitForSelector('[data-ready="true"]', { timeout: 30_000 });
}

/** CSP violations the page has reported so far. */
export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
}

export const areaById = (id: string) => ctx.areas.find((a) => a.properties.id === id)!;
export const gridsOf = (streetId: string) => ctx.areas.filter((a) => a.properties.level === 'grid' && a.properties.parentId === streetId);

/** A point inside a street: the label point of one of its grids. */
export function pointIn(streetId: string, gridIndex = 0): [number, number] {
  const grids = gridsOf(streetId);
  const g = grids[gridIndex % grids.length]!;
  return labelPoint(g.geometry)!;
}

export interface NewEvent {
  title: string;
  description?: string;
  lng: number;
  lat: number;
  severity?: 'low' | 'medium' | 'high' | 'critical';
  category?: string;
  /** the building it was reported at (三长联动) */
  buildingId?: string;
}

let seq = 0;
/** Posts events through the ingest API (as a source would) and checks they were created. */
export async function postEvents(events: NewEvent[]): Promise<string[]> {
  const at = new Date().toISOString();
  const r = await postJson(ctx.server.url, '/api/v1/events', {
    events: events.map((e) => ({
      source: 'grid',
      externalId: `browser-${Date.now()}-${++seq}`,
      category: e.category ?? 'neighbour_dispute',
      severity: e.severity ?? 'high',
      occurredAt: at,
      ...e,
    })),
  }, ctx.server.ingestKey);
  if (r.status >= 300) throw new Error(`ingest answered ${r.status}: ${r.text}`);
  const results = (r.json as { results: { status: string; id?: string }[] }).results;
  if (results.some((x) => x.status !== 'created')) throw new Error(`ingest refused: ${r.text}`);
  return results.map((x) => x.id!);
}
