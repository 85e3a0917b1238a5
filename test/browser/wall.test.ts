/**
 * The web in real headless Chromium against the real server (simulator on, temp database, the
 * server's security headers and Content-Security-Policy). One server and one browser for every
 * suite; each suite opens its own contexts (own cookies) at 1280×720.
 * Needs the built web: `npm run build` first (`npm test` and `npm run test:browser` do).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, vi } from 'vitest';
import type { AreaFeature } from '../../shared/index.ts';
import { ADMIN, startTestServer } from '../helpers/server.ts';
import { adminSuite } from './admin.suite.ts';
import { authSuite } from './auth.suite.ts';
import { launchChromium } from './chromium.ts';
import { displaySuite } from './display.suite.ts';
import { ctx, newSessionPage } from './harness.ts';
import { streetSuite } from './street.suite.ts';
import { wallSuite } from './wall.suite.ts';
import { xssSuite } from './xss.suite.ts';

const DIST_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));

// Software WebGL on a shared machine: a step that takes 5 s alone can take 30 s under load.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 90_000 });

beforeAll(async () => {
  if (!existsSync(DIST_INDEX)) throw new Error('dist/web is missing: run `npm run build` before the browser tests');
  [ctx.server, ctx.browser] = await Promise.all([startTestServer({ simulator: true, seed: 7, simulatorTickMs: 2000, flushPerSec: 1, simulatorEventsPerHour: 30, demoLayers: true }), launchChromium()]);
  ctx.areas = ((await ctx.server.get('/api/v1/areas')).json as { features: AreaFeature[] }).features;
  ctx.adminCookie = await ctx.server.login(ADMIN.username, ADMIN.password);

  // the district officer's wall, shared by the suites
  ctx.district = await newSessionPage(ctx.server.cookie);
  const res = await ctx.district.page.goto(`${ctx.server.url}/`);
  ctx.districtCsp = res?.headers()['content-security-policy'] ?? '';
  await ctx.district.page.waitForSelector('[data-ready="true"]', { timeout: 60_000 });
});

afterAll(async () => {
  await ctx.browser?.close();
  await ctx.server?.stop({ removeData: true });
});

describe('with the district wall open', () => {
  // the suites after these need no district wall: park it, so software WebGL has one wall less to draw
  afterAll(async () => {
    await ctx.district.page.goto('about:blank');
  });
  wallSuite();
  xssSuite();
  streetSuite();
});
authSuite();
displaySuite();
adminSuite();
