/**
 * Tasks on the map (挂图作战) in real headless Chromium against the real server (simulator off):
 * a district officer creates a task on the task page and it appears on the wall's map layer; the
 * responsible unit finds its late task flagged 慢落实, files the written report it owes, and the
 * flag of the owed report goes; a unit may not urge or supervise; the wall's task board lists them,
 * overdue first, numbered as on the map, and a row opens its task.
 *
 * Standalone (its own server and browser). Needs the built web: `npm run build` first.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { postJson } from '../helpers/server.ts';
import { sel } from './harness.ts';
import { standaloneSuite } from './standalone.ts';

const WAIT_MS = 20_000;
const DAY = 86_400_000;

const suite = standaloneSuite({ simulator: false });
const openPage = suite.openPage;
const pageErrors = suite.pageErrors;

async function openTasks(page: Page): Promise<void> {
  await page.goto(`${suite.server.url}/tasks`);
  await page.waitForSelector(`${sel('tasks-page')}[data-ready="true"]`, { timeout: WAIT_MS });
}

describe('tasks on the map', () => {
  it('should let a district officer create a task that the wall then shows on its map', async () => {
    const desk = await openPage(suite.server.cookie);
    await openTasks(desk);
    await desk.fill(sel('task-new-title'), '五角场商圈占道经营整治');
    await desk.selectOption(sel('task-new-area'), '310110019000');
    await desk.selectOption(sel('task-new-unit'), 'urban-management');
    await desk.fill(sel('task-new-person'), '李某 科长');
    await desk.fill(sel('task-new-standard'), '占道经营清零');
    await desk.fill(sel('task-new-deadline'), '2099-12-31T18:00');
    await desk.fill(sel('task-new-place'), '121.514,31.302');
    await desk.fill(sel('task-new-milestones'), '摸底排查,2099-06-30\n集中整治,2099-10-31');
    await desk.click(sel('task-new-submit'));
    await desk.waitForSelector(`${sel('task-title')}`, { timeout: WAIT_MS });
    expect(await desk.textContent(sel('task-title'))).toBe('五角场商圈占道经营整治');
    await expect.poll(() => desk.locator(sel('task-row')).count(), { timeout: WAIT_MS }).toBe(1);
    expect(await desk.locator(sel('milestone')).count()).toBe(2);

    const wall = await openPage(suite.server.cookie, 1280, 720);
    await wall.goto(`${suite.server.url}/`);
    await wall.waitForSelector('[data-ready="true"]', { timeout: WAIT_MS });
    await wall.waitForSelector(`${sel('task-legend')}[data-ok="1"]`, { timeout: WAIT_MS });
    expect(pageErrors).toEqual([]);
  });

  it('should show the responsible unit its late task, take its written report and clear the owed flag', async () => {
    const past = (d: number) => new Date(Date.now() - d * DAY).toISOString();
    const created = await postJson(suite.server.url, '/api/v1/tasks', {
      title: '老旧小区加装电梯推进', unitId: 'housing', person: '王某 处长', standard: '年度加装 50 台', deadline: new Date(Date.now() + 30 * DAY).toISOString(),
      milestones: [{ title: '完成签约', due: past(2) }],
    }, undefined, { cookie: suite.server.cookie });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const u = await suite.server.createUser('unit', undefined, 'housing');
    const unit = await openPage(await suite.server.login(u.username, u.password));
    await openTasks(unit);
    await unit.waitForSelector(`${sel('task-row')}[data-id="${id}"][data-slow="true"]`, { timeout: WAIT_MS });
    await unit.click(`${sel('task-row')}[data-id="${id}"]`);
    await unit.waitForSelector(sel('task-awaiting'), { timeout: WAIT_MS });
    const actions = await unit.$$eval(`${sel('task-actions')} button`, (bs) => bs.map((b) => b.getAttribute('data-testid')));
    expect(actions).toContain('task-act-lateReport');
    expect(actions).not.toContain('task-act-urge');
    expect(actions).not.toContain('task-act-supervise');
    await unit.click(sel('task-act-lateReport'));
    await unit.fill(sel('task-report-text'), '因居民意见不一致，签约延后两周，已逐户上门沟通');
    await unit.fill(sel('task-report-file'), '延期说明.pdf');
    await unit.click(sel('task-confirm'));
    await unit.waitForSelector(`${sel('task-log-entry')}[data-action="lateReport"]`, { timeout: WAIT_MS });
    await unit.waitForSelector(sel('task-awaiting'), { state: 'detached', timeout: WAIT_MS });
    expect(await unit.locator(sel('task-slow')).count()).toBe(1); // still 慢落实: the milestone is late
    const stored = (await suite.server.get(`/api/v1/tasks/${id}`)).json;
    expect(stored.milestones[0].lateReport).toMatchObject({ text: '因居民意见不一致，签约延后两周，已逐户上门沟通', attachment: '延期说明.pdf', by: u.username });
    expect(pageErrors).toEqual([]);
  });

  it('should show the tasks on the wall\'s task board, overdue first, numbered as on the map, and open one from its row', async () => {
    const overdue = await postJson(suite.server.url, '/api/v1/tasks', {
      title: '餐饮油烟在线监测全覆盖', unitId: 'market-supervision', person: '陈某 副局长', standard: '重点餐饮100%在线', deadline: new Date(Date.now() - 2 * DAY).toISOString(),
      location: { type: 'Point', coordinates: [121.498, 31.278] }, milestones: [{ title: '设备安装', due: new Date(Date.now() - 5 * DAY).toISOString() }],
    }, undefined, { cookie: suite.server.cookie });
    expect(overdue.status).toBe(201);
    const wall = await openPage(suite.server.cookie);
    await wall.goto(`${suite.server.url}/`);
    await wall.waitForSelector('[data-ready="true"]', { timeout: WAIT_MS });
    await wall.click(sel('board-switch'));
    // the three tasks of this file: overdue, then 慢落实 (the late milestone), then on track
    await expect.poll(() => wall.$$eval(sel('task-row'), (rows) => rows.map((r) => r.getAttribute('data-standing'))), { timeout: WAIT_MS }).toEqual(['late', 'slow', 'ok']);
    const rows = await wall.$$eval(sel('task-row'), (rs) => rs.map((r) => ({ id: r.getAttribute('data-task-id')!, no: r.getAttribute('data-no'), text: r.textContent ?? '' })));
    expect(rows[0]).toMatchObject({ id: overdue.json.id, no: '1' });
    expect(rows[0]!.text).toContain('区市场监管局·陈某 副局长');
    expect(rows[0]!.text).toContain('设备安装');
    // the tasks with a place carry the same number on the map; the one without has none
    const badges = await wall.$$eval('.task-badge', (bs) => Object.fromEntries(bs.map((b) => [b.getAttribute('data-task-id'), b.getAttribute('data-no')])));
    expect(badges).toEqual({ [rows[0]!.id]: '1', [rows[2]!.id]: '3' });
    // on to the key areas, back to the closed loop, and to the tasks again; a row opens its task on the task page
    await wall.click(`${sel('board-switch')}[data-to="keyAreas"]`);
    await wall.waitForSelector(sel('panel-key-areas'), { timeout: WAIT_MS });
    await wall.click(`${sel('board-switch')}[data-to="loop"]`);
    await wall.waitForSelector(sel('panel-board'), { timeout: WAIT_MS });
    await wall.click(sel('board-switch'));
    await wall.click(`${sel('task-row')}[data-no="1"]`);
    await wall.waitForURL(`**/tasks?task=${overdue.json.id}`, { timeout: WAIT_MS });
    await wall.waitForFunction((title) => document.querySelector('[data-testid="task-title"]')?.textContent === title, '餐饮油烟在线监测全覆盖', { timeout: WAIT_MS });
    expect(pageErrors).toEqual([]);
  });

  it('should let an officer draw a task\'s area on the map, corner by corner, and store it as a polygon', async () => {
    const desk = await openPage(suite.server.cookie);
    await openTasks(desk);
    await desk.selectOption(sel('task-new-area'), '310110');
    await desk.fill(sel('task-new-title'), '黄兴公园周边道路综合整治');
    await desk.selectOption(sel('task-new-unit'), 'urban-management');
    await desk.fill(sel('task-new-person'), '李某 科长');
    await desk.fill(sel('task-new-standard'), '道路整洁度达标');
    await desk.fill(sel('task-new-deadline'), '2099-12-31T18:00');
    await desk.fill(sel('task-new-milestones'), '方案报批,2099-06-30');
    await desk.waitForSelector(`${sel('place-picker')}[data-ready="true"]`, { timeout: WAIT_MS });
    await desk.click(sel('place-mode-area'));
    // four corners around the middle of the district, a double click on the last counting once
    const box = (await desk.locator(sel('place-map')).boundingBox())!;
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
    for (const [dx, dy] of [[-20, -15], [20, -15], [20, 15], [-20, 15], [-20, 15]]) await desk.mouse.click(cx + dx!, cy + dy!);
    await desk.waitForSelector(`${sel('place-picker')}[data-corners="4"]`, { timeout: WAIT_MS });
    await desk.click(sel('place-finish'));
    await desk.waitForSelector(`${sel('place-picker')}[data-kind="Polygon"]`, { timeout: WAIT_MS });
    expect(await desk.textContent(sel('place-summary'))).toContain('4');
    await desk.click(sel('task-new-submit'));
    await desk.waitForFunction(() => document.querySelector('[data-testid="task-title"]')?.textContent === '黄兴公园周边道路综合整治', undefined, { timeout: WAIT_MS });
    const list = (await suite.server.get('/api/v1/tasks?limit=100')).json.tasks as { title: string; location: { type: string; coordinates: number[][][] } | null }[];
    const drawn = list.find((t) => t.title === '黄兴公园周边道路综合整治')!;
    expect(drawn.location!.type).toBe('Polygon');
    expect(drawn.location!.coordinates[0]).toHaveLength(5);
    // the picker is empty again for the next task
    await desk.waitForSelector(`${sel('place-picker')}[data-kind="none"]`, { timeout: WAIT_MS });
    expect(pageErrors).toEqual([]);
  });
});
