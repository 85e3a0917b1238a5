/**
 * @module test/browser/standalone
 * What a standalone browser suite needs (its own server, simulator off unless asked, and its own
 * Chromium): `standaloneSuite()` registers the hooks and gives pages that carry a session cookie.
 * Each test's pages go when it ends (idle walls still draw, and software WebGL has two cores);
 * page errors are collected for the suite to assert on.
 *
 * @example
 * const suite = standaloneSuite({ simulator: false });
 * const page = await suite.openPage(suite.server.cookie);
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startTestServer, type TestServer, type TestServerOptions } from '../helpers/server.ts';
import { launchChromium } from './chromium.ts';

const DIST_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));

export function standaloneSuite(opts: TestServerOptions = { simulator: false }) {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(DIST_INDEX)) throw new Error('dist/web is missing: run `npm run build` before the browser tests');
    [server, browser] = await Promise.all([startTestServer(opts), launchChromium()]);
  }, 30_000);
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.stop({ removeData: true });
  });

  return {
    get server(): TestServer {
      return server!;
    },
    /** uncaught errors of every page opened so far */
    pageErrors,
    /** a new browser context signed in with the `Cookie` header value given, and a page in it */
    async openPage(cookie: string, width = 1920, height = 1080): Promise<Page> {
      const context = await browser!.newContext({ viewport: { width, height } });
      contexts.push(context);
      await context.addCookies([{ name: 'onescreen_session', value: cookie.slice(cookie.indexOf('=') + 1), url: server!.url }]);
      const page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(e.message));
      return page;
    },
  };
}
