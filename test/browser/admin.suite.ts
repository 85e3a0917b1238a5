/**
 * The admin page: creating a user (listed at once, and able to sign in with its street), the
 * audit trail with the logins, newest first, its time filter and CSV export, and the 403 a
 * district officer gets.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zonedInputValue, zonedIso } from '../../web/src/lib/utils/time-zone.ts';
import { cspViolations, ctx, newSessionPage, sel, text, WUJIAOCHANG_ID, type SessionPage } from './harness.ts';

export function adminSuite(): void {
  describe('the admin page', () => {
    let p: SessionPage;

    beforeAll(async () => {
      p = await newSessionPage(ctx.adminCookie);
      await p.page.goto(`${ctx.server.url}/admin`);
      await p.page.waitForSelector('[data-testid="admin-page"][data-state="ready"]');
    });

    afterAll(async () => {
      await p?.context.close();
    });

    it('should create a street officer and list it', async () => {
      const page = p.page;
      const username = `ui-street-${ctx.server.port}`;
      const password = 'ui-street-password-1';
      await page.waitForSelector(`${sel('user-row')}[data-username="admin"]`);
      await page.fill(sel('user-username'), username);
      await page.selectOption(sel('user-role'), 'street');
      await page.selectOption(sel('user-area'), WUJIAOCHANG_ID);
      await page.fill(sel('user-password'), password);
      await page.click(sel('user-create'));
      await page.waitForSelector(sel('user-form-ok'));
      const row = page.locator(`${sel('user-row')}[data-username="${username}"]`);
      await row.waitFor();
      expect(await row.textContent()).toContain('五角场街道');
      expect(await row.textContent()).toContain('街道值班员');
      // the same name again is refused with a clear message
      await page.fill(sel('user-username'), username);
      await page.selectOption(sel('user-area'), WUJIAOCHANG_ID);
      await page.fill(sel('user-password'), password);
      await page.click(sel('user-create'));
      expect(await (await page.waitForSelector(sel('user-form-error'))).textContent()).toContain('用户名已存在');
      // and the new account works, bound to its street
      const cookie = await ctx.server.login(username, password);
      expect((await ctx.server.get('/api/v1/session', cookie)).json).toMatchObject({ role: 'street', areaId: WUJIAOCHANG_ID });
    });

    it('should list the logins in the audit table, newest first, and filter by time', async () => {
      const page = p.page;
      await page.click(sel('tab-audit'));
      await page.waitForSelector(`${sel('audit-row')}[data-action="login"]`);
      const rows = await page.$$eval('[data-testid="audit-row"]', (els) => els.map((e) => ({ at: e.getAttribute('data-at')!, action: e.getAttribute('data-action'), outcome: e.getAttribute('data-outcome') })));
      expect(rows.some((r) => r.action === 'login' && r.outcome === 'ok')).toBe(true);
      expect(rows.some((r) => r.action === 'login' && r.outcome === 'failed')).toBe(true);
      expect(rows.some((r) => r.action === 'user.create')).toBe(true);
      const times = rows.map((r) => Date.parse(r.at));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      // a range in the future holds nothing; the typed time is the centre's (Asia/Shanghai)
      const tomorrow = Math.floor((Date.now() + 24 * 3_600_000) / 60_000) * 60_000;
      await page.fill(sel('audit-from'), zonedInputValue(tomorrow, 'Asia/Shanghai'));
      await page.click(sel('audit-apply'));
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="audit-row"]').length === 0);
      const href = new URL((await page.getAttribute(sel('audit-csv'), 'href'))!, ctx.server.url);
      expect(href.searchParams.get('from')).toBe(zonedIso(tomorrow, 'Asia/Shanghai'));
      expect(href.searchParams.get('from')).toMatch(/\+08:00$/);
      expect(Date.parse(href.searchParams.get('from')!)).toBe(tomorrow);
      await page.fill(sel('audit-from'), '');
      await page.click(sel('audit-apply'));
      await page.waitForSelector(sel('audit-row'));
    });

    it('should download the audit trail as CSV with a header row', async () => {
      const page = p.page;
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(sel('audit-csv'))]);
      const bytes = readFileSync((await download.path())!);
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // Excel reads the Chinese as UTF-8
      const csv = bytes.subarray(3).toString('utf8');
      const lines = csv.trim().split(/\r?\n/);
      expect(lines[0]).toBe('id,at,actor,actorKind,action,target,outcome,ip,detail,count');
      expect(lines.length).toBeGreaterThan(2);
      expect(csv).toContain('"login"');
      expect(await cspViolations(page)).toEqual([]);
      expect(p.errors).toEqual([]);
    });

    it('should create a wall display, show it waiting, enrolled after its link is used once, and give it a new link', async () => {
      const page = p.page;
      await page.click(sel('tab-displays'));
      const name = `ui-wall-${ctx.server.port}`;
      await page.fill(sel('display-name'), name);
      await page.selectOption(sel('display-area'), WUJIAOCHANG_ID);
      await page.click(sel('display-create'));
      const first = (await page.inputValue(sel('display-enrol-url'))).trim();
      expect(first).toMatch(new RegExp(`^${ctx.server.url.replace(/[.]/g, '\\.')}/\\?display=osd_`));
      const row = page.locator(sel('display-row'), { hasText: name });
      await row.locator(sel('display-waiting')).waitFor();
      // the screen uses the link: it enrols once
      const token = decodeURIComponent(first.split('?display=')[1]!);
      const enrol = await fetch(`${ctx.server.url}/api/v1/session/display`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
      expect(enrol.status).toBe(200);
      await page.click(sel('refresh-displays'));
      await page.locator(sel('display-row'), { hasText: name }).locator(sel('display-enrolled')).waitFor();
      // a new link for a screen that lost its session: shown once, the old one retired
      await page.locator(sel('display-row'), { hasText: name }).locator(sel('display-relink')).click();
      await page.waitForFunction((old) => {
        const v = (document.querySelector('[data-testid="display-enrol-url"]') as HTMLInputElement | null)?.value;
        return !!v && v !== old;
      }, first);
      await page.locator(sel('display-row'), { hasText: name }).locator(sel('display-waiting')).waitFor();
      const again = await fetch(`${ctx.server.url}/api/v1/session/display`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
      expect(again.status).toBe(401);
      expect(await cspViolations(page)).toEqual([]);
      expect(p.errors).toEqual([]);
    });

    it('should import key areas from a file: a bad one refused with its problems listed, a good one replacing the layer, and export it', async () => {
      const page = p.page;
      await page.click(sel('tab-layers'));
      const layer = page.locator(sel('layer-key-areas'));
      await layer.locator(`${sel('layer-status')}[data-version="0"]`).waitFor();
      const square = (x: number, y: number) => ({ type: 'Polygon', coordinates: [[[x, y], [x + 0.004, y], [x + 0.004, y + 0.003], [x, y + 0.003], [x, y]]] });
      const file = (features: unknown[]) => ({ name: 'key-areas.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify({ type: 'FeatureCollection', features })) });
      // the second lies far outside the district, the third repeats the first's id
      await layer.locator(sel('layer-file')).setInputFiles(file([
        { type: 'Feature', geometry: square(121.512, 31.3), properties: { id: 'ui-ka', name: '界面测试区域', factor: 0.6 } },
        { type: 'Feature', geometry: square(121.2, 31.0), properties: { id: 'far', name: '城外区域', factor: 0.5 } },
        { type: 'Feature', geometry: square(121.52, 31.28), properties: { id: 'ui-ka', name: '重复区域', factor: 0.5 } },
      ]));
      await layer.locator(sel('layer-import')).click();
      const bad = layer.locator(`${sel('layer-result')}[data-ok="false"]`);
      await bad.waitFor();
      expect(await bad.textContent()).toContain('features[1] (城外区域)');
      expect(await bad.textContent()).toContain('features[2] (重复区域)');
      expect((await ctx.server.get('/api/v1/key-areas')).json.version).toBe(0);
      await layer.locator(sel('layer-file')).setInputFiles(file([{ type: 'Feature', geometry: square(121.512, 31.3), properties: { id: 'ui-ka', name: '界面测试区域', factor: 0.6 } }]));
      await layer.locator(sel('layer-import')).click();
      await layer.locator(`${sel('layer-result')}[data-ok="true"]`).waitFor();
      await layer.locator(`${sel('layer-status')}[data-version="1"][data-features="1"]`).waitFor();
      expect((await ctx.server.get('/api/v1/key-areas')).json.features.map((f: { properties: { id: string } }) => f.properties.id)).toEqual(['ui-ka']);
      const [download] = await Promise.all([page.waitForEvent('download'), layer.locator(sel('layer-export')).click()]);
      expect(JSON.parse(readFileSync((await download.path())!, 'utf8'))).toMatchObject({ version: 1, features: [{ properties: { id: 'ui-ka', factor: 0.6 } }] });
      expect(await cspViolations(page)).toEqual([]);
      expect(p.errors).toEqual([]);
    });

    it('should answer a district officer with 403', async () => {
      const page = await ctx.district.context.newPage();
      try {
        await page.goto(`${ctx.server.url}/admin`);
        await page.waitForSelector(sel('admin-forbidden'));
        expect(await text(page, 'admin-forbidden')).toContain('403');
        expect(await page.locator(sel('users-table')).count()).toBe(0);
      } finally {
        await page.close();
      }
    });
  });
}
