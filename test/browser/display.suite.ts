/**
 * A wall screen enrolled with its display token: it runs with nothing typed, the token leaves
 * the address at once, and revoking the token stops the screen with a clear full-screen state.
 * An unknown or used link says so. Opened where an officer is signed in, the link asks before
 * replacing the officer's session: keeping it leaves the token unused, replacing it makes the
 * browser the display. The token leaves the address in every case.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from '../helpers/server.ts';
import { cspViolations, ctx, newSessionPage, sel, text, WUJIAOCHANG_ID, type SessionPage } from './harness.ts';

export function displaySuite(): void {
  describe('an enrolled wall display', () => {
    let p: SessionPage;
    let display: { id: string; token: string };

    beforeAll(async () => {
      display = await ctx.server.createDisplay(WUJIAOCHANG_ID);
      p = await newSessionPage(null);
    });

    const others: SessionPage[] = [];

    // each case's extra browsers are closed after it: idle walls still draw (software WebGL), and
    // a few of them left open slow every later case on a 2-core machine
    afterEach(async () => {
      for (const o of others.splice(0)) await o.context.close();
    });

    afterAll(async () => {
      await p?.context.close();
    });

    /** a fresh browser context: with an officer's session, or none */
    async function browserOf(cookie: string | null): Promise<SessionPage> {
      const o = await newSessionPage(cookie);
      others.push(o);
      return o;
    }

    async function officer(): Promise<{ username: string; cookie: string }> {
      const u = await ctx.server.createUser('district');
      return { username: u.username, cookie: await ctx.server.login(u.username, u.password) };
    }

    const tokenGone = async (page: SessionPage['page']) => {
      expect(page.url()).toBe(`${ctx.server.url}/`);
      expect(await page.evaluate(() => location.href)).not.toContain('display=');
    };

    it('should run from /?display=<token> with no password typed, and drop the token from the address', async () => {
      const page = p.page;
      await page.goto(`${ctx.server.url}/?display=${encodeURIComponent(display.token)}`);
      await page.waitForFunction(() => (window.__onescreen?.state.live.data.snapshots ?? 0) > 0, undefined, { timeout: 30_000 });
      expect(page.url()).toBe(`${ctx.server.url}/`);
      expect(await page.evaluate(() => location.href)).not.toContain('display=');
      expect(await page.getAttribute(sel('session-user'), 'data-kind')).toBe('display');
      await page.waitForFunction(() => document.querySelector('[data-testid="scope-title"]')?.textContent?.trim() === '五角场街道');
      expect(await page.locator(`${sel('logout')}, ${sel('admin-link')}, ${sel('drill-back')}`).count()).toBe(0);
      const cookie = (await p.context.cookies()).find((c) => c.name === 'onescreen_session');
      expect(cookie?.httpOnly).toBe(true);
      // a reload runs on the cookie alone
      await page.reload();
      await page.waitForFunction(() => (window.__onescreen?.state.live.data.snapshots ?? 0) > 0, undefined, { timeout: 30_000 });
      expect(page.url()).toBe(`${ctx.server.url}/`);
    });

    it('should say a link is not valid, and drop it from the address', async () => {
      const { page } = await browserOf(null);
      await page.goto(`${ctx.server.url}/?display=${'x'.repeat(43)}`);
      await page.waitForSelector(sel('display-refused'));
      expect(await text(page, 'display-refused')).toContain('该大屏链接无效或已使用过');
      expect(await text(page, 'display-refused')).toContain('ask an administrator to make a new one');
      await tokenGone(page);
      expect(await page.locator(`${sel('login-form')}, [data-scope]`).count()).toBe(0);
    });

    it("should ask an officer before replacing their session, and keep it when told, leaving the token unused", async () => {
      const who = await officer();
      const link = await ctx.server.createDisplay(WUJIAOCHANG_ID);
      const { page } = await browserOf(who.cookie);
      await page.goto(`${ctx.server.url}/?display=${encodeURIComponent(link.token)}`);
      await page.waitForSelector(sel('display-ask'));
      await tokenGone(page);
      expect(await text(page, 'display-ask')).toContain(`此浏览器已由 ${who.username} 登录`);
      expect(await text(page, 'display-ask')).toContain(`This browser is signed in as ${who.username}.`);
      await page.click(sel('display-keep'));
      // the officer's own wall, with the same session
      await page.waitForFunction(() => (window.__onescreen?.state.live.data.snapshots ?? 0) > 0, undefined, { timeout: 30_000 });
      expect(await page.getAttribute(sel('session-user'), 'data-kind')).toBe('user');
      expect(await text(page, 'session-name')).toBe(who.username);
      await tokenGone(page);
      expect((await ctx.server.get('/api/v1/session', who.cookie)).json).toMatchObject({ kind: 'user', name: who.username });
      // the token was not used: another screen enrols with it
      const screen = await browserOf(null);
      await screen.page.goto(`${ctx.server.url}/?display=${encodeURIComponent(link.token)}`);
      await screen.page.waitForFunction(() => (window.__onescreen?.state.live.data.snapshots ?? 0) > 0, undefined, { timeout: 30_000 });
      expect(await screen.page.getAttribute(sel('session-user'), 'data-kind')).toBe('display');
    });

    it('should make the browser the wall when the officer says so, and refuse the used link afterwards', async () => {
      const who = await officer();
      const link = await ctx.server.createDisplay(WUJIAOCHANG_ID);
      const { page, context } = await browserOf(who.cookie);
      await page.goto(`${ctx.server.url}/?display=${encodeURIComponent(link.token)}`);
      await page.waitForSelector(sel('display-ask'));
      await page.click(sel('display-replace'));
      await page.waitForFunction(() => (window.__onescreen?.state.live.data.snapshots ?? 0) > 0, undefined, { timeout: 30_000 });
      expect(await page.getAttribute(sel('session-user'), 'data-kind')).toBe('display');
      await page.waitForFunction(() => document.querySelector('[data-testid="scope-title"]')?.textContent?.trim() === '五角场街道');
      await tokenGone(page);
      // the browser's cookie is now the display's
      const cookie = (await context.cookies()).find((c) => c.name === 'onescreen_session')!;
      expect((await ctx.server.get('/api/v1/session', `onescreen_session=${cookie.value}`)).json).toMatchObject({ kind: 'display' });
      // a link enrols once: opened again, it is refused with the server's reason
      const again = await browserOf(null);
      await again.page.goto(`${ctx.server.url}/?display=${encodeURIComponent(link.token)}`);
      await again.page.waitForSelector(sel('display-refused'));
      expect(await text(again.page, 'notice-detail')).toMatch(/used/i);
      await tokenGone(again.page);
      expect(await cspViolations(page)).toEqual([]);
    });

    it('should show the revoked state when the token is revoked', async () => {
      const page = p.page;
      const r = await postJson(ctx.server.url, `/api/v1/admin/displays/${display.id}/revoke`, {}, undefined, { cookie: ctx.adminCookie });
      expect(r.status).toBe(200);
      // the server re-checks live sessions every 500 ms here (sessionCheckMs)
      await page.waitForSelector(sel('display-revoked'));
      expect(await text(page, 'display-revoked')).toContain('该屏幕已停用');
      expect(await text(page, 'display-revoked')).toContain('This display has been revoked');
      // not a login form: nobody is there to type a password
      expect(await page.locator(sel('login-form')).count()).toBe(0);
      expect(page.url()).toBe(`${ctx.server.url}/`);
      expect(await page.locator('[data-scope]').count()).toBe(0);
      expect(await cspViolations(page)).toEqual([]);
      expect(p.errors).toEqual([]);
    });
  });
}
