/**
 * @module server/routes/tasks
 * Tasks on the map (挂图作战): `GET /api/v1/tasks` (and `.csv`, the bulletin), `POST /api/v1/tasks`,
 * `GET /api/v1/tasks/:id`, `POST /api/v1/tasks/:id/actions`. Scoped like cases: an area sees its
 * tasks, a unit its own; anything outside answers like something that does not exist.
 */
import { Hono, type Context } from 'hono';
import { TaskAction, TaskCreate, TaskQuery, type TasksResponse, type TaskView } from '../../shared/index.ts';
import { AppError, issuesOf } from '../errors.ts';
import { clientIp, requireSession, sameOrigin, type SessionEnv } from '../middleware/session.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { TaskService } from '../services/task.service.ts';
import { parseJsonBody } from './body.ts';
import { csvDocument } from './csv.ts';

export function taskRoutes(d: { auth: AuthService; tasks: TaskService; unitName: (id: string) => string; areaName: (id: string) => string }) {
  const list = async (c: Context<SessionEnv>): Promise<TasksResponse> => {
    const q = TaskQuery.safeParse(c.req.query());
    if (!q.success) throw new AppError('VALIDATION', 400, 'bad query', issuesOf(q.error));
    return d.tasks.list(c.var.principal, q.data, clientIp(c));
  };
  return new Hono<SessionEnv>()
    .use('/tasks', sameOrigin, requireSession(d.auth))
    .use('/tasks/*', sameOrigin, requireSession(d.auth))
    .use('/tasks.csv', requireSession(d.auth))
    .get('/tasks', async (c) => c.json((await list(c)) satisfies TasksResponse))
    .get('/tasks.csv', async (c) => {
      const r = await list(c);
      const flags = (t: TasksResponse['tasks'][number]) => [t.late ? '逾期' : '', t.slow ? '慢落实' : '', t.awaitingReport.length ? '待书面报告' : '', t.visitDue ? '本季未现场办公' : ''].filter(Boolean).join(' ');
      const header = ['类型 kind', '任务 title', '责任单位 unit', '责任人 person', '区域 area', '截止 deadline', '状态 status', '进度% progress', '节点 milestones', '已完成节点 reached', '预警 flags'];
      const rows = r.tasks.map((t) => [
        t.kind === 'project' ? '项目' : '任务', t.title, d.unitName(t.unitId), t.person, d.areaName(t.areaId), t.deadline, t.status === 'done' ? '已完成' : '推进中', t.progress,
        t.milestones.length, t.milestones.filter((m) => m.doneAt).length, flags(t),
      ]);
      const p = c.var.principal;
      await d.auth.audit({ actor: p.name, actorKind: p.kind, action: 'task.export', target: p.areaId, outcome: 'ok', ip: clientIp(c), detail: `${rows.length} tasks` });
      return c.body(`\uFEFF${csvDocument(header, rows)}`, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="onescreen-tasks.csv"' });
    })
    .post('/tasks', async (c) => {
      const body = await parseJsonBody(c.req.raw, TaskCreate);
      return c.json((await d.tasks.create(c.var.principal, body, clientIp(c))) satisfies TaskView, 201);
    })
    .get('/tasks/:id', async (c) => c.json((await d.tasks.view(c.var.principal, c.req.param('id'), clientIp(c))) satisfies TaskView))
    .post('/tasks/:id/actions', async (c) => {
      const req = await parseJsonBody(c.req.raw, TaskAction);
      return c.json((await d.tasks.act(c.var.principal, c.req.param('id'), req, clientIp(c))) satisfies TaskView);
    });
}
