/**
 * A wall screen enrolled with its display token: it runs with nothing typed, the token leaves
 * the address at once, and revoking the token stops the screen with a clear full-screen state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

    afterAll(async () => {
      await p?.context.close();
    });

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

    it('should show the revoked state within seconds when the token is revoked', async () => {
      const page = p.page;
      const r = await postJson(ctx.server.url, `/api/v1/admin/displays/${display.id}/revoke`, {}, undefined, { cookie: ctx.adminCookie });
      expect(r.status).toBe(200);
      const t0 = Date.now();
      await page.waitForSelector(sel('display-revoked'), { timeout: 8000 });
      expect(Date.now() - t0).toBeLessThan(8000);
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
