/**
 * Tasks on the map (挂图作战) over HTTP with a fake clock: created by the district with milestones;
 * the responsible unit reports progress and reaches milestones; a milestone passes its due date:
 * the task is flagged 慢落实, the server chases it by itself once, and it owes a written report
 * until the unit files one; 催办 and 督办 are logged; a project's quarterly site visit is counted;
 * every unit × street sees only its own tasks; the bulletin exports as CSV.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, postJson, shippedData, startTestServer, type TestServer } from '../helpers/server.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-12-07T09:00:00+08:00'); // a Monday in the year's last quarter
const WJC = '310110019000';
const DINGHAI = '310110001000';
const data = shippedData();
const streets = data.areas.features.filter((f) => f.properties.level === 'street').map((f) => f.properties.id);
const roaming = data.units.filter((u) => u.kind !== 'street').map((u) => u.id);

describe('tasks on the map', () => {
  let s: TestServer;
  let now = T0;
  const cookies: Record<string, string> = {};
  const iso = (t: number) => new Date(t).toISOString();
  const get = (path: string, cookie = cookies.district!) => s.get(path, cookie);
  const create = (body: object, cookie = cookies.district!) => postJson(s.url, '/api/v1/tasks', body, undefined, { cookie });
  const act = (id: string, body: object, cookie = cookies.district!) => postJson(s.url, `/api/v1/tasks/${id}/actions`, body, undefined, { cookie });
  const task = (over: object = {}) => ({
    kind: 'task', title: '五角场商圈占道经营整治', unitId: 'urban-management', person: '张某某 副局长', standard: '占道经营清零',
    deadline: iso(T0 + 30 * DAY), areaId: WJC, location: { type: 'Point', coordinates: [121.514, 31.302] },
    milestones: [{ title: '摸底排查', due: iso(T0 + 7 * DAY) }, { title: '集中整治', due: iso(T0 + 20 * DAY) }],
    ...over,
  });

  const users: Record<string, { username: string; password: string }> = {};
  /** move the clock (days on end: sessions run out, so everybody signs in again) */
  async function setNow(t: number) {
    now = t;
    for (const [name, u] of Object.entries(users)) cookies[name] = await s.login(u.username, u.password);
  }

  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false, clock: { now: () => now } });
    const login = async (name: string, ...args: Parameters<TestServer['createUser']>) => {
      users[name] = await s.createUser(...args);
      cookies[name] = await s.login(users[name].username, users[name].password);
    };
    await login('district', 'district');
    await login('cg', 'unit', undefined, 'urban-management');
    await login('fg', 'unit', undefined, 'housing');
    await login('wjc', 'street', WJC);
    await login('dinghai', 'street', DINGHAI);
  });
  afterAll(() => s.stop({ removeData: true }));

  it('should refuse bad tasks with clear errors', async () => {
    expect((await create(task({ milestones: [] }))).status).toBe(400);
    expect((await create(task({ unitId: 'constructor' }))).json.error.message).toBe('unitId: unknown unit constructor');
    expect((await create(task({ milestones: [{ title: '晚了', due: iso(T0 + 40 * DAY) }] }))).json.error.message).toBe('milestones: every milestone is due by the deadline');
    expect((await create(task({ location: { type: 'Point', coordinates: [120.0, 30.0] } }))).json.error.message).toMatch(/^location: 120,30 lies outside/);
    expect((await create(task({ location: { type: 'Polygon', coordinates: [[[121.51, 31.30], [121.52, 31.30], [121.52, 31.31]]] } }))).status).toBe(400);
    expect((await create(task(), cookies.cg)).status).toBe(403); // a unit does not create tasks
    expect((await create(task(), cookies.dinghai)).json.error.message).toBe(`areaId: no area ${WJC} in your scope`);
  });

  it('should follow a task through progress, a late milestone, the chase, the written report, 催办/督办 and completion', async () => {
    const c = await create(task());
    expect(c.status).toBe(201);
    const id = c.json.id as string;
    expect(c.json).toMatchObject({ status: 'active', progress: 0, late: false, slow: false, awaitingReport: [], visitDue: false, version: 1 });
    expect(c.json.log.map((e: any) => e.action)).toEqual(['create']);
    const v = async () => (await get(`/api/v1/tasks/${id}`)).json.version as number;

    // the responsible unit reports progress; another unit may not
    expect((await act(id, { action: 'progress', version: await v(), progress: 30, note: '已完成摸底一半' }, cookies.fg)).status).toBe(404);
    expect((await act(id, { action: 'progress', version: await v(), progress: 30, note: '已完成摸底一半' }, cookies.cg)).status).toBe(200);
    // a unit may not urge or supervise; the street may urge, only the district supervises
    expect((await act(id, { action: 'urge', version: await v() }, cookies.cg)).status).toBe(403);
    expect((await act(id, { action: 'urge', version: await v(), note: '请加快进度' }, cookies.wjc)).status).toBe(200);
    expect((await act(id, { action: 'supervise', version: await v(), note: '区督办' }, cookies.wjc)).status).toBe(403);
    expect((await act(id, { action: 'supervise', version: await v(), note: '纳入区级督办' })).status).toBe(200);

    // the first milestone passes its due date unreached: 慢落实, owed a report, chased once by the server
    // a channel of the district for late tasks: the chase goes out on it too
    const adminCookie = await s.login(ADMIN.username, ADMIN.password);
    const channel = await postJson(s.url, '/api/v1/admin/notifications/channels', { name: 'tasks', areaId: '310110', kind: 'webhook', url: 'http://127.0.0.1:9/hook', secret: 'a-secret-of-16-chars-or-more', kinds: ['task'] }, undefined, { cookie: adminCookie });
    expect(channel.status, channel.text).toBe(201);
    await setNow(T0 + 8 * DAY);
    let t = (await get(`/api/v1/tasks/${id}`)).json;
    expect(t).toMatchObject({ slow: true, lateMilestones: [0], awaitingReport: [0], late: false });
    expect((await get('/api/v1/tasks?status=slow')).json.tasks.map((x: any) => x.id)).toEqual([id]);
    expect(await s.app.tasks.chase()).toBe(1);
    expect(await s.app.tasks.chase()).toBe(0);
    const sent = await fetch(`${s.url}/api/v1/admin/notifications/deliveries`, { headers: { cookie: await s.login(ADMIN.username, ADMIN.password) } }).then((r) => r.json() as Promise<any[]>);
    expect(sent.map((x) => [x.kind, x.severity, x.title.zh, x.channelName])).toEqual([['task', 'warn', '任务催办：五角场商圈占道经营整治', 'tasks']]);
    t = (await get(`/api/v1/tasks/${id}`)).json;
    expect(t.log.filter((e: any) => e.action === 'chase').map((e: any) => [e.actor, e.data.milestone])).toEqual([['system', 0]]);
    expect(t.milestones[0].chasedAt).toBe(iso(now));

    // the report: text and the attached file's name; not for a milestone that is not late
    expect((await act(id, { action: 'lateReport', version: await v(), index: 1, text: '尚未到期的节点', attachment: 'x.pdf' }, cookies.cg)).status).toBe(422);
    expect((await act(id, { action: 'lateReport', version: await v(), index: 0, text: '说明', attachment: '' }, cookies.cg)).status).toBe(400);
    const rep = await act(id, { action: 'lateReport', version: await v(), index: 0, text: '因拆迁协调延误，已调整计划', attachment: '延期说明.pdf' }, cookies.cg);
    expect(rep.status).toBe(200);
    expect(rep.json).toMatchObject({ slow: true, awaitingReport: [] });
    expect(rep.json.milestones[0].lateReport).toMatchObject({ text: '因拆迁协调延误，已调整计划', attachment: '延期说明.pdf' });
    expect((await act(id, { action: 'milestone', version: await v(), index: 0 }, cookies.cg)).status).toBe(200);
    expect((await act(id, { action: 'complete', version: await v(), note: '全部完成' })).status).toBe(422); // a milestone is open
    expect((await act(id, { action: 'milestone', version: await v(), index: 1 }, cookies.cg)).status).toBe(200);
    // a stale version is refused
    expect((await act(id, { action: 'complete', version: 1, note: '全部完成' })).status).toBe(409);
    const done = await act(id, { action: 'complete', version: await v(), note: '占道经营已清零，验收合格' });
    expect(done.json).toMatchObject({ status: 'done', progress: 100, late: false });
    expect(done.json.log.map((e: any) => e.action)).toEqual(['create', 'progress', 'urge', 'supervise', 'chase', 'lateReport', 'milestone', 'milestone', 'complete']);
    // a deadline passed on an active task is chased too (once)
    const late = await create(task({ title: '逾期任务', deadline: iso(now + DAY), milestones: [{ title: '唯一节点', due: iso(now + DAY) }] }));
    await setNow(now + 2 * DAY);
    expect(await s.app.tasks.chase()).toBe(1);
    const lt = (await get(`/api/v1/tasks/${late.json.id}`)).json;
    expect(lt).toMatchObject({ late: true, slow: true });
    expect(lt.log.filter((e: any) => e.action === 'chase')).toHaveLength(2);
  });

  it("should count a project's site visit for this quarter, and list overdue tasks first", async () => {
    const p = await create(task({ kind: 'project', title: '杨浦滨江项目', deadline: iso(now + 90 * DAY), milestones: [{ title: '开工', due: iso(now + 30 * DAY) }] }));
    let list = (await get(`/api/v1/tasks?areaId=${WJC}&status=active`)).json;
    expect(list.coverage).toMatchObject({ projects: 1, visited: 0, quarterStart: new Date('2026-10-01T00:00:00+08:00').toISOString() });
    expect(list.tasks[0].late).toBe(true);
    expect((await act(p.json.id, { action: 'visit', version: 1, note: '项目现场办公，协调施工围挡' }, cookies.cg)).status).toBe(200);
    list = (await get(`/api/v1/tasks?areaId=${WJC}&status=active`)).json;
    expect(list.coverage).toMatchObject({ projects: 1, visited: 1 });
    // the next quarter: due again
    await setNow(Date.parse('2027-01-02T09:00:00+08:00'));
    expect((await get(`/api/v1/tasks/${p.json.id}`)).json.visitDue).toBe(true);
  });

  it('should show each unit and street only its own tasks — every unit × street pair', async () => {
    const made: { id: string; unit: string; street: string }[] = [];
    for (const street of streets) {
      for (const unit of roaming) {
        const r = await create(task({ title: `${unit}@${street}`, unitId: unit, areaId: street, location: undefined, deadline: iso(now + 30 * DAY), milestones: [{ title: 'm', due: iso(now + DAY) }] }));
        expect(r.status).toBe(201);
        made.push({ id: r.json.id, unit, street });
      }
    }
    const ids = async (cookie: string | undefined, q = '') => new Set(((await get(`/api/v1/tasks?limit=1000${q}`, cookie)).json.tasks as any[]).map((t) => t.id));
    for (const unit of ['urban-management', 'housing']) {
      const mine = await ids(cookies[unit === 'urban-management' ? 'cg' : 'fg']);
      for (const m of made) expect(mine.has(m.id)).toBe(m.unit === unit);
    }
    const wjc = await ids(cookies.wjc!);
    for (const m of made) expect(wjc.has(m.id)).toBe(m.street === WJC);
    const other = made.find((m) => m.street !== WJC)!;
    expect((await get(`/api/v1/tasks/${other.id}`, cookies.wjc)).status).toBe(404);
    expect((await get('/api/v1/tasks?unit=housing', cookies.cg)).status).toBe(403);
    expect((await get(`/api/v1/tasks?areaId=${DINGHAI}`, cookies.wjc)).status).toBe(404);
    // the district sees them all, filtered by unit
    expect((await ids(cookies.district, '&unit=housing')).size).toBe(streets.length);
  });

  it('should export the bulletin as CSV', async () => {
    const r = await fetch(`${s.url}/api/v1/tasks.csv?status=slow`, { headers: { cookie: cookies.district! } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await r.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // a byte-order mark: spreadsheets read UTF-8
    const text = new TextDecoder().decode(bytes);
    expect(text.startsWith('类型 kind,任务 title')).toBe(true);
    expect(text).toContain('慢落实');
    expect(text).toContain('区城管执法局');
  });
});
