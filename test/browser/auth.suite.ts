/**
 * Signing in and out through the login page: a visitor is sent to it, a wrong password is
 * refused with a clear message, the right one lands on the wall, and signing out returns to the
 * login page with the live socket closed and the session dead on the server. Throttling is shown
 * with the server's message and the time to try again.
 */
import type { WebSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTime } from '../../web/src/lib/utils/format.ts';
import { cspViolations, ctx, newSessionPage, sel, text, type SessionPage } from './harness.ts';
import { postJson } from '../helpers/server.ts';

export function authSuite(): void {
  describe('the login page', () => {
    let p: SessionPage;
    let user: { username: string; password: string };
    /** the Socket.IO WebSockets the page opened, as the browser reports them */
    const sockets: WebSocket[] = [];

    /** Resolves true once every socket in `sockets` is closed, false after `deadlineMs`. */
    function allSocketsClosed(deadlineMs: number): Promise<boolean> {
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), deadlineMs);
        const check = () => {
          if (!sockets.every((ws) => ws.isClosed())) return;
          clearTimeout(timer);
          resolve(true);
        };
        for (const ws of sockets) ws.on('close', check);
        check();
      });
    }

    beforeAll(async () => {
      user = await ctx.server.createUser('district');
      p = await newSessionPage(null);
      p.page.on('websocket', (ws) => {
        if (ws.url().includes('/socket.io/')) sockets.push(ws);
      });
      // every Socket.IO WebSocket the page opens and closes, kept in sessionStorage so the record
      // outlives the page: a close event only fires if the page closed the socket itself
      await p.context.addInitScript(() => {
        const Native = window.WebSocket;
        const note = (what: string) => {
          const log = JSON.parse(sessionStorage.getItem('__ws_log') ?? '[]') as string[];
          log.push(what);
          sessionStorage.setItem('__ws_log', JSON.stringify(log));
        };
        window.WebSocket = class extends Native {
          constructor(url: string | URL, protocols?: string | string[]) {
            super(url, protocols);
            if (!String(url).includes('/socket.io/')) return;
            note('open');
            this.addEventListener('close', () => note('close'));
          }
        };
      });
    });

    afterAll(async () => {
      await p?.context.close();
    });

    it('should send a visitor without a session to the login page', async () => {
      await p.page.goto(`${ctx.server.url}/`);
      await p.page.waitForURL(`${ctx.server.url}/login`);
      await p.page.waitForSelector(sel('login-form'));
      expect(await text(p.page, 'login-centre')).toBe('杨浦区城市运行管理中心');
      expect(await p.page.getAttribute('html', 'lang')).toBe('zh-CN');
    });

    it('should refuse a wrong password with a clear message', async () => {
      const page = p.page;
      await page.fill(sel('login-username'), user.username);
      await page.fill(sel('login-password'), 'not-the-password-1');
      await page.click(sel('login-submit'));
      const error = page.locator(sel('login-error'));
      await error.waitFor();
      expect(await error.getAttribute('data-kind')).toBe('wrong');
      expect(await error.textContent()).toContain('用户名或密码错误');
      expect(await page.inputValue(sel('login-password'))).toBe('');
      expect(page.url()).toBe(`${ctx.server.url}/login`);
    });

    it('should sign in and land on the wall, with no password in any address', async () => {
      const page = p.page;
      await page.fill(sel('login-username'), user.username);
      await page.fill(sel('login-password'), user.password);
      await page.click(sel('login-submit'));
      await page.waitForURL(`${ctx.server.url}/`);
      await page.waitForFunction(() => window.__onescreen?.state.live.connection === 'connected', undefined, { timeout: 30_000 });
      expect(await text(page, 'session-name')).toBe(user.username);
      expect(p.requests.filter((u) => u.includes(user.password) || u.includes('not-the-password'))).toEqual([]);
      const cookie = (await p.context.cookies()).find((c) => c.name === 'onescreen_session');
      expect(cookie?.httpOnly).toBe(true);
      expect(cookie?.sameSite).toBe('Strict');
    });

    it('should sign out to the login page, closing the socket and ending the session', async () => {
      const page = p.page;
      const wsLog = () => page.evaluate(() => JSON.parse(sessionStorage.getItem('__ws_log') ?? '[]') as string[]);
      await expect.poll(wsLog).toContain('open');
      const cookie = (await p.context.cookies()).find((c) => c.name === 'onescreen_session')!;
      // Hold the login page back until every Socket.IO WebSocket the wall opened has closed (or
      // 10 s passed): while the old page still stands, a closed socket is one the wall closed
      // itself, not one the browser dropped because the page went away.
      expect(sockets.length).toBeGreaterThan(0);
      let closedBeforeLeaving: boolean | null = null;
      await page.route(`${ctx.server.url}/login`, async (route) => {
        closedBeforeLeaving = await allSocketsClosed(10_000);
        await route.continue();
      });
      await page.click(sel('logout'));
      await page.waitForURL(`${ctx.server.url}/login`);
      await page.waitForSelector(sel('login-form'));
      await page.unroute(`${ctx.server.url}/login`);
      expect(closedBeforeLeaving).toBe(true);
      const log = await wsLog();
      expect(log.filter((x) => x === 'close').length).toBe(log.filter((x) => x === 'open').length);
      // the old cookie no longer opens anything
      expect((await ctx.server.get('/api/v1/session', `onescreen_session=${cookie.value}`)).status).toBe(401);
      expect((await p.context.cookies()).find((c) => c.name === 'onescreen_session' && c.value)).toBeUndefined();
      expect(await cspViolations(page)).toEqual([]);
      expect(p.errors).toEqual([]);
    });

    it("should show the server's throttling message and when to try again", async () => {
      // The real server's throttle, tripped for a user of this test's own: it counts failures per
      // user *and* address, so the other suites' sign-ins from this address are not locked out.
      const page = p.page;
      const victim = await ctx.server.createUser('district');
      const tA = Date.now();
      for (let i = 0; i < 5; i++) {
        const r = await postJson(ctx.server.url, '/api/v1/session', { username: victim.username, password: 'wrong-password-1' });
        expect(r.status).toBe(401);
      }
      await page.fill(sel('login-username'), victim.username);
      await page.fill(sel('login-password'), victim.password); // even the right password waits now
      await page.click(sel('login-submit'));
      const error = page.locator(sel('login-error'));
      await error.waitFor();
      const t1 = Date.now();
      expect(await error.getAttribute('data-kind')).toBe('throttled');
      expect(await text(page, 'login-server-message')).toBe('too many failed sign-ins for this user from this address; try again in 15 minutes');
      const retry = await text(page, 'login-retry');
      // the window opened with the first failure (between tA and the first answer) and lasts
      // 15 minutes; Retry-After is whole seconds, so the shown time is within a second of its end
      const m = /^可重试时间 (\d\d:\d\d:\d\d)（剩余 (?:(\d+)分)?(\d+)秒）$/.exec(retry);
      expect(m, retry).not.toBeNull();
      const possible = new Set<string>();
      for (let s = Math.floor(tA / 1000) - 1; s <= Math.floor(t1 / 1000) + 1; s++) possible.add(formatTime(s * 1000 + 900_000, true, 'Asia/Shanghai'));
      expect([...possible]).toContain(m![1]);
      const left = Number(m![2] ?? 0) * 60 + Number(m![3]);
      expect(left).toBeLessThanOrEqual(900);
      expect(left).toBeGreaterThanOrEqual(900 - Math.ceil((t1 - tA) / 1000) - 1);
      expect(await page.isDisabled(sel('login-submit'))).toBe(true);
      // the same user from another address is not locked out (the server's own tests show it);
      // here: the officer of the other suites still signs in from this one
      expect((await ctx.server.login(user.username, user.password))).toMatch(/^onescreen_session=/);
    });
  });
}
