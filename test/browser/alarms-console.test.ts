/**
 * Alarms in real headless Chromium against the real server (simulator off, temp database):
 * readings posted through the ingest API raise an alarm whose rule opens cases by hand
 * (elevator_faults.street, warn, manual); a 五角场 street officer sees it live in the console,
 * acknowledges it with a note, opens its case, and the case panel shows the case 「来自告警」 with
 * a link back; an administrator only looks. In /admin an administrator disables the rule and
 * saves (version 1), the alarm clears live in the console, a bad number is refused before
 * sending, and a save over someone else's is said (409) and reloaded.
 *
 * Standalone (its own server and browser), simulator off so that only the test feeds readings.
 * Needs the built web: `npm run build` first.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm, AlarmRule } from '../../shared/index.ts';
import { ADMIN, postJson, startTestServer, type TestServer } from '../helpers/server.ts';
import { launchChromium } from './chromium.ts';

const DIST_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));
const WJC = '310110019000';
const RULE = 'elevator_faults.street';
const sel = (testid: string) => `[data-testid="${testid}"]`;
/** a deadline for a condition, never a pause (two pages draw with software WebGL on 2 cores) */
const WAIT_MS = 20_000;
/** with ONESCREEN_SCREENSHOTS set, screenshots go to ONESCREEN_SCREENSHOTS_DIR (default docs/) */
const shot = (page: Page, name: string) =>
  process.env.ONESCREEN_SCREENSHOTS ? page.screenshot({ path: `${process.env.ONESCREEN_SCREENSHOTS_DIR ?? 'docs'}/screenshot-${name}.png` }) : Promise.resolve();

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

async function openPage(cookie: string, width = 1920, height = 1080): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } });
  contexts.push(context);
  await context.addCookies([{ name: 'onescreen_session', value: cookie.slice(cookie.indexOf('=') + 1), url: server.url }]);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return page;
}

async function openConsole(cookie: string, query = ''): Promise<Page> {
  const page = await openPage(cookie);
  await page.goto(`${server.url}/console${query}`);
  await page.waitForSelector(`${sel('console')}[data-ready="true"]`, { timeout: WAIT_MS });
  return page;
}

beforeAll(async () => {
  if (!existsSync(DIST_INDEX)) throw new Error('dist/web is missing: run `npm run build` before the browser tests');
  [server, browser] = await Promise.all([startTestServer({ simulator: false, app: { alarmTickMs: 200 } }), launchChromium()]);
}, 30_000);

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => {});
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop({ removeData: true });
});

describe('alarms in the console and the rule editor', () => {
  let alarmId = '';

  it('should show a street officer the alarm live, let them acknowledge it and open its case, linked both ways', async () => {
    const officer = await server.createUser('street', WJC);
    const desk = await openConsole(await server.login(officer.username, officer.password));
    expect(await desk.getAttribute(sel('alarm-panel'), 'data-count')).toBe('0');
    await desk.waitForSelector(sel('alarm-empty'));

    // three lift faults in one grid of 五角场: the street's sum passes the warn level (2)
    const grid = server.app.tree.children(WJC)[0]!.id;
    const r = await postJson(server.url, '/api/v1/readings', { readings: [{ indicator: 'elevator_faults', areaId: grid, value: 3, at: new Date().toISOString() }] }, server.ingestKey);
    expect(r.status, r.text).toBe(200);
    const row = desk.locator(`${sel('alarm-row')}[data-rule="${RULE}"]`);
    await row.waitFor({ timeout: WAIT_MS });
    alarmId = (await row.getAttribute('data-id'))!;
    expect(await row.getAttribute('data-severity')).toBe('warn');
    expect(await row.getAttribute('data-state')).toBe('raised');
    expect(await desk.getAttribute(sel('alarm-panel'), 'data-count')).toBe('1');
    expect(await row.locator(sel('alarm-row-title')).textContent()).toContain('五角场');

    await row.click();
    await desk.waitForSelector(`${sel('alarm-detail')}[data-id="${alarmId}"][data-state="raised"]`);
    expect(await desk.$$eval(`${sel('alarm-actions')} button`, (bs) => bs.map((b) => b.getAttribute('data-testid')))).toEqual(['alarm-ack', 'alarm-open-case']);
    expect(await desk.textContent(sel('alarm-value'))).toContain('3');

    await shot(desk, 'console-alarms');

    // 确认 with a note
    await desk.click(sel('alarm-ack'));
    await desk.waitForSelector(`${sel('alarm-form')}[data-kind="ack"] ${sel('alarm-note')}:focus`);
    await desk.keyboard.type('已电话联系物业');
    await desk.click(sel('alarm-confirm'));
    await desk.waitForSelector(`${sel('alarm-detail')}[data-state="acknowledged"]`, { timeout: WAIT_MS });
    expect(await desk.textContent(sel('alarm-acked'))).toContain('已电话联系物业');
    expect(await desk.textContent(sel('alarm-acked'))).toContain(officer.username);
    expect(await desk.$$eval(`${sel('alarm-actions')} button`, (bs) => bs.map((b) => b.getAttribute('data-testid')))).toEqual(['alarm-open-case']);
    await expect.poll(() => row.getAttribute('data-state'), { timeout: WAIT_MS }).toBe('acknowledged');

    // 立案: the case opens in the case panel, 「来自告警」 with a link back
    await desk.click(sel('alarm-open-case'));
    await desk.waitForSelector(`${sel('alarm-form')}[data-kind="case"]`);
    await desk.fill(sel('alarm-note'), '请维保单位到场');
    await desk.click(sel('alarm-confirm'));
    const panel = desk.locator(sel('case-panel'));
    await expect.poll(() => panel.getAttribute('data-case-id'), { timeout: WAIT_MS }).not.toBe('');
    const caseId = (await panel.getAttribute('data-case-id'))!;
    expect(await desk.textContent(sel('case-from-alarm'))).toContain('来自告警');
    expect(await desk.getAttribute(sel('case-alarm-link'), 'data-alarm-id')).toBe(alarmId);
    const stored = (await server.get(`/api/v1/events/${caseId}`)).json;
    expect(stored).toMatchObject({ source: 'alarm', externalId: alarmId, category: 'elevator_fault', streetId: WJC });
    expect(stored.description).toContain('请维保单位到场');

    // back to the alarm: its case link, and the history with who and when
    await desk.click(sel('case-alarm-link'));
    await desk.waitForSelector(`${sel('alarm-detail')}[data-id="${alarmId}"][data-case-id="${caseId}"]`);
    expect(await desk.$$eval(sel('alarm-history-entry'), (es) => es.map((e) => e.getAttribute('data-kind')))).toEqual(['case_opened', 'acknowledged', 'raised']);
    expect(await desk.textContent(sel('alarm-history'))).toContain(officer.username);
    expect(await desk.locator(`${sel('alarm-actions')} button`).count()).toBe(0);
    await desk.click(sel('alarm-case-link'));
    await desk.waitForSelector(`${sel('case-panel')}[data-case-id="${caseId}"]`);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('should open the alarm or the case a notification links to (/console?alarm=, ?case=)', async () => {
    const caseId = (await server.get(`/api/v1/alarms/${alarmId}`)).json.caseId as string;
    const byAlarm = await openConsole(server.cookie, `?alarm=${alarmId}`);
    await byAlarm.waitForSelector(`${sel('alarm-detail')}[data-id="${alarmId}"]`, { timeout: WAIT_MS });
    const byCase = await openConsole(server.cookie, `?case=${caseId}`);
    await byCase.waitForSelector(`${sel('case-panel')}[data-case-id="${caseId}"]`, { timeout: WAIT_MS });
    // anything else is ignored: the console opens as usual
    const odd = await openConsole(server.cookie, '?alarm=%3Cscript%3E');
    expect(await odd.locator(sel('alarm-detail')).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('should show an administrator the alarm read-only', async () => {
    // in English, for once
    const admin = await openConsole(await server.login(ADMIN.username, ADMIN.password), '?lang=en');
    const row = admin.locator(`${sel('alarm-row')}[data-id="${alarmId}"]`);
    await row.waitFor({ timeout: WAIT_MS });
    await row.click();
    await admin.waitForSelector(`${sel('alarm-detail')}[data-id="${alarmId}"]`);
    await admin.waitForSelector(sel('alarm-readonly'));
    expect(await admin.textContent(sel('alarm-history'))).toContain('Case opened');
    await shot(admin, 'console-alarm-en');
    expect(await admin.locator(sel('alarm-actions')).count()).toBe(0);
    // and the server refuses an admin's acknowledgement anyway
    const refused = await admin.evaluate(async (id) => (await fetch(`/api/v1/alarms/${id}/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version: 1 }) })).status, alarmId);
    expect(refused).toBe(403);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('should let an administrator disable the rule and save (version 1), clearing the alarm live; bad numbers and stale saves are said', async () => {
    const officer = await server.createUser('street', WJC);
    const desk = await openConsole(await server.login(officer.username, officer.password));
    await desk.waitForSelector(`${sel('alarm-row')}[data-id="${alarmId}"]`, { timeout: WAIT_MS });

    const adminCookie = await server.login(ADMIN.username, ADMIN.password);
    const page = await openPage(adminCookie);
    await page.goto(`${server.url}/admin?lang=en#rules`);
    await page.waitForSelector(`${sel('admin-rules')}[data-version="0"] ${sel('rule-row')}`, { timeout: WAIT_MS });
    expect(await page.textContent(sel('rules-version'))).toBe('v0');
    await shot(page, 'admin-rules');
    const ruleRow = page.locator(`${sel('rule-row')}[data-id="${RULE}"]`);
    expect(await ruleRow.locator(sel('rule-warn')).inputValue()).toBe('2');
    expect(await ruleRow.locator(sel('rule-create-case')).inputValue()).toBe('manual');

    // a bad number is named at its row and nothing is sent
    await ruleRow.locator(sel('rule-clear')).fill('abc');
    await ruleRow.locator(sel('rule-clear')).press('Tab');
    await page.click(sel('rules-save'));
    await page.waitForSelector(sel('rules-invalid'));
    expect(await page.getAttribute(`${sel('rules-issue')}`, 'data-field')).toBe('clear');
    await page.waitForSelector(`${sel('rule-issues')}[data-id="${RULE}"]`);
    await shot(page, 'admin-rules-invalid');
    expect((await server.get('/api/v1/admin/rules', adminCookie)).json.version).toBe(0);
    await page.click(sel('rules-discard'));

    // disable it and save
    await ruleRow.locator(sel('rule-enabled')).uncheck();
    await page.waitForSelector(`${sel('admin-rules')}[data-dirty="true"]`);
    await page.click(sel('rules-save'));
    await page.waitForSelector(sel('rules-saved'), { timeout: WAIT_MS });
    expect(await page.textContent(sel('rules-version'))).toBe('v1');
    expect(await page.textContent(sel('rules-saved-by'))).toBe(ADMIN.username);
    expect(await ruleRow.locator(sel('rule-enabled')).isChecked()).toBe(false);
    const set = (await server.get('/api/v1/admin/rules', adminCookie)).json as { version: number; rules: AlarmRule[] };
    expect(set.version).toBe(1);
    expect(set.rules.find((r) => r.id === RULE)!.enabled).toBe(false);

    // the disabled rule's alarm clears: it leaves the officer's active list live, and shows among the cleared
    await desk.waitForSelector(`${sel('alarm-row')}[data-id="${alarmId}"]`, { state: 'detached', timeout: WAIT_MS });
    await desk.check(sel('alarm-show-cleared'));
    await desk.waitForSelector(`${sel('alarm-row')}[data-id="${alarmId}"][data-state="cleared"]`, { timeout: WAIT_MS });
    await shot(desk, 'console-alarms-cleared');
    expect(((await server.get(`/api/v1/alarms/${alarmId}`)).json as Alarm).state).toBe('cleared');

    // someone else saves meanwhile: the admin's save is refused (409), said, and a reload brings v2
    const other = await fetch(`${server.url}/api/v1/admin/rules`, {
      method: 'PUT',
      headers: { cookie: adminCookie, 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1, rules: set.rules.map((r) => (r.id === RULE ? { ...r, enabled: true } : r)) }),
    });
    expect(other.status).toBe(200);
    await ruleRow.locator(sel('rule-warn')).fill('3');
    await ruleRow.locator(sel('rule-warn')).press('Tab');
    await page.click(sel('rules-save'));
    await page.waitForSelector(sel('rules-conflict'), { timeout: WAIT_MS });
    await page.click(sel('rules-reload'));
    await page.waitForSelector(`${sel('admin-rules')}[data-version="2"]`, { timeout: WAIT_MS });
    expect(await ruleRow.locator(sel('rule-enabled')).isChecked()).toBe(true);
    expect(await ruleRow.locator(sel('rule-warn')).inputValue()).toBe('2');
    // every save is in the audit trail
    const audit = (await server.get('/api/v1/admin/audit?limit=100', adminCookie)).json as { action: string; outcome: string; target: string }[];
    expect(audit.filter((a) => a.action === 'rules.save').map((a) => `${a.target} ${a.outcome}`)).toEqual(['v1 failed', 'v2 ok', 'v1 ok']);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
